/**
 * The change in an estimate between two waves. Waves are separate samples, so their estimates
 * are independent and the variance of the difference is the sum of the two variances; the test
 * is the usual Wald test of no change, on the normal distribution (each wave's degrees of freedom
 * are large in any survey a trend is worth reporting for).
 */
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import qnorm from '@stdlib/stats-base-dists-normal-quantile';

export interface WaveEstimate {
  estimate: number;
  se: number;
}

export interface Change {
  change: number;
  se: number;
  low: number;
  high: number;
  /** Two-sided p-value of the test of no change. */
  pValue: number;
}

export function changeBetween(then: WaveEstimate, now: WaveEstimate, level = 0.95): Change {
  const change = now.estimate - then.estimate;
  const se = Math.sqrt(then.se ** 2 + now.se ** 2);
  const z = qnorm(1 - (1 - level) / 2, 0, 1);
  // P(|Z| > |z|) = P(χ²₁ > z²).
  const pValue = se > 0 ? 1 - chisquareCdf((change / se) ** 2, 1) : change === 0 ? 1 : 0;
  return { change, se, low: change - z * se, high: change + z * se, pValue };
}
