import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateReset, migrateToLatest, migrationStatus } from '../../src/store/migrate.ts';
import { adminQuery, backend, databaseUrl, openTestStore, type TestStore } from '../support/store.ts';

/** Every migration, oldest first. */
const MIGRATIONS = ['0001_initial', '0002_service', '0003_wave_access', '0004_workspace', '0005_wave_targets', '0006_mail', '0007_mail_senders', '0008_api_tokens', '0009_response_statistics', '0010_response_weights', '0011_response_strata', '0012_response_sources'];

async function tableNames(store: TestStore): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_name not like 'kysely_%'
    order by table_name`.execute(store.db);
  return result.rows.map((r) => r.table_name);
}

describe(`migrations on ${backend}`, () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.dispose());

  it('creates every table on the way up and reports each migration applied', async () => {
    const applied = await migrateToLatest(store);
    expect(applied).toEqual(MIGRATIONS);
    expect(await tableNames(store)).toEqual([
      'account_instruments',
      'accounts',
      'api_token_instruments',
      'api_tokens',
      'audit_log',
      'instrument_versions',
      'invitation_links',
      'invitations',
      'mail_outbox',
      'password_tokens',
      'response_page_times',
      'response_weights',
      'responses',
      'sessions',
      'settings',
      'wave_messages',
      'wave_targets',
      'waves',
      'weight_sets',
    ]);
    expect((await migrationStatus(store)).every((m) => m.executedAt instanceof Date)).toBe(true);
  });

  it('applies nothing when run again on an up-to-date database', async () => {
    expect(await migrateToLatest(store)).toEqual([]);
  });

  it('removes every table on the way down and can go up again', async () => {
    const undone = await migrateReset(store);
    expect(undone).toEqual(['0012_response_sources', '0011_response_strata', '0010_response_weights', '0009_response_statistics', '0008_api_tokens', '0007_mail_senders', '0006_mail', '0005_wave_targets', '0004_workspace', '0003_wave_access', '0002_service', '0001_initial']);
    expect(await tableNames(store)).toEqual([]);
    expect(await migrateDown(store)).toEqual([]);
    await migrateToLatest(store);
    expect(await tableNames(store)).toHaveLength(19);
  });
});

// Many studies (or test files) can share one server, each in a schema of its own; one being
// dropped must not break another's migration, which once failed with "schema … does not exist".
describe.skipIf(!databaseUrl)('migrations on PostgreSQL while other schemas come and go', () => {
  it('migrates each fresh schema while four other clients keep creating and dropping schemas of twenty tables', async () => {
    let stop = false;
    const churn = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        const schema = `churn_${process.pid}_${worker}_${i}`;
        const tables = Array.from({ length: 20 }, (_, t) => `create table ${schema}.t${t} (id serial primary key, a text);`);
        await adminQuery(`create schema ${schema}; ${tables.join(' ')}`);
        await adminQuery(`drop schema ${schema} cascade`);
      }
    };
    const churning = Promise.all([0, 1, 2, 3].map(churn));
    const failures: string[] = [];
    try {
      for (let k = 0; k < 20; k++) {
        const fresh = await openTestStore();
        try {
          expect(await migrateToLatest(fresh)).toEqual(MIGRATIONS);
        } catch (error) {
          failures.push(String(error));
        } finally {
          await fresh.dispose();
        }
      }
    } finally {
      stop = true;
      await churning;
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
