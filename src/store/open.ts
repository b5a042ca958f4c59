/**
 * The database factory: the embedded PGlite by default, a PostgreSQL pool when DATABASE_URL is set.
 * Both speak the same SQL, so the same migrations and repositories serve both.
 */
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from './database.ts';
import { lockDataDir } from './lock.ts';

export interface StoreOptions {
  /** postgres://… — when absent, the embedded database is used. */
  databaseUrl?: string | undefined;
  /** Where the embedded database keeps its files (default `.tapestry`). */
  dataDir?: string | undefined;
  /** PostgreSQL only: a schema to work in instead of `public` (tests use one each). */
  schema?: string | undefined;
}

export interface Store {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  /** The schema tapestry's tables live in. */
  schema: string;
  /** Where the data is, for messages: a directory, or the server without its password. */
  location: string;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.tapestry';

/** Options from the environment: DATABASE_URL and TAPESTRY_DATA_DIR. */
export function storeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): StoreOptions {
  return { databaseUrl: env.DATABASE_URL || undefined, dataDir: env.TAPESTRY_DATA_DIR || undefined };
}

export async function openStore(options: StoreOptions = {}): Promise<Store> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.schema) : openPglite(options.dataDir ?? DEFAULT_DATA_DIR);
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the DATABASE_URL server';
  }
}

async function openPostgres(url: string, schema: string | undefined): Promise<Store> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema name ${schema} is not a plain identifier`);
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // Fail now, with the server named, rather than at the first query. The schema comes from the
  // server, so that a search_path set in the URL's options is honoured by the migrations too.
  let current: string;
  try {
    const client = await pool.connect();
    try {
      current = (await client.query<{ schema: string | null }>('select current_schema() as schema')).rows[0]?.schema ?? '';
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw new Error(`cannot connect to PostgreSQL at ${redact(url)}: ${(error as Error).message}`);
  }
  if (!current) {
    await pool.end();
    throw new Error(`PostgreSQL at ${redact(url)} has no schema on its search_path to create tapestry's tables in`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', schema: current, location: redact(url), close: () => db.destroy() };
}

async function openPglite(dataDir: string): Promise<Store> {
  const dir = resolve(dataDir);
  const release = await lockDataDir(dir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(join(dir, 'pgdata'));
  } catch (error) {
    await release();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      try {
        // Flush everything to the data files so that a restart needs no recovery.
        await pglite.exec('CHECKPOINT');
        await db.destroy();
      } finally {
        await release();
      }
    })());
  return { db, kind: 'pglite', schema: 'public', location: dir, close };
}
