/**
 * A grid table as a reader sees it: one answer's estimate for each row level (tiers, down) within
 * each column level (sectors, across), with each variable's margin as a last row and column, and
 * every cell's text already formatted. The HTML and Markdown renderers and the dot plot all print
 * this one arrangement.
 *
 * Decisions, and why:
 * - Margins go last (an "All" row and column), as in the 2010 report's cross-tabulations: the
 *   eye reads the sectors first and then checks them against the whole.
 * - The base goes in every cell, not a column of its own: in a grid each cell has its own base,
 *   and a small one is the first thing a commissioner should see before comparing two cells.
 */
import { baseText, estimateText, interval } from './format.ts';
import { isUnreliable, MARKS, shownLabel, UNRELIABLE } from './labels.ts';
import type { Cell, Labelled, SuppressionReason, TableResult } from './model.ts';

export interface TwoWayCell {
  /** `43.0%`, the suppression mark, or `–` when nobody is in the cell's base. */
  estimate: string;
  /** `(38.1–48.0)`, or empty. */
  interval: string;
  /** `n=210`. */
  base: string;
  suppressed: '' | SuppressionReason;
  /** What a screen reader says in place of a mark. */
  spoken: string;
  /** `[u]` beside an estimate of low reliability, else empty. */
  flag: string;
  /** What a screen reader says for the flag. */
  flagSpoken: string;
  /** The figures for the chart, as published (null when withheld or not estimated). */
  value: { estimate: number; low: number | null; high: number | null; unreliable: boolean } | null;
}

export interface TwoWayLine {
  /** The level's id, or `all` for the margin. */
  id: string;
  label: string;
  cells: TwoWayCell[];
}

export interface TwoWay {
  /** The answer shown, with the label the grid prints. */
  answer: Labelled & { shown: string };
  /** The row and column variables as headings say them (`Job level`, `Sector`). */
  rowsTitle: string;
  columnsTitle: string;
  /** Column headings: each level's label, then `All`. */
  columns: { id: string; label: string }[];
  /** One line per row level, then the `All` margin. */
  rows: TwoWayLine[];
  reasons: SuppressionReason[];
  /** Whether some cell has no estimate although nothing was withheld. */
  empty: boolean;
  /** Whether some estimate is flagged as of low reliability. */
  unreliable: boolean;
}

export const MARGIN_LABEL = 'All';
const NO_ESTIMATE = '\u2013';

/** The domain key of a row level within a column level, either side `all` for its margin. */
function domainKey(rows: string, row: string, columns: string, column: string): string {
  if (row === 'all' && column === 'all') return 'all';
  if (row === 'all') return `${columns}=${column}`;
  if (column === 'all') return `${rows}=${row}`;
  return `${rows}=${row};${columns}=${column}`;
}

function cellOf(table: TableResult, cell: Cell | undefined, reasons: SuppressionReason[], flags: { empty: boolean; unreliable: boolean }): TwoWayCell {
  if (!cell) return { estimate: '', interval: '', base: '', suppressed: '', spoken: 'not estimated', flag: '', flagSpoken: '', value: null };
  const base = baseText(cell.base_n);
  if (cell.suppressed !== '') {
    reasons.push(cell.suppressed);
    return { estimate: MARKS[cell.suppressed].mark, interval: '', base, suppressed: cell.suppressed, spoken: MARKS[cell.suppressed].spoken, flag: '', flagSpoken: '', value: null };
  }
  if (cell.estimate === null) {
    flags.empty = true;
    return { estimate: NO_ESTIMATE, interval: '', base, suppressed: '', spoken: 'no estimate', flag: '', flagSpoken: '', value: null };
  }
  const low = isUnreliable(cell);
  flags.unreliable ||= low;
  return {
    estimate: estimateText(cell.estimate, table.kind),
    interval: interval(cell.ci_low, cell.ci_high, table.kind),
    base,
    suppressed: '',
    spoken: '',
    flag: low ? UNRELIABLE.mark : '',
    flagSpoken: low ? UNRELIABLE.spoken : '',
    value: { estimate: cell.estimate, low: cell.ci_low, high: cell.ci_high, unreliable: low },
  };
}

export function twoWay(table: TableResult): TwoWay {
  if (!table.grid) throw new Error(`table ${table.id} is not a grid`);
  const { rows: rowsVar, columns: columnsVar, show } = table.grid;
  const rowsBy = table.by.find((b) => b.question === rowsVar)!;
  const columnsBy = table.by.find((b) => b.question === columnsVar)!;
  const answer = table.categories.find((c) => c.id === show) ?? { id: show, label: show };
  const byKey = new Map<string, Cell>();
  for (const cell of table.cells) if (cell.category === show) byKey.set(cell.domain, cell);
  const columns = [...columnsBy.levels.map((l) => ({ id: l.id, label: shownLabel(l) })), { id: 'all', label: MARGIN_LABEL }];
  const reasons: SuppressionReason[] = [];
  const flags = { empty: false, unreliable: false };
  const rows = [...rowsBy.levels.map((l) => ({ id: l.id, label: shownLabel(l) })), { id: 'all', label: MARGIN_LABEL }].map(
    (row): TwoWayLine => ({
      ...row,
      cells: columns.map((column) => cellOf(table, byKey.get(domainKey(rowsVar, row.id, columnsVar, column.id)), reasons, flags)),
    }),
  );
  return {
    answer: { ...answer, shown: shownLabel(answer) },
    rowsTitle: rowsBy.short ?? rowsBy.text,
    columnsTitle: columnsBy.short ?? columnsBy.text,
    columns,
    rows,
    reasons,
    empty: flags.empty,
    unreliable: flags.unreliable,
  };
}

/** `Job level` → `job level` inside a sentence; `SVQ level` stays as it is. */
const inSentence = (title: string) => (/^[A-Z][a-z]/.test(title) ? title[0]!.toLowerCase() + title.slice(1) : title);

/** What a grid's numbers are, for its caption. */
export function twoWayNote(table: TableResult, grid: TwoWay): string {
  const what = table.kind === 'mean' ? 'Estimated means' : `Estimated percentage answering “${grid.answer.shown}”`;
  return `${what}, ${inSentence(grid.rowsTitle)} down and ${inSentence(grid.columnsTitle)} across, with confidence intervals in brackets and each cell’s base (n, respondents); “${MARGIN_LABEL}” is the margin.`;
}

/** The table as its key should read: the one answer the grid shows, and the rows' and columns' levels. */
export function gridKeyTable(table: TableResult, grid: TwoWay): TableResult {
  return { ...table, categories: table.categories.filter((c) => c.id === grid.answer.id) };
}
