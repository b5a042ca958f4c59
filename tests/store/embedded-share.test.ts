// The embedded database shared by the process that holds it: other processes reach it over a Unix
// socket, and PGlite's one session serves each unit of work whole — a client's statement never
// runs inside the holder's transaction, nor the holder's inside a client's. These are promises of
// the embedded database, so they hold whatever DATABASE_URL says.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect as connectRaw } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { gatedDialect, sessionGate, shareSession, socketAddress } from '../../src/store/embedded-share.ts';
import { StoreLockedError } from '../../src/store/lock.ts';
import { migrateDown, migrateToLatest } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/open.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tapestry-share-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store holding a fresh, migrated directory and sharing it; the socket as its owner file names it. */
async function sharedStore(): Promise<{ store: Store; dataDir: string; socket: string }> {
  const dataDir = tempDir();
  const store = await openStore({ dataDir });
  cleanups.push(() => store.close());
  await migrateToLatest(store);
  await store.share();
  const socket = (JSON.parse(readFileSync(join(dataDir, 'lock.owner.json'), 'utf8')) as { socket: string }).socket;
  return { store, dataDir, socket };
}

async function connect(socket: string): Promise<pg.Client> {
  const client = new pg.Client({ ...socketAddress(socket)!, user: 'postgres', database: 'postgres' });
  // A client the holder cuts off reports it here; the tests look at what it was doing instead.
  client.on('error', () => undefined);
  await client.connect();
  cleanups.push(() => client.end().catch(() => undefined));
  return client;
}

/** Whether `promise` has settled after the event loop has had `ms` to run everything else. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}

/** A frontend message: its type, its length (counting itself), its body. */
function message(type: string, ...parts: (string | number[])[]): Buffer {
  const body = Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(`${part}\0`) : Buffer.from(part))));
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

const valueOf = (store: Store, key: string) => store.db.selectFrom('settings').select('value').where('key', '=', key).execute();

describe('the embedded database shared on a socket', () => {
  it('names its socket in the owner file, in a directory only this user may enter', async () => {
    const { dataDir, socket } = await sharedStore();
    expect(JSON.parse(readFileSync(join(dataDir, 'lock.owner.json'), 'utf8'))).toEqual({ pid: process.pid, socket: join(dataDir, 'socket', '.s.PGSQL.5432') });
    expect(statSync(join(dataDir, 'socket')).mode & 0o777).toBe(0o700);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const client = await connect(socket);
    expect((await client.query<{ n: number }>('select count(*)::int as n from waves')).rows).toEqual([{ n: 0 }]);
  });

  it('puts the socket in a private temporary directory when the data directory is too deep for one, and removes it on close', async () => {
    const dataDir = join(tempDir(), 'a-directory-name-long-enough-that-a-socket-path-inside-it-would-not-fit-in-sun_path');
    const store = await openStore({ dataDir });
    cleanups.push(() => store.close());
    await store.share();
    const socket = (JSON.parse(readFileSync(join(dataDir, 'lock.owner.json'), 'utf8')) as { socket: string }).socket;
    expect(socket.startsWith(join(tmpdir(), 'tapestry-'))).toBe(true);
    expect(statSync(join(socket, '..')).mode & 0o777).toBe(0o700);
    const client = await connect(socket);
    expect((await client.query<{ n: number }>('select 1 as n')).rows).toEqual([{ n: 1 }]);
    await store.close();
    expect(existsSync(join(socket, '..'))).toBe(false);
  });

  it("keeps the holder's own queries out of a client's open transaction until it ends", async () => {
    const { store, socket } = await sharedStore();
    const client = await connect(socket);
    await client.query('begin');
    await client.query("insert into settings (key, value) values ('k', 'uncommitted')");
    const read = valueOf(store, 'k');
    expect(await settledWithin(read, 300)).toBe(false);
    await client.query('rollback');
    expect(await read).toEqual([]);
  });

  it("keeps a client's statements out of the holder's open transaction until it ends", async () => {
    const { store, socket } = await sharedStore();
    const client = await connect(socket);
    let inserted!: () => void;
    let finish!: () => void;
    const insertedRow = new Promise<void>((resolve) => (inserted = resolve));
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const transaction = store.db.transaction().execute(async (trx) => {
      await trx.insertInto('settings').values({ key: 'k', value: 'uncommitted' }).execute();
      inserted();
      await finished;
      throw new Error('rolled back on purpose');
    });
    await insertedRow;
    const read = client.query<{ n: number }>("select count(*)::int as n from settings where key = 'k'");
    expect(await settledWithin(read, 300)).toBe(false);
    finish();
    await expect(transaction).rejects.toThrow('rolled back on purpose');
    // Had it run inside the holder's transaction, it would have counted the row that was rolled back.
    expect((await read).rows).toEqual([{ n: 0 }]);
  });

  it("answers each of several clients' concurrent queries, and the holder's, with their own results", async () => {
    const { store, socket } = await sharedStore();
    const clients = await Promise.all([connect(socket), connect(socket), connect(socket)]);
    // Each asks its own SQL: a Bind that reached another's Parse would answer with the other's text.
    const ask = async (name: string, query: (value: string) => Promise<string | undefined>) => {
      const wrong: string[] = [];
      for (let i = 0; i < 40; i++) {
        const value = `${name} query ${i}`;
        const got = await query(value).catch((error: Error) => error.message);
        if (got !== `${value} from ${name}`) wrong.push(`${value}: ${got}`);
      }
      return wrong;
    };
    const answered = await Promise.all([
      ...clients.map((client, c) =>
        ask(`client ${c}`, async (value) => (await client.query<{ v: string }>(`select $1::text || ' from client ${c}' as v`, [value])).rows[0]?.v),
      ),
      ask('holder', async (value) => (await sql<{ v: string }>`select ${value}::text || ' from holder' as v`.execute(store.db)).rows[0]?.v),
    ]);
    expect(answered).toEqual([[], [], [], []]);
  });

  it("keeps a client's extended query whole when its messages arrive apart, the holder's query waiting for its Sync", async () => {
    const { store, socket } = await sharedStore();
    const raw = connectRaw(socket);
    cleanups.push(() => raw.destroy());
    let received = Buffer.alloc(0);
    raw.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    const reply = async (ending: number[]) => {
      while (!received.includes(Buffer.from(ending))) await sleep(10);
      const got = received;
      received = Buffer.alloc(0);
      return got;
    };
    const READY_FOR_QUERY = [0x5a, 0, 0, 0, 5];
    const PARSE_COMPLETE = [0x31, 0, 0, 0, 4];
    const startup = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + startup.length, 0);
    head.writeInt32BE(196_608, 4);
    // In two pieces, as a packet may arrive: the first is not yet a whole startup packet.
    raw.write(head);
    await sleep(50);
    raw.write(startup);
    await reply(READY_FOR_QUERY);
    // The unnamed statement lives until Sync: had the holder's query (a Parse of its own) run now,
    // the client's Bind would bind the holder's statement.
    raw.write(Buffer.concat([message('P', '', "select 'from the client' as who", [0, 0]), message('H')]));
    await reply(PARSE_COMPLETE);
    const holder = sql<{ who: string }>`select 'from the holder' as who`.execute(store.db);
    expect(await settledWithin(holder, 300)).toBe(false);
    raw.write(Buffer.concat([message('B', '', '', [0, 0, 0, 0, 0, 0]), message('E', '', [0, 0, 0, 0]), message('S')]));
    const answer = await reply(READY_FOR_QUERY);
    expect(answer.includes(Buffer.from('from the client'))).toBe(true);
    expect(answer.includes(Buffer.from('from the holder'))).toBe(false);
    expect((await holder).rows).toEqual([{ who: 'from the holder' }]);
  });

  it('rolls back what a client left open when it disconnects, and the holder goes on', async () => {
    const { store, socket } = await sharedStore();
    const client = await connect(socket);
    await client.query('begin');
    await client.query("insert into settings (key, value) values ('k', 'left behind')");
    await client.end();
    expect(await valueOf(store, 'k')).toEqual([]);
    await store.db.insertInto('settings').values({ key: 'k', value: 'the holder' }).execute();
    expect(await valueOf(store, 'k')).toEqual([{ value: 'the holder' }]);
  });

  it('cuts off a client that holds the session and goes quiet, rolling back its transaction', async () => {
    const pglite = await PGlite.create();
    const gate = sessionGate();
    const db = new Kysely<Database>({ dialect: gatedDialect(pglite, gate) });
    cleanups.push(() => db.destroy());
    const sharing = await shareSession(pglite, gate, tempDir(), { idleMs: 300 });
    cleanups.push(() => sharing.stop());
    const client = await connect(sharing.socket);
    const ended = new Promise<void>((resolve) => client.on('end', () => resolve()));
    await client.query('begin');
    await client.query('create table quiet (n int)');
    const started = Date.now();
    await ended;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await sql<{ t: string | null }>`select to_regclass('quiet')::text as t`.execute(db)).rows).toEqual([{ t: null }]);
  });

  it('closes cleanly with a client mid-transaction: the client is cut off, its writes undone, the socket and lock gone', async () => {
    const { store, dataDir, socket } = await sharedStore();
    const client = await connect(socket);
    await client.query('begin');
    await client.query("insert into settings (key, value) values ('k', 'cut off')");
    await store.close();
    await expect(client.query('commit')).rejects.toThrow();
    expect(existsSync(join(dataDir, 'socket'))).toBe(false);
    expect(existsSync(join(dataDir, 'lock.owner.json'))).toBe(false);
    const again = await openStore({ dataDir });
    cleanups.push(() => again.close());
    expect(await valueOf(again, 'k')).toEqual([]);
  });

  it('never migrates through the holder: nothing to do once the holder has, refused while it has not, refused going down', async () => {
    const store = await openStore({ dataDir: tempDir() });
    cleanups.push(() => store.close());
    const through = { ...store, sharedBy: 4242 };
    const early = await migrateToLatest(through).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(StoreLockedError);
    expect((early as Error).message).toMatch(/^the embedded database is in use by another tapestry process \(pid 4242\), which has not applied 0001_initial, 0002_service/);
    expect(await sql<{ t: string | null }>`select to_regclass('waves')::text as t`.execute(store.db).then((r) => r.rows)).toEqual([{ t: null }]);
    await migrateToLatest(store);
    expect(await migrateToLatest(through)).toEqual([]);
    await expect(migrateDown(through)).rejects.toThrow('(pid 4242), which is using its tables. Only the process holding it changes its schema');
  });
});
