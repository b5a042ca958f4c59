/**
 * How a theme's counts read in the report: the lines of its small table ("3 of 4", "9 of 35,
 * 25.7%") and the table its chart is drawn from, one bar per sector. Shared by the HTML and
 * Markdown renderers, so both say the same.
 */
import { MARKS } from './labels.ts';
import { percentNumber } from './format.ts';
import type { Cell, Qualitative, TableResult, Theme } from './model.ts';

/** A count as shown ("9 of 35, 25.7%"), or a mark with the words a screen reader says for it. */
export interface ThemeCell {
  text: string;
  /** Set for a withheld count: what the mark means, for those who cannot see it. */
  spoken: string;
}

export interface ThemeRow {
  label: string;
  groups: ThemeCell;
  segments: ThemeCell;
}

function count(n: number | null, base: number, reason: Theme['counts'][number]['segmentsSuppressed']): ThemeCell {
  if (n !== null) return { text: `${n} of ${base}${base > 0 ? `, ${percentNumber(n / base)}%` : ''}`, spoken: '' };
  return reason ? { text: MARKS[reason].mark, spoken: MARKS[reason].spoken } : { text: '\u2013', spoken: 'none to count' };
}

export function themeRows(theme: Theme): ThemeRow[] {
  return theme.counts.map((c) => ({ label: c.label, groups: count(c.groups, c.groupsBase, c.groupsSuppressed), segments: count(c.segments, c.segmentsBase, c.segmentsSuppressed) }));
}

/** The attribute the theme counts are broken down by, as a column heading. */
export function themeByLabel(qualitative: Qualitative): string {
  const table = qualitative.tables.find((t) => t.id.startsWith('theme-segments-by-'));
  return table?.by[0]?.text ?? 'Group';
}

/**
 * A theme's shares of segments as a one-domain table whose categories are the breakdown's values:
 * drawn by the same chart code as every other table, it gives one bar per sector.
 */
/** The breakdown's name from a theme's domains (`sector=public` → `sector`). */
function themeBy(theme: Theme): string {
  const domain = theme.counts.find((c) => c.domain !== 'all')?.domain ?? 'group=';
  return domain.slice(0, domain.indexOf('='));
}

export function themeChartTable(theme: Theme): TableResult {
  const id = `theme-${theme.id}`;
  const rows = theme.counts.filter((c) => c.domain !== 'all');
  const cells: Cell[] = rows.map((c) => ({
    table: id,
    domain: 'all',
    category: c.domain,
    base_n: c.segmentsBase,
    cell_n: c.segments,
    estimate: c.segments === null || c.segmentsBase === 0 ? null : c.segments / c.segmentsBase,
    se: null,
    ci_low: null,
    ci_high: null,
    deff: null,
    suppressed: c.segmentsSuppressed,
  }));
  return {
    id,
    title: `${theme.label}: share of coded segments`,
    input: 'focus_groups',
    measure: { question: 'theme', type: 'multiple', text: theme.label },
    kind: 'proportion',
    categories: rows.map((c) => ({ id: c.domain, label: c.label })),
    by: [],
    ci: 'logit',
    cells,
    tests: [],
    allLabel: `By ${themeBy(theme)}`,
  };
}
