/**
 * PGlite is one Postgres inside one process: two processes on the same data directory would
 * corrupt it. A lock directory beside the data keeps a second process out with a clear message.
 * The owner file names the holder's pid and, when the holder shares its database (`tapestry serve`
 * does, see embedded-share.ts), the socket it shares it on, so that a second process can go through
 * the holder instead of being turned away.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * The one line a command prints when it cannot have the embedded database; `detail` says more
 * about the holder, after its pid.
 */
export function inUseMessage(dir: string, owner: number | undefined, detail = ''): string {
  return (
    `the embedded database in ${dir} is in use by another tapestry process${owner ? ` (pid ${owner})` : ''}${detail}. ` +
    'Stop that process first, or set DATABASE_URL to a PostgreSQL server when several processes must share the data.'
  );
}

/** Another process holds the embedded database; the message says which, and what to do. */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError';
  /** The holder's pid, when its owner file names one. */
  readonly owner: number | undefined;
  /** The socket the holder shares the database on, when it does. */
  readonly socket: string | undefined;

  constructor(message: string, holder: { owner?: number | undefined; socket?: string | undefined } = {}) {
    super(message);
    this.owner = holder.owner;
    this.socket = holder.socket;
  }
}

interface Owner {
  pid: number | undefined;
  socket: string | undefined;
}

function ownerOf(ownerFile: string): Owner {
  try {
    const parsed = JSON.parse(readFileSync(ownerFile, 'utf8')) as { pid?: unknown; socket?: unknown };
    const pid = Number(parsed.pid);
    return {
      pid: Number.isInteger(pid) && pid > 0 ? pid : undefined,
      socket: typeof parsed.socket === 'string' && parsed.socket.startsWith('/') ? parsed.socket : undefined,
    };
  } catch {
    return { pid: undefined, socket: undefined };
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  /** Names (or, with null, stops naming) the socket this process shares the database on. */
  advertise(socket: string | null): void;
  /** Gives the lock back. */
  release(): Promise<void>;
}

/** Takes the lock on `dir`, or throws StoreLockedError naming the live process that has it. */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  mkdirSync(dir, { recursive: true });
  const lockPath = join(dir, 'lock');
  const ownerFile = join(dir, 'lock.owner.json');
  // A long staleness: starting PGlite can block the event loop for many seconds on a busy
  // machine, and a lock must not go stale under a live owner. A dead owner is detected by pid below.
  const options = { lockfilePath: lockPath, realpath: false, stale: 300_000, update: 10_000 };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, { ...options, onCompromised: () => undefined });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = ownerOf(ownerFile);
    // A process that was killed outright leaves its lock behind; if its pid is gone, the lock is ours.
    if (owner.pid === undefined || owner.pid === process.pid || isAlive(owner.pid)) {
      // A process never goes through itself: it would wait at its own gate for its own query.
      throw new StoreLockedError(inUseMessage(dir, owner.pid), { owner: owner.pid, socket: owner.pid === process.pid ? undefined : owner.socket });
    }
    rmSync(lockPath, { recursive: true, force: true });
    release = await lockfile.lock(dir, { ...options, onCompromised: () => undefined });
  }
  // Written whole and renamed into place: another process reads it while the holder rewrites it.
  const writeOwner = (socket: string | null) => {
    const temporary = `${ownerFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(socket ? { pid: process.pid, socket } : { pid: process.pid }));
    renameSync(temporary, ownerFile);
  };
  writeOwner(null);
  return {
    advertise: writeOwner,
    release: async () => {
      rmSync(ownerFile, { force: true });
      await release();
    },
  };
}
