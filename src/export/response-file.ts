/**
 * A file of responses in the column layout (`instrument/columns.ts`) read back into answers, as
 * `tapestry export` writes it (missing codes included) or as a person keys it in (empty cells),
 * each row checked
 * as the service checks a submission: options the instrument lists, numbers in range, text within
 * its length, no answer to a question the skip logic hides, every required question shown
 * answered. Pure: the caller reads the file and stores the rows, so that the command line and any
 * other door into the store check a file the same way. Every problem is found, each at the line an
 * editor shows it on, so that a file is fixed in one go and stored whole or not at all.
 */
import { readAnswers, type FormValues } from '../instrument/answers.ts';
import { columnsOf } from '../instrument/columns.ts';
import type { AnswerValue } from '../instrument/evaluate.ts';
import { optionOf, questionsOf, type Instrument } from '../instrument/schema.ts';
import { missingRequired, visibility } from '../instrument/visibility.ts';
import { readTable } from '../shared/csv-table.ts';
import { suggestion } from '../shared/did-you-mean.ts';
import { readInstant } from '../shared/instant.ts';
import type { Problem } from '../shared/yaml-source.ts';
import { missingCell, MISSING_CODES, MISSING_REASONS, type MissingReason } from './missing.ts';
import { variablesOf, type Variable } from './variables.ts';

export interface ResponseRow {
  line: number;
  /** Lower case, as the database gives a uuid back. */
  responseId: string;
  submittedAt: Date;
  answers: Record<string, AnswerValue>;
}

export interface ResponseFile {
  rows: ResponseRow[];
  /** Sorted by line; none when every row can be stored. */
  problems: Problem[];
}

/** What the rows must agree with: the wave they go into and the version it fields. */
export interface ResponseFileTarget {
  wave: string;
  version: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const code = (s: string) => `\`${s}\``;
const quoted = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}…` : s);

export function readResponseFile(text: string, file: string, instrument: Instrument, target: ResponseFileTarget): ResponseFile {
  const problems: Problem[] = [];
  const rows: ResponseRow[] = [];
  const columns = columnsOf(instrument);
  const table = readTable(text, file, 'the column layout of `tapestry survey columns`, from response_id', problems);
  if (!table) return { rows, problems };
  const known = new Map(columns.map((c) => [c.name, c]));
  for (const name of table.header) {
    if (name !== '' && !known.has(name)) problems.push({ file, line: table.headerLine, message: `the header has a column ${code(name)} that ${instrument.id} does not define${suggestion(name, known.keys())}` });
  }
  for (const name of ['response_id', 'submitted_at']) {
    if (!table.header.includes(name)) problems.push({ file, line: table.headerLine, message: `the header lacks the column ${code(name)}, which every response needs` });
  }
  if (table.rowCount === 0) problems.push({ file, line: table.headerLine, message: 'there are no responses after the header' });
  if (problems.length > 0) return { rows, problems };

  const at = (column: string) => table.header.indexOf(column);
  const firstLine = new Map<string, number>();
  for (const row of table.rows) {
    const problem = (message: string) => problems.push({ file, line: row.line, message });
    const cell = (name: string) => (at(name) < 0 ? '' : row.cells[at(name)]!);

    const id = cell('response_id').trim();
    if (id === '') problem('response_id is empty; every response needs its own');
    else if (!UUID.test(id)) problem(`response_id ${quoted(id)} is not a UUID (such as 6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f)`);
    else if (firstLine.has(id.toLowerCase())) problem(`response_id ${id} is on line ${firstLine.get(id.toLowerCase())} too; every response needs its own`);
    else firstLine.set(id.toLowerCase(), row.line);

    const wave = cell('wave').trim();
    if (wave !== '' && wave !== target.wave) problem(`wave is ${quoted(wave)}, but these responses go into wave ${target.wave}`);
    const version = cell('instrument_version').trim();
    if (version !== '' && version !== target.version) problem(`instrument_version is ${quoted(version)}, but wave ${target.wave} fields version ${target.version} of ${instrument.id}`);
    const submittedText = cell('submitted_at').trim();
    const submittedAt = readInstant(submittedText);
    if (submittedText === '') problem('submitted_at is empty; an imported response counts as submitted, so it needs the time it was (e.g. 2010-03-15T09:30:00Z)');
    else if (!submittedAt) problem(`submitted_at ${quoted(submittedText)} is not an ISO 8601 date or time with its offset (e.g. 2010-03-15 or 2010-03-15T09:30:00Z)`);

    const { answers, missing, messages } = answersOf(instrument, table.header, row.cells);
    for (const message of messages) problem(message);
    if (messages.length === 0) {
      const { shown } = visibility(instrument, answers);
      for (const question of questionsOf(instrument)) {
        if (answers[question.id] !== undefined && !shown.has(question.id)) {
          problem(`${code(question.id)} is answered, but its skip logic hides it for this response (show_if: ${question.show_if})`);
        }
        const said = missing.get(question.id);
        if (said === 'not_shown' && shown.has(question.id)) problem(`${code(question.id)} is marked not shown (${codesOf('not_shown')}), but its skip logic shows it to this response`);
        if (said === 'not_answered' && !shown.has(question.id)) problem(`${code(question.id)} is marked shown and not answered (${codesOf('not_answered')}), but its skip logic hides it for this response (show_if: ${question.show_if})`);
      }
      for (const { question } of missingRequired(instrument, answers)) {
        problem(`${code(question.id)} is required and shown to this response, but ${question.type === 'multiple' || question.type === 'matrix' ? 'its columns are' : 'its column is'} empty`);
      }
    }
    if (id !== '' && UUID.test(id) && submittedAt) rows.push({ line: row.line, responseId: id.toLowerCase(), submittedAt, answers });
  }
  problems.sort((a, b) => a.line - b.line);
  return { rows: problems.length ? [] : rows, problems };
}

/**
 * A number in exponent notation (`4.014e-7`, as tapestry's CSVs write very small and very large
 * numbers) written out in digits, which is what the service's number reading takes; anything else
 * as it is. Done on the digits, so no value changes on the way.
 */
export function positional(text: string): string {
  const match = /^([-+]?)(\d*)(?:\.(\d*))?[eE]([-+]?\d{1,4})$/.exec(text);
  if (!match || (match[2] === '' && !match[3])) return text;
  const [, sign, whole = '', fraction = '', exponent] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  const written =
    point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + written;
}

const codesOf = (reason: MissingReason) => `${MISSING_CODES[reason].numeric} or ${MISSING_CODES[reason].string}`;

/**
 * A row's answers, through the same reading the service gives a submitted form, with a message for
 * each cell it cannot take, in words about the file's columns rather than a form's fields. A cell
 * holding its column's missing code (`missing.ts`) is no answer, and the reason it gives is kept
 * by question, to be checked against the skip logic.
 */
function answersOf(
  instrument: Instrument,
  header: readonly string[],
  cells: readonly string[],
): { answers: Record<string, AnswerValue>; missing: Map<string, MissingReason>; messages: string[] } {
  const byName = new Map(variablesOf(instrument).map((v): [string, Variable] => [v.column.name, v]));
  const questions = new Map(questionsOf(instrument).map((q) => [q.id, q]));
  const form: Record<string, string | string[]> = {};
  const missing = new Map<string, MissingReason>();
  const messages: string[] = [];
  header.forEach((name, i) => {
    const variable = byName.get(name);
    const column = variable?.column;
    const value = cells[i] ?? '';
    if (!variable || !column?.question) return;
    const question = questions.get(column.question)!;
    const reason = MISSING_REASONS.find((r) => value.trim() === missingCell(variable.storage, r));
    if (reason !== undefined) {
      if (missing.has(question.id) && missing.get(question.id) !== reason) messages.push(`the columns of ${code(question.id)} give both missing codes; a question is either not shown or shown and not answered`);
      missing.set(question.id, reason);
      return;
    }
    if (column.option !== undefined) {
      const ticked = value.trim();
      if (ticked === '1') ((form[question.id] ??= []) as string[]).push(column.option);
      else if (ticked !== '0' && ticked !== '') messages.push(`column ${code(name)} has ${quoted(value)}; a multiple-choice column holds 1 (ticked), 0 (not ticked) or nothing (not answered)`);
      return;
    }
    if (value.trim() === '') return;
    if ('options' in question && !optionOf(question.options, value.trim())) {
      const ids = question.options.map((o) => o.id);
      messages.push(`column ${code(name)} has ${quoted(value)}, which is not one of its options (${ids.join(', ')})${suggestion(value.trim(), ids)}`);
      return;
    }
    form[name] = 'options' in question ? value.trim() : question.type === 'number' ? positional(value.trim()) : value;
  });
  if (messages.length > 0) return { answers: {}, missing, messages };
  const { answers, errors } = readAnswers([...questions.values()], form as FormValues, { requireAnswers: false });
  for (const error of errors) messages.push(`column ${code(error.field)} has ${quoted(String(form[error.field] ?? ''))}: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`);
  return { answers, missing, messages };
}
