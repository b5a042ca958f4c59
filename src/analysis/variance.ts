/**
 * Linearised (Taylor series) variance of estimates from their influence values, as survey's
 * `svyrecvar` computes it for one-stage designs:
 *
 *   V = Σ_h f_h · n_h/(n_h − 1) · Σ_{i∈h} (z_i − z̄_h)(z_i − z̄_h)ᵀ
 *
 * with z̄_h the mean over all n_h rows of the stratum (rows outside the estimate have z = 0), and
 * f_h the finite population correction. For a raked design the influence values are first made
 * residuals of the raking margins, as survey does: ten rounds of removing each margin's group
 * means from u = z / w, then z = w · u.
 */
import type { Design } from './design.ts';

const RAKING_ROUNDS = 10;

function rakingResiduals(design: Design, z: Float64Array[]): Float64Array[] {
  const { weights, calibration, n } = design;
  return z.map((column) => {
    const u = Float64Array.from(column, (v, i) => v / weights[i]!);
    for (let round = 0; round < RAKING_ROUNDS; round++) {
      for (const groups of calibration) {
        let groupCount = 0;
        for (const g of groups) groupCount = Math.max(groupCount, g + 1);
        const sum = new Float64Array(groupCount);
        const count = new Float64Array(groupCount);
        for (let i = 0; i < n; i++) {
          sum[groups[i]!]! += u[i]!;
          count[groups[i]!]!++;
        }
        for (let i = 0; i < n; i++) u[i]! -= sum[groups[i]!]! / count[groups[i]!]!;
      }
    }
    return u.map((v, i) => v * weights[i]!);
  });
}

/** The k × k covariance matrix of k estimates with influence values `z` (k arrays of n). */
export function linearisedCovariance(design: Design, influence: Float64Array[]): number[][] {
  const z = design.calibration.length > 0 ? rakingResiduals(design, influence) : influence;
  const k = z.length;
  const H = design.stratumSize.length;
  const means = z.map(() => new Float64Array(H));
  z.forEach((column, a) => {
    for (let i = 0; i < design.n; i++) means[a]![design.stratum[i]!]! += column[i]!;
    for (let h = 0; h < H; h++) means[a]![h]! /= design.stratumSize[h]!;
  });
  const scale = Float64Array.from(design.stratumSize, (nh, h) => (design.fpcFactor[h]! * nh) / (nh - 1));
  const V = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      let sum = 0;
      for (let i = 0; i < design.n; i++) {
        const h = design.stratum[i]!;
        sum += scale[h]! * (z[a]![i]! - means[a]![h]!) * (z[b]![i]! - means[b]![h]!);
      }
      V[a]![b] = sum;
      V[b]![a] = sum;
    }
  }
  return V;
}
