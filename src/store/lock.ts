/**
 * PGlite is one Postgres inside one process: two processes on the same data directory would
 * corrupt it. A lock directory beside the data keeps a second process out with a clear message.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';

export class StoreLockedError extends Error {
  constructor(dir: string, owner: number | undefined) {
    super(
      `the embedded database in ${dir} is in use by another tapestry process${owner ? ` (pid ${owner})` : ''}. ` +
        'Stop that process first, or set DATABASE_URL to a PostgreSQL server when several processes must share the data.',
    );
    this.name = 'StoreLockedError';
  }
}

function ownerOf(ownerFile: string): number | undefined {
  try {
    const pid = Number(JSON.parse(readFileSync(ownerFile, 'utf8')).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
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

/** Takes the lock on `dir`; resolves to the function that gives it back. */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
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
    if (owner === undefined || owner === process.pid || isAlive(owner)) throw new StoreLockedError(dir, owner);
    rmSync(lockPath, { recursive: true, force: true });
    release = await lockfile.lock(dir, { ...options, onCompromised: () => undefined });
  }
  writeFileSync(ownerFile, JSON.stringify({ pid: process.pid }));
  return async () => {
    rmSync(ownerFile, { force: true });
    await release();
  };
}
