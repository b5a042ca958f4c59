/**
 * A table's cells laid out as a reader sees them, domains down and categories across, with each
 * cell's text already formatted: the one arrangement the Markdown and HTML renderers both print.
 */
import { baseText, estimateText, interval } from './format.ts';
import { categoriesOf, domainLabel, domainsOf, isUnreliable, MARKS, shownLabel, UNRELIABLE } from './labels.ts';
import type { Cell, Labelled, SuppressionReason, TableResult } from './model.ts';

export interface GridCell {
  /** `43.0%`, or the suppression mark, or `–` when there is no estimate (nobody in the base). */
  estimate: string;
  /** `(38.1–48.0)`, or empty. */
  interval: string;
  /** `n=210` when the table's bases differ by category (options of a multiple choice), else empty. */
  base: string;
  suppressed: '' | SuppressionReason;
  /** What a screen reader says instead of the mark. */
  spoken: string;
  /** `[u]` beside an estimate of low reliability, else empty. */
  flag: string;
  /** What a screen reader says for the flag. */
  flagSpoken: string;
}

export interface GridRow {
  domain: string;
  label: string;
  /** `n=210` when every cell of the row has the same base, else empty. */
  base: string;
  cells: GridCell[];
}

export interface Grid {
  /** The categories, each with the label the table prints (`shown`): short, or the full wording. */
  columns: (Labelled & { shown: string })[];
  rows: GridRow[];
  /** Whether each row has one base, printed in a column of its own. */
  rowBases: boolean;
  reasons: SuppressionReason[];
  /** Whether some cell has no estimate although nothing was suppressed. */
  empty: boolean;
  /** Whether some estimate is flagged as of low reliability. */
  unreliable: boolean;
}

export const NO_ESTIMATE = '\u2013';

export function tableGrid(table: TableResult): Grid {
  const columns = categoriesOf(table).map((c) => ({ ...c, shown: shownLabel(c) }));
  const byKey = new Map<string, Cell>();
  for (const cell of table.cells) byKey.set(`${cell.domain}\u0000${cell.category}`, cell);
  const domains = domainsOf(table);
  const rowBases = domains.every((domain) => new Set(table.cells.filter((c) => c.domain === domain).map((c) => c.base_n)).size === 1);
  const reasons: SuppressionReason[] = [];
  let empty = false;
  let flagged = false;

  const rows = domains.map((domain): GridRow => {
    const cells = columns.map(({ id }): GridCell => {
      const cell = byKey.get(`${domain}\u0000${id}`);
      if (!cell) return { estimate: '', interval: '', base: '', suppressed: '', spoken: 'not estimated', flag: '', flagSpoken: '' };
      const base = rowBases ? '' : baseText(cell.base_n);
      if (cell.suppressed !== '') {
        reasons.push(cell.suppressed);
        return { estimate: MARKS[cell.suppressed].mark, interval: '', base, suppressed: cell.suppressed, spoken: MARKS[cell.suppressed].spoken, flag: '', flagSpoken: '' };
      }
      if (cell.estimate === null) {
        empty = true;
        return { estimate: NO_ESTIMATE, interval: '', base, suppressed: '', spoken: 'no estimate', flag: '', flagSpoken: '' };
      }
      const low = isUnreliable(cell);
      flagged ||= low;
      return { estimate: estimateText(cell.estimate, table.kind), interval: interval(cell.ci_low, cell.ci_high, table.kind), base, suppressed: '', spoken: '', flag: low ? UNRELIABLE.mark : '', flagSpoken: low ? UNRELIABLE.spoken : '' };
    });
    const first = table.cells.find((c) => c.domain === domain);
    return { domain, label: domainLabel(table, domain), base: rowBases && first ? baseText(first.base_n) : '', cells };
  });
  return { columns, rows, rowBases, reasons, empty, unreliable: flagged };
}

/** What the numbers in a table are, for its caption. */
export function tableNote(table: TableResult): string {
  if (table.note) return table.note;
  const what = table.kind === 'proportion' ? 'Estimated percentages' : 'Estimated means';
  return `${what} with confidence intervals in brackets; bases (n) are numbers of respondents.`;
}
