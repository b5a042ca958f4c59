// Every CSV tapestry writes, fed text a spreadsheet would run: each text cell comes out guarded,
// each number cell a plain number, and tapestry's own readers take the guard off again.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { readSegmentsCsv, readTrainingCsv } from '../../src/coding/csv-inputs.ts';
import { columnsOf } from '../../src/instrument/columns.ts';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import { readResponsesCsv } from '../../src/pipeline/dataset.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { readEarlierWaves } from '../../src/pipeline/trends.ts';
import { tableCsv, testsCsv, trendsCsv } from '../../src/report/csv.ts';
import { csvText, unguardCell } from '../../src/shared/csv.ts';
import { coachingTable } from '../report/fixtures/sample-model.ts';
import { captureIo } from '../support/io.ts';
import { backend, commandDatabase } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');
const CODEBOOK = join(root, 'pipelines/codebooks/leading-together.yaml');

/** Whether a spreadsheet could take some line of the cell as the start of a formula. */
const runnable = (cell: string) => /(?:^|[\n\r])[=+\-@\t\r]/.test(cell);
const NUMBER = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/;

/**
 * The file's records, after checking every cell: a column named in `numeric` holds plain numbers
 * (or nothing), every other cell is text no spreadsheet would run.
 */
function checkedCsv(text: string, numeric: readonly string[] = []): { header: string[]; rows: Record<string, string>[] } {
  expect(text.endsWith('\n')).toBe(true);
  const parsed = Papa.parse<string[]>(text.slice(0, -1), { newline: '\n' });
  expect(parsed.errors).toEqual([]);
  const [header, ...records] = parsed.data;
  for (const name of header!) expect(runnable(name), `header ${JSON.stringify(name)}`).toBe(false);
  for (const record of records) {
    expect(record).toHaveLength(header!.length);
    record.forEach((cell, i) => {
      if (numeric.includes(header![i]!)) expect(cell, `${header![i]} ${JSON.stringify(cell)}`).toMatch(cell === '' ? /^$/ : NUMBER);
      else expect(runnable(cell), `${header![i]} ${JSON.stringify(cell)}`).toBe(false);
    });
  }
  return { header: header!, rows: records.map((record) => Object.fromEntries(header!.map((name, i) => [name, record[i]!]))) };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tapestry-csv-guard-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tapestry = async (args: string[], env: NodeJS.ProcessEnv = {}, cwd = dir) => {
  const io = captureIo({ cwd, env });
  const code = await run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
};

// An instrument whose every label, and whose version, starts like a formula; a number question
// whose answers are all negative.
const RISKY_INSTRUMENT = `id: risky
version: "=1"
title: Risky labels
kind: individual
source: Made up for a test.
pages:
  - id: one
    title: One
    questions:
      - id: sector
        type: single
        text: "@work: which sector?"
        required: true
        options:
          public: "+ public"
          private: "- private"
      - id: score
        type: number
        text: "-10 is worst, -1 is best"
        min: -10
        max: -1
      - id: tick
        type: multiple
        text: |-
          Tick any.
          =1+1
        options:
          a: "=HYPERLINK(\\"http://example.org\\")"
      - id: note
        type: longtext
        text: "=note"
`;

describe('tapestry survey columns --format csv', () => {
  it('guards every label that starts like a formula, on any of its lines', async () => {
    writeFileSync(join(dir, 'risky.yaml'), RISKY_INSTRUMENT);
    const { code, out } = await tapestry(['survey', 'columns', 'risky.yaml', '--format', 'csv']);
    expect(code).toBe(0);
    const { rows } = checkedCsv(out);
    const label = (column: string) => unguardCell(rows.find((r) => r.column === column)!.label!);
    expect(label('sector')).toBe('@work: which sector?');
    expect(label('score')).toBe('-10 is worst, -1 is best');
    expect(label('tick.a')).toBe('Tick any.\n=1+1 — =HYPERLINK("http://example.org")');
    expect(label('note')).toBe('=note');
  });
});

describe('tapestry simulate', () => {
  it('guards the wave and the version, and writes negative answers and weights as numbers', async () => {
    writeFileSync(join(dir, 'risky.yaml'), RISKY_INSTRUMENT);
    const { code, out } = await tapestry(['simulate', 'risky.yaml', '--n', '200', '--seed', '3', '--wave', '@autumn-2010']);
    expect(code).toBe(0);
    const { rows } = checkedCsv(out, ['score', 'weight', 'population']);
    expect(new Set(rows.map((r) => unguardCell(r.wave!)))).toEqual(new Set(['@autumn-2010']));
    expect(new Set(rows.map((r) => unguardCell(r.instrument_version!)))).toEqual(new Set(['=1']));
    const scores = rows.map((r) => r.score!).filter((s) => s !== '');
    expect(scores.length).toBeGreaterThan(100);
    for (const score of scores) expect(Number(score)).toBeLessThan(0);
  });

  it.each([
    ['on one thread', Infinity],
    ['on two threads', 1],
  ])('reads its guarded wave back as the wave it was given, %s', async (_, parallelFromBytes) => {
    writeFileSync(join(dir, 'risky.yaml'), RISKY_INSTRUMENT);
    const { out } = await tapestry(['simulate', 'risky.yaml', '--n', '3000', '--seed', '4', '--wave', '@autumn-2010']);
    writeFileSync(join(dir, 'simulated.csv'), out);
    const { instrument } = await loadInstrumentFile(join(dir, 'risky.yaml'));
    const read = await readResponsesCsv(join(dir, 'simulated.csv'), instrument, { numeric: ['weight'], categorical: [], parallelFromBytes });
    expect(read.problems).toEqual([]);
    expect(read.dataset!.n).toBe(3000);
    expect(read.dataset!.levels.get('wave')).toEqual(['@autumn-2010']);
  });
});

describe('responses CSVs read back', () => {
  it.each([
    ['on one thread', Infinity],
    ['on two threads', 1],
  ])('gives free text exactly as written before the guard, %s', async (_, parallelFromBytes) => {
    writeFileSync(join(dir, 'risky.yaml'), RISKY_INSTRUMENT);
    const { instrument } = await loadInstrumentFile(join(dir, 'risky.yaml'));
    const notes = ['=1+1', "'-already guarded", 'Fine.\n=HYPERLINK("http://example.org")', '@home', 'plain'];
    const header = columnsOf(instrument).map((c) => c.name);
    const rows = Array.from({ length: 2000 }, (_, i) => [`r${i}`, '=wave', '=1', '2010-09-01T00:00:00.000Z', 'public', '-3', '1', notes[i % notes.length]!]);
    const text = csvText(header, rows, { numeric: ['score'] });
    expect(text).toContain("'=1+1");
    writeFileSync(join(dir, 'responses.csv'), text);
    const read = await readResponsesCsv(join(dir, 'responses.csv'), instrument, { numeric: [], categorical: [], text: ['note'], parallelFromBytes });
    expect(read.problems).toEqual([]);
    expect(read.dataset!.texts.get('note')).toEqual(rows.map((r) => r[7]));
    expect(read.dataset!.levels.get('wave')).toEqual(['=wave']);
    expect([...read.dataset!.numbers.get('score')!].every((x) => x === -3)).toBe(true);
  });
});

// Two examples of each theme; the text is made up for the tests.
const TRAINING = [
  'segment_id,text,code',
  't1,Leadership happens at every level here and not only among senior managers.,all-levels',
  't2,Our director is visible and approachable and listens to front-line staff.,all-levels',
  't3,Workers need delegated authority to make decisions and take measured risks.,authority',
  't4,A blame culture means nobody uses their own professional judgement.,authority',
  't5,Leadership development should be planned across the whole system with qualifications.,whole-systems',
  't6,Coaching and mentoring programmes develop leaders for the whole sector.,whole-systems',
  't7,Partnership working with health and housing crosses organisational boundaries.,collaborative',
  't8,Joint working between agencies depends on trust between partners.,collaborative',
  't9,Budget cuts and inspection pressures make change hard to lead.,complexity',
  't10,Regulation and reduced funding create uncertainty for services.,complexity',
  '',
].join('\n');

describe('tapestry code suggest', () => {
  it('guards segment ids that start like a formula and writes each confidence as a number', async () => {
    writeFileSync(join(dir, 'training.csv'), TRAINING);
    const ids = ['=1+1', '-2', '@SUM(A1)', '+44', "'=x"];
    const segments = csvText(['segment_id', 'text'], ids.map((id, i) => [id, `Budget cuts and partnership working, case ${i}.`]));
    writeFileSync(join(dir, 'segments.csv'), segments);
    // What tapestry writes, it reads: the segments file itself is read back to its ids.
    expect(readSegmentsCsv(segments, 'segments.csv').segments!.map((s) => s.id)).toEqual(ids);
    const { code, out, err } = await tapestry(['code', 'suggest', '--codebook', CODEBOOK, '--training', 'training.csv', '--segments', 'segments.csv']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const { rows } = checkedCsv(out, ['confidence']);
    expect(rows.length).toBeGreaterThanOrEqual(ids.length);
    expect([...new Set(rows.map((r) => unguardCell(r.segment_id!)))]).toEqual(ids);
  });
});

describe(`tapestry invite on ${backend}`, () => {
  let project: string;
  let env: NodeJS.ProcessEnv;
  let database: Awaited<ReturnType<typeof commandDatabase>>;
  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'tapestry-csv-invite-'));
    cpSync(join(root, 'surveys'), join(project, 'surveys'), { recursive: true });
    database = await commandDatabase('csv_guard');
    env = database.env;
    const setup = await tapestry(['--data-dir', join(project, 'data'), 'setup'], env, project);
    expect(setup.err).toBe('');
    expect(setup.code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    rmSync(project, { recursive: true, force: true });
    await database.dispose();
  });

  it('guards invitee columns and their values that start like a formula', async () => {
    // As a spreadsheet would save it: nothing guarded.
    const raw = Papa.unparse([['email', 'sector', '=note'], ['=cmd|\' /C calc\'!A0', 'public', '-1'], ['@team', 'voluntary', 'Call first.\n+44 131 496 0000']], { newline: '\n' });
    writeFileSync(join(project, 'invitees.csv'), `${raw}\n`);
    const { code, out, err } = await tapestry(['--data-dir', join(project, 'data'), 'invite', 'leadership-individual', '--wave', '2010', '--from', 'invitees.csv'], env, project);
    expect(err).toContain('2 invitations created');
    expect(code).toBe(0);
    const { header, rows } = checkedCsv(out);
    expect(header.map(unguardCell)).toEqual(['link', 'email', 'sector', '=note']);
    expect(rows.map((r) => [unguardCell(r.email!), r.sector, unguardCell(r["'=note"]!)])).toEqual([
      ["=cmd|' /C calc'!A0", 'public', '-1'],
      ['@team', 'voluntary', 'Call first.\n+44 131 496 0000'],
    ]);
  });
});

describe('the report’s tables, tests and trends', () => {
  const risky = () => {
    const table = coachingTable();
    table.cells = table.cells.map((cell, i) => ({
      ...cell,
      domain: i % 2 === 0 ? '=sector=public' : 'all',
      category: i % 3 === 0 ? '-never' : '@offered\n+took part',
      ...(cell.estimate === null ? {} : { estimate: -cell.estimate, ci_low: -0.5 }),
    }));
    table.tests = table.tests.map((test) => ({ ...test, panel: '+all', statistic: '=F' }));
    table.trends = table.cells.slice(0, 3).map((cell) => ({ table: table.id, domain: cell.domain, category: cell.category, wave: '-2009', then: 0.1, now: -0.25, change: -0.35, se: 0.01, ci_low: -0.37, ci_high: -0.33, p_value: 1e-9 }));
    return table;
  };

  it('guards domains, categories, panels, statistics and waves, and keeps every figure a number', () => {
    const table = risky();
    const cells = checkedCsv(tableCsv(table), ['base_n', 'cell_n', 'estimate', 'se', 'ci_low', 'ci_high', 'deff']).rows;
    expect(cells.map((r) => [unguardCell(r.domain!), unguardCell(r.category!)])).toEqual(table.cells.map((c) => [c.domain, c.category]));
    expect(cells.some((r) => r.estimate!.startsWith('-'))).toBe(true);
    const tests = checkedCsv(testsCsv(table), ['ndf', 'ddf', 'value', 'p_value']).rows;
    expect(tests.map((r) => [unguardCell(r.panel!), unguardCell(r.statistic!)])).toEqual(table.tests.map((t) => [t.panel, t.statistic]));
    const trends = checkedCsv(trendsCsv(table), ['estimate_then', 'estimate_now', 'change', 'se', 'ci_low', 'ci_high', 'p_value']).rows;
    expect(trends.map((r) => [unguardCell(r.wave!), r.estimate_now, r.change, r.p_value])).toEqual(table.trends!.map(() => ['-2009', '-0.250000', '-0.350000', '1.000e-9']));
  });

  it('reads an earlier report’s guarded labels back as the cells they were, for trends', async () => {
    const table = risky();
    const reports = join(dir, 'reports');
    mkdirSync(join(reports, '2009', 'tables'), { recursive: true });
    const loaded = await loadInstrumentFile(join(root, 'surveys', 'leadership-individual.yaml'));
    // The earlier report was read with the same instrument, and keeps it as every report does.
    mkdirSync(join(reports, '2009', 'instruments'));
    writeFileSync(join(reports, '2009', 'instruments', 'individual.yaml'), loaded.sourceText);
    const recorded = { id: loaded.instrument.id, version: loaded.instrument.version, sha256: createHash('sha256').update(loaded.sourceText).digest('hex'), copy: 'instruments/individual.yaml' };
    writeFileSync(join(reports, '2009', 'manifest.json'), `${JSON.stringify({ inputs: { individual: { instrument: recorded } } })}\n`);
    writeFileSync(join(reports, '2009', 'tables', `${table.id}.csv`), tableCsv(table));
    const where = () => ({ file: 'pipeline.yaml', line: 1, message: '' });
    const { earlier, problems } = readEarlierWaves([table], { wave: '2010', waves: ['2009'], reportsDir: reports, cwd: dir, instruments: { individual: loaded }, without: new Set(), atWave: where, atTable: where });
    expect(problems).toEqual([]);
    const published = table.cells.filter((c) => c.suppressed === '' && c.estimate !== null);
    expect(published.length).toBeGreaterThan(3);
    const read = earlier.get(`2009\u0000${table.id}`)!;
    expect([...read.keys()].sort()).toEqual([...new Set(published.map((c) => `${c.domain}\u0000${c.category}`))].sort());
  });
});

describe('coding/segments.csv', () => {
  it('guards segment ids, attributes and text, keeps strength a number, and reads back as the segments were', async () => {
    const project = mkdtempSync(join(tmpdir(), 'tapestry-csv-segments-'));
    try {
      cpSync(join(root, 'surveys'), join(project, 'surveys'), { recursive: true });
      cpSync(join(root, 'pipelines', 'codebooks'), join(project, 'codebooks'), { recursive: true });
      cpSync(join(root, 'reports', 'leading-together', 'inputs'), join(project, 'inputs'), { recursive: true });
      const exported = [
        ['=nv-1', 'We share the budget with the health board and plan services together, as partners.\n=1+1 is how the money goes.', '@nv-group', '-voluntary'],
        ['+nv-2', '-Nobody knows what next year brings; the rules change and the money shrinks.', '@nv-group', '-voluntary'],
      ];
      writeFileSync(join(project, 'export.csv'), `${Papa.unparse([['segment_id', 'text', 'group', 'sector'], ...exported], { newline: '\n' })}\n`);
      writeFileSync(
        join(project, 'pipeline.yaml'),
        `id: csv-guard\ntitle: Guard test\nwave: "2010"\ninputs:\n  individual: { instrument: surveys/leadership-individual.yaml, responses: inputs/individual-2010.csv }\ntables:\n  - { id: tiers, input: individual, measure: tier }\nfocus_groups:\n  codebook: codebooks/leading-together.yaml\n  segments: [export.csv]\n  auto: true\n  by: [sector]\n  export_segments: true\n`,
      );
      await runPipeline({ pipelineFile: 'pipeline.yaml', outDir: join(project, 'out'), cwd: project }, { log: () => undefined });
      const text = readFileSync(join(project, 'out', 'coding', 'segments.csv'), 'utf8');
      const { rows } = checkedCsv(text, ['strength']);
      expect(rows.filter((r) => r.strength !== '').length).toBeGreaterThan(0);
      const back = readTrainingCsv(text, 'segments.csv');
      expect(back.problems).toEqual([]);
      expect(back.segments!.map((s) => [s.id, s.text, s.attributes.group, s.attributes.sector])).toEqual(exported);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 60_000);
});
