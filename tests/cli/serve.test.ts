// `npm start` as a person runs it on a fresh checkout: the embedded database, the bundled
// surveys, a port; and a clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';

const root = join(import.meta.dirname, '..', '..');

/**
 * PGlite has no pg_controldata; the cluster's state is the fifth field of global/pg_control, after
 * the 8-byte system identifier and two 4-byte version numbers: 1 is "shut down", 6 "in production".
 */
function clusterState(dataDir: string): number {
  return readFileSync(join(dataDir, 'pgdata', 'global', 'pg_control')).readInt32LE(16);
}
const SHUT_DOWN = 1;

describe('serving the surveys', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  async function start(command: string, args: string[]) {
    const dataDir = mkdtempSync(join(tmpdir(), 'tapestry-serve-'));
    dirs.push(dataDir);
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', TAPESTRY_DATA_DIR: dataDir, PORT: '0', LOG: '0' },
      // A group of its own, so that stopping npm stops the server it started too.
      detached: true,
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const match = /serving surveys at (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`${command} exited with ${code}: ${err}`)));
    });
    return { child, exited, address, dataDir, out: () => out, err: () => err };
  }

  it('npm start serves the bundled surveys on the embedded database', async () => {
    const { child, exited, address, out } = await start('npm', ['start', '--silent']);
    try {
      expect(out()).toMatch(/published {2}leadership-individual 1\.0/);
      const home = await fetch(`${address}/`);
      expect(home.status).toBe(200);
      const html = await home.text();
      for (const id of ['leadership-individual', 'leadership-organisational', 'capabilities-self-assessment']) expect(html).toContain(`/s/${id}/`);
      const survey = await fetch(`${address}/s/leadership-individual/${new Date().getUTCFullYear()}`);
      expect(survey.status).toBe(200);
      expect(await survey.text()).toContain('Start now');
      const css = await fetch(`${address}/assets/tapestry.css`);
      expect(css.headers.get('content-type')).toContain('text/css');
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  });

  it('closes gracefully on SIGTERM: exit status 0, the embedded database shut down cleanly and its lock released', async () => {
    const { child, exited, address, dataDir, err } = await start(process.execPath, [join(root, 'bin/tapestry.js'), 'serve']);
    expect((await fetch(`${address}/`)).status).toBe(200);
    expect(existsSync(join(dataDir, 'lock'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err()).toBe('');
    // Not merely taken over from a dead process: given back, with nothing left to recover.
    expect(existsSync(join(dataDir, 'lock'))).toBe(false);
    expect(existsSync(join(dataDir, 'lock.owner.json'))).toBe(false);
    expect(clusterState(dataDir)).toBe(SHUT_DOWN);
    const store = await openStore({ dataDir });
    await store.close();
    expect(clusterState(dataDir)).toBe(SHUT_DOWN);
  });
});
