// `tapestry serve` running, and the commands a researcher runs beside it, each its own process. On
// the embedded database the service holds the data and the commands go through it; on PostgreSQL
// (DATABASE_URL set) both reach the server, and the same flow runs there. Either way what a command
// changes is what the running service serves at once, and the service still stops cleanly.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inUseMessage } from '../../src/store/lock.ts';
import { ROOT as root, startServe, tapestry as run, type Finished, type Serving } from '../support/processes.ts';
import { backend, commandDatabase, databaseUrl } from '../support/store.ts';

const INSTRUMENT_FILE = 'tests/fixtures/instruments/good/numeric-codes.yaml';

/** PGlite's cluster state, the fifth field of global/pg_control (see serve.test.ts): 1 is "shut down". */
const clusterState = (dataDir: string) => readFileSync(join(dataDir, 'pgdata', 'global', 'pg_control')).readInt32LE(16);
const SHUT_DOWN = 1;

/** `tapestry …` in a terminal of its own. */
const tapestry = (env: NodeJS.ProcessEnv, ...args: string[]): Promise<Finished> => run(env, args);

// Each test starts tapestry processes, a few seconds each on a busy machine.
const SLOW = { timeout: 180_000 };

describe(`commands run while tapestry serve is running, on ${backend}`, SLOW, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let database: Awaited<ReturnType<typeof commandDatabase>>;
  let serve: Serving;

  const page = async (path: string) => {
    const response = await fetch(`${serve.address}${path}`);
    return { status: response.status, html: await response.text() };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tapestry-concurrent-'));
    database = await commandDatabase('concurrent');
    env = { ...process.env, ...database.env, TAPESTRY_DATA_DIR: dataDir, PORT: '0', LOG: '0' };
    serve = await startServe(env);
  }, SLOW.timeout);

  afterAll(async () => {
    if (serve?.child.exitCode === null) {
      serve.child.kill('SIGKILL');
      await serve.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    await database.dispose();
  });

  it('publishes an instrument and opens a wave of it, which the running service lists on its home page at once', async () => {
    expect((await page('/')).html).not.toContain('/s/numeric-codes/');
    const published = await tapestry(env, 'publish', INSTRUMENT_FILE, '--open-wave', 'pilot');
    expect(published).toMatchObject({ code: 0, err: '' });
    expect(published.out).toMatch(/^published {2}numeric-codes 1 /m);
    expect(published.out).toContain('opened       numeric-codes wave pilot (open to anyone with the link)');
    expect((await page('/')).html).toContain('/s/numeric-codes/pilot');
    const survey = await page('/s/numeric-codes/pilot');
    expect(survey.status).toBe(200);
    expect(survey.html).toContain('Start now');
  });

  it('opens a wave ahead, which the running service tells respondents is not open yet, and lists it', async () => {
    const opened = await tapestry(env, 'wave', 'open', 'leadership-individual', '2099-spring', '--opens', '2099-03-01');
    expect(opened).toEqual({ code: 0, err: '', out: 'scheduled  leadership-individual wave 2099-spring: version 1.0, open, from 2099-03-01T00:00:00Z\n' });
    const ahead = await page('/s/leadership-individual/2099-spring');
    expect(ahead.status).toBe(403);
    expect(ahead.html).toContain('This survey is not open yet');
    const listed = await tapestry(env, 'wave', 'list', 'leadership-individual', '--json');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.out) as { wave: string; state: string }[]).map(({ wave, state }) => ({ wave, state }))).toEqual([
      { wave: String(new Date().getUTCFullYear()), state: 'open' },
      { wave: '2099-spring', state: 'scheduled' },
    ]);
  });

  it('serves respondents while several commands write at the same moment', async () => {
    const waves = ['2099-a', '2099-b', '2099-c'];
    const [pages, ...commands] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, () => page('/s/numeric-codes/pilot').then((p) => p.status))),
      ...waves.map((wave) => tapestry(env, 'wave', 'open', 'leadership-organisational', wave, '--opens', '2099-09-01')),
    ]);
    expect(new Set(pages)).toEqual(new Set([200]));
    expect(commands.map((c) => [c.code, c.err])).toEqual(waves.map(() => [0, '']));
    const listed = JSON.parse((await tapestry(env, 'wave', 'list', 'leadership-organisational', '--json')).out) as { wave: string }[];
    expect(listed.map((w) => w.wave).sort()).toEqual([String(new Date().getUTCFullYear()), ...waves]);
  });

  it('closes a wave, which the running service then leaves off its home page and tells respondents is closed', async () => {
    const closed = await tapestry(env, 'wave', 'close', 'numeric-codes', 'pilot');
    expect(closed).toMatchObject({ code: 0, err: '' });
    expect(closed.out).toMatch(/^closed {2}numeric-codes wave pilot at /);
    expect((await page('/')).html).not.toContain('/s/numeric-codes/');
    const survey = await page('/s/numeric-codes/pilot');
    expect(survey.status).toBe(410);
    expect(survey.html).toContain('This survey is closed');
  });

  it('adds a workspace account whose set-password link the running service opens, and lists it', async () => {
    const added = await tapestry({ ...env, BASE_URL: serve.address }, 'user', 'add', 'ada@example.org', '--role', 'admin');
    expect([added.code, added.err]).toEqual([0, expect.stringMatching(/^the link sets the password once/)]);
    expect(added.out).toMatch(/^added {2}ada@example\.org: admin of every instrument\n/);
    const link = /(http:\/\/\S+\/admin\/set-password\/\S+)/.exec(added.out)![1]!;
    const form = await fetch(link);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('ada@example.org');
    const listed = await tapestry(env, 'user', 'list', '--json');
    expect((JSON.parse(listed.out) as { email: string; role: string }[]).map(({ email, role }) => ({ email, role }))).toEqual([{ email: 'ada@example.org', role: 'admin' }]);
  });

  it('prints the audit log of everything the commands did, while the service runs', async () => {
    const audit = await tapestry(env, 'audit', '--json');
    expect(audit.code).toBe(0);
    const actions = (JSON.parse(audit.out) as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['published', 'wave-opened', 'wave-closed', 'account-added']));
  });

  it.skipIf(databaseUrl)('leaves the schema to the service: a command may not undo a migration through it', async () => {
    const down = await tapestry(env, 'migrate', '--down');
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/^tapestry: the embedded database is in use by another tapestry process \(pid \d+\), which is using its tables\. Only the process holding it changes its schema/);
    expect(await tapestry(env, 'migrate')).toMatchObject({ code: 0, out: `${dataDir}, through the tapestry process holding it (pid ${serve.child.pid}): nothing to do\n` });
  });

  it.skipIf(databaseUrl)('refuses a second tapestry serve on the same data, since a service must hold what it serves', async () => {
    const second = await tapestry({ ...env, PORT: '0' }, 'serve');
    expect(second).toEqual({ code: 1, out: '', err: `tapestry: ${inUseMessage(dataDir, serve.child.pid)}\n` });
  });

  it('stops cleanly afterwards, and what the commands wrote is there when the data is opened again', async () => {
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.err()).toBe('');
    if (!databaseUrl) {
      for (const left of ['lock', 'lock.owner.json', 'socket']) expect([left, existsSync(join(dataDir, left))]).toEqual([left, false]);
      expect(clusterState(dataDir)).toBe(SHUT_DOWN);
    }
    // With the service gone, this command holds the embedded database itself.
    const listed = await tapestry(env, 'wave', 'list', 'numeric-codes', '--json');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.out) as { wave: string; state: string }[]).map(({ wave, state }) => ({ wave, state }))).toEqual([{ wave: 'pilot', state: 'closed' }]);
    if (!databaseUrl) expect(clusterState(dataDir)).toBe(SHUT_DOWN);
  });
});

// A holder that does not share (any command but `serve`, or a tapestry from before sharing) still
// keeps others out with the one line that says who has the data. Embedded only, whatever DATABASE_URL says.
describe('a command while another process holds the embedded database without sharing it', SLOW, () => {
  const embeddedEnv = { ...process.env, DATABASE_URL: '' };
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).reverse().forEach((cleanup) => cleanup()));

  async function holder(): Promise<{ dataDir: string; pid: number }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'tapestry-held-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'tests/fixtures/hold-store.ts'), dataDir, join(root, 'surveys', 'leadership-individual.yaml')], { cwd: root, env: embeddedEnv });
    cleanups.push(() => void child.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => String(d).includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`holder exited early with ${code}`)));
    });
    return { dataDir, pid: child.pid! };
  }

  it('is refused with the message that names the holder, as before', async () => {
    const { dataDir, pid } = await holder();
    expect(JSON.parse(readFileSync(join(dataDir, 'lock.owner.json'), 'utf8'))).toEqual({ pid });
    expect(await tapestry(embeddedEnv, '--data-dir', dataDir, 'wave', 'list')).toEqual({ code: 1, out: '', err: `tapestry: ${inUseMessage(dataDir, pid)}\n` });
  });

  it('is refused, saying so, when the holder names a socket that does not answer', async () => {
    const { dataDir, pid } = await holder();
    const socket = join(dataDir, 'socket', '.s.PGSQL.5432');
    writeFileSync(join(dataDir, 'lock.owner.json'), JSON.stringify({ pid, socket }));
    const refused = await tapestry(embeddedEnv, '--data-dir', dataDir, 'wave', 'list');
    expect(refused).toEqual({ code: 1, out: '', err: `tapestry: ${inUseMessage(dataDir, pid, `, which shares it on ${socket} but could not be reached there (ENOENT)`)}\n` });
  });
});
