/**
 * Disclosure control over a pipeline's tables: each table's unweighted counts become a grid of
 * domains by categories, with the sums a reader can see (a domain's categories adding up to its
 * base; domains that partition a published total), and the withheld cells lose their numbers.
 */
import { suppress, type ColumnGroup, type DisclosureRules, type Grid } from '../analysis/disclosure.ts';
import { domainLabel } from '../report/labels.ts';
import type { Cell, Suppression, TableResult } from '../report/model.ts';

function gridOf(table: TableResult): { grid: Grid; cellAt: (Cell | undefined)[][] } {
  const domains = [...new Set(table.cells.map((c) => c.domain))];
  const categories = table.categories.map((c) => c.id);
  const cellAt = domains.map((d) => categories.map((k) => table.cells.find((c) => c.domain === d && c.category === k)));
  const counts = cellAt.map((row) => row.map((cell) => cell?.cell_n ?? 0));
  const base = cellAt.map((row) => row[0]?.base_n ?? 0);
  // The published sums across domains: the crossed domains partition `all` (or their panel's
  // total), and the panel totals partition `all`. A partition only counts if its parts really add
  // up (responses that skipped a `by` question are in the total but in no part).
  const index = new Map(domains.map((d, i) => [d, i]));
  const groups: ColumnGroup[] = [];
  const addGroup = (parts: string[], total: string) => {
    const partRows = parts.map((p) => index.get(p)!).filter((i) => i !== undefined);
    const totalRow = index.get(total);
    if (totalRow === undefined || partRows.length < 2) return;
    const adds = categories.every((_, k) => partRows.reduce((sum, r) => sum + counts[r]![k]!, 0) === counts[totalRow]![k]);
    if (adds) groups.push({ parts: partRows, total: totalRow });
  };
  const panelKeys = table.panel ? table.panel.levels.map((l) => `${table.panel!.question}=${l.id}`) : [];
  if (table.grid) {
    // A grid publishes both margins: each variable's levels add up to everyone, and each row's
    // cells across the columns (and each column's down the rows) to that row's (column's) margin.
    const [rows, columns] = table.by as [TableResult['by'][number], TableResult['by'][number]];
    const rowKeys = rows.levels.map((l) => `${rows.question}=${l.id}`);
    const columnKeys = columns.levels.map((l) => `${columns.question}=${l.id}`);
    addGroup(rowKeys, 'all');
    addGroup(columnKeys, 'all');
    for (const c of columnKeys) addGroup(rowKeys.map((r) => `${r};${c}`), c);
    for (const r of rowKeys) addGroup(columnKeys.map((c) => `${r};${c}`), r);
  } else if (table.panel) {
    addGroup(panelKeys, 'all');
    for (const p of panelKeys) addGroup(domains.filter((d) => d.endsWith(`;${p}`)), p);
  } else if (table.by.length > 0) {
    addGroup(domains.filter((d) => d !== 'all'), 'all');
  }
  const rowsAdditive = table.kind === 'proportion' && table.measure.type !== 'multiple';
  const labels = { domains: domains.map((d) => domainLabel(table, d)), categories: table.categories.map((c) => `“${c.label}”`) };
  return { grid: { domains, categories, base, counts, rowsAdditive, groups, labels }, cellAt };
}

export function applyDisclosure(tables: TableResult[], rules: DisclosureRules): { tables: TableResult[]; suppressions: Suppression[] } {
  const suppressions: Suppression[] = [];
  const published = tables.map((table) => {
    const { grid, cellAt } = gridOf(table);
    const result = suppress(grid, rules);
    // A withheld count that the published figures still pin down (a whole group gave one answer)
    // is withheld all the same, and the report says plainly that withholding it does not hide it.
    const exposed = new Set(result.exposed.map(({ row, column }) => `${row}:${column}`));
    const withheld = new Map<Cell, { reason: Cell['suppressed']; why: string }>();
    for (const mark of result.suppressions) {
      const cell = cellAt[mark.row]![mark.column];
      if (!cell) continue;
      const why = exposed.has(`${mark.row}:${mark.column}`) ? `${mark.why}; it can still be worked out from the published figures, as everyone in the group gave the same answer` : mark.why;
      withheld.set(cell, { reason: mark.reason, why });
      suppressions.push({ table: table.id, domain: cell.domain, category: cell.category, reason: mark.reason, why });
    }
    const cells = table.cells.map((cell) => {
      const mark = withheld.get(cell);
      return mark ? { ...cell, cell_n: null, estimate: null, se: null, ci_low: null, ci_high: null, deff: null, suppressed: mark.reason } : cell;
    });
    return { ...table, cells };
  });
  return { tables: published, suppressions };
}
