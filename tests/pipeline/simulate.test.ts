import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { columnsOf } from '../../src/instrument/columns.ts';
import type { AnswerValue } from '../../src/instrument/evaluate.ts';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import { questionsOf, type Instrument } from '../../src/instrument/schema.ts';
import { visibility } from '../../src/instrument/visibility.ts';
import { POPULATION, seededRandom, simulateCsv } from '../../src/pipeline/simulate.ts';
import { CORPUS, HAVE_CORPUS, warnIfNoCorpus } from '../support/corpus.ts';
import { captureIo } from '../support/io.ts';

const root = join(import.meta.dirname, '..', '..');
warnIfNoCorpus('the check that simulated free text quotes nothing from the corpus');
const INDIVIDUAL = 'surveys/leadership-individual.yaml';
const ORGANISATIONAL = 'surveys/leadership-organisational.yaml';
const CAPABILITIES = 'surveys/capabilities-self-assessment.yaml';
const scratch = mkdtempSync(join(tmpdir(), 'tapestry-simulate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function simulate(args: string[], cwd = root) {
  const io = captureIo({ cwd });
  const code = await run(['simulate', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

async function instrumentAt(file: string): Promise<Instrument> {
  return (await loadInstrumentFile(join(root, file))).instrument;
}

interface Table {
  header: string[];
  rows: string[][];
  /** The cells of one column, by name. */
  column(name: string): string[];
}

function parseCsv(text: string): Table {
  const [header, ...rows] = Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
  const at = new Map(header!.map((name, i) => [name, i]));
  return {
    header: header!,
    rows,
    column: (name) => {
      const i = at.get(name);
      if (i === undefined) throw new Error(`no column ${name}`);
      return rows.map((row) => row[i]!);
    },
  };
}

/** Reads a row back into answers, as the survey would have stored them. */
function answersOf(instrument: Instrument, header: string[], row: string[]): Record<string, AnswerValue> {
  const cell = (name: string) => row[header.indexOf(name)]!;
  const answers: Record<string, AnswerValue> = {};
  for (const q of questionsOf(instrument)) {
    if (q.type === 'multiple') {
      const cells = q.options.map(({ id: o }) => [o, cell(`${q.id}.${o}`)] as const);
      if (cells.some(([, c]) => c !== '')) answers[q.id] = cells.filter(([, c]) => c === '1').map(([o]) => o);
    } else if (q.type === 'matrix') {
      const cells = Object.keys(q.rows).map((r) => [r, cell(`${q.id}.${r}`)] as const);
      if (cells.some(([, c]) => c !== '')) answers[q.id] = Object.fromEntries(cells.filter(([, c]) => c !== ''));
    } else if (cell(q.id) !== '') {
      answers[q.id] = q.type === 'number' ? Number(cell(q.id)) : cell(q.id);
    }
  }
  return answers;
}

/** Share of `values` (ignoring empty cells) equal to `value`. */
function share(values: string[], value: string): number {
  const answered = values.filter((v) => v !== '');
  return answered.filter((v) => v === value).length / answered.length;
}

describe('tapestry simulate: reproducible output', () => {
  it('gives the same bytes for the same instrument, n and seed', async () => {
    const first = await simulate([INDIVIDUAL, '--n', '500', '--seed', '7']);
    const second = await simulate([INDIVIDUAL, '--n', '500', '--seed', '7']);
    expect(first.code).toBe(0);
    expect(first.stdout.length).toBeGreaterThan(1000);
    expect(second.stdout).toBe(first.stdout);
  });

  it('gives different bytes for a different seed', async () => {
    const first = await simulate([INDIVIDUAL, '--n', '500', '--seed', '7']);
    const other = await simulate([INDIVIDUAL, '--n', '500', '--seed', '8']);
    expect(other.code).toBe(0);
    expect(other.stdout).not.toBe(first.stdout);
  });

  it('writes to --out exactly what it prints, replaces the file whole and leaves no temporary file behind', async () => {
    const dir = mkdtempSync(join(scratch, 'out-'));
    writeFileSync(join(dir, 'responses.csv'), 'old contents\n');
    const printed = await simulate([ORGANISATIONAL, '--n', '2500', '--seed', '3']);
    const written = await simulate([join(root, ORGANISATIONAL), '--n', '2500', '--seed', '3', '--out', 'responses.csv'], dir);
    expect(written).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(join(dir, 'responses.csv'), 'utf8')).toBe(printed.stdout);
    expect(readdirSync(dir)).toEqual(['responses.csv']);
  });

  it('ends every line with a single newline, including the last, and uses no locale formatting', async () => {
    const { stdout } = await simulate([INDIVIDUAL, '--n', '300', '--seed', '1']);
    expect(stdout.endsWith('\n')).toBe(true);
    expect(stdout.endsWith('\n\n')).toBe(false);
    expect(stdout).not.toContain('\r');
    expect(stdout.split('\n')).toHaveLength(302);
    for (const weight of parseCsv(stdout).column('weight')) expect(weight).toMatch(/^\d+\.\d{6}$/);
  });

  it('streams the CSV in chunks of whole rows that add up to the whole file', async () => {
    const instrument = await instrumentAt(INDIVIDUAL);
    const chunks = [...simulateCsv(instrument, { n: 2050, chunkRows: 500 }, seededRandom(5))];
    expect(chunks).toHaveLength(5);
    for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
    const whole = await simulate([INDIVIDUAL, '--n', '2050', '--seed', '5']);
    expect(chunks.join('')).toBe(whole.stdout);
  });
});

describe('tapestry simulate: the column layout', () => {
  it.each([INDIVIDUAL, ORGANISATIONAL, CAPABILITIES])('writes the column layout of %s followed by weight and population', async (file) => {
    const instrument = await instrumentAt(file);
    const { code, stdout } = await simulate([file, '--n', '20', '--seed', '11']);
    expect(code).toBe(0);
    const table = parseCsv(stdout);
    expect(table.header).toEqual([...columnsOf(instrument).map((c) => c.name), 'weight', 'population']);
    expect(table.rows).toHaveLength(20);
    for (const row of table.rows) expect(row).toHaveLength(table.header.length);
  });

  it('numbers responses from sim-000001 and fills wave, version and a September–October submission time of the wave year', async () => {
    const { stdout } = await simulate([INDIVIDUAL, '--n', '400', '--seed', '2', '--wave', '2011-autumn']);
    const table = parseCsv(stdout);
    expect(table.column('response_id').slice(0, 2)).toEqual(['sim-000001', 'sim-000002']);
    expect(table.column('response_id')[399]).toBe('sim-000400');
    expect(new Set(table.column('wave'))).toEqual(new Set(['2011-autumn']));
    expect(new Set(table.column('instrument_version'))).toEqual(new Set(['1.0']));
    for (const at of table.column('submitted_at')) {
      expect(at).toMatch(/^2011-(09|10)-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(new Date(at).toISOString()).toBe(at);
    }
    const sim = parseCsv((await simulate([INDIVIDUAL, '--n', '5', '--seed', '2'])).stdout);
    expect(new Set(sim.column('wave'))).toEqual(new Set(['sim']));
    for (const at of sim.column('submitted_at')) expect(at).toMatch(/^2010-(09|10)-/);
  });
});

describe('tapestry simulate: answers that the survey could have collected', () => {
  it.each([INDIVIDUAL, ORGANISATIONAL, CAPABILITIES])('leaves every question of %s that skip logic hides empty, and fills multiple-choice cells all or none', async (file) => {
    const instrument = await instrumentAt(file);
    const table = parseCsv((await simulate([file, '--n', '1500', '--seed', '21'])).stdout);
    let hidden = 0;
    for (const row of table.rows) {
      const answers = answersOf(instrument, table.header, row);
      const { shown } = visibility(instrument, answers);
      for (const q of questionsOf(instrument)) {
        const cells = columnsOf(instrument).filter((c) => c.question === q.id).map((c) => row[table.header.indexOf(c.name)]);
        if (!shown.has(q.id)) {
          hidden++;
          expect(cells.every((c) => c === ''), `${q.id} is hidden but answered`).toBe(true);
        }
        if (q.type === 'multiple' && cells.some((c) => c !== '')) {
          expect(cells.every((c) => c === '0' || c === '1'), `${q.id} half answered`).toBe(true);
          expect(cells).toContain('1');
          if (q.options.some((o, i) => o.exclusive && cells[i] === '1')) expect(cells.filter((c) => c === '1'), `${q.id} has an exclusive option with others`).toHaveLength(1);
        }
      }
    }
    if (instrument.pages.some((p) => p.questions.some((q) => q.show_if))) expect(hidden).toBeGreaterThan(0);
  });

  it('asks about the qualification only of those who hold one or are working towards one, and about not completing only of those who stopped', async () => {
    const instrument = await instrumentAt(INDIVIDUAL);
    const table = parseCsv((await simulate([INDIVIDUAL, '--n', '2000', '--seed', '4'])).stdout);
    const status = table.column('qual_status');
    const qualColumns = columnsOf(instrument).filter((c) => c.question === 'qual_type' || c.question === 'qual_reason').map((c) => table.column(c.name));
    const notCompleted = columnsOf(instrument).filter((c) => c.question === 'not_completed_reasons').map((c) => table.column(c.name));
    let asked = 0;
    status.forEach((s, i) => {
      const holds = s === 'holds' || s === 'working';
      if (!holds) for (const column of qualColumns) expect(column[i]).toBe('');
      else if (qualColumns[0]![i] !== '') asked++;
      if (s !== 'started_not_completed') for (const column of notCompleted) expect(column[i]).toBe('');
    });
    expect(asked).toBeGreaterThan(100);
    expect(status.filter((s) => s === 'started_not_completed').length).toBeGreaterThan(20);
    expect(table.column('not_completed_reasons.time').filter((c) => c !== '').length).toBeGreaterThan(20);
  });

  it.each([
    [INDIVIDUAL, ['sector', 'tier', 'qual_status']],
    [ORGANISATIONAL, ['sector', 'size_band']],
    [CAPABILITIES, ['sector', 'tier']],
  ])('always answers the required questions of %s', async (file, required) => {
    const instrument = await instrumentAt(file);
    expect(questionsOf(instrument).filter((q) => q.required).map((q) => q.id)).toEqual(required);
    const table = parseCsv((await simulate([file, '--n', '3000', '--seed', '9'])).stdout);
    for (const id of required) expect(table.column(id).filter((c) => c === '')).toEqual([]);
  });

  it('leaves a few shown optional questions unanswered, but answers most', async () => {
    const table = parseCsv((await simulate([INDIVIDUAL, '--n', '3000', '--seed', '9'])).stdout);
    const unanswered = table.column('activities.coaching').filter((c) => c === '').length / 3000;
    expect(unanswered).toBeGreaterThan(0.02);
    expect(unanswered).toBeLessThan(0.1);
  });

  it('draws numbers within their bounds, whole where the question says so, and uniform choices for questions it has no figures for', async () => {
    const dir = mkdtempSync(join(scratch, 'numbers-'));
    writeFileSync(
      join(dir, 'numbers.yaml'),
      [
        'id: numbers-test',
        'version: "0.1"',
        'title: Numbers',
        'kind: individual',
        'source: Written for this test.',
        'pages:',
        '  - id: only',
        '    title: Only page',
        '    questions:',
        '      - id: hours',
        '        type: number',
        '        text: How many hours?',
        '        min: 0.5',
        '        max: 2.5',
        '      - id: team',
        '        type: number',
        '        text: How many in your team?',
        '        required: true',
        '        min: 10',
        '        max: 20',
        '        integer: true',
        '      - id: colour',
        '        type: single',
        '        text: Which colour?',
        '        required: true',
        '        options:',
        '          red: Red',
        '          green: Green',
        '          blue: Blue',
        '',
      ].join('\n'),
    );
    const table = parseCsv((await simulate(['numbers.yaml', '--n', '3000', '--seed', '13'], dir)).stdout);
    const hours = table.column('hours').filter((c) => c !== '').map(Number);
    expect(hours.length).toBeGreaterThan(2500);
    for (const h of hours) {
      expect(h).toBeGreaterThanOrEqual(0.5);
      expect(h).toBeLessThanOrEqual(2.5);
    }
    const team = table.column('team').map(Number);
    for (const t of team) expect(Number.isInteger(t) && t >= 10 && t <= 20).toBe(true);
    expect(new Set(team).size).toBe(11);
    for (const colour of ['red', 'green', 'blue']) expect(Math.abs(share(table.column('colour'), colour) - 1 / 3)).toBeLessThan(0.04);
    // No sector question: no stratum to weight by.
    expect(new Set([...table.column('weight'), ...table.column('population')])).toEqual(new Set(['']));

    const staff = parseCsv((await simulate([ORGANISATIONAL, '--n', '2000', '--seed', '13'])).stdout).column('staff').filter((c) => c !== '');
    expect(staff.length).toBeGreaterThan(1000);
    for (const s of staff) expect(Number.isInteger(Number(s)) && Number(s) >= 1).toBe(true);
  });

  const freeText = async () => {
    const table = parseCsv((await simulate([INDIVIDUAL, '--n', '1000', '--seed', '6'])).stdout);
    return new Set(['service_area_other', 'qual_benefit_text', 'most_help'].flatMap((id) => table.column(id)).filter((c) => c !== ''));
  };

  it('writes short made-up phrases for free text', async () => {
    const texts = await freeText();
    expect(texts.size).toBeGreaterThan(3);
    for (const text of texts) expect(text.length).toBeLessThan(120);
  });

  it.skipIf(!HAVE_CORPUS)('never writes a quote from the focus-group corpus as free text', async () => {
    const texts = await freeText();
    const corpus = Papa.parse<Record<string, string>>(readFileSync(CORPUS, 'utf8'), { header: true, skipEmptyLines: true }).data;
    expect(corpus.length).toBeGreaterThan(0);
    for (const { text } of corpus) for (const phrase of texts) expect(text!.includes(phrase)).toBe(false);
  });
});

describe('tapestry simulate: the published figures', () => {
  it('has over half never offered coaching, and senior managers taking part in coaching far more often than front-line staff', async () => {
    const table = parseCsv((await simulate([INDIVIDUAL, '--n', '5000', '--seed', '2010'])).stdout);
    const coaching = table.column('activities.coaching');
    expect(share(coaching, 'never_offered')).toBeGreaterThan(0.5);
    const tier = table.column('tier');
    const tookPart = (t: string) => share(coaching.filter((_, i) => tier[i] === t), 'took_part');
    expect(tookPart('senior')).toBeGreaterThan(tookPart('front_line') + 0.25);
  });

  it('has about 45% never offered networking and about a quarter taking part in action learning, mentoring and a leadership community', async () => {
    const table = parseCsv((await simulate([INDIVIDUAL, '--n', '5000', '--seed', '2010'])).stdout);
    expect(Math.abs(share(table.column('activities.networking'), 'never_offered') - 0.45)).toBeLessThan(0.04);
    for (const row of ['action_learning', 'mentoring', 'leadership_community']) {
      expect(Math.abs(share(table.column(`activities.${row}`), 'took_part') - 0.25)).toBeLessThan(0.04);
    }
  });

  it('has most respondents from the voluntary sector and fewest from the private sector, with tiers front line first and senior last', async () => {
    const table = parseCsv((await simulate([INDIVIDUAL, '--n', '5000', '--seed', '2010'])).stdout);
    const sector = table.column('sector');
    expect(share(sector, 'voluntary')).toBeGreaterThan(share(sector, 'public'));
    expect(share(sector, 'public')).toBeGreaterThan(2 * share(sector, 'private'));
    const tier = table.column('tier');
    expect(share(tier, 'front_line')).toBeGreaterThan(share(tier, 'first_line'));
    expect(share(tier, 'middle')).toBeGreaterThan(share(tier, 'senior'));
    expect(Math.abs(share(tier, 'senior') - 0.13)).toBeLessThan(0.03);
  });

  it('has low familiarity with the frameworks, and in-house packages used more than any of them', async () => {
    const table = parseCsv((await simulate([INDIVIDUAL, '--n', '5000', '--seed', '2010'])).stdout);
    const used = (row: string) => share(table.column(`resources.${row}`), 'used');
    for (const row of ['clf', 'four_ps', 'inspectorate_guide']) {
      expect(used(row)).toBeLessThan(0.25);
      expect(used('in_house')).toBeGreaterThan(used(row) + 0.1);
    }
  });

  it('does not tie capability stage to tier', async () => {
    const table = parseCsv((await simulate([INDIVIDUAL, '--n', '5000', '--seed', '2010'])).stdout);
    const tier = table.column('tier');
    for (const row of ['vision', 'empowering']) {
      const stage = table.column(`capabilities.${row}`);
      const accomplished = (t: string) => share(stage.filter((_, i) => tier[i] === t), 'accomplished');
      expect(Math.abs(accomplished('senior') - accomplished('front_line'))).toBeLessThan(0.07);
    }
  });

  it('has organisations mostly without a formal succession plan for senior leaders, voluntary ones most often with none', async () => {
    const table = parseCsv((await simulate([ORGANISATIONAL, '--n', '5000', '--seed', '2010'])).stdout);
    const succession = table.column('succession_senior');
    expect(share(succession, 'none') + share(succession, 'informal')).toBeGreaterThan(0.6);
    const sector = table.column('sector');
    const none = (s: string) => share(succession.filter((_, i) => sector[i] === s), 'none');
    expect(none('voluntary')).toBeGreaterThan(0.55);
    expect(none('voluntary')).toBeGreaterThan(none('public') + 0.2);
  });
});

describe('tapestry simulate: weights', () => {
  it.each([INDIVIDUAL, ORGANISATIONAL])('gives every response to %s in a sector the same weight, summing to the sector population', async (file) => {
    const instrument = await instrumentAt(file);
    const table = parseCsv((await simulate([file, '--n', '3000', '--seed', '17'])).stdout);
    const sector = table.column('sector');
    const weight = table.column('weight');
    const population = table.column('population');
    const sectors = new Set(sector);
    expect(sectors).toEqual(new Set(['public', 'private', 'voluntary']));
    for (const s of sectors) {
      const rows = sector.map((v, i) => i).filter((i) => sector[i] === s);
      const N = POPULATION[instrument.kind][s]!;
      expect(new Set(rows.map((i) => population[i]))).toEqual(new Set([String(N)]));
      expect(new Set(rows.map((i) => weight[i]))).toEqual(new Set([(N / rows.length).toFixed(6)]));
      const sum = rows.reduce((total, i) => total + Number(weight[i]), 0);
      expect(Math.abs(sum - N)).toBeLessThanOrEqual(rows.length * 5e-7 + 1e-6);
    }
  });
});

describe('tapestry simulate: bad arguments', () => {
  it.each([
    [['--n', '0', '--seed', '1'], '--n must be a whole number from 1 to 5000000, not "0"'],
    [['--n', '1.5', '--seed', '1'], '--n must be a whole number from 1 to 5000000, not "1.5"'],
    [['--n', 'many', '--seed', '1'], '--n must be a whole number from 1 to 5000000, not "many"'],
    [['--n', '5000001', '--seed', '1'], '--n must be a whole number from 1 to 5000000, not "5000001"'],
    [['--seed', '1'], '--n is required: how many responses to simulate'],
    [['--n', '10'], '--seed is required: a whole number, so that the output can be made again'],
    [['--n', '10', '--seed', 'abc'], '--seed must be a whole number from 0 to 4294967295, not "abc"'],
    [['--n', '10', '--seed', '4294967296'], '--seed must be a whole number from 0 to 4294967295, not "4294967296"'],
    [['--n', '10', '--seed', '1', '--wave', ' '], '--wave must be a name without control characters, such as 2010 or sim'],
    [['--n', '10', '--seed', '1', '--out', 'package.json/out.csv'], 'cannot write package.json/out.csv: package.json is not a directory'],
  ])('refuses %j with a clear message and exit status 1', async (args, message) => {
    const result = await simulate([INDIVIDUAL, ...args]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `tapestry: ${message}\n` });
  });

  it('reports a missing instrument file with its name', async () => {
    const result = await simulate(['surveys/no-such-survey.yaml', '--n', '10', '--seed', '1']);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'tapestry: surveys/no-such-survey.yaml:1: cannot read the instrument: there is no such file\n' });
  });

  it('reports a broken instrument as file:line: message and writes nothing', async () => {
    const dir = mkdtempSync(join(scratch, 'broken-'));
    writeFileSync(join(dir, 'bad.yaml'), readFileSync(join(root, INDIVIDUAL), 'utf8').replace("show_if: \"service_area = 'other'\"", "show_if: \"service_areas = 'other'\""));
    const result = await simulate(['bad.yaml', '--n', '10', '--seed', '1', '--out', 'out.csv'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^tapestry: bad\.yaml:\d+: show_if names question `service_areas`, which does not exist; did you mean `service_area`\?\n$/);
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });
});
