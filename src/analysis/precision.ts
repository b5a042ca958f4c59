/**
 * Precision now: while a wave is in the field, how wide the 95 % interval of a proportion would
 * be with the responses submitted so far, domain by domain, and how many more responses a domain
 * needs for the interval to be as narrow as the study wants. Pure: counts (and population sizes,
 * when the study has them) come in, figures go out; nothing here reads a database.
 *
 * Decisions, and why:
 * - The proportion is taken to be 50 %, where p(1 − p) is largest: before the answers are in,
 *   no other value can be assumed safely, and every estimate the report makes of a proportion
 *   will then be at least this precise (design effects of weighting aside, below).
 * - Within a domain the design assumed is simple random sampling, with the finite population
 *   correction when the domain's population size N is known:
 *     half-width = z · sqrt(p(1 − p)/n · (1 − n/N)),  z the normal 97.5 % quantile.
 *   This is what the pipelines' stratified design (strata by sector, weights N_h/n_h, fpc N_h;
 *   see design.ts and variance.ts) gives for a domain that is a stratum, or lies within one:
 *   every response in it has the same weight, so its linearised variance is the one of a simple
 *   random sample. It uses p(1 − p)/n where survey's linearisation, given the answers, would use
 *   the sample's own variance, p(1 − p)/(n − 1): the textbook planning formula, which the
 *   answers will differ from by less than the choice of 50 % already allows for. z rather than
 *   t: the degrees of freedom are not known until the answers are, and for a domain of 30 or
 *   more they change the width by under 4 %.
 * - Without a population size there is no fpc (N taken as infinite), as the pipelines do.
 * - The whole sample, when the sizes of its strata are known, is a stratified sample:
 *     half-width = z · sqrt(Σ_h (N_h/N)² · p(1 − p)/n_h · (1 − n_h/N_h)),
 *   so that a sector that is far behind its share widens it, as it will widen the weighted
 *   estimate. A stratum with no response yet makes it unknown (null): no estimate for the whole
 *   population can be made without one. The responses the whole sample needs are counted as for
 *   a sample spread in proportion to the strata's populations (then the stratified variance is
 *   the simple one), which is what the targets usually aim at.
 * - A domain of a question that is not the strata (tier, when the strata are sectors) mixes
 *   weights; its design effect from weighting is not known from counts alone, so it is treated
 *   as a simple random sample, a figure for the unweighted answers.
 * - Responses needed are rounded up to whole responses; "more" is never below zero.
 */
import qnorm from '@stdlib/stats-base-dists-normal-quantile';

export class PrecisionError extends Error {
  override name = 'PrecisionError';
}

/** The proportion assumed: the one with the widest interval. */
export const ASSUMED_PROPORTION = 0.5;

/** The normal quantile for a two-sided interval at `level`. */
export function zFor(level = 0.95): number {
  if (!(level > 0 && level < 1)) throw new PrecisionError(`the confidence level must be between 0 and 1, not ${level}`);
  return qnorm(1 - (1 - level) / 2, 0, 1);
}

function checkDomain(submitted: number, population: number | null | undefined): void {
  if (!Number.isInteger(submitted) || submitted < 0) throw new PrecisionError(`the number of responses must be a whole number from 0, not ${submitted}`);
  if (population === null || population === undefined) return;
  if (!(population > 0) || !Number.isFinite(population)) throw new PrecisionError(`a population size must be a positive number, not ${population}`);
  if (submitted > population) throw new PrecisionError(`${submitted} responses are more than the population of ${population}`);
}

/**
 * The half-width of the interval of a proportion of `p` from `submitted` responses of a simple
 * random sample from a population of `population` (none: no fpc); null with no response.
 */
export function halfWidth(submitted: number, population?: number | null, p = ASSUMED_PROPORTION, level = 0.95): number | null {
  checkDomain(submitted, population);
  if (submitted === 0) return null;
  const fpc = population ? 1 - submitted / population : 1;
  return zFor(level) * Math.sqrt(((p * (1 - p)) / submitted) * fpc);
}

/**
 * The responses a simple random sample needs for a half-width of at most `target` (a proportion:
 * 0.05 for ±5 points): n₀ = z²p(1 − p)/target², and with a population N, n₀/(1 + n₀/N).
 */
export function responsesNeeded(target: number, population?: number | null, p = ASSUMED_PROPORTION, level = 0.95): number {
  if (!(target > 0 && target < 1)) throw new PrecisionError(`the precision wanted must be between 0 and 1 (0.05 for ±5 points), not ${target}`);
  checkDomain(0, population);
  const z = zFor(level);
  const n0 = (z * z * p * (1 - p)) / (target * target);
  const n = population ? n0 / (1 + n0 / population) : n0;
  // A value a rounding error above a whole number is that number, not the next.
  return Math.ceil(n - 1e-9);
}

export interface DomainPrecision {
  /** Half-width now, as a proportion; null with no response yet. */
  halfWidth: number | null;
  /** Responses the domain needs in all for the target precision. */
  needed: number;
  /** How many more than it has: needed less submitted, never below zero. */
  more: number;
}

/** Precision now of one domain, and the responses it still needs for `target`. */
export function domainPrecision(submitted: number, population: number | null | undefined, target: number, level = 0.95): DomainPrecision {
  const needed = responsesNeeded(target, population, ASSUMED_PROPORTION, level);
  return { halfWidth: halfWidth(submitted, population, ASSUMED_PROPORTION, level), needed, more: Math.max(0, needed - submitted) };
}

export interface StratumCounts {
  submitted: number;
  population: number;
}

/**
 * Precision now of the whole sample as a stratified one, each stratum's population known; the
 * half-width is null while a stratum has no response.
 */
export function stratifiedPrecision(strata: readonly StratumCounts[], target: number, level = 0.95): DomainPrecision {
  if (strata.length === 0) throw new PrecisionError('a stratified sample needs at least one stratum');
  strata.forEach((s) => checkDomain(s.submitted, s.population));
  const N = strata.reduce((sum, s) => sum + s.population, 0);
  const submitted = strata.reduce((sum, s) => sum + s.submitted, 0);
  const pq = ASSUMED_PROPORTION * (1 - ASSUMED_PROPORTION);
  const variance = strata.some((s) => s.submitted === 0)
    ? null
    : strata.reduce((sum, s) => sum + (s.population / N) ** 2 * (pq / s.submitted) * (1 - s.submitted / s.population), 0);
  const needed = responsesNeeded(target, N, ASSUMED_PROPORTION, level);
  return { halfWidth: variance === null ? null : zFor(level) * Math.sqrt(variance), needed, more: Math.max(0, needed - submitted) };
}
