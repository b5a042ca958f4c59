// Precision now: the interval a proportion of 50 % would have with the responses so far, and the
// responses a domain still needs. Expected values are worked out here from the closed forms, with
// z written out (qnorm(0.975) in R: 1.959963984540054), not taken from the code under test.
import { describe, expect, it } from 'vitest';
import { domainPrecision, halfWidth, PrecisionError, responsesNeeded, stratifiedPrecision, zFor } from '../../src/analysis/precision.ts';

const Z = 1.959963984540054;

describe('the half-width of a proportion of 50 % within a domain', () => {
  it('is z·sqrt(0.25/n) without a population, 0.098 for 100 responses', () => {
    expect(zFor()).toBeCloseTo(Z, 12);
    expect(halfWidth(100)).toBeCloseTo(Z * 0.05, 12);
    expect(halfWidth(100)).toBeCloseTo(0.098, 3);
    expect(halfWidth(7)).toBeCloseTo(Z * Math.sqrt(0.25 / 7), 12);
  });

  it('narrows by the finite population correction when the population is known, to nothing when all answered', () => {
    expect(halfWidth(100, 400)).toBeCloseTo(Z * Math.sqrt((0.25 / 100) * (1 - 100 / 400)), 12);
    expect(halfWidth(100, 400)! < halfWidth(100)!).toBe(true);
    expect(halfWidth(400, 400)).toBe(0);
  });

  it('is unknown (null) with no response yet', () => {
    expect(halfWidth(0)).toBeNull();
    expect(halfWidth(0, 50)).toBeNull();
  });

  it('refuses more responses than the population, a population that is not positive, and a count that is not whole', () => {
    expect(() => halfWidth(11, 10)).toThrow(new PrecisionError('11 responses are more than the population of 10'));
    expect(() => halfWidth(1, 0)).toThrow(PrecisionError);
    expect(() => halfWidth(1.5)).toThrow(/whole number/);
    expect(() => halfWidth(-1)).toThrow(/whole number/);
  });
});

describe('the responses a domain needs', () => {
  it('is the whole number at or above z²·0.25/e²: 385 for ±5 points and 97 for ±10 without a population', () => {
    expect(responsesNeeded(0.05)).toBe(Math.ceil((Z * Z * 0.25) / 0.0025));
    expect(responsesNeeded(0.05)).toBe(385);
    expect(responsesNeeded(0.1)).toBe(97);
  });

  it('is n₀/(1 + n₀/N) rounded up with a population, and never more than the population', () => {
    const n0 = (Z * Z * 0.25) / 0.0025;
    expect(responsesNeeded(0.05, 1000)).toBe(Math.ceil(n0 / (1 + n0 / 1000)));
    expect(responsesNeeded(0.05, 1000)).toBe(278);
    expect(responsesNeeded(0.05, 50)).toBeLessThanOrEqual(50);
    expect(responsesNeeded(0.05, 50)).toBe(Math.ceil(n0 / (1 + n0 / 50)));
  });

  it('gives, with that many responses, a half-width at or under the target, and one fewer gives more', () => {
    for (const N of [undefined, 80, 1000, 52000]) {
      const n = responsesNeeded(0.05, N);
      expect(halfWidth(n, N)!).toBeLessThanOrEqual(0.05);
      expect(halfWidth(n - 1, N)!).toBeGreaterThan(0.05);
    }
  });

  it('refuses a precision wanted that is not between 0 and 1', () => {
    expect(() => responsesNeeded(0)).toThrow(PrecisionError);
    expect(() => responsesNeeded(5)).toThrow(/between 0 and 1/);
  });

  it('counts how many more a domain needs, never fewer than none', () => {
    expect(domainPrecision(100, null, 0.05)).toEqual({ halfWidth: expect.closeTo(Z * 0.05, 12), needed: 385, more: 285 });
    expect(domainPrecision(500, null, 0.05)).toEqual({ halfWidth: expect.closeTo(Z * Math.sqrt(0.25 / 500), 12), needed: 385, more: 0 });
    expect(domainPrecision(0, 1000, 0.05)).toEqual({ halfWidth: null, needed: 278, more: 278 });
  });
});

describe('the precision of the whole sample from strata of known population', () => {
  it('is z·sqrt(Σ (N_h/N)²·0.25/n_h·(1 − n_h/N_h)), wider when a stratum lags behind its share', () => {
    const strata = [
      { submitted: 40, population: 600 },
      { submitted: 10, population: 400 },
    ];
    const variance = (600 / 1000) ** 2 * (0.25 / 40) * (1 - 40 / 600) + (400 / 1000) ** 2 * (0.25 / 10) * (1 - 10 / 400);
    const result = stratifiedPrecision(strata, 0.05);
    expect(result.halfWidth).toBeCloseTo(Z * Math.sqrt(variance), 12);
    // The same 50 responses in proportion (30 and 20) give the simple random sample's width.
    const proportional = stratifiedPrecision([{ submitted: 30, population: 600 }, { submitted: 20, population: 400 }], 0.05);
    expect(proportional.halfWidth).toBeCloseTo(halfWidth(50, 1000)!, 12);
    expect(result.halfWidth!).toBeGreaterThan(proportional.halfWidth!);
    expect(result.needed).toBe(responsesNeeded(0.05, 1000));
    expect(result.more).toBe(responsesNeeded(0.05, 1000) - 50);
  });

  it('is unknown while a stratum has no response', () => {
    expect(stratifiedPrecision([{ submitted: 5, population: 100 }, { submitted: 0, population: 100 }], 0.05).halfWidth).toBeNull();
  });
});
