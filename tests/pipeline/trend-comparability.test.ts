// Trends across instrument versions: a report keeps the instrument it was read with, and a later
// wave compares a table with it only where every question the table uses is still comparable.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { captureIo } from '../support/io.ts';

const root = join(import.meta.dirname, '..', '..');
const V1 = readFileSync(join(root, 'surveys', 'leadership-individual.yaml'), 'utf8');

/** Replaces `from` in `text`, failing loudly if the bundled instrument no longer has it. */
function edit(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

// Version 1.1: `tier` gains a hint (comparable); `qual_type` loses its `svq` option, `qual_status`
// is reworded and the matrix row `secondment` relabelled (none comparable); `coaching` is as it was.
let V2 = edit(V1, 'version: "1.0"', 'version: "1.1"');
V2 = edit(V2, '        text: Which of these best describes your job?\n', '        text: Which of these best describes your job?\n        hint: Answer for your main job.\n');
V2 = edit(V2, '          svq:\n            label: A work-based award, such as an SVQ\n            short: Work-based (SVQ)\n', '');
V2 = edit(V2, 'text: Do you have a leadership or management qualification?', 'text: Do you hold a leadership or management qualification?');
V2 = edit(V2, 'label: A job assignment or secondment', 'label: A secondment to another organisation');

const TABLES = {
  coaching: '{ id: coaching, input: individual, measure: activities.coaching, by: [tier] }',
  quals: '{ id: quals-by-tier, input: individual, measure: qual_type, by: [tier] }',
  status: '{ id: status, input: individual, measure: qual_status }',
  secondment: '{ id: secondment, input: individual, measure: activities.secondment }',
};

/** A pipeline of the named tables; `options` are extra fields for each table, keyed by table. */
function pipeline(tables: (keyof typeof TABLES)[], reports: string, options: Partial<Record<keyof typeof TABLES, string>> = {}): string {
  const lines = tables.map((t) => `  - ${options[t] ? TABLES[t].replace(/ }$/, `, ${options[t]} }`) : TABLES[t]}`);
  return `id: t\ntitle: Trends\nwave: "2010"\ninputs:\n  individual: { instrument: survey.yaml, responses: w2010.csv }\ndesign:\n  individual: { strata: sector, weight: weight }\ntables:\n${lines.join('\n')}\ntrends: { waves: ["2010"], reports: ${reports} }\n`;
}

describe('trends across versions of the instrument', () => {
  let dir: string;
  const tapestry = async (...args: string[]) => {
    const io = captureIo({ cwd: dir, env: {} });
    const code = await run(args, io);
    return { code, err: io.stderr() };
  };
  /** Runs wave 2011, read with version 1.1 unless `instrument` (and its `responses`) say otherwise. */
  const run2011 = async (text: string, out: string, instrument = V2, responses = 'w2011.csv') => {
    writeFileSync(join(dir, 'survey.yaml'), instrument);
    writeFileSync(join(dir, 'trends.yaml'), text);
    return tapestry('run', 'trends.yaml', '--wave', '2011', '--input', `individual=${responses}`, '--out', out);
  };
  const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-trend-versions-'));
    writeFileSync(join(dir, 'v1.yaml'), V1);
    writeFileSync(join(dir, 'v2.yaml'), V2);
    expect((await tapestry('simulate', 'v1.yaml', '--n', '400', '--seed', '1', '--wave', '2010', '--out', 'w2010.csv')).code).toBe(0);
    expect((await tapestry('simulate', 'v2.yaml', '--n', '400', '--seed', '2', '--wave', '2011', '--out', 'w2011.csv')).code).toBe(0);
    // Wave 2010, read with version 1.0, with every table; its pipeline has no trends of its own.
    writeFileSync(join(dir, 'survey.yaml'), V1);
    writeFileSync(join(dir, 'pipeline.yaml'), pipeline(['coaching', 'quals', 'status', 'secondment'], 'reports/t').replace(/trends:.*\n/, ''));
    const first = await tapestry('run', 'pipeline.yaml', '--wave', '2010');
    expect(first.code, first.err).toBe(0);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a byte-for-byte copy of the instrument it was read with, named in the manifest with its version and hashes', () => {
    const report = join(dir, 'reports', 't', '2010');
    expect(readFileSync(join(report, 'instruments', 'individual.yaml'), 'utf8')).toBe(V1);
    const manifest = JSON.parse(readFileSync(join(report, 'manifest.json'), 'utf8'));
    expect(manifest.inputs.individual.instrument).toMatchObject({ file: 'survey.yaml', id: 'leadership-individual', version: '1.0', copy: 'instruments/individual.yaml' });
    expect(manifest.outputs['instruments/individual.yaml']).toBe(manifest.inputs.individual.instrument.sha256);
  });

  it('keeps the trend of a table whose questions only gained a hint, and of a matrix row whose neighbour was relabelled', async () => {
    const result = await run2011(pipeline(['coaching'], 'reports/t'), 'kept');
    expect(result.code, result.err).toBe(0);
    const trends = readFileSync(join(dir, 'kept', 'tables', 'coaching.trends.csv'), 'utf8').trim().split('\n');
    expect(trends.length).toBeGreaterThan(1);
    expect(trends.slice(1).every((line) => line.split(',')[3] === '2010')).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dir, 'kept', 'manifest.json'), 'utf8'));
    expect(manifest.trends.files.map((f: { file: string }) => f.file)).toEqual(['reports/t/2010/instruments/individual.yaml', 'reports/t/2010/tables/coaching.csv']);
    expect(manifest.inputs.individual.instrument.version).toBe('1.1');
  });

  it('refuses a table whose question lost an option, naming the table, the question, both waves, both versions and the change', async () => {
    const text = pipeline(['coaching', 'quals'], 'reports/t');
    const { code, err } = await run2011(text, 'refused');
    expect(code).toBe(1);
    expect(err).toContain(
      `trends.yaml:${lineOf(text, 'quals-by-tier')}: trends: table \`quals-by-tier\` compares question \`qual_type\` of leadership-individual across versions 1.0 (wave 2010) and 1.1 (wave 2011), but its options changed: option \`svq\` removed; it is not comparable`,
    );
    expect(err).not.toContain('`coaching`');
    expect(existsSync(join(dir, 'refused'))).toBe(false);
  });

  it('refuses a reworded question and a matrix row relabelled, each at its table, all at once', async () => {
    const text = pipeline(['status', 'secondment', 'coaching'], 'reports/t');
    const { code, err } = await run2011(text, 'refused');
    expect(code).toBe(1);
    expect(err).toContain(
      `trends.yaml:${lineOf(text, 'id: status')}: trends: table \`status\` compares question \`qual_status\` of leadership-individual across versions 1.0 (wave 2010) and 1.1 (wave 2011), but its wording changed: reworded: "Do you have a leadership or management qualification?" → "Do you hold a leadership or management qualification?"; it is not comparable`,
    );
    expect(err).toContain(
      `trends.yaml:${lineOf(text, 'id: secondment')}: trends: table \`secondment\` compares question \`activities.secondment\` of leadership-individual across versions 1.0 (wave 2010) and 1.1 (wave 2011), but its rows changed: row \`secondment\` relabelled: "A job assignment or secondment" → "A secondment to another organisation"; it is not comparable`,
    );
  });

  it('publishes a table marked `trends: false` without a trend, and keeps the others’', async () => {
    const result = await run2011(pipeline(['coaching', 'quals'], 'reports/t', { quals: 'trends: false' }), 'without');
    expect(result.code, result.err).toBe(0);
    expect(existsSync(join(dir, 'without', 'tables', 'quals-by-tier.csv'))).toBe(true);
    expect(existsSync(join(dir, 'without', 'tables', 'quals-by-tier.trends.csv'))).toBe(false);
    expect(existsSync(join(dir, 'without', 'tables', 'coaching.trends.csv'))).toBe(true);
  });

  it('refuses a kept copy that was edited after the run', async () => {
    cpSync(join(dir, 'reports', 't', '2010'), join(dir, 'edited', '2010'), { recursive: true });
    writeFileSync(join(dir, 'edited', '2010', 'instruments', 'individual.yaml'), V2);
    const { code, err } = await run2011(pipeline(['coaching'], 'edited'), 'none');
    expect(code).toBe(1);
    expect(err).toContain('trends: edited/2010/instruments/individual.yaml is not the leadership-individual 1.0 that the report of wave 2010 was made with (its SHA-256 differs from the manifest');
  });

  describe('a report written before reports kept their instrument', () => {
    beforeAll(async () => {
      expect((await tapestry('simulate', 'v1.yaml', '--n', '400', '--seed', '3', '--wave', '2011', '--out', 'w2011-v1.csv')).code).toBe(0);
      // As such a report is: the manifest has the instrument's id, version and hashes, no copy.
      cpSync(join(dir, 'reports', 't', '2010'), join(dir, 'old', '2010'), { recursive: true });
      rmSync(join(dir, 'old', '2010', 'instruments'), { recursive: true });
      const file = join(dir, 'old', '2010', 'manifest.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      delete manifest.inputs.individual.instrument.copy;
      writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
    });

    it('is compared when the instrument read now is the one it records', async () => {
      // Wave 2011 read with version 1.0, reformatted: the same meaning, so the same content hash.
      const result = await run2011(pipeline(['coaching', 'quals'], 'old'), 'old-same', `# Reformatted, same questions.\n${V1}`, 'w2011-v1.csv');
      expect(result.code, result.err).toBe(0);
      expect(existsSync(join(dir, 'old-same', 'tables', 'quals-by-tier.trends.csv'))).toBe(true);
    });

    it('is refused when the instrument changed since, with the advice to run that wave again', async () => {
      const text = pipeline(['coaching'], 'old');
      const { code, err } = await run2011(text, 'none');
      expect(code).toBe(1);
      expect(err).toContain(
        `trends.yaml:${lineOf(text, 'waves:')}: trends: the report of wave 2010 was made with leadership-individual 1.0, whose definition it does not keep (it was written before reports kept their instruments), and the pipeline now reads leadership-individual 1.1, which is not the same; run the pipeline for wave 2010 again with the instrument it used, so that its report keeps a copy`,
      );
    });
  });
});
