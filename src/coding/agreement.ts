/**
 * Inter-coder agreement for human coding: percent agreement, Cohen's kappa and Krippendorff's
 * alpha (nominal), for each code of a codebook and pooled over all of them, plus the three
 * statistics on their own for any nominal ratings. Pure: no files, no clock; imports only the
 * coding types.
 *
 * A statistic that cannot be computed is `null`, never NaN, and the result says why: NaN would
 * travel silently through sums and into reports, while `null` has to be handled where it is read.
 */
import type { HumanCode } from './types.ts';

/** A nominal rating; `null` when the coder did not rate the unit (for coding: never saw the segment). */
export type Rating = string | null;

export interface KappaResult {
  /** Cohen's kappa, (p_o − p_e)/(1 − p_e); `null` when undefined (see `note`). */
  kappa: number | null;
  /** Observed agreement p_o: the share of units given the same category (0..1). */
  agreement: number | null;
  /** Agreement expected by chance from the two coders' own marginals, p_e. */
  expected: number | null;
  /** Units rated by both coders; the others are dropped. */
  units: number;
  note?: string;
}

/**
 * Cohen's (unweighted) kappa for two coders' nominal ratings of the same units, in the same order.
 * A unit either coder left unrated (`null`) is dropped, as psych::cohen.kappa does.
 */
export function cohenKappa(a: readonly Rating[], b: readonly Rating[]): KappaResult {
  if (a.length !== b.length) throw new Error(`Cohen's kappa needs two ratings of the same units: got ${a.length} and ${b.length} ratings`);
  const countsA = new Map<string, number>();
  const countsB = new Map<string, number>();
  let units = 0;
  let agreeing = 0;
  a.forEach((x, i) => {
    const y = b[i];
    if (x === null || y === null || y === undefined) return;
    units++;
    if (x === y) agreeing++;
    countsA.set(x, (countsA.get(x) ?? 0) + 1);
    countsB.set(y, (countsB.get(y) ?? 0) + 1);
  });
  if (units === 0) return { kappa: null, agreement: null, expected: null, units, note: 'no unit was rated by both coders' };
  let expected = 0;
  for (const [category, n] of countsA) expected += (n / units) * ((countsB.get(category) ?? 0) / units);
  const agreement = agreeing / units;
  // Both coders used one and the same category for every unit: chance agreement is 1 and kappa
  // is 0/0. Tested on the counts, not on `expected`, so that rounding can never decide it.
  if (countsA.size === 1 && countsB.size === 1 && agreeing === units) {
    return { kappa: null, agreement, expected: 1, units, note: 'both coders gave every unit the same category, so chance agreement is 1 and kappa is 0/0' };
  }
  return { kappa: (agreement - expected) / (1 - expected), agreement, expected, units };
}

export interface AlphaResult {
  /** Krippendorff's alpha for nominal data, 1 − D_o/D_e; `null` when undefined (see `note`). */
  alpha: number | null;
  /** Pairable units: those with values from at least two coders. */
  units: number;
  /** Pairable values: the ratings in those units (Krippendorff's n). */
  values: number;
  /** Observed disagreement D_o. */
  observed: number | null;
  /** Disagreement expected by chance D_e. */
  expected: number | null;
  note?: string;
}

/**
 * Krippendorff's alpha for nominal data, from a coders × units matrix (one row per coder, one
 * column per unit, `null` for a missing value). Any number of coders, any pattern of missing
 * values: a unit with fewer than two values has no pair of values to compare, so it is dropped,
 * as Krippendorff specifies.
 */
export function krippendorffAlpha(data: readonly (readonly Rating[])[]): AlphaResult {
  const columns = unitColumns(data, "Krippendorff's alpha");
  // Summed over units, Σ_c n_uc(n_uc − 1)/(m_u − 1) is the coincidence matrix's diagonal mass:
  // the same as building the matrix, without the categories² table.
  const totals = new Map<string, number>();
  let units = 0;
  let values = 0;
  let agreeingMass = 0;
  for (const column of columns) {
    const counts = countValues(column);
    const m = sum(counts.values());
    if (m < 2) continue;
    units++;
    values += m;
    for (const [category, n] of counts) {
      agreeingMass += (n * (n - 1)) / (m - 1);
      totals.set(category, (totals.get(category) ?? 0) + n);
    }
  }
  if (units === 0) {
    const why = data.length < 2 ? `there ${data.length === 1 ? 'is one coder' : 'are no coders'}` : 'no unit has values from two coders';
    return { alpha: null, units, values, observed: null, expected: null, note: `${why}, so no values can be paired` };
  }
  const observed = (values - agreeingMass) / values;
  if (totals.size === 1) {
    // Data without variation cannot show whether coders tell categories apart; alpha would be 0/0.
    return { alpha: null, units, values, observed, expected: 0, note: 'every pairable value is the same category, so the expected disagreement is 0 and alpha is 0/0' };
  }
  let sameByChance = 0;
  for (const n of totals.values()) sameByChance += n * (n - 1);
  const expected = (values * (values - 1) - sameByChance) / (values * (values - 1));
  return { alpha: 1 - observed / expected, units, values, observed, expected };
}

export interface PercentAgreementResult {
  /** Mean over pairable units of the share of agreeing coder pairs (0..1). */
  agreement: number | null;
  units: number;
  note?: string;
}

/**
 * Percent agreement from a coders × units matrix, as a proportion. With two coders it is the
 * share of units both rated on which they agree. With more, each unit contributes the share of
 * its coder pairs that agree, and the shares are averaged over units: a unit counts once however
 * many coders saw it (with complete data this equals the share of all agreeing pairs).
 */
export function percentAgreement(data: readonly (readonly Rating[])[]): PercentAgreementResult {
  let units = 0;
  let total = 0;
  for (const column of unitColumns(data, 'percent agreement')) {
    const counts = countValues(column);
    const m = sum(counts.values());
    if (m < 2) continue;
    let agreeingPairs = 0;
    for (const n of counts.values()) agreeingPairs += (n * (n - 1)) / 2;
    total += agreeingPairs / ((m * (m - 1)) / 2);
    units++;
  }
  if (units === 0) return { agreement: null, units, note: 'no unit has values from two coders' };
  return { agreement: total / units, units };
}

export interface AgreementOptions {
  /** Every code a coder could apply (the codebook's ids, e.g. `allCodes(book).map((c) => c.id)`). */
  codes: readonly string[];
  /** Every segment that was put to coders; by default every segment named in the coding. */
  units?: readonly string[];
  /** Every coder, including any who applied no code at all; by default those named in the coding and in `seen`. */
  coders?: readonly string[];
  /**
   * The segments each coder saw. A coder listed here who left a segment without codes said "none
   * of these codes apply"; a segment missing from the list is a missing value. A coder not listed
   * is taken to have seen every unit.
   */
  seen?: Readonly<Record<string, readonly string[]>>;
}

export interface AgreementRow {
  /** Units with values from at least two coders; only these enter the statistics. */
  units: number;
  /** Coders with a value in at least one of those units. */
  coders: number;
  /** Percent agreement, as a proportion (see `percentAgreement`). */
  agreement: number | null;
  /** Cohen's kappa when exactly two coders took part, else `null`. */
  kappa: number | null;
  /** Krippendorff's alpha (nominal). */
  alpha: number | null;
  /** Why any of the statistics is `null`. */
  notes: string[];
}

export interface AgreementTable {
  coders: string[];
  /** The segments considered, pairable or not. */
  units: string[];
  /** One row per code, in the order of `options.codes`. */
  byCode: (AgreementRow & { code: string })[];
  /**
   * All codes at once. The units are (segment, code) pairs, each with a present/absent value, so
   * a segment with k codes in the list is k units. Each unit is then one coding decision — does
   * this code apply here? — the same decision the per-code rows score and that NVivo- and
   * QualCoder-style code-by-code comparisons count, so the overall figure summarises the per-code
   * ones rather than measuring something else (comparing whole sets of codes per segment would need
   * a set distance such as MASI). Pairs where both coders left a code off count as agreement, so
   * with a long code list the overall percent agreement is high by construction; kappa and alpha
   * correct for that.
   */
  overall: AgreementRow;
}

/**
 * Agreement between human coders, for each code and overall. For one code, each coder's value for
 * a segment they saw is whether they applied the code (present/absent); a segment they did not see
 * is missing for them.
 */
export function agreementTable(coding: readonly HumanCode[], options: AgreementOptions): AgreementTable {
  const codeList = distinct(options.codes, 'code', 'the code list');
  const known = new Set(codeList);
  for (const row of coding) checkRow(row, known);

  const units = options.units
    ? distinct(options.units, 'segment', 'the list of units')
    : unique([...coding.map((row) => row.segmentId), ...Object.values(options.seen ?? {}).flat()]);
  const unitSet = new Set(units);
  const coders = options.coders
    ? distinct(options.coders, 'coder', 'the list of coders')
    : unique([...coding.map((row) => row.coder), ...Object.keys(options.seen ?? {})]);
  const coderSet = new Set(coders);

  const seen = coders.map((coder) => {
    const list = options.seen && Object.hasOwn(options.seen, coder) ? options.seen[coder]! : units;
    for (const segment of list) {
      if (!unitSet.has(segment)) throw new Error(`segment "${segment}", seen by coder "${coder}", is not in the list of units`);
    }
    return new Set(list);
  });
  for (const coder of Object.keys(options.seen ?? {})) {
    if (!coderSet.has(coder)) throw new Error(`coder "${coder}" has a list of segments seen but is not in the list of coders`);
  }

  // A code applied twice to one segment (two overlapping passages, say) is still one decision.
  const applied = new Set<string>();
  for (const { segmentId, coder, code } of coding) {
    if (!unitSet.has(segmentId)) throw new Error(`segment "${segmentId}", code "${code}" (coder "${coder}"): the segment is not in the list of units`);
    if (!coderSet.has(coder)) throw new Error(`segment "${segmentId}", code "${code}": coder "${coder}" is not in the list of coders`);
    if (!seen[coders.indexOf(coder)]!.has(segmentId)) {
      throw new Error(`segment "${segmentId}", code "${code}": coder "${coder}" applied a code to a segment missing from their list of segments seen`);
    }
    applied.add(key(segmentId, coder, code));
  }

  const matrices = codeList.map((code) =>
    coders.map((coder, i) => units.map((segment): Rating => (seen[i]!.has(segment) ? (applied.has(key(segment, coder, code)) ? 'present' : 'absent') : null))),
  );
  const pooled = coders.map((_, i) => matrices.flatMap((matrix) => matrix[i]!));
  return {
    coders,
    units,
    byCode: codeList.map((code, k) => ({ code, ...summarise(matrices[k]!) })),
    overall: summarise(pooled),
  };
}

function summarise(data: Rating[][]): AgreementRow {
  const pairable = unitColumns(data, 'agreement').map((column) => column.filter((v) => v !== null).length >= 2);
  const active = data.map((_, i) => i).filter((i) => data[i]!.some((v, u) => v !== null && pairable[u]));
  const alpha = krippendorffAlpha(data);
  const percent = percentAgreement(data);
  const notes: string[] = [];
  if (percent.note) notes.push(`percent agreement: ${percent.note}`);
  let kappa: number | null = null;
  if (active.length === 2) {
    const result = cohenKappa(data[active[0]!]!, data[active[1]!]!);
    kappa = result.kappa;
    if (result.note) notes.push(`kappa: ${result.note}`);
  } else {
    notes.push(`kappa: Cohen's kappa is for exactly two coders, and ${active.length} took part`);
  }
  if (alpha.note) notes.push(`alpha: ${alpha.note}`);
  return { units: alpha.units, coders: active.length, agreement: percent.agreement, kappa, alpha: alpha.alpha, notes };
}

function checkRow(row: HumanCode, known: Set<string>): void {
  if (typeof row.segmentId !== 'string' || row.segmentId.trim() === '') {
    throw new Error(`a segment with an empty id, code "${row.code}" (coder "${row.coder}"): every coded segment needs an id`);
  }
  if (typeof row.coder !== 'string' || row.coder.trim() === '') throw new Error(`segment "${row.segmentId}", code "${row.code}": the coder's name is empty`);
  if (!known.has(row.code)) throw new Error(`segment "${row.segmentId}": coder "${row.coder}" applied code "${row.code}", which is not in the code list`);
}

function unitColumns(data: readonly (readonly Rating[])[], what: string): Rating[][] {
  const width = data[0]?.length ?? 0;
  data.forEach((row, i) => {
    if (row.length !== width) throw new Error(`${what} needs one value per unit from every coder: coder ${i + 1} has ${row.length} values, coder 1 has ${width}`);
  });
  return Array.from({ length: width }, (_, u) => data.map((row) => row[u] ?? null));
}

function countValues(column: readonly Rating[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of column) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

function distinct(list: readonly string[], what: string, where: string): string[] {
  const out = new Set<string>();
  for (const item of list) {
    if (typeof item !== 'string' || item.trim() === '') throw new Error(`${where} has an empty ${what}`);
    if (out.has(item)) throw new Error(`${where} names ${what} "${item}" twice`);
    out.add(item);
  }
  return [...out];
}

const unique = (list: string[]): string[] => [...new Set(list)];
const sum = (xs: Iterable<number>): number => {
  let total = 0;
  for (const x of xs) total += x;
  return total;
};
// JSON keeps the three parts apart whatever characters the ids contain.
const key = (segment: string, coder: string, code: string): string => JSON.stringify([segment, coder, code]);
