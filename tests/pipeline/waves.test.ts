// A cumulative responses file, several waves in one, gives each wave's report the rows of that
// wave alone: the same tables as a file of that wave only.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('refuses to report a file of one wave under another wave’s name, naming the wave it holds', async () => {
    const { code, err } = await tapestry('run', 'pipeline.yaml', '--input', 'individual=w2011.csv', '--out', 'mislabelled');
    expect(code).toBe(1);
    expect(err).toContain('w2011.csv: the file holds the wave 2011 only, not 2010; name it with --wave 2011');
    expect(existsSync(join(dir, 'mislabelled'))).toBe(false);
  });

  it('compares each table with an earlier wave’s report: the change, its interval and test, in the CSV and both reports', async () => {
    expect((await tapestry('run', 'pipeline.yaml', '--wave', '2010')).code).toBe(0);
    const pipeline = readFileSync(join(dir, 'pipeline.yaml'), 'utf8');
    writeFileSync(join(dir, 'trends.yaml'), `${pipeline}trends: { waves: ["2010"], reports: reports/waves }\n`);
    expect((await tapestry('run', 'trends.yaml', '--wave', '2011', '--out', 'reports/waves/2011')).code).toBe(0);
    const rows = (file: string) =>
      readFileSync(join(dir, file), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    const then = new Map(rows('reports/waves/2010/tables/coaching.csv').map((r) => [`${r[1]} ${r[2]}`, r]));
    const now = new Map(rows('reports/waves/2011/tables/coaching.csv').map((r) => [`${r[1]} ${r[2]}`, r]));
    const trends = rows('reports/waves/2011/tables/coaching.trends.csv');
    expect(readFileSync(join(dir, 'reports/waves/2011/tables/coaching.trends.csv'), 'utf8').split('\n')[0]).toBe('table,domain,category,wave,estimate_then,estimate_now,change,se,ci_low,ci_high,p_value');
    expect(trends.length).toBeGreaterThan(0);
    for (const [, domain, category, wave, estimateThen, estimateNow, change, se, low, high, p] of trends) {
      expect(wave).toBe('2010');
      const a = then.get(`${domain} ${category}`)!;
      const b = now.get(`${domain} ${category}`)!;
      expect(Number(estimateThen)).toBe(Number(a[5]));
      expect(Number(estimateNow)).toBe(Number(b[5]));
      expect(Number(change)).toBeCloseTo(Number(b[5]) - Number(a[5]), 6);
      expect(Number(se)).toBeCloseTo(Math.sqrt(Number(a[6]) ** 2 + Number(b[6]) ** 2), 6);
      expect(Number(low)).toBeCloseTo(Number(change) - 1.959964 * Number(se), 5);
      expect(Number(high)).toBeCloseTo(Number(change) + 1.959964 * Number(se), 5);
      expect(Number(p)).toBeGreaterThanOrEqual(0);
      expect(Number(p)).toBeLessThanOrEqual(1);
    }
    expect(readFileSync(join(dir, 'reports/waves/2011/report.md'), 'utf8')).toMatch(/Change since 2010, all respondents/);
    const html = readFileSync(join(dir, 'reports/waves/2011/report.html'), 'utf8');
    expect(html).toContain('<h3>Change since 2010</h3>');
    // A chart of then and now, with its own name for screen readers.
    expect(html).toMatch(/<svg[^>]*aria-label="Chart: [^"]*, 2010 and now"/);
    const verify = captureIo({ cwd: dir, env: {} });
    expect(await run(['verify', 'reports/waves/2011'], verify)).toBe(0);
  });

  it('refuses to compare with a wave that has no report, at the line that names it', async () => {
    const pipeline = readFileSync(join(dir, 'pipeline.yaml'), 'utf8');
    writeFileSync(join(dir, 'missing.yaml'), `${pipeline}trends:\n  waves: ["2009"]\n`);
    const { code, err } = await tapestry('run', 'missing.yaml', '--wave', '2011', '--out', 'none');
    expect(code).toBe(1);
    expect(err).toMatch(/missing\.yaml:11: trends: there is no report of wave 2009 in reports\/waves\/2009; run the pipeline for that wave first/);
  });
});
