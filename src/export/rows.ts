/**
 * One response as the cells of an export: each variable's value as the instrument codes it, or the
 * reason it has none. Every export format (the CSVs, the workbook) starts from these cells, so a
 * cell cannot say "not shown" in one file and "not answered" in another.
 *
 * Decisions, and why:
 * - Why a question has no answer is decided by the skip logic (`visibility`), replayed over the
 *   stored answers, not read from the page the respondent last saw: a question whose `show_if` is
 *   false for these answers was not shown (-99, `.skip`); one shown and without an answer was not
 *   answered (-98, `.blank`). An answer stored to a question that its condition now hides (the
 *   respondent went back and changed an earlier answer) is not exported, as the survey itself
 *   would not have kept it.
 * - A matrix row left empty while other rows were answered is not answered; so is every 1/0 column
 *   of a multiple-choice question nobody ticked anything in.
 * - A partial response (still in progress) has no submission time, and the questions on pages the
 *   respondent has not reached yet count as shown and not answered: the skip logic cannot tell a
 *   page not reached from a page left blank, and a partial row is a row of item non-response.
 * - Pure: the store's reader hands responses in, the writers take cells out.
 */
import { cellsOf, type Column, type ResponseMeta } from '../instrument/columns.ts';
import type { Answers } from '../instrument/evaluate.ts';
import type { Instrument } from '../instrument/schema.ts';
import { visibility } from '../instrument/visibility.ts';
import type { MissingReason } from './missing.ts';
import type { Variable } from './variables.ts';

/** Why a variable's cell has no value. */
export interface Missing {
  readonly kind: MissingReason;
}

/**
 * A variable's cell: a value as the column layout writes it (a string), or why there is none.
 * Values are bare strings, not wrapped, and there is one `Missing` of each kind: an export of a
 * large wave makes millions of cells, and an object for each was a tenth of its time in the
 * garbage collector.
 */
export type ExportCell = string | Missing;

export const NOT_SHOWN: Missing = Object.freeze({ kind: 'not_shown' });
export const NOT_ANSWERED: Missing = Object.freeze({ kind: 'not_answered' });

export interface ExportResponse {
  meta: ResponseMeta;
  /** The answers as stored, hidden questions' answers and all. */
  answers: Readonly<Record<string, unknown>>;
}

/** The cells of one response, one per variable, in the variables' order. */
export function exportCells(instrument: Instrument, variables: readonly Variable[], response: ExportResponse): ExportCell[] {
  const { shown, answers } = visibility(instrument, response.answers as Answers);
  const texts = cellsOf(columnsOf(variables), response.meta, answers);
  const cells = new Array<ExportCell>(variables.length);
  for (let i = 0; i < variables.length; i++) {
    const question = variables[i]!.question;
    const text = texts[i]!;
    if (question === undefined) cells[i] = text;
    else if (!shown.has(question.id)) cells[i] = NOT_SHOWN;
    else if (text === '') cells[i] = NOT_ANSWERED;
    else cells[i] = text;
  }
  return cells;
}

const columns = new WeakMap<readonly Variable[], Column[]>();
/** The variables' columns, worked out once per list of variables rather than once per response. */
function columnsOf(variables: readonly Variable[]): Column[] {
  let found = columns.get(variables);
  if (!found) columns.set(variables, (found = variables.map((v) => v.column)));
  return found;
}
