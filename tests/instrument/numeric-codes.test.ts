/**
 * Option ids made of digits, from the file to the report: tests/fixtures/instruments/good/numeric-codes.yaml
 * lists a scale from 5 down to 1, codes 8 to 11, and 9, 10, 01, 00 for a multiple choice. Each stage
 * must keep the codes exactly as written and in the file's order, never JavaScript's numeric key
 * order (which would put 1 before 5 and 8, 9 before 10 — or 10 before 8).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { cellsOf, columnsOf } from '../../src/instrument/columns.ts';
import { contentHash, loadInstrumentFile, type LoadedInstrument } from '../../src/instrument/load.ts';
import { Instrument, questionsOf, type Question } from '../../src/instrument/schema.ts';
import { visibility } from '../../src/instrument/visibility.ts';
import { findInstrumentVersion, publishInstrument } from '../../src/store/instrument-versions.ts';
import { openWave } from '../../src/store/waves.ts';
import { Browser } from '../support/browser.ts';
import { captureIo } from '../support/io.ts';
import { backend } from '../support/store.ts';
import { ROOT, startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

const FILE = 'tests/fixtures/instruments/good/numeric-codes.yaml';
const ids = (instrument: Instrument, id: string) => {
  const question = questionsOf(instrument).find((q) => q.id === id) as Question & { options: { id: string }[] };
  return question.options.map((o) => o.id);
};

let loaded: LoadedInstrument;
beforeAll(async () => {
  loaded = await loadInstrumentFile(join(ROOT, FILE));
});

describe('option ids made of digits in an instrument file', () => {
  it('are accepted by survey check, quoted or not', async () => {
    const io = captureIo({ cwd: ROOT });
    expect(await run(['survey', 'check', FILE], io)).toBe(0);
    expect(io.stdout()).toBe(`${FILE}: ok — numeric-codes 1, 1 pages, 4 questions\n`);
  });

  it('keep the order of the file and the text as written, so 01 stays 01 and 10 follows 9', () => {
    expect(ids(loaded.instrument, 'agree')).toEqual(['5', '4', '3', '2', '1']);
    expect(ids(loaded.instrument, 'band')).toEqual(['8', '9', '10', '11']);
    expect(ids(loaded.instrument, 'supports')).toEqual(['9', '10', '01', '00']);
  });

  it('give response-file columns and a data dictionary in the order of the file', async () => {
    const header = captureIo({ cwd: ROOT });
    await run(['survey', 'columns', FILE, '--format', 'header'], header);
    expect(header.stdout()).toBe('response_id,wave,instrument_version,submitted_at,agree,agree_why,band,supports.9,supports.10,supports.01,supports.00\n');
    const dictionary = captureIo({ cwd: ROOT });
    await run(['survey', 'columns', FILE, '--format', 'csv'], dictionary);
    const rows = Papa.parse<Record<string, string>>(dictionary.stdout(), { header: true }).data;
    expect(rows.find((r) => r.column === 'agree')!.values).toBe('5 | 4 | 3 | 2 | 1');
    expect(rows.find((r) => r.column === 'band')!.values).toBe('8 | 9 | 10 | 11');
  });

  it('compare scale points in show_if by their position in the file, not by their value as numbers', () => {
    // `agree >= '2'`: 2 and 1 are listed after 2, so they are at or above it; 5, 4 and 3 are below.
    const shown = (agree: string) => visibility(loaded.instrument, { agree }).shown.has('agree_why');
    expect(['5', '4', '3', '2', '1'].map(shown)).toEqual([false, false, false, true, true]);
  });

  it('survive the stored JSON form, and a definition stored as id: label objects still loads in its order', () => {
    expect(Instrument.parse(JSON.parse(JSON.stringify(loaded.instrument)))).toEqual(loaded.instrument);
    const legacy = { ...JSON.parse(JSON.stringify(loaded.instrument)) };
    legacy.pages[0].questions[2].options = { band_a: 'Band 8', band_b: 'Band 9' };
    expect(ids(Instrument.parse(legacy), 'band')).toEqual(['band_a', 'band_b']);
  });

  it('change the content hash when two codes swap places', async () => {
    const text = readFileSync(join(ROOT, FILE), 'utf8');
    const swapped = text.replace('"8": Band 8\n          "9": Band 9', '"9": Band 9\n          "8": Band 8');
    expect(swapped).not.toBe(text);
    const dir = mkdtempSync(join(tmpdir(), 'tapestry-codes-'));
    try {
      writeFileSync(join(dir, 'swapped.yaml'), swapped);
      const other = await loadInstrumentFile(join(dir, 'swapped.yaml'));
      expect(ids(other.instrument, 'band')).toEqual(['9', '8', '10', '11']);
      expect(other.contentHash).not.toBe(loaded.contentHash);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('content hashes of instruments whose option ids start with letters', () => {
  it('are the ones published before option ids could be digits, as the committed example report records them', async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'reports/leading-together/2010/manifest.json'), 'utf8'));
    const recorded: string = manifest.inputs.individual.instrument.content_hash;
    const individual = await loadInstrumentFile(join(ROOT, 'surveys/leadership-individual.yaml'));
    // The earlier hash: the parsed instrument's JSON as it was before options became a list and
    // rows and options could carry short labels: each question's options as an `id: label` object,
    // each matrix row as its label, and no `short` anywhere (a reviver returning undefined drops it).
    const asObjects = JSON.parse(JSON.stringify(individual.instrument), (key, value) => {
      if (key === 'short') return undefined;
      if (key === 'options' && Array.isArray(value)) return Object.fromEntries(value.map((o: { id: string; label: string }) => [o.id, o.label]));
      if (key === 'rows') return Object.fromEntries(Object.entries(value as Record<string, { label: string }>).map(([id, row]) => [id, row.label]));
      return value;
    });
    expect(individual.contentHash).toBe(createHash('sha256').update(JSON.stringify(asObjects)).digest('hex'));
    expect(individual.contentHash).toBe(recorded);
    expect(contentHash(individual.instrument)).toBe(individual.contentHash);
  });
});

describe(`a survey with numeric codes on ${backend}`, () => {
  let survey: SurveyApp;
  const base = '/s/numeric-codes/2010';
  beforeAll(async () => {
    survey = await startSurveyApp();
    const { row } = await publishInstrument(survey.store.db, loaded);
    await openWave(survey.store.db, { instrumentId: 'numeric-codes', instrumentVersionId: row.id, name: '2010', opensAt: new Date('2010-09-01T00:00:00Z') });
  });
  afterAll(() => survey?.dispose());

  it('reads the published definition back from the database with the codes in file order', async () => {
    const row = await findInstrumentVersion(survey.store.db, 'numeric-codes', '1');
    const reread = Instrument.parse(row!.definition);
    expect(reread).toEqual(loaded.instrument);
    expect(ids(reread, 'band')).toEqual(['8', '9', '10', '11']);
  });

  it('shows the codes in file order, submits them as written, and refuses the exclusive code with another', async () => {
    const browser = new Browser(survey.app);
    const start = await browser.get(base);
    await browser.post(`${base}/start`, Browser.formFields(start).fields);
    const page = await browser.get(`${base}/page/views`);
    const values = (name: string) => page.$(`input[name=${name}]`).map((_, el) => page.$(el).attr('value')).get();
    expect(values('agree')).toEqual(['5', '4', '3', '2', '1']);
    expect(values('band')).toEqual(['8', '9', '10', '11']);
    expect(values('supports')).toEqual(['9', '10', '01', '00']);

    const fields = Browser.formFields(page).fields;
    const answers: [string, string][] = [['agree', '2'], ['band', '10'], ['supports', '01'], ['supports', '10']];
    const mixed = await browser.post(`${base}/page/views`, [...fields, ...answers, ['supports', '00'], ['_action', 'continue']]);
    expect(mixed.status).toBe(422);
    expect(mixed.$('.govuk-error-summary').text()).toContain("Select 'None of these' on its own, or the other options without it");

    const again = await browser.get(`${base}/page/views`);
    const shown = await browser.follow(await browser.post(`${base}/page/views`, [...Browser.formFields(again).fields, ...answers, ['_action', 'continue']]));
    // agree = 2 shows the follow-up on the same page.
    const follow = await browser.follow(await browser.post(`${base}/page/views`, [...Browser.formFields(shown).fields, ...answers, ['agree_why', 'We share it.'], ['_action', 'continue']]));
    expect(follow.url).toMatch(/\/check$/);
    const submitted = await browser.post(`${base}/submit`, Browser.formFields(follow, 'form[action$="/submit"]').fields);
    expect(submitted.status).toBe(303);

    const [response] = await survey.store.db.selectFrom('responses').selectAll().where('status', '=', 'submitted').execute();
    expect(response!.answers).toEqual({ agree: '2', agree_why: 'We share it.', band: '10', supports: ['10', '01'] });
    const columns = columnsOf(loaded.instrument);
    const cells = cellsOf(columns, { responseId: 'r1', wave: '2010', instrumentVersion: '1', submittedAt: '2010-09-15T10:00:00.000Z' }, response!.answers as Record<string, unknown>);
    expect(Object.fromEntries(columns.map((c, i) => [c.name, cells[i]]))).toMatchObject({ agree: '2', band: '10', 'supports.9': '0', 'supports.10': '1', 'supports.01': '1', 'supports.00': '0' });
  });
});

describe('a pipeline table of a question with numeric codes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-codes-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists its categories in the order of the file, with their labels', async () => {
    const columns = columnsOf(loaded.instrument);
    const rows: string[][] = [];
    const bands = ['8', '9', '10', '11'];
    for (let i = 0; i < 40; i++) {
      const answers = { agree: String(5 - (i % 5)), band: bands[i % 4]!, supports: [['9'], ['10', '01'], ['00']][i % 3]! };
      rows.push(cellsOf(columns, { responseId: `r${i}`, wave: '2010', instrumentVersion: '1', submittedAt: '2010-09-15T10:00:00.000Z' }, answers));
    }
    writeFileSync(join(dir, 'responses.csv'), Papa.unparse({ fields: columns.map((c) => c.name), data: rows }, { newline: '\n' }) + '\n');
    writeFileSync(
      join(dir, 'pipeline.yaml'),
      [
        'id: codes',
        'title: Numeric codes',
        'wave: "2010"',
        'inputs:',
        `  people: { instrument: ${join(ROOT, FILE)}, responses: responses.csv }`,
        'disclosure: { min_base: 1, min_cell: 1 }',
        'tables:',
        '  - { id: agree, input: people, measure: agree }',
        '  - { id: band-by-agree, input: people, measure: band, by: [agree] }',
        '  - { id: supports, input: people, measure: supports }',
        '',
      ].join('\n'),
    );
    const io = captureIo({ cwd: dir });
    const status = await run(['run', join(dir, 'pipeline.yaml'), '--out', join(dir, 'out')], io);
    expect(io.stderr()).not.toMatch(/error/i);
    expect(status).toBe(0);
    const table = (id: string) => Papa.parse<Record<string, string>>(readFileSync(join(dir, 'out', 'tables', `${id}.csv`), 'utf8'), { header: true, skipEmptyLines: true }).data;
    const categories = (id: string, domain = 'all') => table(id).filter((r) => r.domain === domain).map((r) => r.category);
    expect(categories('agree')).toEqual(['5', '4', '3', '2', '1']);
    expect(categories('band-by-agree', 'agree=1')).toEqual(['8', '9', '10', '11']);
    expect([...new Set(table('band-by-agree').map((r) => r.domain))]).toEqual(['all', 'agree=5', 'agree=4', 'agree=3', 'agree=2', 'agree=1']);
    expect(categories('supports')).toEqual(['9', '10', '01', '00']);
    const markdown = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
    const at = (label: string) => markdown.indexOf(label);
    expect(at('Strongly disagree')).toBeGreaterThan(0);
    expect(at('Strongly disagree')).toBeLessThan(at('Neither agree nor disagree'));
    expect(at('Neither agree nor disagree')).toBeLessThan(at('Strongly agree'));
  });
});
