// The committed example report (reports/leading-together/2010) is what the bundled pipeline makes
// of the simulated wave, to the byte. Regenerate both with `npm run report:example` after a change
// that is meant to alter them; a mismatch leaves a `-changed` copy beside the committed file.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { captureIo } from '../support/io.ts';

const root = join(import.meta.dirname, '..', '..');
const committed = join(root, 'reports', 'leading-together');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.includes('-changed'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('the bundled Leading Together pipeline on the simulated 2010 wave', () => {
  let project: string;
  beforeAll(async () => {
    // A copy of what a fresh clone has, so that paths in the manifest are the same as in the repo.
    project = mkdtempSync(join(tmpdir(), 'tapestry-golden-'));
    for (const dir of ['surveys', 'pipelines']) cpSync(join(root, dir), join(project, dir), { recursive: true });
    const script = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts['report:example'] as string;
    for (const command of script.split(' && ')) {
      const args = command.replace(/^node bin\/tapestry\.js /, '').split(' ');
      const io = captureIo({ cwd: project, env: {} });
      expect(await run(args, io), io.stderr()).toBe(0);
    }
  }, 120_000);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('makes exactly the committed files, byte for byte', () => {
    const made = join(project, 'reports', 'leading-together');
    expect(filesUnder(made)).toEqual(filesUnder(committed));
    const changed: string[] = [];
    for (const file of filesUnder(made)) {
      const fresh = readFileSync(join(made, file));
      if (!existsSync(join(committed, file)) || !fresh.equals(readFileSync(join(committed, file)))) {
        writeFileSync(join(committed, `${file}-changed`), fresh);
        changed.push(file);
      }
    }
    expect(changed).toEqual([]);
  });

  it('is confirmed by tapestry verify', async () => {
    const io = captureIo({ cwd: project, env: {} });
    expect(await run(['verify', 'reports/leading-together/2010'], io)).toBe(0);
    expect(io.stdout()).toContain('no differences');
  });
});
