/**
 * The codebook: an entry for every column, with its question, codes, page, condition and what a
 * cell without an answer holds there; the CSV guarded like every CSV, the Markdown escaped.
 */
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { codebookCsv, codebookMarkdown, codebookOf, type CodebookEntry } from '../../src/export/codebook.ts';
import { MISSING_CODES } from '../../src/export/missing.ts';
import { variablesOf } from '../../src/export/variables.ts';
import { columnsOf } from '../../src/instrument/columns.ts';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import { Instrument } from '../../src/instrument/schema.ts';

let instrument: Instrument;
let entries: CodebookEntry[];
beforeAll(async () => {
  ({ instrument } = await loadInstrumentFile('tests/fixtures/export/instrument.yaml'));
  entries = codebookOf(instrument, variablesOf(instrument));
});
const entry = (column: string) => entries.find((e) => e.column === column)!;

describe('the codebook', () => {
  it('has one entry per column of the layout, in order, under the syntax files\' variable names', () => {
    expect(entries.map((e) => e.column)).toEqual(columnsOf(instrument).map((c) => c.name));
    expect(entry('support.manager').variable).toBe('support_manager');
    expect(entry('to').variable).toBe('to_');
  });

  it('gives each question its text, type, codes with labels, page and condition', () => {
    const band = entry('band');
    expect(band).toMatchObject({ question: 'band', label: 'Which pay band are you on?', type: 'single', storage: 'numeric', page: 'about-you', pageTitle: 'About you', showIf: '' });
    expect(band.values).toEqual([
      { code: '8', label: 'Band 8' },
      { code: '9', label: 'Band 9' },
      { code: '10', label: 'Band 10' },
    ]);
    expect(entry('staff')).toMatchObject({ page: 'development', showIf: "tier != 'front_line'", level: 'scale' });
    expect(entry('agree').level).toBe('ordinal');
  });

  it('says what a cell without an answer holds: the not-shown code only where a condition can hide the question', () => {
    expect(entry('staff').missing).toBe(`${MISSING_CODES.not_shown.numeric} = ${MISSING_CODES.not_shown.label}, when tier != 'front_line' is false; ${MISSING_CODES.not_answered.numeric} = ${MISSING_CODES.not_answered.label}`);
    expect(entry('tier').missing).toBe(`${MISSING_CODES.not_answered.string} = ${MISSING_CODES.not_answered.label}; always shown, so ${MISSING_CODES.not_shown.string} does not occur`);
    expect(entry('submitted_at').missing).toContain('in progress');
  });

  it('writes CSV with every formula-like text guarded', () => {
    const risky = Instrument.parse({ ...instrument, pages: [{ id: 'p', title: '=HYPERLINK("x")', questions: [{ id: 'q', type: 'text', text: '+SUM(A1)' }] }] });
    const text = codebookCsv(codebookOf(risky, variablesOf(risky)));
    const rows = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
    const q = rows.find((r) => r.column === 'q')!;
    expect(q.label).toBe("'+SUM(A1)");
    expect(q.page_title).toBe('\'=HYPERLINK("x")');
    expect(rows.map((r) => r.variable)).toEqual(variablesOf(risky).map((v) => v.name));
  });

  it('writes Markdown in which question text cannot become markup or break the table', () => {
    const risky = Instrument.parse({ ...instrument, pages: [{ id: 'p', title: 'Page', questions: [{ id: 'q', type: 'single', text: 'Pick <b>one</b> | or *two*', options: { a: 'A | B' }, show_if: undefined }] }] });
    const md = codebookMarkdown(risky, '2026', codebookOf(risky, variablesOf(risky)));
    const row = md.split('\n').find((l) => l.startsWith('| `q`'))!;
    expect(row).toContain('Pick \\<b\\>one\\</b\\> \\| or \\*two\\*');
    expect(row).toContain('`a` A \\| B');
    // Every unescaped pipe is a cell border: eight cells.
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(8);
  });
});
