// A cumulative responses file, several waves in one, gives each wave's report the rows of that
// wave alone: the same tables as a file of that wave only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { captureIo } from '../support/io.ts';

const root = join(import.meta.dirname, '..', '..');

describe('a responses file that holds several waves', () => {
  let dir: string;
  const tapestry = async (...args: string[]) => {
    const io = captureIo({ cwd: dir, env: {} });
    const code = await run(args, io);
    return { code, err: io.stderr() };
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-waves-'));
    const instrument = join(root, 'surveys', 'leadership-individual.yaml');
    expect((await tapestry('simulate', instrument, '--n', '300', '--seed', '1', '--wave', '2010', '--out', 'w2010.csv')).code).toBe(0);
    expect((await tapestry('simulate', instrument, '--n', '300', '--seed', '2', '--wave', '2011', '--out', 'w2011.csv')).code).toBe(0);
    const later = readFileSync(join(dir, 'w2011.csv'), 'utf8');
    writeFileSync(join(dir, 'all.csv'), readFileSync(join(dir, 'w2010.csv'), 'utf8') + later.slice(later.indexOf('\n') + 1));
    writeFileSync(
      join(dir, 'pipeline.yaml'),
      `id: waves\ntitle: Waves\nwave: "2010"\ninputs:\n  individual: { instrument: ${instrument}, responses: all.csv }\ndesign:\n  individual: { strata: sector, weight: weight }\ntables:\n  - { id: coaching, input: individual, measure: activities.coaching, by: [tier] }\n`,
    );
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports on the named wave with exactly the tables of that wave’s own file', async () => {
    expect((await tapestry('run', 'pipeline.yaml', '--wave', '2011', '--out', 'from-all')).code).toBe(0);
    expect((await tapestry('run', 'pipeline.yaml', '--wave', '2011', '--input', 'individual=w2011.csv', '--out', 'from-one')).code).toBe(0);
    const table = (out: string) => readFileSync(join(dir, out, 'tables', 'coaching.csv'), 'utf8');
    expect(table('from-all')).toBe(table('from-one'));
    const manifest = JSON.parse(readFileSync(join(dir, 'from-all', 'manifest.json'), 'utf8'));
    expect(manifest.inputs.individual.responses).toMatchObject({ source: 'all.csv', rows: 300, wave: '2011' });
  });

  it('refuses a wave the file does not hold, naming the waves it does', async () => {
    const { code, err } = await tapestry('run', 'pipeline.yaml', '--wave', '2012', '--out', 'none');
    expect(code).toBe(1);
    expect(err).toContain('all.csv: the file holds the waves 2010, 2011, but not 2012; name one with --wave');
  });
});
