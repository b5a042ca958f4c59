/**
 * `tables/<id>.csv` and `tables/<id>.tests.csv`: every figure of a table at full precision, for
 * anyone who wants to compute with it. Rows are arrays in a fixed column order, never objects, so
 * the columns cannot move with the order a producer happened to build its keys in. The project's
 * one CSV writer quotes (RFC 4180) and guards labels a spreadsheet could run; the figures are
 * declared numeric, so a negative estimate stays a number.
 */
import { csvText } from '../shared/csv.ts';
import { formatCount, formatDeff, formatEstimate, formatPValue, formatStatistic } from './format.ts';
import type { TableResult } from './model.ts';

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
