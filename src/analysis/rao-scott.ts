/**
 * The Rao–Scott test of association in a two-way table from a complex sample, as survey's
 * `svychisq`: Pearson's X² on the weighted table, with the second-order correction (an F
 * statistic, the default) or the first-order one (a scaled χ²).
 */
import gammainc from '@stdlib/math-base-special-gammainc';
import pbeta from '@stdlib/stats-base-dists-beta-cdf';
import { Matrix, solve } from 'ml-matrix';

export interface RaoScottInput {
  /** Estimated cell proportions, r rows × c columns, summing to 1. */
  cells: number[][];
  /** Covariance of the cell proportions, cells ordered with the row index varying fastest. */
  covariance: number[][];
  /** Rows of the design (survey's nrow(design)): the scale Pearson's X² is put on. */
  designRows: number;
  /** Degrees of freedom of the design. */
  df: number;
}

export interface RaoScottResult {
  /** Second-order corrected F, its numerator and denominator degrees of freedom, and p. */
  F: number;
  ndf: number;
  ddf: number;
  pValue: number;
  /** Pearson's X² and the first-order corrected p-value on (r − 1)(c − 1) degrees of freedom. */
  chisq: number;
  chisqDf: number;
  chisqPValue: number;
}

// Upper tails computed directly: 1 − cdf rounds small p-values to 0, and reports print them.
/** P(F > f) for F on (d1, d2) degrees of freedom: a regularised incomplete beta. */
function fUpperTail(f: number, d1: number, d2: number): number {
  return pbeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/** P(χ² > x) on k degrees of freedom: the upper regularised incomplete gamma. */
function chisqUpperTail(x: number, k: number): number {
  return gammainc(x / 2, k / 2, true, true);
}

export function raoScott({ cells, covariance, designRows: N, df }: RaoScottInput): RaoScottResult {
  const r = cells.length;
  const c = cells[0]!.length;
  const p = Array.from({ length: r * c }, (_, k) => cells[k % r]![Math.floor(k / r)]!);
  const rowSums = cells.map((row) => row.reduce((a, b) => a + b, 0));
  const colSums = Array.from({ length: c }, (_, j) => cells.reduce((a, row) => a + row[j]!, 0));
  let chisq = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const expected = rowSums[i]! * colSums[j]!;
      chisq += (cells[i]![j]! - expected) ** 2 / expected;
    }
  }
  chisq *= N;

  // Contrasts of the interaction: each (i ≥ 2, j ≥ 2) cell's indicator less its row's mean (over
  // the c columns), less its column's mean (over the r rows), plus the grand mean. With the two
  // means swapped the vectors leave the interaction space unless r = c, and F is wrong.
  const contrasts: number[][] = [];
  for (let j = 1; j < c; j++) {
    for (let i = 1; i < r; i++) {
      contrasts.push(
        Array.from({ length: r * c }, (_, k) => {
          const ki = k % r;
          const kj = Math.floor(k / r);
          return (ki === i && kj === j ? 1 : 0) - (ki === i ? 1 / c : 0) - (kj === j ? 1 / r : 0) + 1 / (r * c);
        }),
      );
    }
  }
  const C = new Matrix(contrasts).transpose();
  const iD = Matrix.diag(p.map((x) => 1 / x));
  const denominator = C.transpose().mmul(iD).mmul(C).div(N);
  const numerator = C.transpose().mmul(iD).mmul(new Matrix(covariance)).mmul(iD).mmul(C);
  const delta = solve(denominator, numerator);
  const trace = delta.trace();
  const trace2 = delta.mmul(delta).trace();
  const F = chisq / trace;
  const ndf = (trace * trace) / trace2;
  const ddf = ndf * df;
  const chisqDf = (r - 1) * (c - 1);
  return {
    F,
    ndf,
    ddf,
    pValue: fUpperTail(F, ndf, ddf),
    chisq,
    chisqDf,
    chisqPValue: chisqUpperTail(chisq / (trace / chisqDf), chisqDf),
  };
}
