/**
 * A fresh, empty store for one test file: a temporary PGlite directory by default, or a schema of
 * its own on the PostgreSQL named by DATABASE_URL, so that test files never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/open.ts';

export const databaseUrl = process.env.DATABASE_URL || undefined;
export const backend = databaseUrl ? 'PostgreSQL' : 'PGlite';

export interface TestStore extends Store {
  /** Reopens the same data after `close()`, as a restarted process would. */
  reopen(): Promise<Store>;
  /** The PGlite directory, when embedded. */
  dataDir?: string;
  dispose(): Promise<void>;
}

/** Runs one statement on the DATABASE_URL server outside any test's schema. */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function openTestStore(): Promise<TestStore> {
  if (databaseUrl) {
    const schema = `test_${randomBytes(6).toString('hex')}`;
    await adminQuery(`create schema ${schema}`);
    const store = await openStore({ databaseUrl, schema });
    const opened: Store[] = [store];
    return {
      ...store,
      reopen: async () => {
        const again = await openStore({ databaseUrl, schema });
        opened.push(again);
        return again;
      },
      dispose: async () => {
        for (const s of opened) await s.close().catch(() => undefined);
        await adminQuery(`drop schema ${schema} cascade`);
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'tapestry-test-'));
  const store = await openStore({ dataDir });
  const opened: Store[] = [store];
  return {
    ...store,
    dataDir,
    reopen: async () => {
      const again = await openStore({ dataDir });
      opened.push(again);
      return again;
    },
    dispose: async () => {
      for (const s of opened) await s.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The environment for `tapestry` commands under test: on PostgreSQL, a DATABASE_URL whose
 * search_path is a schema of the caller's own (dropped by `dispose`); embedded, no DATABASE_URL.
 */
export async function commandDatabase(prefix: string): Promise<{ env: NodeJS.ProcessEnv; dispose(): Promise<void> }> {
  if (!databaseUrl) return { env: { DATABASE_URL: '' }, dispose: async () => undefined };
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { env: { DATABASE_URL: url.toString() }, dispose: () => adminQuery(`drop schema if exists ${schema} cascade`) };
}
