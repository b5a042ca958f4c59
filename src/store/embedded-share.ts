/**
 * The embedded database, shared: the process that holds PGlite (`tapestry serve`) answers other
 * tapestry processes on this machine over PostgreSQL's wire protocol on a Unix socket, so that a
 * command run while the service is up goes through the service rather than being turned away.
 *
 * Decisions, and why:
 * - PGlite is one Postgres session, not a server of sessions. Whatever spans several protocol
 *   messages — an extended-protocol query (Parse … Sync) or a transaction (BEGIN … COMMIT) — must
 *   run with nobody else's messages in between, or one client's statement runs inside another's
 *   transaction, or binds another's statement. So the session has one gate, and whoever uses it
 *   holds it for a whole unit of work: the holder's own Kysely for a connection (one query, or a
 *   transaction from begin to commit), a socket client from its first message until the server
 *   tells it ReadyForQuery with the session idle again.
 * - @electric-sql/pglite-socket's server is not used: its multiplexer schedules single messages and
 *   keeps a client's turn only while a transaction block is open, so two clients' Parse/Bind/Sync
 *   interleave (electric-sql/pglite#1046), a client that leaves mid-transaction can stall its queue
 *   (#985), and nothing in it keeps the holder's own queries out of a client's transaction. What is
 *   left once the scheduling is ours is framing messages, which is a few lines.
 * - A Unix socket in a directory only this user may enter, not TCP: the wire protocol here has no
 *   password, and the directory's mode is what keeps other users of the machine out.
 * - A client that holds the gate and then goes quiet is disconnected (its transaction rolled back),
 *   so that respondents are not kept waiting behind a command that hangs.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Mutex, type MutexInterface } from 'async-mutex';
import type { DatabaseConnection, Dialect, Driver, TransactionSettings } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { StoreLogger } from './open.ts';

/** pg finds a server's socket as `<directory>/.s.PGSQL.<port>`; the port is only part of the name. */
const SOCKET_PORT = 5432;
const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`;
/** sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included. */
const MAX_SOCKET_PATH = 103;
/** As long as the service lets one of its own transactions sit idle on PostgreSQL (SERVICE_TIMEOUTS). */
export const HOLD_IDLE_MS = 10_000;

/** The one session, taken in turns. */
export type SessionGate = Mutex;
export const sessionGate = (): SessionGate => new Mutex();

/** Kysely on PGlite, each connection it takes (a query, or a transaction) holding the gate. */
export function gatedDialect(pglite: PGlite, gate: SessionGate): Dialect {
  const dialect = new PGliteDialect(pglite);
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => gatedDriver(dialect.createDriver(), gate),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

function gatedDriver(driver: Driver, gate: SessionGate): Driver {
  // The gate lets one connection out at a time, so one releaser is all there is to keep.
  let releaseGate: MutexInterface.Releaser | undefined;
  return {
    init: () => driver.init(),
    async acquireConnection() {
      const release = await gate.acquire();
      try {
        const connection = await driver.acquireConnection();
        releaseGate = release;
        return connection;
      } catch (error) {
        release();
        throw error;
      }
    },
    beginTransaction: (connection: DatabaseConnection, settings: TransactionSettings) => driver.beginTransaction(connection, settings),
    commitTransaction: (connection: DatabaseConnection) => driver.commitTransaction(connection),
    rollbackTransaction: (connection: DatabaseConnection) => driver.rollbackTransaction(connection),
    async releaseConnection(connection: DatabaseConnection) {
      const release = releaseGate;
      releaseGate = undefined;
      try {
        await driver.releaseConnection(connection);
      } finally {
        release?.();
      }
    },
    destroy: () => driver.destroy(),
  };
}

/** Where pg connects for a socket path: its directory as the host, the port from its name. */
export function socketAddress(socket: string): { host: string; port: number } | undefined {
  const match = /^\.s\.PGSQL\.(\d{1,5})$/.exec(basename(socket));
  return match ? { host: dirname(socket), port: Number(match[1]) } : undefined;
}

export interface Sharing {
  /** The socket's path, for the lock's owner file. */
  socket: string;
  /** Stops listening, disconnects every client (rolling back what each left open) and removes the socket. */
  stop(): Promise<void>;
}

/**
 * Serves `pglite` on a socket in `dataDir/socket/`, or in a private temporary directory when that
 * path is too long for a socket or its file system will not hold one. The caller holds the data
 * directory's lock, so a socket left there by a process that died is its to remove.
 */
export async function shareSession(pglite: PGlite, gate: SessionGate, dataDir: string, options: { idleMs?: number; logger?: StoreLogger } = {}): Promise<Sharing> {
  const idleMs = options.idleMs ?? HOLD_IDLE_MS;
  const logger = options.logger ?? { warn: () => undefined };
  const clients = new Set<Client>();
  const server = createServer((connection) => {
    const client = new Client(connection, pglite, gate, idleMs, logger);
    clients.add(client);
    void client.done.then(() => clients.delete(client));
  });
  const socketDir = await listenPrivately(server, dataDir);
  let stopping: Promise<void> | undefined;
  return {
    socket: join(socketDir, SOCKET_NAME),
    stop: () =>
      (stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const client of clients) client.disconnect();
        await Promise.all([...clients].map((client) => client.done));
        await closed;
        rmSync(socketDir, { recursive: true, force: true });
      })()),
  };
}

/** Listens in the first directory that takes a socket, made so that only this user may enter it; returns it. */
async function listenPrivately(server: Server, dataDir: string): Promise<string> {
  const inDataDir = join(dataDir, 'socket');
  const candidates: (() => string)[] = [];
  if (Buffer.byteLength(join(inDataDir, SOCKET_NAME)) <= MAX_SOCKET_PATH) {
    candidates.push(() => {
      rmSync(inDataDir, { recursive: true, force: true });
      mkdirSync(inDataDir, { mode: 0o700 });
      return inDataDir;
    });
  }
  candidates.push(() => mkdtempSync(join(tmpdir(), 'tapestry-')));
  let failure: unknown;
  for (const make of candidates) {
    const dir = make();
    try {
      // mkdir's mode passes through the umask, and mkdtemp's is 0700 already; this only makes sure.
      chmodSync(dir, 0o700);
      await listen(server, join(dir, SOCKET_NAME));
    } catch (error) {
      failure = error;
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    try {
      chmodSync(join(dir, SOCKET_NAME), 0o600);
      return dir;
    } catch (error) {
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }
  throw failure;
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The first packet's codes (protocol 3.0, and the requests a client may send before it). */
const PROTOCOL_3 = 196_608;
const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'
const TERMINATE = 0x58; // 'X'
/** Ends an extended query a client left unfinished; CopyFail first ends a COPY it left (and is ignored otherwise). */
const ABANDON = Buffer.concat([frontend('f', 'client disconnected\0'), frontend('S', '')]);

function frontend(type: string, body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const message = Buffer.alloc(5 + bytes.length);
  message.write(type, 0, 'latin1');
  message.writeInt32BE(4 + bytes.length, 1);
  bytes.copy(message, 5);
  return message;
}

class ProtocolViolation extends Error {}

/** One socket client: its messages framed, and run in its turns at the gate. */
class Client {
  readonly done: Promise<void>;
  private finish!: () => void;
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  private closed = false;
  private working = false;
  private releaseGate: MutexInterface.Releaser | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly replies = new ReadyForQueryWatch();

  constructor(
    private readonly socket: Socket,
    private readonly pglite: PGlite,
    private readonly gate: SessionGate,
    private readonly idleMs: number,
    private readonly logger: StoreLogger,
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    socket.on('data', (chunk: Buffer) => {
      clearTimeout(this.idleTimer);
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      void this.pump();
    });
    // 'close' follows an error, and cleans up.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.closed = true;
      void this.pump();
    });
  }

  disconnect(): void {
    this.socket.destroy();
  }

  /**
   * Runs the complete messages received, one at a time: only one pump runs per client. Once the
   * client has gone, the pump that sees it undoes what it left and stays the last.
   */
  private async pump(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      let message: Buffer | undefined;
      while (!this.closed && (message = this.next())) await this.run(message);
    } catch {
      // A malformed message, or a startup packet PGlite refused: nothing sensible can follow.
      // 'close' follows, and with it the pump that cleans up.
      this.socket.destroy();
    }
    if (this.closed) return this.abandon();
    this.working = false;
    clearTimeout(this.idleTimer);
    if (this.releaseGate) this.idleTimer = setTimeout(() => this.socket.destroy(), this.idleMs).unref();
  }

  /** The next complete message, or undefined until more arrives. */
  private next(): Buffer | undefined {
    for (;;) {
      if (!this.started) {
        if (this.buffer.length < 8) return undefined;
        const length = this.buffer.readInt32BE(0);
        const code = this.buffer.readInt32BE(4);
        if (length < 8 || length > 10_000) throw new ProtocolViolation(`a startup packet of ${length} bytes`);
        if (this.buffer.length < length) return undefined;
        const packet = this.take(length);
        if (code === PROTOCOL_3) {
          this.started = true;
          return packet;
        }
        // No encryption on a local socket: 'N', and the client goes on with its startup packet.
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write('N');
          continue;
        }
        // A CancelRequest, or a protocol PGlite does not speak: there is no backend to signal.
        throw new ProtocolViolation(`a startup code of ${code}`);
      }
      if (this.buffer.length < 5) return undefined;
      const length = this.buffer.readInt32BE(1);
      if (length < 4) throw new ProtocolViolation(`a message of ${length} bytes`);
      if (this.buffer.length < 1 + length) return undefined;
      const message = this.take(1 + length);
      if (message[0] === TERMINATE) {
        this.socket.end();
        return undefined;
      }
      return message;
    }
  }

  private take(length: number): Buffer {
    const head = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return head;
  }

  private async run(message: Buffer): Promise<void> {
    this.releaseGate ??= await this.gate.acquire();
    if (this.closed) return;
    this.replies.status = undefined;
    await this.pglite.runExclusive(() =>
      this.pglite.execProtocolRawStream(message, {
        onRawData: (data) => {
          this.replies.feed(data);
          if (!this.socket.destroyed) this.socket.write(data);
        },
      }),
    );
    // The unit of work is over once the session is idle: the holder, or another client, may go.
    if (this.replies.status === IDLE) this.letGo();
  }

  /** The client has gone: undo what it left open in the session, then give the gate back. */
  private async abandon(): Promise<void> {
    clearTimeout(this.idleTimer);
    try {
      if (this.releaseGate) {
        const discard = { onRawData: () => undefined };
        await this.pglite.runExclusive(() => this.pglite.execProtocolRawStream(ABANDON, discard));
        if (this.pglite.isInTransaction()) await this.pglite.exec('ROLLBACK');
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not undo what a client of the shared embedded database left open');
    } finally {
      this.letGo();
      this.finish();
    }
  }

  private letGo(): void {
    const release = this.releaseGate;
    this.releaseGate = undefined;
    release?.();
  }
}

/**
 * Follows the server's messages as they stream out (a type byte, then a length that counts
 * itself), to see each ReadyForQuery and the session's status in it.
 */
class ReadyForQueryWatch {
  /** The status byte of the last ReadyForQuery seen. */
  status: number | undefined;
  private header: number[] = [];
  private skip = 0;

  feed(data: Uint8Array): void {
    let i = 0;
    while (i < data.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, data.length - i);
        i += n;
        this.skip -= n;
        continue;
      }
      this.header.push(data[i++]!);
      if (this.header.length === 5) {
        const [type, a, b, c, d] = this.header as [number, number, number, number, number];
        const length = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
        // ReadyForQuery is 'Z', a length of 5 and one status byte: read that byte as part of the header.
        if (type === READY_FOR_QUERY && length === 5) continue;
        this.skip = length - 4;
        this.header = [];
      } else if (this.header.length === 6) {
        this.status = this.header[5];
        this.header = [];
      }
    }
  }
}
