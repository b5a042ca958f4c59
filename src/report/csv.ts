/**
 * `tables/<id>.csv` and `tables/<id>.tests.csv`: every figure of a table at full precision, for
 * anyone who wants to compute with it. Rows are arrays in a fixed column order, never objects, so
 * the columns cannot move with the order a producer happened to build its keys in; quoting is
 * RFC 4180, done by papaparse.
 */
import Papa from 'papaparse';
import { formatCount, formatDeff, formatEstimate, formatPValue, formatStatistic } from './format.ts';
import type { TableResult } from './model.ts';

export const CELL_COLUMNS = ['table', 'domain', 'category', 'base_n', 'cell_n', 'estimate', 'se', 'ci_low', 'ci_high', 'deff', 'suppressed'] as const;
export const TEST_COLUMNS = ['table', 'panel', 'statistic', 'ndf', 'ddf', 'value', 'p_value'] as const;
export const TREND_COLUMNS = ['table', 'domain', 'category', 'wave', 'estimate_then', 'estimate_now', 'change', 'se', 'ci_low', 'ci_high', 'p_value'] as const;

function toCsv(fields: readonly string[], rows: string[][]): string {
  // `\n` line ends and a final newline: the file is text, and a diff of two runs is clean.
  // papaparse ends a header with no rows with a newline of its own, and nothing else with one.
  const text = Papa.unparse({ fields: [...fields], data: rows }, { newline: '\n', header: true });
  return text.endsWith('\n') ? text : `${text}\n`;
}

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
  return toCsv(CELL_COLUMNS, rows);
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
  return toCsv(TEST_COLUMNS, rows);
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
  return toCsv(TREND_COLUMNS, rows);
}
