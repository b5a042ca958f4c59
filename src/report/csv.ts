/**
 * `tables/<id>.csv` and `tables/<id>.tests.csv`: every figure of a table at full precision, for
 * anyone who wants to compute with it. Rows are arrays in a fixed column order, never objects, so
 * the columns cannot move with the order a producer happened to build its keys in. The project's
 * one CSV writer quotes (RFC 4180) and guards labels a spreadsheet could run; the figures are
 * declared numeric, so a negative estimate stays a number.
 */
import { csvText } from '../shared/csv.ts';
import { formatCount, formatDeff, formatEstimate, formatPValue, formatStatistic } from './format.ts';
import type { TableResult, WhoAnsweredInput } from './model.ts';

export const CELL_COLUMNS = ['table', 'domain', 'category', 'base_n', 'cell_n', 'estimate', 'se', 'ci_low', 'ci_high', 'deff', 'suppressed'] as const;
export const TEST_COLUMNS = ['table', 'panel', 'statistic', 'ndf', 'ddf', 'value', 'p_value'] as const;
export const TREND_COLUMNS = ['table', 'domain', 'category', 'wave', 'estimate_then', 'estimate_now', 'change', 'se', 'ci_low', 'ci_high', 'p_value'] as const;

const CELL_NUMBERS = ['base_n', 'cell_n', 'estimate', 'se', 'ci_low', 'ci_high', 'deff'];
const TEST_NUMBERS = ['ndf', 'ddf', 'value', 'p_value'];
const TREND_NUMBERS = ['estimate_then', 'estimate_now', 'change', 'se', 'ci_low', 'ci_high', 'p_value'];

export function tableCsv(table: TableResult): string {
  const rows = table.cells.map((cell) => [
    cell.table,
    cell.domain,
    cell.category,
    formatCount(cell.base_n),
    formatCount(cell.cell_n),
    formatEstimate(cell.estimate),
    formatEstimate(cell.se),
    formatEstimate(cell.ci_low),
    formatEstimate(cell.ci_high),
    formatDeff(cell.deff),
    cell.suppressed,
  ]);
  return csvText(CELL_COLUMNS, rows, { numeric: CELL_NUMBERS });
}

export function testsCsv(table: TableResult): string {
  const rows = table.tests.map((test) => [
    test.table,
    test.panel,
    test.statistic,
    formatStatistic(test.ndf),
    formatStatistic(test.ddf),
    formatStatistic(test.value),
    formatPValue(test.p_value),
  ]);
  return csvText(TEST_COLUMNS, rows, { numeric: TEST_NUMBERS });
}

export function trendsCsv(table: TableResult): string {
  const rows = (table.trends ?? []).map((t) => [
    t.table,
    t.domain,
    t.category,
    t.wave,
    formatEstimate(t.then),
    formatEstimate(t.now),
    formatEstimate(t.change),
    formatEstimate(t.se),
    formatEstimate(t.ci_low),
    formatEstimate(t.ci_high),
    formatPValue(t.p_value),
  ]);
  return csvText(TREND_COLUMNS, rows, { numeric: TREND_NUMBERS });
}

export const WHO_ANSWERED_COLUMNS = ['input', 'question', 'level', 'respondents', 'share', 'weighted', 'ci_low', 'ci_high', 'weighted_from', 'invited', 'response_rate'] as const;
const WHO_ANSWERED_NUMBERS = ['respondents', 'share', 'weighted', 'ci_low', 'ci_high', 'invited', 'response_rate'];

/**
 * `tables/who-answered.csv`: each survey's respondents, in all (question and level `all`) and by
 * each question, unweighted and weighted, with invitations and response rates where there are any.
 * `weighted_from` is `estimate`, or `population` for a share the design fixes.
 */
export function whoAnsweredCsv(inputs: readonly WhoAnsweredInput[]): string {
  const rows = inputs.flatMap((input) => [
    [input.input, 'all', 'all', formatCount(input.respondents), '', '', '', '', '', formatCount(input.invited), formatEstimate(input.rate)],
    ...input.breakdowns.flatMap((b) =>
      b.levels.map((level) => [
        input.input,
        b.question,
        level.id,
        formatCount(level.respondents),
        formatEstimate(level.share),
        formatEstimate(level.weighted),
        formatEstimate(level.ci_low),
        formatEstimate(level.ci_high),
        level.fixed ? 'population' : 'estimate',
        formatCount(level.invited),
        formatEstimate(level.rate),
      ]),
    ),
  ]);
  return csvText(WHO_ANSWERED_COLUMNS, rows, { numeric: WHO_ANSWERED_NUMBERS });
}
