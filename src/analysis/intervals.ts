/**
 * Confidence intervals for a proportion estimated from a complex sample, as survey's `svyciprop`:
 * `logit` (its default), `beta` (Korn and Graubard), and `wilson`. Quantiles of t use the
 * design's degrees of freedom.
 */
import qbeta from '@stdlib/stats-base-dists-beta-quantile';
import qt from '@stdlib/stats-base-dists-t-quantile';

export type IntervalMethod = 'logit' | 'beta' | 'wilson';
export const INTERVAL_METHODS: readonly IntervalMethod[] = ['logit', 'beta', 'wilson'];

export interface ProportionInterval {
  low: number;
  high: number;
}

export interface IntervalInput {
  p: number;
  se: number;
  df: number;
  /** Rows of the design the estimate was made on (the beta interval's effective n uses it). */
  designRows: number;
  level?: number;
}

/** logit: the interval on the log-odds scale, back-transformed. */
export function logitInterval({ p, se, df, level = 0.95 }: IntervalInput): ProportionInterval {
  if (p <= 0 || p >= 1) return { low: p, high: p };
  const t = qt(1 - (1 - level) / 2, df);
  const eta = Math.log(p / (1 - p));
  const half = (t * se) / (p * (1 - p));
  const expit = (x: number) => 1 / (1 + Math.exp(-x));
  return { low: expit(eta - half), high: expit(eta + half) };
}

/** beta: Korn and Graubard's Clopper–Pearson interval with an effective sample size. */
export function betaInterval({ p, se, df, designRows, level = 0.95 }: IntervalInput): ProportionInterval {
  const alpha = 1 - level;
  // survey scales the effective n by the ratio of t quantiles: rows − 1 against the design's df.
  const ratio = qt(alpha / 2, designRows - 1) / qt(alpha / 2, df);
  const nEff = se > 0 ? ((p * (1 - p)) / se ** 2) * ratio ** 2 : designRows;
  const low = p <= 0 ? 0 : qbeta(alpha / 2, nEff * p, nEff * (1 - p) + 1);
  const high = p >= 1 ? 1 : qbeta(1 - alpha / 2, nEff * p + 1, nEff * (1 - p));
  return { low, high };
}

/**
 * wilson: the Wilson score interval with the effective sample size p(1 − p)/se² in place of n and
 * t on the design's df in place of z: the design-based form of Kott and Carr, which reduces to
 * Wilson's own for a simple random sample. survey's svyciprop has no Wilson method (4.1.1 nor
 * 4.4-2), so the reference values are this formula computed in R from survey's estimates.
 */
export function wilsonInterval({ p, se, df, designRows, level = 0.95 }: IntervalInput): ProportionInterval {
  const t = qt(1 - (1 - level) / 2, df);
  const nEff = se > 0 ? (p * (1 - p)) / se ** 2 : designRows;
  const t2 = t * t;
  const centre = (p + t2 / (2 * nEff)) / (1 + t2 / nEff);
  const half = (t / (1 + t2 / nEff)) * Math.sqrt((p * (1 - p)) / nEff + t2 / (4 * nEff * nEff));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export function proportionInterval(method: IntervalMethod, input: IntervalInput): ProportionInterval {
  switch (method) {
    case 'logit':
      return logitInterval(input);
    case 'beta':
      return betaInterval(input);
    case 'wilson':
      return wilsonInterval(input);
  }
}
