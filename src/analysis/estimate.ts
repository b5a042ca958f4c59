/**
 * Weighted means (and so proportions, as means of 0/1 indicators) over the rows of an estimate,
 * with linearised standard errors and design effects, matching survey's `svymean(…, na.rm = TRUE,
 * deff = TRUE)` and, over a domain, `svyby(…, svymean)`.
 */
import type { Design } from './design.ts';
import { linearisedCovariance } from './variance.ts';

export interface MeanEstimate {
  estimates: number[];
  se: number[];
  /** Design effect: the variance over what a simple random sample of the same size would give. */
  deff: number[];
  covariance: number[][];
  /** Rows in the estimate (the unweighted base) and the sum of their weights. */
  n: number;
  weightedN: number;
  /** Degrees of freedom: rows less strata among them (survey's `degf` of the domain's design). */
  df: number;
  /**
   * Rows of the design the estimate is made on, as survey counts them: a subset of a raked
   * design keeps every row (at weight zero), other designs only the rows in the subset.
   */
  designRows: number;
  /** Degrees of freedom of that design (svychisq's ν): its rows less its strata. */
  designDf: number;
}

/**
 * Means of the columns `ys` over the rows where `keep` is set (a domain's answered rows). A row
 * outside `keep` contributes nothing, but still counts in its stratum's n_h.
 */
export function estimateMeans(design: Design, ys: readonly ArrayLike<number>[], keep: ArrayLike<boolean | number>): MeanEstimate {
  const { weights, n } = design;
  let W = 0;
  let m = 0;
  const strataSeen = new Set<number>();
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    W += weights[i]!;
    m++;
    strataSeen.add(design.stratum[i]!);
  }
  const estimates = ys.map((y) => {
    let sum = 0;
    for (let i = 0; i < n; i++) if (keep[i]) sum += weights[i]! * y[i]!;
    return m === 0 ? NaN : sum / W;
  });
  const influence = ys.map((y, k) => {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) if (keep[i]) z[i] = (weights[i]! * (y[i]! - estimates[k]!)) / W;
    return z;
  });
  const covariance = m === 0 ? ys.map(() => ys.map(() => NaN)) : linearisedCovariance(design, influence);
  const se = covariance.map((row, k) => Math.sqrt(row[k]!));
  // survey's deff: the variance a simple random sample of m from a population of W would give,
  // with the weighted variance s² (divisor m − 1), and the finite population correction always on.
  const deff = ys.map((y, k) => {
    let ss = 0;
    for (let i = 0; i < n; i++) if (keep[i]) ss += weights[i]! * (y[i]! - estimates[k]!) ** 2;
    const s2 = ((ss / W) * m) / (m - 1);
    const vsrs = (s2 * (W - m)) / (W * m);
    return covariance[k]![k]! / vsrs;
  });
  return {
    estimates,
    se,
    deff,
    covariance,
    n: m,
    weightedN: W,
    df: m - strataSeen.size,
    designRows: design.calibration.length > 0 ? n : m,
    designDf: design.calibration.length > 0 ? n - design.stratumSize.length : m - strataSeen.size,
  };
}
