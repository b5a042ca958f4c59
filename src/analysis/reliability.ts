/**
 * Whether an estimate is too imprecise to be stated on its own: the rule that tables, charts and
 * headlines share, so that a figure flagged in one is flagged in all.
 *
 * Decisions, and why:
 * - An estimate is unreliable when its unweighted base is under 30, or when its relative standard
 *   error (se / estimate, the coefficient of variation) is over 30 %. Statistics offices publish
 *   rules of this shape: Statistics Canada's Quality Guidelines (2009) release a CV from 16.5 % to
 *   33.3 % with a warning and advise against releasing one above 33.3 %; the ABS marks an RSE of
 *   25–50 % "use with caution" and over 50 % "too unreliable for general use"; the ONS flags
 *   Labour Force Survey estimates with a CV over 20 % as unreliable. 30 % sits inside that range,
 *   and a base of 30 keeps the normal approximation behind the intervals from being stretched.
 * - An estimate of zero has no relative error; it is judged by its base alone, since a true zero
 *   in a large base is as firm a figure as any.
 * - A withheld figure (null) is not unreliable but absent: the caller decides what absence means.
 */

export interface ReliabilityRules {
  /** An estimate resting on fewer unweighted responses than this is unreliable. */
  minBase: number;
  /** An estimate whose se / estimate is over this is unreliable. */
  maxRse: number;
}

export const RELIABILITY: ReliabilityRules = { minBase: 30, maxRse: 0.3 };

export interface Precision {
  base_n: number;
  estimate: number | null;
  se: number | null;
}

/** Why an estimate is unreliable, as a plain phrase, or null when it is reliable (or absent). */
export function unreliable(cell: Precision, rules: ReliabilityRules = RELIABILITY): string | null {
  if (cell.estimate === null || cell.se === null) return null;
  if (cell.base_n < rules.minBase) return `base of ${cell.base_n} is under ${rules.minBase}`;
  if (cell.estimate === 0) return null;
  const rse = cell.se / Math.abs(cell.estimate);
  if (rse > rules.maxRse) return `relative standard error of ${(rse * 100).toFixed(0)}% is over ${(rules.maxRse * 100).toFixed(0)}%`;
  return null;
}
