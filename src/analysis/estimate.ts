/**
 * Weighted means (and so proportions, as means of 0/1 indicators) over the rows of an estimate,
 * with linearised standard errors and design effects, matching survey's `svymean(…, na.rm = TRUE,
 * deff = TRUE)` and, over a domain, `svyby(…, svymean)`.
 */
import type { Design } from './design.ts';
import { linearisedCovariance } from './variance.ts';

export interface MeanEstimate {
  estimates: number[];
  /** Unweighted sums of each column over the rows: for a 0/1 indicator, the count of 1s. */
  sums: number[];
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
  // The rows in the estimate, once: every sum below runs over them alone.
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) rows.push(i);
  const m = rows.length;
  let W = 0;
  const strataSeen = new Set<number>();
  for (const i of rows) {
    W += weights[i]!;
    strataSeen.add(design.stratum[i]!);
  }
  const sums = ys.map((y) => {
    let sum = 0;
    for (const i of rows) sum += y[i]!;
    return sum;
  });
  const estimates = ys.map((y) => {
    let sum = 0;
    for (const i of rows) sum += weights[i]! * y[i]!;
    return m === 0 ? NaN : sum / W;
  });
  const covariance =
    m === 0
      ? ys.map(() => ys.map(() => NaN))
      : design.calibration.length > 0
        ? linearisedCovariance(design, denseInfluence(design, ys, rows, estimates, W))
        : sparseCovariance(design, ys, rows, estimates, W);
  const se = covariance.map((row, k) => Math.sqrt(row[k]!));
  // survey's deff: the variance a simple random sample of m from a population of W would give,
  // with the weighted variance s² (divisor m − 1), and the finite population correction always on.
  const deff = ys.map((y, k) => {
    let ss = 0;
    for (const i of rows) ss += weights[i]! * (y[i]! - estimates[k]!) ** 2;
    const s2 = ((ss / W) * m) / (m - 1);
    const vsrs = (s2 * (W - m)) / (W * m);
    return covariance[k]![k]! / vsrs;
  });
  return {
    estimates,
    sums,
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

/** Influence values z_i = w_i (y_i − ŷ)/W on every row of the sample (zero outside the estimate). */
function denseInfluence(design: Design, ys: readonly ArrayLike<number>[], rows: number[], estimates: number[], W: number): Float64Array[] {
  return ys.map((y, k) => {
    const z = new Float64Array(design.n);
    for (const i of rows) z[i] = (design.weights[i]! * (y[i]! - estimates[k]!)) / W;
    return z;
  });
}

/**
 * The same variance as `linearisedCovariance`, from the rows in the estimate alone: outside it
 * z is zero, so Σ_{i∈h} (z_a − z̄_a)(z_b − z̄_b) = Σ z_a z_b − n_h z̄_a z̄_b with both sums over
 * the estimate's rows. A domain of a thousand rows in a million then costs a thousand, not a
 * million. (A raked design's residuals are not zero outside the estimate: it takes the dense path.)
 */
function sparseCovariance(design: Design, ys: readonly ArrayLike<number>[], rows: number[], estimates: number[], W: number): number[][] {
  const k = ys.length;
  const H = design.stratumSize.length;
  const sums = new Float64Array(k * H);
  const cross = new Float64Array(k * k * H);
  const z = new Float64Array(k);
  for (const i of rows) {
    const h = design.stratum[i]!;
    const w = design.weights[i]! / W;
    for (let a = 0; a < k; a++) {
      z[a] = w * (ys[a]![i]! - estimates[a]!);
      sums[a * H + h]! += z[a]!;
    }
    for (let a = 0; a < k; a++) for (let b = a; b < k; b++) cross[(a * k + b) * H + h]! += z[a]! * z[b]!;
  }
  const V = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let h = 0; h < H; h++) {
    const nh = design.stratumSize[h]!;
    const scale = (design.fpcFactor[h]! * nh) / (nh - 1);
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        let v = scale * (cross[(a * k + b) * H + h]! - (sums[a * H + h]! * sums[b * H + h]!) / nh);
        // A sum of squares cannot be negative; the difference above can round a true zero below it.
        if (a === b) v = Math.max(0, v);
        V[a]![b]! += v;
        if (b !== a) V[b]![a]! += v;
      }
    }
  }
  return V;
}

/**
 * The proportions in each of `levels` categories of one categorical column (codes 0…levels−1,
 * −1 for unanswered), over the rows where `keep` is set: the same figures as `estimateMeans` on
 * the categories' 0/1 indicators, from a handful of per-stratum sums. An indicator times another
 * is zero unless they are the same, so Σ z_a z_b needs only Σ w² per category, and one pass over
 * the rows serves every category and every pair: k categories cost what one does.
 * A raked design's variance needs the full residuals, so it goes through `estimateMeans`.
 */
export function estimateCategorical(design: Design, codes: Int16Array, levels: number, keep: ArrayLike<boolean | number>): MeanEstimate {
  if (design.calibration.length > 0) {
    const ys = Array.from({ length: levels }, (_, k) => Float64Array.from(codes, (c) => (c === k ? 1 : 0)));
    return estimateMeans(design, ys, keep);
  }
  const H = design.stratumSize.length;
  const { weights, n } = design;
  const s1 = new Float64Array(levels * H); // Σ w y_a by stratum
  const s2 = new Float64Array(levels * H); // Σ w² y_a
  const t1 = new Float64Array(H); // Σ w
  const t2 = new Float64Array(H); // Σ w²
  const counts = new Float64Array(levels);
  const seen = new Uint8Array(H);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const code = codes[i]!;
    const h = design.stratum[i]!;
    const w = weights[i]!;
    m++;
    seen[h] = 1;
    t1[h]! += w;
    t2[h]! += w * w;
    if (code >= 0 && code < levels) {
      s1[code * H + h]! += w;
      s2[code * H + h]! += w * w;
      counts[code]!++;
    }
  }
  return categoricalFromSums(design, { levels, s1, s2, t1, t2, counts, seen, m });
}

/** Per-stratum sums of one domain's rows, from which its categorical estimates follow. */
interface CategoricalSums {
  levels: number;
  s1: Float64Array;
  s2: Float64Array;
  t1: Float64Array;
  t2: Float64Array;
  counts: Float64Array;
  seen: Uint8Array;
  m: number;
}

function categoricalFromSums(design: Design, sums: CategoricalSums): MeanEstimate {
  const { levels, s1, s2, t1, t2, counts, seen, m } = sums;
  const H = design.stratumSize.length;
  const W = t1.reduce((a, b) => a + b, 0);
  const strata = seen.reduce((a, b) => a + b, 0);
  const total = (array: Float64Array, a: number) => {
    let sum = 0;
    for (let h = 0; h < H; h++) sum += array[a * H + h]!;
    return sum;
  };
  const estimates = Array.from({ length: levels }, (_, a) => (m === 0 ? NaN : total(s1, a) / W));
  const covariance = Array.from({ length: levels }, () => new Array<number>(levels).fill(m === 0 ? NaN : 0));
  if (m > 0) {
    for (let h = 0; h < H; h++) {
      const nh = design.stratumSize[h]!;
      const scale = (design.fpcFactor[h]! * nh) / (nh - 1);
      const zSum = (a: number) => (s1[a * H + h]! - estimates[a]! * t1[h]!) / W;
      for (let a = 0; a < levels; a++) {
        for (let b = a; b < levels; b++) {
          const pa = estimates[a]!;
          const pb = estimates[b]!;
          const cross = ((a === b ? s2[a * H + h]! : 0) - pb * s2[a * H + h]! - pa * s2[b * H + h]! + pa * pb * t2[h]!) / (W * W);
          let v = scale * (cross - (zSum(a) * zSum(b)) / nh);
          if (a === b) v = Math.max(0, v);
          covariance[a]![b]! += v;
          if (b !== a) covariance[b]![a]! += v;
        }
      }
    }
  }
  const se = covariance.map((row, k) => Math.sqrt(row[k]!));
  const deff = estimates.map((p, a) => {
    const ss = total(s1, a) * (1 - 2 * p) + p * p * W;
    const s2w = ((ss / W) * m) / (m - 1);
    return covariance[a]![a]! / ((s2w * (W - m)) / (W * m));
  });
  return {
    estimates,
    sums: Array.from(counts),
    se,
    deff,
    covariance,
    n: m,
    weightedN: W,
    df: m - strata,
    designRows: m,
    designDf: m - strata,
  };
}

/**
 * A partition of the rows into domains: `index` gives each row's domain (0…count−1, or −1 for
 * none); no index means one domain of every row.
 */
export interface Partition {
  index: Int32Array | null;
  count: number;
}

/**
 * `estimateCategorical` for every domain of several partitions (everyone, the crossing of `by`,
 * the panel, …) in one pass over the rows, which gathers every domain's per-stratum sums: each
 * row's code, stratum and weight are read once, however many domains it falls in. A table by tier
 * and sector then costs one pass over a million rows, not one per domain. Rows whose code is −1
 * (unanswered) are outside every domain's base, as with `keep` above. A raked design needs the
 * full residuals per domain, so it is estimated domain by domain.
 */
export function estimateCategoricalByPartitions(design: Design, codes: Int16Array, levels: number, partitions: readonly Partition[]): MeanEstimate[][] {
  if (design.calibration.length > 0) {
    return partitions.map(({ index, count }) =>
      Array.from({ length: count }, (_, d) => {
        const keep = new Uint8Array(design.n);
        for (let i = 0; i < design.n; i++) if ((index === null || index[i] === d) && codes[i]! >= 0) keep[i] = 1;
        return estimateCategorical(design, codes, levels, keep);
      }),
    );
  }
  const H = design.stratumSize.length;
  const { weights, n } = design;
  const P = partitions.length;
  const sums = partitions.map(({ count }) => ({
    s1: new Float64Array(count * levels * H),
    s2: new Float64Array(count * levels * H),
    t1: new Float64Array(count * H),
    t2: new Float64Array(count * H),
    counts: new Float64Array(count * levels),
    seen: new Uint8Array(count * H),
    m: new Float64Array(count),
  }));
  const indexes = partitions.map((p) => p.index);
  const stratum = design.stratum;
  for (let i = 0; i < n; i++) {
    const code = codes[i]!;
    if (code < 0) continue;
    const h = stratum[i]!;
    const w = weights[i]!;
    const ww = w * w;
    for (let p = 0; p < P; p++) {
      const index = indexes[p]!;
      const d = index === null ? 0 : index[i]!;
      if (d < 0) continue;
      const s = sums[p]!;
      s.m[d]!++;
      s.seen[d * H + h] = 1;
      s.t1[d * H + h]! += w;
      s.t2[d * H + h]! += ww;
      if (code < levels) {
        const at = (d * levels + code) * H + h;
        s.s1[at]! += w;
        s.s2[at]! += ww;
        s.counts[d * levels + code]!++;
      }
    }
  }
  return partitions.map(({ count }, p) => {
    const s = sums[p]!;
    return Array.from({ length: count }, (_, d) =>
      categoricalFromSums(design, {
        levels,
        s1: s.s1.subarray(d * levels * H, (d + 1) * levels * H),
        s2: s.s2.subarray(d * levels * H, (d + 1) * levels * H),
        t1: s.t1.subarray(d * H, (d + 1) * H),
        t2: s.t2.subarray(d * H, (d + 1) * H),
        counts: s.counts.subarray(d * levels, (d + 1) * levels),
        seen: s.seen.subarray(d * H, (d + 1) * H),
        m: s.m[d]!,
      }),
    );
  });
}
