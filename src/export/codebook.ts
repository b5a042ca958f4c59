/**
 * The codebook of an export: for every variable, its name, the question's text, its type, its codes
 * with their labels, the page it is on, the condition that shows it, and what a cell without an
 * answer holds there. Written as CSV (for programs and spreadsheets) and as Markdown (for people,
 * and for a repository's page), from the same entries, so the two cannot disagree.
 *
 * Decisions, and why:
 * - One entry per variable, as the data files have columns: the variable name is the one the
 *   syntax files give (`names.ts`), and the column is the CSV header's name beside it.
 * - The missing codes are spelt out on every question's entry, with the skip condition that
 *   produces -99/`.skip`: "not shown" is only possible where a `show_if` is, and the entry says so.
 * - Markdown escapes every character that would make text into markup, so a question text with
 *   `|` or `<b>` stays text; names and conditions are code spans.
 */
import { csvText } from '../shared/csv.ts';
import type { Instrument, Question } from '../instrument/schema.ts';
import { MISSING_CODES, missingCell } from './missing.ts';
import type { Variable } from './variables.ts';

export interface CodebookEntry {
  variable: string;
  column: string;
  /** The question's id; empty for the meta columns. */
  question: string;
  /** The question text (and the option or row it stands for), or what the meta column holds. */
  label: string;
  /** The question type, or the meta column's kind. */
  type: string;
  storage: Variable['storage'];
  level: Variable['level'];
  /** `code = label` pairs, in the instrument's order. */
  values: { code: string; label: string }[];
  /** What a cell may hold, in words. */
  holds: string;
  page: string;
  pageTitle: string;
  /** The `show_if` condition, or empty for a question always shown. */
  showIf: string;
  /** What a cell without an answer holds, and why. */
  missing: string;
}

function missingText(variable: Variable, question: Question): string {
  const blank = `${missingCell(variable.storage, 'not_answered')} = ${MISSING_CODES.not_answered.label}`;
  if (question.show_if === undefined) return `${blank}; always shown, so ${missingCell(variable.storage, 'not_shown')} does not occur`;
  return `${missingCell(variable.storage, 'not_shown')} = ${MISSING_CODES.not_shown.label}, when ${question.show_if} is false; ${blank}`;
}

const META_MISSING: Readonly<Record<string, string>> = {
  submitted_at: 'empty for a response still in progress (exported with --include-partial)',
};

/** The codebook's entries, in the order of the data files' columns. */
export function codebookOf(instrument: Instrument, variables: readonly Variable[]): CodebookEntry[] {
  const pageOf = new Map(instrument.pages.flatMap((page) => page.questions.map((q) => [q.id, page] as const)));
  return variables.map((variable) => {
    const question = variable.question;
    const page = question === undefined ? undefined : pageOf.get(question.id);
    return {
      variable: variable.name,
      column: variable.column.name,
      question: question?.id ?? '',
      label: variable.label,
      type: variable.column.type,
      storage: variable.storage,
      level: variable.level,
      values: variable.values.map((v) => ({ code: v.code, label: v.label })),
      holds: variable.column.values,
      page: page?.id ?? '',
      pageTitle: page?.title ?? '',
      showIf: question?.show_if ?? '',
      missing: question === undefined ? (META_MISSING[variable.column.name] ?? 'always present') : missingText(variable, question),
    };
  });
}

/** The codebook's columns, in the CSV and on the workbook's sheet alike. */
export const CODEBOOK_COLUMNS = ['variable', 'column', 'question', 'label', 'type', 'storage', 'level', 'values', 'holds', 'page', 'page_title', 'show_if', 'missing'];

/** The codebook as CSV: one row per variable, the codes as `code=label` joined by ` | `. */
export function codebookCsv(entries: readonly CodebookEntry[]): string {
  return csvText(
    CODEBOOK_COLUMNS,
    entries.map(codebookRow),
  );
}

/** An entry as the cells of its row, in `CODEBOOK_COLUMNS` order; the codes as `code=label` joined by ` | `. */
export function codebookRow(e: CodebookEntry): string[] {
  return [e.variable, e.column, e.question, e.label, e.type, e.storage, e.level, e.values.map((v) => `${v.code}=${v.label}`).join(' | '), e.holds, e.page, e.pageTitle, e.showIf, e.missing];
}

/**
 * Text as Markdown shows it literally, on one line, inside a table cell: the characters that start
 * emphasis, code, links, HTML, entities or strikethrough, and the pipe that ends a cell. Those that
 * matter only at the start of a line (`#`, `-`, `+`) cannot be there in a cell, and stay readable.
 */
function escapeMarkdown(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ').replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
}

/** A code span that holds any text: fenced by more backticks than the text's longest run. */
function code(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  // A pipe would end the table's cell even inside a code span; GitHub's tables take `\|` as one.
  return `${fence}${pad}${text.replace(/\r\n?|\n/g, ' ').replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** The codebook as Markdown: the missing codes first, then one table of every variable. */
export function codebookMarkdown(instrument: Instrument, wave: string, entries: readonly CodebookEntry[]): string {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const lines = [
    `# Codebook: ${escapeMarkdown(instrument.title)}`,
    '',
    `Instrument ${code(instrument.id)}, version ${code(instrument.version)}, wave ${code(wave)}.`,
    '',
    '## Missing answers',
    '',
    'A question cell without an answer says why:',
    '',
    `- ${code(String(MISSING_CODES.not_shown.numeric))} (numeric columns) or ${code(MISSING_CODES.not_shown.string)} (text columns): ${escapeMarkdown(MISSING_CODES.not_shown.label)}; the question's condition was false for the respondent's answers.`,
    `- ${code(String(MISSING_CODES.not_answered.numeric))} or ${code(MISSING_CODES.not_answered.string)}: ${escapeMarkdown(MISSING_CODES.not_answered.label)}; in a response still in progress, also a question on a page not reached yet.`,
    '',
    'In the labelled CSV these cells hold the words instead of the codes.',
    '',
    '## Variables',
    '',
    row(['Variable', 'Column', 'Label', 'Type', 'Codes', 'Page', 'Shown when', 'Missing']),
    row(['---', '---', '---', '---', '---', '---', '---', '---']),
    ...entries.map((e) =>
      row([
        code(e.variable),
        code(e.column),
        escapeMarkdown(e.label),
        escapeMarkdown(`${e.type} (${e.storage}, ${e.level})`),
        e.values.length === 0 ? escapeMarkdown(e.holds) : e.values.map((v) => `${code(v.code)} ${escapeMarkdown(v.label)}`).join('<br>'),
        escapeMarkdown(e.pageTitle),
        e.showIf === '' ? (e.question === '' ? '' : 'always') : code(e.showIf),
        escapeMarkdown(e.missing),
      ]),
    ),
    '',
  ];
  return lines.join('\n');
}
