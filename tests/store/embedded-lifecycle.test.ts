// The embedded database's promises to a single machine: one process at a time, and nothing
// lost when a process is stopped with a signal. These hold whatever DATABASE_URL says.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { listInstrumentVersions } from '../../src/store/instrument-versions.ts';
import { StoreLockedError } from '../../src/store/lock.ts';
import { openStore, type Store } from '../../src/store/open.ts';
import { captureIo } from '../support/io.ts';

const root = join(import.meta.dirname, '..', '..');
const instrumentFile = join(root, 'surveys', 'leadership-individual.yaml');
const embeddedEnv = { ...process.env, DATABASE_URL: '' };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tapestry-lifecycle-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(dataDir: string): Promise<Store> {
  const store = await openStore({ dataDir });
  cleanups.push(() => store.close());
  return store;
}

/** Starts a process that holds the store and resolves once it has written its row. */
function holdStore(dataDir: string): Promise<{ child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null; stderr: string }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'tests/fixtures/hold-store.ts'), dataDir, instrumentFile], { cwd: root, env: embeddedEnv });
  cleanups.push(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve({ child, exited }));
    exited.then(({ code }) => reject(new Error(`holder exited early with ${code}: ${stderr}`)));
  });
}

describe('the embedded database', () => {
  it('refuses a second opener in the same process with a message naming the owner', async () => {
    const dir = tempDir();
    await open(dir);
    const error = await openStore({ dataDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as Error).message).toContain(`in use by another tapestry process (pid ${process.pid})`);
  });

  it('refuses a second process with a clear message and exit status 1', async () => {
    const dir = tempDir();
    await open(dir);
    const child = spawn(process.execPath, [join(root, 'bin/tapestry.js'), '--data-dir', dir, 'migrate'], { cwd: root, env: embeddedEnv });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain(`tapestry: the embedded database in ${dir} is in use by another tapestry process (pid ${process.pid})`);
    expect(stderr).toContain('set DATABASE_URL');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a pipeline that reads the database while another process holds it with the same one-line message', async () => {
    const dir = tempDir();
    await open(dir);
    const io = captureIo({ cwd: root, env: embeddedEnv });
    const out = join(tempDir(), 'report');
    expect(await run(['--data-dir', dir, 'run', 'pipelines/leading-together.yaml', '--wave', '2010', '--out', out], io)).toBe(1);
    expect(io.stderr()).toBe(`tapestry: the embedded database in ${dir} is in use by another tapestry process (pid ${process.pid}). Stop that process first, or set DATABASE_URL to a PostgreSQL server when several processes must share the data.\n`);
  });

  it('keeps data written before a SIGTERM, and closes cleanly on the signal', async () => {
    const dir = tempDir();
    const { child, exited } = await holdStore(dir);
    child.kill('SIGTERM');
    const { code, stderr } = await exited;
    expect(code).toBe(143);
    expect(stderr).toContain('SIGTERM: closing the database');
    const store = await open(dir);
    expect((await listInstrumentVersions(store.db)).map((r) => r.instrument_id)).toEqual(['leadership-individual']);
  });

  it('takes over the lock of a process that was killed outright', async () => {
    const dir = tempDir();
    const { child, exited } = await holdStore(dir);
    child.kill('SIGKILL');
    await exited;
    const store = await open(dir);
    expect(store.kind).toBe('pglite');
  });

  it('lets the command line open the directory again once the holder has gone', async () => {
    const dir = tempDir();
    const first = await openStore({ dataDir: dir });
    await first.close();
    const io = captureIo({ env: embeddedEnv, cwd: root });
    expect(await run(['--data-dir', dir, 'migrate'], io)).toBe(0);
    expect(io.stdout()).toContain('applied  0001_initial');
  });
});
