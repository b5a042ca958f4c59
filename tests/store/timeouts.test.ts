// How long tapestry waits for PostgreSQL is configurable; a value that cannot be read stops the
// command with a message naming the variable, before any database is opened.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { openStore, StoreConfigError, storeOptionsFromEnv } from '../../src/store/open.ts';
import { captureIo } from '../support/io.ts';
import { databaseUrl } from '../support/store.ts';

describe('database timeouts', () => {
  it('reads DB_CONNECT_TIMEOUT_MS, DB_STATEMENT_TIMEOUT_MS and DB_IDLE_IN_TRANSACTION_TIMEOUT_MS as milliseconds, 0 for no limit', () => {
    expect(storeOptionsFromEnv({ DB_CONNECT_TIMEOUT_MS: '2500', DB_STATEMENT_TIMEOUT_MS: ' 0 ', DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '60000' }).timeouts).toEqual({
      connectMs: 2500,
      statementMs: 0,
      idleInTransactionMs: 60000,
    });
    expect(storeOptionsFromEnv({ DB_STATEMENT_TIMEOUT_MS: '' }).timeouts).toEqual({});
  });

  it('refuses a value that is not a whole number of milliseconds, naming the variable and the value', () => {
    for (const value of ['5s', '-1', '1.5', '1e4']) {
      expect(() => storeOptionsFromEnv({ DB_STATEMENT_TIMEOUT_MS: value })).toThrow(StoreConfigError);
      expect(() => storeOptionsFromEnv({ DB_STATEMENT_TIMEOUT_MS: value })).toThrow(`DB_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds (0 for no limit), not "${value}"`);
    }
  });

  it('stops a command with that one-line message, exit status 1', async () => {
    const io = captureIo({ env: { DB_CONNECT_TIMEOUT_MS: 'soon' } });
    expect(await run(['migrate', '--status'], io)).toBe(1);
    expect(io.stderr()).toBe('tapestry: DB_CONNECT_TIMEOUT_MS must be a whole number of milliseconds (0 for no limit), not "soon"\n');
  });

  // The embedded database has no server to wait for and no sessions to limit.
  it.skipIf(!databaseUrl)('sets the statement and idle-in-transaction limits on the PostgreSQL sessions it opens', async () => {
    const store = await openStore({ databaseUrl, timeouts: { statementMs: 1500, idleInTransactionMs: 2500 } });
    try {
      const shown = await sql<{ statement: string; idle: string }>`select current_setting('statement_timeout') as statement, current_setting('idle_in_transaction_session_timeout') as idle`.execute(store.db);
      expect(shown.rows).toEqual([{ statement: '1500ms', idle: '2500ms' }]);
    } finally {
      await store.close();
    }
  });
});
