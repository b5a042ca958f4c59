/**
 * The words the renderers share: what a domain, a category, a suppression mark and a test are
 * called in front of a reader. The model keeps ids (`sector=public;tier=senior`); a reader sees
 * the options' labels: their short labels where the instrument gives them, with the full wording
 * in the table's key (`keyOf`).
 */
import { RELIABILITY, unreliable } from '../analysis/reliability.ts';
import { dfText, fixed, pText, statisticText } from './format.ts';
import type { Cell, Labelled, Suppression, SuppressionReason, TableResult, TestResult } from './model.ts';

export const ALL_LABEL = 'All respondents';

/** What tables and charts print for an option: its short label, or its full wording. */
export function shownLabel(item: Labelled): string {
  return item.short ?? item.label;
}

/** One line of a table's key: a short label the table prints, and the wording it stands for. */
export interface KeyLine {
  short: string;
  label: string;
}

/**
 * The short labels a table prints in place of longer wording, each with that wording: its
 * categories, then each `by` variable's levels, then the panel's, in their order. A short label
 * that is the whole label says nothing more and is left out; a pair printed twice is listed once.
 */
export function keyOf(table: TableResult): KeyLine[] {
  const lines: KeyLine[] = [];
  const seen = new Set<string>();
  const levels = [table.categories, ...table.by.map((by) => by.levels), ...(table.panel ? [table.panel.levels] : [])];
  for (const item of levels.flat()) {
    if (item.short === undefined || item.short === item.label) continue;
    const key = `${item.short}\u0000${item.label}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push({ short: item.short, label: item.label });
  }
  return lines;
}

/** Every variable that may name a domain of the table: its `by` variables and its panel. */
function variablesOf(table: TableResult): Map<string, Labelled[]> {
  const variables = new Map<string, Labelled[]>();
  for (const by of table.by) variables.set(by.question, by.levels);
  if (table.panel) variables.set(table.panel.question, table.panel.levels);
  return variables;
}

/**
 * `sector=public;tier=senior` → `Public · Senior` (short labels where the instrument has them). A pair that names no known level is
 * shown as it is written, so a mismatch between model and labels shows rather than hides.
 */
export function domainLabel(table: TableResult, domain: string): string {
  if (domain === 'all') return table.allLabel ?? ALL_LABEL;
  const variables = variablesOf(table);
  return domain
    .split(';')
    .map((pair) => {
      const at = pair.indexOf('=');
      if (at < 0) return pair;
      const levels = variables.get(pair.slice(0, at));
      const level = levels?.find((l) => l.id === pair.slice(at + 1));
      return level ? shownLabel(level) : pair;
    })
    .join(' · ');
}

export function categoryLabel(table: TableResult, category: string): string {
  const found = table.categories.find((c) => c.id === category);
  return found ? shownLabel(found) : category;
}

/** Domains in the order the pipeline gave their cells. */
export function domainsOf(table: TableResult): string[] {
  return [...new Set(table.cells.map((cell) => cell.domain))];
}

/** The table's categories, then any category a cell names that the table does not list. */
export function categoriesOf(table: TableResult): Labelled[] {
  const known = new Set(table.categories.map((c) => c.id));
  const extra = [...new Set(table.cells.map((cell) => cell.category))].filter((id) => !known.has(id));
  return [...table.categories, ...extra.map((id) => ({ id, label: id }))];
}

export interface SuppressionMark {
  mark: string;
  /** What the mark means, as a legend line says it. */
  meaning: string;
  /** The same, short, for a screen reader in place of the mark. */
  spoken: string;
}

/**
 * Two marks, not three: a domain withheld whole and a count withheld as too small are both
 * "too few responses" to the reader, while a cell withheld to protect another is a different
 * kind of gap (it may be large). The list of suppressions gives each cell's own reason.
 */
export const MARKS: Record<SuppressionReason, SuppressionMark> = {
  base: { mark: '‡', meaning: 'suppressed: too few responses (the base or the count is under the minimum)', spoken: 'suppressed, too few responses' },
  primary: { mark: '‡', meaning: 'suppressed: too few responses (the base or the count is under the minimum)', spoken: 'suppressed, too few responses' },
  secondary: { mark: '†', meaning: 'suppressed so that another suppressed figure cannot be worked out from the totals', spoken: 'suppressed to protect another cell' },
};

/**
 * An estimate published but of low reliability (src/analysis/reliability.ts): `[u]`, the
 * shorthand the ONS and GOV.UK statistics guidance gives for it, beside the figure rather than
 * in its place, since the figure is still the best estimate there is.
 */
export const UNRELIABLE: SuppressionMark = {
  mark: '[u]',
  meaning: `low reliability: the base is under ${RELIABILITY.minBase} or the relative standard error is over ${fixed(RELIABILITY.maxRse * 100, 0)}%; read with care`,
  spoken: 'low reliability',
};

/** Whether a published estimate carries the low-reliability mark. */
export function isUnreliable(cell: Cell): boolean {
  return cell.suppressed === '' && unreliable(cell) !== null;
}

/** The legend lines for the marks used, in a fixed order (‡ before †, then [u]), each once. */
export function legendFor(reasons: Iterable<SuppressionReason>, lowReliability = false): SuppressionMark[] {
  const used = new Set(reasons);
  const lines: SuppressionMark[] = [];
  if (used.has('base') || used.has('primary')) lines.push(MARKS.primary);
  if (used.has('secondary')) lines.push(MARKS.secondary);
  if (lowReliability) lines.push(UNRELIABLE);
  return lines;
}

export const ALL_LEGEND = legendFor(['primary', 'secondary']);

/** The test, as a sentence: `Rao–Scott F = 5.53 on 8.25 and 3110 df, p < 0.001`. */
export function testSentence(test: TestResult): string {
  const p = pText(test.p_value);
  if (test.statistic === 'F') {
    const df = test.ddf === null ? `${dfText(test.ndf)} df` : `${dfText(test.ndf)} and ${dfText(test.ddf)} df`;
    return `Rao\u2013Scott F = ${statisticText(test.value)} on ${df}, ${p}`;
  }
  if (test.statistic === 'Chisq') return `Rao\u2013Scott \u03c7\u00b2 = ${statisticText(test.value)} on ${dfText(test.ndf)} df, ${p}`;
  const df = test.ddf === null ? dfText(test.ndf) : `${dfText(test.ndf)} and ${dfText(test.ddf)}`;
  return `${test.statistic} = ${statisticText(test.value)} on ${df} df, ${p}`;
}

/**
 * What the test is of. The pipeline tests the measure against the first `by` variable (within
 * each panel); the model does not say so on the test itself, so this follows that rule.
 */
export function testSubject(table: TableResult): string {
  const by = table.by[0];
  return by ? `Association with “${by.text}”` : 'Test of association';
}

/** `All respondents` or the panel's label, for a table tested within panels. */
export function testPanelLabel(table: TableResult, test: TestResult): string {
  return domainLabel(table, test.panel);
}

/** A line of the suppression list: runs of cells withheld in one domain for one reason. */
export interface SuppressionLine {
  domain: string;
  /**
   * The answers withheld, each in quotes (`“Never offered” and “Offered, not taken up”`), so a
   * comma in a label cannot run two answers together; `all answers` when the whole domain is
   * withheld; empty for a table of one category (a mean), where the domain says it all.
   */
  categories: string;
  reason: SuppressionReason;
  mark: string;
  why: string;
}

function quotedList(labels: string[]): string {
  const quoted = labels.map((label) => `“${label}”`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}

/**
 * The table's suppressions as a reader's list: consecutive suppressions of one domain with the
 * same reason and words become one line, so a domain withheld whole reads as one line, not one
 * per answer; every suppressed cell is still named.
 */
export function suppressionLines(table: TableResult, suppressions: readonly Suppression[]): SuppressionLine[] {
  const lines: { domain: string; ids: string[]; reason: SuppressionReason; why: string }[] = [];
  for (const s of suppressions) {
    if (s.table !== table.id) continue;
    const last = lines.at(-1);
    if (last && last.domain === s.domain && last.reason === s.reason && last.why === s.why) last.ids.push(s.category);
    else lines.push({ domain: s.domain, ids: [s.category], reason: s.reason, why: s.why });
  }
  const every = categoriesOf(table).map((c) => c.id);
  const describe = (ids: string[]) => {
    if (every.length === 1 && ids.length === 1 && ids[0] === every[0]) return '';
    if (every.length > 1 && every.every((id) => ids.includes(id))) return 'all answers';
    return quotedList(ids.map((id) => categoryLabel(table, id)));
  };
  return lines.map((line) => ({
    domain: domainLabel(table, line.domain),
    categories: describe(line.ids),
    reason: line.reason,
    mark: MARKS[line.reason].mark,
    why: line.why,
  }));
}
