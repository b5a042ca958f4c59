/**
 * The database factory: the embedded PGlite by default, a PostgreSQL pool when DATABASE_URL is set.
 * Both speak the same SQL, so the same migrations and repositories serve both. An embedded
 * database held by a process that shares it (`tapestry serve`) is reached through that process.
 */
import { lstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';
import { gatedDialect, sessionGate, shareSession, socketAddress, type Sharing } from './embedded-share.ts';
import { inUseMessage, lockDataDir, StoreLockedError } from './lock.ts';
import { isDatabaseUnavailable } from './unavailable.ts';

export interface StoreOptions {
  /** postgres://… — when absent, the embedded database is used. */
  databaseUrl?: string | undefined;
  /** Where the embedded database keeps its files (default `.tapestry`). */
  dataDir?: string | undefined;
  /** PostgreSQL only: a schema to work in instead of `public` (tests use one each). */
  schema?: string | undefined;
  /** PostgreSQL only: how long to wait for the server (see `DatabaseTimeouts`). */
  timeouts?: Partial<DatabaseTimeouts> | undefined;
  /** Where the store reports what it survives, such as a pooled connection the server closed. */
  logger?: StoreLogger | undefined;
  /**
   * Embedded only: when another process holds the directory and shares it, go through that process
   * (the default) rather than be refused. `serve` is refused: it must hold the data it serves.
   */
  throughHolder?: boolean | undefined;
}

/**
 * Limits on waiting for PostgreSQL, in milliseconds; 0 means no limit. A database that is down or
 * hangs then fails a request within these instead of holding it (and its connection) for ever.
 */
export interface DatabaseTimeouts {
  /** Opening a connection, or waiting for a free one in the pool. */
  connectMs: number;
  /** One statement, enforced by the server; the client gives up a little later in case the server itself has stopped. */
  statementMs: number;
  /** A transaction left open with no statement running; the server then ends the session. */
  idleInTransactionMs: number;
}

/**
 * A command runs long statements (a pipeline reads every response in one), so only connecting is
 * limited; the service, whose requests must end, sets its own (`SERVICE_TIMEOUTS` in collect/server.ts).
 */
export const COMMAND_TIMEOUTS: DatabaseTimeouts = { connectMs: 10_000, statementMs: 0, idleInTransactionMs: 0 };

/** The variables that override the timeouts, by field. */
export const TIMEOUT_VARIABLES: Record<keyof DatabaseTimeouts, string> = {
  connectMs: 'DB_CONNECT_TIMEOUT_MS',
  statementMs: 'DB_STATEMENT_TIMEOUT_MS',
  idleInTransactionMs: 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
};

/** pino's signature, so that a Fastify logger can be passed as it is. */
export interface StoreLogger {
  warn(details: { err: unknown }, message: string): void;
}

/** A setting in the environment that cannot be used; the message names the variable and the value. */
export class StoreConfigError extends Error {
  override name = 'StoreConfigError';
}

export interface Store {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  /** The schema tapestry's tables live in. */
  schema: string;
  /** Where the data is, for messages: a directory, or the server without its password. */
  location: string;
  /**
   * Embedded only: the pid of the process that holds the database and that this store reaches it
   * through; null when this process holds it itself, and on PostgreSQL. Only the holder migrates.
   */
  sharedBy: number | null;
  /**
   * Embedded, and held by this process: from now until `close`, other tapestry processes of this
   * user on this machine reach the database through this one instead of being refused. Anywhere
   * else there is nothing to share, and it does nothing.
   */
  share(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.tapestry';

/** Options from the environment: DATABASE_URL, TAPESTRY_DATA_DIR and the DB_*_TIMEOUT_MS variables. */
export function storeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): StoreOptions {
  const timeouts: Partial<DatabaseTimeouts> = {};
  for (const [field, name] of Object.entries(TIMEOUT_VARIABLES) as [keyof DatabaseTimeouts, string][]) {
    const text = env[name]?.trim();
    if (!text) continue;
    if (!/^\d{1,9}$/.test(text)) throw new StoreConfigError(`${name} must be a whole number of milliseconds (0 for no limit), not "${env[name]}"`);
    timeouts[field] = Number(text);
  }
  return { databaseUrl: env.DATABASE_URL || undefined, dataDir: env.TAPESTRY_DATA_DIR || undefined, timeouts };
}

export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const timeouts = { ...COMMAND_TIMEOUTS, ...definedOnly(options.timeouts) };
  if (!options.databaseUrl) return openPglite(options.dataDir ?? DEFAULT_DATA_DIR, options.throughHolder ?? true, timeouts, options.logger ?? SILENT);
  return openPostgres(options.databaseUrl, options.schema, timeouts, options.logger ?? SILENT);
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

/** The next query reports a lost connection anyway, so a store that is given no logger stays quiet. */
const SILENT: StoreLogger = { warn: () => undefined };

/** How much longer than the server's statement limit the client waits before it gives up on the server. */
const CLIENT_GRACE_MS = 1_000;

function definedOnly(timeouts: Partial<DatabaseTimeouts> | undefined): Partial<DatabaseTimeouts> {
  return Object.fromEntries(Object.entries(timeouts ?? {}).filter(([, value]) => value !== undefined));
}

async function openPostgres(url: string, schema: string | undefined, timeouts: DatabaseTimeouts, logger: StoreLogger): Promise<Store> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema name ${schema} is not a plain identifier`);
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: timeouts.connectMs,
    keepAlive: true,
    ...(timeouts.statementMs > 0 ? { statement_timeout: timeouts.statementMs, query_timeout: timeouts.statementMs + CLIENT_GRACE_MS } : {}),
    ...(timeouts.idleInTransactionMs > 0 ? { idle_in_transaction_session_timeout: timeouts.idleInTransactionMs } : {}),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A restart, a failover or pg_terminate_backend closes idle connections; pg then emits 'error'
  // on the pool, and an 'error' nobody listens to ends the process. The pool has already dropped
  // the connection, and the next query opens a new one.
  pool.on('error', (err) => logger.warn({ err }, 'PostgreSQL closed a pooled connection; the next query opens a new one'));
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
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: discardingBroken(pool, logger) }) });
  let closing: Promise<void> | undefined;
  return { db, kind: 'postgres', schema: current, location: redact(url), sharedBy: null, share: nothing, close: () => (closing ??= db.destroy()) };
}

/**
 * The pool as Kysely sees it, with two things pg leaves to its caller. A connection whose query
 * failed for want of the server (above all pg's own read timeout, after which the unanswered query
 * still occupies the connection) goes back to the pool as broken, so it is closed and never lent
 * again. And a connection that fails while lent out between two queries, as when the server ends a
 * transaction left idle, emits 'error' with no listener of pg's attached: that is logged here
 * instead of ending the process.
 */
function discardingBroken(pool: pg.Pool, logger: StoreLogger): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
        logger.warn({ err }, 'PostgreSQL closed a connection in use; it will not be used again');
      };
      client.on('error', onError);
      const lent: PostgresPoolClient = {
        // The dialect is given no cursor class, so Kysely only ever sends text with parameters.
        query: (async (text: string, parameters: readonly unknown[]) => {
          try {
            return await client.query(text, [...parameters]);
          } catch (error) {
            if (isDatabaseUnavailable(error)) broken ??= error as Error;
            throw error;
          }
        }) as unknown as PostgresPoolClient['query'],
        release() {
          client.off('error', onError);
          client.release(broken);
        },
      };
      return lent;
    },
    end: () => pool.end(),
  };
}

const nothing = async () => undefined;

async function openPglite(dataDir: string, throughHolder: boolean, timeouts: DatabaseTimeouts, logger: StoreLogger): Promise<Store> {
  const dir = resolve(dataDir);
  let lock;
  try {
    lock = await lockDataDir(dir);
  } catch (error) {
    if (throughHolder && error instanceof StoreLockedError && error.owner !== undefined && error.socket !== undefined) {
      return openThroughHolder(dir, error.owner, error.socket, timeouts, logger);
    }
    throw error;
  }
  let pglite: PGlite;
  try {
    // Loaded here rather than with this module: its WebAssembly build is tens of megabytes that a
    // command on PostgreSQL never needs.
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(join(dir, 'pgdata'));
  } catch (error) {
    await lock.release();
    throw error;
  }
  // Every use of the one session takes its turn at the gate, the holder's own queries as much as
  // those that arrive on the socket (see embedded-share.ts).
  const gate = sessionGate();
  const db = new Kysely<Database>({ dialect: gatedDialect(pglite, gate) });
  let sharing: Sharing | undefined;
  let closing: Promise<void> | undefined;
  const share = async () => {
    // Windows has no Unix socket directories with a mode to keep other users out.
    if (sharing || closing || process.platform === 'win32') return;
    // Sharing is a convenience: a holder that cannot share still holds, as holders did before.
    try {
      sharing = await shareSession(pglite, gate, dir, { logger });
      lock.advertise(sharing.socket);
    } catch (err) {
      logger.warn({ err }, 'could not share the embedded database: other tapestry commands are refused while this process holds it');
      await sharing?.stop();
      sharing = undefined;
    }
  };
  const close = () =>
    (closing ??= (async () => {
      try {
        if (sharing) {
          // No longer advertised, then stopped: a command starting now is told the database is in
          // use, rather than pointed at a socket that is going away. The owner file goes with the
          // lock below in any case, so failing to rewrite it must not keep PGlite from closing.
          try {
            lock.advertise(null);
          } catch (err) {
            logger.warn({ err }, 'could not stop advertising the shared embedded database');
          }
          await sharing.stop();
        }
        // Flush everything to the data files so that a restart needs no recovery.
        await gate.runExclusive(() => pglite.exec('CHECKPOINT'));
        await db.destroy();
        // Kysely closes its driver only if a query went through it; PGlite must be closed
        // whatever ran, or its data directory is left as a crashed server leaves it.
        if (!pglite.closed) await pglite.close();
      } finally {
        await lock.release();
      }
    })());
  return { db, kind: 'pglite', schema: 'public', location: dir, sharedBy: null, share, close };
}

/**
 * The embedded database held by another process that shares it: pg on its socket, one connection,
 * as the embedded database has one session. The socket must be one this user owns, so that a
 * directory others can write to cannot send this process's data to someone else's server.
 */
async function openThroughHolder(dir: string, holder: number, socket: string, timeouts: DatabaseTimeouts, logger: StoreLogger): Promise<Store> {
  const refused = (reason: string) =>
    new StoreLockedError(inUseMessage(dir, holder, `, which shares it on ${socket} but ${reason}`), { owner: holder });
  const address = socketAddress(socket);
  if (!address) throw refused('that is not a PostgreSQL socket name');
  let mine: boolean;
  try {
    const stat = lstatSync(socket);
    mine = stat.isSocket() && stat.uid === process.getuid?.();
  } catch (error) {
    throw refused(`could not be reached there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!mine) throw refused('that is not a socket of this user');
  const pool = new pg.Pool({ ...address, user: 'postgres', database: 'postgres', max: 1, connectionTimeoutMillis: timeouts.connectMs });
  pool.on('error', (err) => logger.warn({ err }, 'the process sharing the embedded database closed its connection; the next query opens a new one'));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    throw refused(`did not answer there (${(error as Error).message})`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: discardingBroken(pool, logger) }) });
  let closing: Promise<void> | undefined;
  return {
    db,
    kind: 'pglite',
    schema: 'public',
    location: `${dir}, through the tapestry process holding it (pid ${holder})`,
    sharedBy: holder,
    share: nothing,
    close: () => (closing ??= db.destroy()),
  };
}
