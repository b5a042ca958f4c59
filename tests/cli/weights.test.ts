import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import { readResponsesFromStore } from '../../src/pipeline/from-store.ts';
import { openStore, type Store } from '../../src/store/open.ts';
import { captureIo } from '../support/io.ts';
import { backend, commandDatabase } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');

describe(`tapestry weights on ${backend}`, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv = {};
  let database: Awaited<ReturnType<typeof commandDatabase>>;
  let ids: string[] = [];
  const tapestry = async (...args: string[]) => {
    // setup publishes the bundled instruments, which it finds from the project's folder.
    const io = captureIo({ cwd: args[0] === 'setup' ? root : dir, env, username: () => 'lea' });
    const code = await run(['--data-dir', join(dir, 'data'), ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const withDb = async <T>(work: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir: join(dir, 'data') });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };
  const file = (name: string, lines: string[]) => {
    writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
    return name;
  };
  const stored = () => withDb(async (s) => (await s.db.selectFrom('response_weights').select('weight').execute()).length);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-weights-'));
    database = await commandDatabase('weights');
    env = database.env;
    const setup = await tapestry('setup');
    expect(setup.code, setup.err).toBe(0);
    ids = await withDb(async (store) => {
      const wave = await store.db.selectFrom('waves').select(['id', 'instrument_version_id']).where('instrument_id', '=', 'leadership-individual').where('name', '=', '2010').executeTakeFirstOrThrow();
      const row = (status: 'submitted' | 'in_progress', sector: string) => ({
        wave_id: wave.id,
        instrument_version_id: wave.instrument_version_id,
        invitation_id: null,
        resume_code_hash: null,
        status,
        answers: JSON.stringify({ sector }),
        current_page: null,
        submitted_at: status === 'submitted' ? new Date('2010-09-10T10:00:00Z') : null,
      });
      await store.db.insertInto('responses').values([row('submitted', 'public'), row('submitted', 'private'), row('submitted', 'voluntary'), row('in_progress', 'public')]).execute();
      return (await store.db.selectFrom('responses').select('id').where('status', '=', 'submitted').orderBy('id').execute()).map((r) => r.id);
    });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database.dispose();
  });

  it('reports every bad row at its line and stores nothing', async () => {
    const bad = file('bad.csv', ['response_id,weight', `${ids[0]},1.5`, `${ids[0]},2`, '00000000-0000-0000-0000-000000000000,1', `${ids[1]},-3`, `${ids[2]},heavy`]);
    const { code, err } = await tapestry('weights', 'attach', 'leadership-individual', bad, '--wave', '2010', '--name', 'calibrated');
    expect(code).toBe(1);
    expect(err).toContain('bad.csv:5: weight "-3" is not a positive number');
    expect(err).toContain('bad.csv:6: weight "heavy" is not a positive number');
    expect(await stored()).toBe(0);
    const second = await tapestry('weights', 'attach', 'leadership-individual', file('dup.csv', ['response_id,weight', `${ids[0]},1.5`, `${ids[0]},2`, '00000000-0000-0000-0000-000000000000,1']), '--wave', '2010');
    expect(second.err).toContain(`dup.csv:3: response ${ids[0]} has a weight already, at dup.csv:2`);
    expect(second.err).toContain('dup.csv:4: response 00000000-0000-0000-0000-000000000000 is not a submitted response of wave 2010 of leadership-individual');
    expect(second.err).toContain('2 submitted responses have no weight');
    expect((await tapestry('weights', 'attach', 'leadership-individual', file('head.csv', ['id,w', 'x,1']), '--wave', '2010')).err).toContain('head.csv:1: the header must have the columns response_id and weight');
    expect(await stored()).toBe(0);
  });

  it('attaches a set whole, audited, which the database input of a pipeline reads as the weight column its design names', async () => {
    const good = file('good.csv', ['response_id,weight', `${ids[0]},1.5`, `${ids[1]},2`, `${ids[2]},0.25`]);
    const attached = await tapestry('weights', 'attach', 'leadership-individual', good, '--wave', '2010', '--name', 'calibrated');
    expect(attached).toMatchObject({ code: 0, err: 'attached weights calibrated for 3 responses of wave 2010 of leadership-individual\n' });
    expect((await tapestry('weights', 'list', 'leadership-individual', '--wave', '2010')).out).toMatch(/^calibrated +3 /m);
    const { instrument } = await loadInstrumentFile(join(root, 'surveys', 'leadership-individual.yaml'));
    await withDb(async (store) => {
      const read = await readResponsesFromStore(store.db, instrument, '2010', { numeric: ['calibrated'], categorical: [], text: ['response_id'] });
      expect(read.problems).toEqual([]);
      const byId = new Map(read.dataset!.texts.get('response_id')!.map((id, i) => [id, read.dataset!.numbers.get('calibrated')![i]]));
      expect(Object.fromEntries(byId)).toEqual({ [ids[0]!]: 1.5, [ids[1]!]: 2, [ids[2]!]: 0.25 });
      const audit = await store.db.selectFrom('audit_log').select(['action', 'summary']).where('action', '=', 'weights-attached').execute();
      expect(audit).toEqual([{ action: 'weights-attached', summary: 'attached weights calibrated for 3 responses of wave 2010 of leadership-individual' }]);
    });
    const again = await tapestry('weights', 'attach', 'leadership-individual', file('again.csv', ['response_id,weight', `${ids[0]},1`, `${ids[1]},1`, `${ids[2]},1`]), '--wave', '2010', '--name', 'calibrated');
    expect(again.err).toContain('replaced weights calibrated');
    expect(await stored()).toBe(3);
  });
});
