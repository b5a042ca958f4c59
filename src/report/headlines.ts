/**
 * The headline sentences: each chosen finding with its figures and intervals, and the test that
 * let it through, in the words of the tables it comes from. The choice is made in
 * src/analysis/findings.ts; this only says it.
 */
import { FINDING_RULES, type Finding, type FindingRules } from '../analysis/findings.ts';
import { estimateText, interval, meanNumber, pText, fixed } from './format.ts';
import { categoryLabel, domainLabel } from './labels.ts';
import type { Headline, TableResult } from './model.ts';

function changeText(x: number, kind: 'proportion' | 'mean'): string {
  const text = kind === 'proportion' ? `${fixed(Math.abs(x) * 100, 1)} points` : meanNumber(Math.abs(x)).replace('\u2212', '');
  return `${x < 0 ? 'down' : 'up'} ${text}`;
}

function sentence(table: TableResult, finding: Finding, wave: string): string {
  const [a, b] = finding.cells;
  const what = table.kind === 'mean' ? table.title : `${table.title}, “${categoryLabel(table, a.category)}”`;
  const figure = (cell: Finding['cells'][number]) => [estimateText(cell.estimate, table.kind), interval(cell.ci_low, cell.ci_high, table.kind)].filter((x) => x !== '').join(' ');
  // The figure before the correction only when it reads differently: "p < 0.001 (p < 0.001 before)" says nothing.
  const [after, before] = [pText(finding.pHolm), pText(finding.pValue)];
  const tested = `${after} after Holm correction${before === after ? '' : ` (${before} before)`}`;
  if (finding.kind === 'difference') {
    return `${what}: ${figure(a)} for ${domainLabel(table, a.domain)}, against ${figure(b)} for ${domainLabel(table, b.domain)}; Rao–Scott ${tested}.`;
  }
  const change = `${changeText(finding.difference, table.kind)}${finding.interval ? ` ${interval(finding.interval[0], finding.interval[1], table.kind)}` : ''}`;
  return `${what}, ${domainLabel(table, a.domain)}: ${figure(a)} in ${wave}, against ${estimateText(b.estimate, table.kind)} in ${finding.against}, ${change}; test of no change ${tested}.`;
}

/** The headline lines, most significant first; one plain line when no finding met the rules. */
export function headlineLines(tables: readonly TableResult[], findings: readonly Finding[], wave: string): Headline[] {
  if (findings.length === 0) {
    const tested = tables.some((t) => t.tests.length > 0 || (t.trends?.length ?? 0) > 0);
    return [{ text: tested ? 'No difference between groups or change since an earlier wave met the rules for a headline (see the method notes); the tables give every estimate.' : 'No table in this report has a test, so no finding is chosen as a headline; the tables give every estimate.' }];
  }
  const byId = new Map(tables.map((t) => [t.id, t]));
  return findings.map((f) => ({ text: sentence(byId.get(f.table)!, f, wave), table: f.table }));
}

/** The method note stating the rules the headlines were chosen by. */
export function headlinesNote(rules: FindingRules = FINDING_RULES): string {
  const level = `${fixed(rules.level * 100, 0)}%`;
  return `Headlines are chosen by rule, not by eye. Candidates are, for each table with a test, the largest difference between two groups in one answer, and each change since an earlier wave. A difference is a candidate only if its table’s Rao–Scott test is significant at ${level} after Holm’s correction over all the report’s Rao–Scott tests together; a change only if its test of no change is significant at ${level} after Holm’s correction over all the report’s trend tests (a family of its own). No suppressed or unreliable cell takes part: an estimate is unreliable when its unweighted base is under ${rules.reliability.minBase} or its relative standard error (standard error over estimate) is over ${fixed(rules.reliability.maxRse * 100, 0)}%. Headlines are listed smallest corrected p-value first, then the larger difference, at most ${rules.max}.`;
}

/** The method note for the low-reliability flag: the same rule the headlines follow. */
export function reliabilityNote(rules: FindingRules = FINDING_RULES): string {
  return `An estimate marked [u] is of low reliability: its unweighted base is under ${rules.reliability.minBase}, or its relative standard error (standard error over estimate) is over ${fixed(rules.reliability.maxRse * 100, 0)}%. It is still published, beside its interval, since it is the best estimate there is; read it with care, and compare it with others only through its interval. No headline is drawn from it. Charts draw it hollow. Counts of focus-group themes have no standard error and carry no mark.`;
}
