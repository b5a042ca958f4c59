/**
 * The findings a report may lead with, chosen by stated rules rather than by eye. Pure: the
 * published tables come in, the chosen findings go out, in order; the words are the report's.
 *
 * Decisions, and why:
 * - Two kinds of candidate: for each Rao–Scott test (a table with `test`, within each panel), the
 *   largest difference between two domains of its `by` variable for one category; and each change
 *   since an earlier wave. A difference is judged by the test of its table, which is what tests
 *   the association; the pair picked is the one the test most plausibly speaks for.
 * - Holm's correction, at 5 %, over all the report's Rao–Scott tests together (one family), and
 *   separately over all its trend tests (a second family): the questions differ ("do groups
 *   differ?", "has anything moved?") and a reader of either list is owed its error rate.
 * - A cell that is suppressed, or unreliable by `unreliable` (base or relative standard error),
 *   never takes part: the pair is chosen among reliable cells only, and a trend whose earlier or
 *   present cell is unreliable is not a candidate. The earlier cell's se is recovered from the
 *   change's (waves are independent, so se² adds); its base is not kept, and it was published.
 * - Order: smallest adjusted p first, then the larger difference, then table order; at most
 *   `max` findings, so the list is a headline and not a second copy of the tables.
 */
import { holm } from './holm.ts';
import { RELIABILITY, unreliable, type ReliabilityRules } from './reliability.ts';

/** The parts of a published table and its cells the rules read (the report's TableResult fits). */
export interface FindingCellInput {
  domain: string;
  category: string;
  base_n: number;
  estimate: number | null;
  se: number | null;
  ci_low: number | null;
  ci_high: number | null;
  suppressed: string;
}

export interface FindingTableInput {
  id: string;
  kind: 'proportion' | 'mean';
  by: { question: string }[];
  panel?: { question: string };
  cells: FindingCellInput[];
  tests: { panel: string; p_value: number }[];
  trends?: { domain: string; category: string; wave: string; then: number; now: number; change: number; se: number; ci_low: number; ci_high: number; p_value: number }[];
}

export interface FindingCell {
  domain: string;
  category: string;
  estimate: number;
  ci_low: number | null;
  ci_high: number | null;
  base_n: number | null;
}

export interface Finding {
  kind: 'difference' | 'change';
  table: string;
  /** `difference`: the higher estimate first. `change`: the present wave first, then the earlier. */
  cells: [FindingCell, FindingCell];
  /** The first cell's estimate less the second's. */
  difference: number;
  /** `change`: the 95% interval of the change. */
  interval?: [number, number];
  /** `difference`: the panel tested; `change`: the earlier wave. */
  against: string;
  pValue: number;
  pHolm: number;
}

export interface FindingRules {
  level: number;
  max: number;
  reliability: ReliabilityRules;
}

export const FINDING_RULES: FindingRules = { level: 0.05, max: 8, reliability: RELIABILITY };


const usable = (cell: FindingCellInput, rules: ReliabilityRules): boolean =>
  cell.suppressed === '' && cell.estimate !== null && cell.se !== null && unreliable(cell, rules) === null;

const asFinding = (cell: FindingCellInput): FindingCell => ({ domain: cell.domain, category: cell.category, estimate: cell.estimate!, ci_low: cell.ci_low, ci_high: cell.ci_high, base_n: cell.base_n });

/** The domains a test compares: one level of the first `by` variable each, within its panel. */
function domainsTested(table: FindingTableInput, panel: string, cell: FindingCellInput): boolean {
  const pairs = cell.domain.split(';');
  const variable = table.by[0]?.question;
  if (!variable || !pairs[0]!.startsWith(`${variable}=`)) return false;
  if (table.by.length > 1) return false;
  return panel === 'all' ? pairs.length === 1 : pairs.length === 2 && pairs[1] === panel;
}

/** The test's candidate: the largest gap between two reliable domains in one category, if any. */
function largestDifference(table: FindingTableInput, panel: string, rules: ReliabilityRules): { high: FindingCellInput; low: FindingCellInput } | undefined {
  const cells = table.cells.filter((cell) => domainsTested(table, panel, cell) && usable(cell, rules));
  let best: { high: FindingCellInput; low: FindingCellInput } | undefined;
  let gap = 0;
  for (const high of cells) {
    for (const low of cells) {
      if (high.category !== low.category || high.domain === low.domain) continue;
      const d = high.estimate! - low.estimate!;
      // Strictly larger: the first pair in cell order wins a tie, so the choice is reproducible.
      if (d > gap) {
        gap = d;
        best = { high, low };
      }
    }
  }
  return best;
}

export function chooseFindings(tables: readonly FindingTableInput[], rules: FindingRules = FINDING_RULES): Finding[] {
  const tests: { table: FindingTableInput; order: number; panel: string; p: number }[] = [];
  tables.forEach((table, order) => table.tests.forEach((test) => tests.push({ table, order, panel: test.panel, p: test.p_value })));
  const testsHolm = holm(tests.map((t) => t.p));
  const chosen: { finding: Finding; order: number }[] = [];
  tests.forEach((test, k) => {
    if (testsHolm[k]! >= rules.level) return;
    const pair = largestDifference(test.table, test.panel, rules.reliability);
    if (!pair) return;
    const finding: Finding = { kind: 'difference', table: test.table.id, cells: [asFinding(pair.high), asFinding(pair.low)], difference: pair.high.estimate! - pair.low.estimate!, against: test.panel, pValue: test.p, pHolm: testsHolm[k]! };
    chosen.push({ finding, order: test.order });
  });

  const trends = tables.flatMap((table, order) => (table.trends ?? []).map((trend) => ({ table, order, trend })));
  const trendsHolm = holm(trends.map((t) => t.trend.p_value));
  trends.forEach(({ table, order, trend }, k) => {
    if (trendsHolm[k]! >= rules.level) return;
    const now = table.cells.find((cell) => cell.domain === trend.domain && cell.category === trend.category);
    if (!now || !usable(now, rules.reliability)) return;
    const thenSe = Math.sqrt(Math.max(0, trend.se ** 2 - now.se! ** 2));
    // Its base is not kept with the earlier wave's figures; it passed that wave's disclosure control.
    if (unreliable({ base_n: Number.POSITIVE_INFINITY, estimate: trend.then, se: thenSe }, rules.reliability) !== null) return;
    const then: FindingCell = { domain: trend.domain, category: trend.category, estimate: trend.then, ci_low: null, ci_high: null, base_n: null };
    const finding: Finding = { kind: 'change', table: table.id, cells: [asFinding(now), then], difference: trend.change, interval: [trend.ci_low, trend.ci_high], against: trend.wave, pValue: trend.p_value, pHolm: trendsHolm[k]! };
    chosen.push({ finding, order });
  });

  return chosen
    .sort((a, b) => a.finding.pHolm - b.finding.pHolm || Math.abs(b.finding.difference) - Math.abs(a.finding.difference) || a.order - b.order)
    .slice(0, rules.max)
    .map((c) => c.finding);
}
