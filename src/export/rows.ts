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
import { cellsOf, type ResponseMeta } from '../instrument/columns.ts';
import type { Answers } from '../instrument/evaluate.ts';
import type { Instrument } from '../instrument/schema.ts';
import { visibility } from '../instrument/visibility.ts';
import type { MissingReason } from './missing.ts';
import type { Variable } from './variables.ts';

/** A variable's cell: a value as the column layout writes it, or why there is none. */
export type ExportCell = { kind: 'value'; text: string } | { kind: MissingReason };

export interface ExportResponse {
  meta: ResponseMeta;
  /** The answers as stored, hidden questions' answers and all. */
  answers: Readonly<Record<string, unknown>>;
}

/** The cells of one response, one per variable, in the variables' order. */
export function exportCells(instrument: Instrument, variables: readonly Variable[], response: ExportResponse): ExportCell[] {
  const { shown, answers } = visibility(instrument, response.answers as Answers);
  const texts = cellsOf(
    variables.map((v) => v.column),
    response.meta,
    answers,
  );
  return variables.map((variable, i): ExportCell => {
    const text = texts[i]!;
    if (variable.question === undefined) return { kind: 'value', text };
    if (!shown.has(variable.question.id)) return { kind: 'not_shown' };
    if (text === '') return { kind: 'not_answered' };
    return { kind: 'value', text };
  });
}
