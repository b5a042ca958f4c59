/**
 * Theme tables for a report: how many groups and segments each code was found in, for the whole
 * data and for each value of one attribute (sector, method, …), and how often codes appear
 * together. Pure: the codes are decided by the caller (human, agreed or automatic coding), so the
 * same counts serve every kind of coding.
 *
 * Qualitative reports count a theme by the groups it came up in ("raised in 5 of 7 focus groups")
 * as well as by segments, since one talkative group can produce many segments on one theme. The
 * group of a segment is:
 * - its `group` attribute (a transcript's group, set on every one of its turns);
 * - else its `source` attribute (a survey's free-text answers name their survey, say), so that all
 *   the segments of one source count as one group;
 * - else one pseudo-group per domain: all segments of a domain with neither attribute count
 *   together as a single group, since nothing says they came from different places.
 * A `group` and a `source` of the same name are different groups.
 */
import type { Segment } from './types.ts';

/** A segment with the codes decided for it; `codes` may be empty (coded as having none). */
export interface SegmentCoding {
  segment: Segment;
  codes: readonly string[];
}

export interface ThemeCount {
  /** `all`, or `<attribute>=<value>` such as `sector=public`. */
  domain: string;
  code: string;
  /** Distinct groups among the domain's segments that have the code. */
  groups: number;
  /** Distinct groups among all the domain's segments. */
  groupsBase: number;
  /** The domain's segments that have the code. */
  segments: number;
  /** All the domain's segments, those with no code included. */
  segmentsBase: number;
}

export interface CoOccurrence {
  a: string;
  b: string;
  /** Segments that have both `a` and `b` (for `a` = `b`, the segments that have `a`). */
  segments: number;
  /** Segments that have `a`, so that `segments / base` is the share of `a` that also has `b`. */
  base: number;
}

export const ALL_DOMAIN = 'all';

/** The name of the domain of one value of an attribute, as used in rows and quotes. */
export function domainName(by: string, value: string): string {
  return `${by}=${value}`;
}

/** Plain code-unit order, so that results never depend on the locale of the machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The value of `by` for a segment, or undefined when it has none. An empty value counts as none:
 * a domain `sector=` could not be labelled in a report.
 */
export function domainValue(segment: Segment, by: string): string | undefined {
  const value = segment.attributes[by];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The distinct values of `by` among the segments, in code-unit order. */
export function domainValues(segments: Iterable<Segment>, by: string): string[] {
  const values = new Set<string>();
  for (const segment of segments) {
    const value = domainValue(segment, by);
    if (value !== undefined) values.add(value);
  }
  return [...values].sort(compareText);
}

/** The key a segment's group is counted under (see the header comment); prefixed so kinds never meet. */
function groupKey(segment: Segment): string {
  const { group, source } = segment.attributes;
  if (group !== undefined && group !== '') return `group:${group}`;
  if (source !== undefined && source !== '') return `source:${source}`;
  // One key for every such segment: the counts are per domain, so this is one group per domain.
  return 'none';
}

function checkUnique(coded: readonly SegmentCoding[]): void {
  const seen = new Set<string>();
  for (const { segment } of coded) {
    // A segment given twice would be counted twice, inflating every base.
    if (seen.has(segment.id)) throw new Error(`segment ${segment.id} is given twice; give each segment once, with all its codes`);
    seen.add(segment.id);
  }
}

function countDomain(domain: string, coded: readonly SegmentCoding[], codes: readonly string[]): ThemeCount[] {
  const allGroups = new Set<string>();
  const groupsOf = new Map<string, Set<string>>(codes.map((code) => [code, new Set()]));
  const segmentsOf = new Map<string, number>(codes.map((code) => [code, 0]));
  for (const { segment, codes: applied } of coded) {
    const key = groupKey(segment);
    allGroups.add(key);
    // A code listed twice for one segment still makes one segment with it.
    for (const code of new Set(applied)) {
      const groups = groupsOf.get(code);
      if (!groups) continue; // not a code the caller reports on
      groups.add(key);
      segmentsOf.set(code, segmentsOf.get(code)! + 1);
    }
  }
  return codes.map((code) => ({
    domain,
    code,
    groups: groupsOf.get(code)!.size,
    groupsBase: allGroups.size,
    segments: segmentsOf.get(code)!,
    segmentsBase: coded.length,
  }));
}

/**
 * Counts for each code of `codes` (in that order), first over all segments (domain `all`) and
 * then, when `by` is given, for each value of that attribute in code-unit order (`sector=private`
 * before `sector=public`). Codes outside `codes` are ignored. Segments without a value of `by`
 * are counted in `all` only, so the bases of the `by` domains may sum to less than the base of
 * `all`. Throws when a segment id is given twice.
 */
export function themeCounts(coded: readonly SegmentCoding[], codes: readonly string[], by?: string): ThemeCount[] {
  checkUnique(coded);
  const uniqueCodes = [...new Set(codes)];
  const rows = countDomain(ALL_DOMAIN, coded, uniqueCodes);
  if (by === undefined) return rows;
  for (const value of domainValues(coded.map((c) => c.segment), by)) {
    const inDomain = coded.filter((c) => domainValue(c.segment, by) === value);
    rows.push(...countDomain(domainName(by, value), inDomain, uniqueCodes));
  }
  return rows;
}

/**
 * For each ordered pair of codes of `codes` (`a` in order, then `b` in order, `a` = `b`
 * included), the segments having both and the segments having `a`. Codes outside `codes` are
 * ignored. Throws when a segment id is given twice.
 */
export function coOccurrence(coded: readonly SegmentCoding[], codes: readonly string[]): CoOccurrence[] {
  checkUnique(coded);
  const uniqueCodes = [...new Set(codes)];
  const sets = coded.map((c) => new Set(c.codes));
  const rows: CoOccurrence[] = [];
  for (const a of uniqueCodes) {
    const withA = sets.filter((set) => set.has(a));
    for (const b of uniqueCodes) rows.push({ a, b, segments: withA.filter((set) => set.has(b)).length, base: withA.length });
  }
  return rows;
}
