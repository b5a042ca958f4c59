/**
 * The instrument's columns as statistical variables: what the SPSS, Stata and R syntax files (and
 * the codebook) declare for each column of the layout. Worked out once here, so the three files
 * cannot disagree about a name, a storage type, a label or a level.
 *
 * Decisions, and why:
 * - A choice column (single, scale, matrix row) is numeric when every option id is a code of at
 *   most 9 digits and no two codes have the same value: `5`, `10` and `01` are then the numbers
 *   5, 10 and 1, as SPSS and Stata users expect of coded answers. Otherwise (any letter code, or
 *   `1` beside `01`, which a number cannot tell apart) the column is text, and keeps the ids as
 *   written. Nine digits keep every code inside Stata's `long` and its value labels.
 * - The 1/0 columns of a multiple-choice question are numeric with the labels "Selected" and
 *   "Not selected"; the question becomes one multiple-response set.
 * - A text column is as wide as its longest possible cell in UTF-8 bytes: `max_length` counts
 *   characters (code points), at most 4 bytes each; the CSV guard's apostrophes only ever stand
 *   before 1-byte characters, so 4 bytes a character still covers them. SPSS caps strings at
 *   32767 bytes.
 * - Levels: scales are ordinal, numbers and dates are scale, everything else nominal.
 */
import { columnsOf, type Column } from '../instrument/columns.ts';
import { questionsOf, type Instrument, type Option, type Question } from '../instrument/schema.ts';
import { MISSING_CODES, type Storage } from './missing.ts';
import { variableNames } from './names.ts';

export type Level = 'nominal' | 'ordinal' | 'scale';

export interface ValueLabel {
  /** The cell as the CSV holds it: an option id, or `1`/`0`. */
  code: string;
  label: string;
}

export interface Variable {
  column: Column;
  /** Valid in SPSS, Stata and R (see `names.ts`). */
  name: string;
  label: string;
  storage: Storage;
  /** For string storage: the width in bytes. */
  width: number;
  level: Level;
  /** The value labels, in the instrument's order (a scale's lowest point first). */
  values: ValueLabel[];
  /** For numeric storage: whether every value is a whole number. */
  integer: boolean;
  /** Whether the column belongs to a question, and so may hold the missing codes. */
  question?: Question;
}

/** A multiple-choice question's 1/0 columns, which SPSS declares as one multiple-response set. */
export interface MultipleSet {
  question: Question;
  /** Its name without SPSS's leading `$`. */
  name: string;
  label: string;
  variables: Variable[];
}

/** SPSS's widest string. */
export const MAX_STRING_WIDTH = 32767;
/** Widths of the meta columns: a UUID fits 64 bytes, a wave name is at most 64 characters. */
const META_WIDTHS: Readonly<Record<string, number>> = { response_id: 64, wave: 64, instrument_version: 255 };
const SELECTED: ValueLabel[] = [
  { code: '1', label: 'Selected' },
  { code: '0', label: 'Not selected' },
];

/** SPSS's short string: the widest that can have declared missing values ReadStat reads. */
export const SHORT_STRING = 8;
/** Wide enough for the missing codes of a text column too. */
const MIN_STRING_WIDTH = Math.max(...Object.values(MISSING_CODES).map((code) => Buffer.byteLength(code.string)));

/** Whether option ids can be stored as numbers without two of them becoming the same number. */
export function numericCodes(options: readonly Option[]): boolean {
  if (!options.every((option) => /^[0-9]{1,9}$/.test(option.id))) return false;
  return new Set(options.map((option) => Number(option.id))).size === options.length;
}

function choiceVariable(column: Column, question: Question & { options: Option[] }): Omit<Variable, 'name'> {
  const values = question.options.map((option) => ({ code: option.id, label: option.label }));
  const level: Level = question.type === 'scale' ? 'ordinal' : 'nominal';
  if (numericCodes(question.options)) return { column, label: column.label, storage: 'numeric', width: 0, level, values, integer: true, question };
  // At least 8 bytes: SPSS declares missing values only on strings that short (see `spss.ts`).
  const width = Math.max(SHORT_STRING, ...question.options.map((option) => Buffer.byteLength(option.id)));
  return { column, label: column.label, storage: 'string', width, level, values, integer: false, question };
}

function questionVariable(column: Column, question: Question): Omit<Variable, 'name'> {
  const base = { column, label: column.label, question };
  switch (question.type) {
    case 'single':
    case 'scale':
    case 'matrix':
      return choiceVariable(column, question);
    case 'multiple':
      return { ...base, storage: 'numeric', width: 0, level: 'nominal', values: SELECTED, integer: true };
    case 'number':
      return { ...base, storage: 'numeric', width: 0, level: 'scale', values: [], integer: question.integer };
    case 'text':
    case 'longtext': {
      const width = Math.min(MAX_STRING_WIDTH, Math.max(MIN_STRING_WIDTH, 4 * question.max_length));
      return { ...base, storage: 'string', width, level: 'nominal', values: [], integer: false };
    }
    default:
      return assertNever(question);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled question type in ${JSON.stringify(value)}`);
}

function metaVariable(column: Column): Omit<Variable, 'name'> {
  const base = { column, label: column.label, level: 'nominal' as const, values: [], integer: false };
  if (column.type === 'datetime') return { ...base, storage: 'datetime', width: 0, level: 'scale' };
  return { ...base, storage: 'string', width: META_WIDTHS[column.name] ?? 255 };
}

/** Every column of the instrument's layout as a variable, in layout order. */
export function variablesOf(instrument: Instrument): Variable[] {
  const questions = new Map(questionsOf(instrument).map((q) => [q.id, q]));
  const columns = columnsOf(instrument);
  const names = variableNames(columns.map((column) => column.name));
  return columns.map((column, i) => {
    const described = column.question === undefined ? metaVariable(column) : questionVariable(column, questions.get(column.question)!);
    return { ...described, name: names[i]! };
  });
}

/** The multiple-choice questions, each with its 1/0 variables, in instrument order. */
export function multipleSetsOf(variables: readonly Variable[]): MultipleSet[] {
  const sets = new Map<string, Omit<MultipleSet, 'name'>>();
  for (const variable of variables) {
    const question = variable.question;
    if (question?.type !== 'multiple') continue;
    let set = sets.get(question.id);
    if (set === undefined) sets.set(question.id, (set = { question, label: question.text, variables: [] }));
    set.variables.push(variable);
  }
  // Sets have names of their own (`$support` in SPSS), made valid and unique as variables' are.
  const names = variableNames([...sets.keys()]);
  return [...sets.values()].map((set, i) => ({ ...set, name: names[i]! }));
}
