import { describe, expect, it } from 'vitest';
import {
  baseText,
  dfText,
  estimateText,
  fixed,
  formatCount,
  formatDeff,
  formatEstimate,
  formatPValue,
  formatStatistic,
  interval,
  meanNumber,
  percent,
  pText,
} from '../../src/report/format.ts';
import { testSentence } from '../../src/report/labels.ts';

describe('the CSV formats', () => {
  it('prints proportions, means, standard errors and bounds with six decimal places', () => {
    expect(formatEstimate(0.5213)).toBe('0.521300');
    expect(formatEstimate(143.2)).toBe('143.200000');
    expect(formatEstimate(0.0289112345)).toBe('0.028911');
  });

  it('prints design effects with four decimal places and counts as whole numbers', () => {
    expect(formatDeff(1.38)).toBe('1.3800');
    expect(formatCount(412)).toBe('412');
    expect(formatCount(1234567)).toBe('1234567');
  });

  it('prints test statistics and degrees of freedom with four decimal places', () => {
    expect(formatStatistic(5.5312)).toBe('5.5312');
    expect(formatStatistic(2390.47)).toBe('2390.4700');
  });

  it('prints p-values with four significant digits, in exponent form when they are tiny', () => {
    expect(formatPValue(4.01393e-7)).toBe('4.014e-7');
    expect(formatPValue(0.0456789)).toBe('0.04568');
    expect(formatPValue(1)).toBe('1.000');
  });

  it('prints null, NaN and infinities as an empty string', () => {
    for (const format of [formatEstimate, formatDeff, formatCount, formatStatistic, formatPValue]) {
      expect(format(null)).toBe('');
      expect(format(Number.NaN)).toBe('');
      expect(format(Number.POSITIVE_INFINITY)).toBe('');
    }
  });

  it('never prints a negative zero for a value that rounds to zero from below', () => {
    expect(formatEstimate(-1e-9)).toBe('0.000000');
    expect(fixed(-0.04, 1)).toBe('0.0');
    expect(formatEstimate(-0.25)).toBe('-0.250000');
  });

  it('groups no digits, whatever the locale, because it never asks the locale', () => {
    expect(formatEstimate(1234567.5)).toBe('1234567.500000');
    expect(percent(0.99999)).toBe('100.0%');
  });
});

describe('the formats a reader sees', () => {
  it('prints a proportion as a percentage with one decimal place', () => {
    expect(percent(0.4301)).toBe('43.0%');
    expect(percent(0.0561)).toBe('5.6%');
    expect(estimateText(0.7285, 'proportion')).toBe('72.9%');
  });

  it('prints an interval in brackets with an en dash, or with "to" when a bound is negative', () => {
    expect(interval(0.381, 0.48, 'proportion')).toBe('(38.1–48.0)');
    expect(interval(106.6358, 179.7642, 'mean')).toBe('(106.6–179.8)');
    expect(interval(-1.23, 3.4, 'mean')).toBe('(−1.2 to 3.4)');
    expect(interval(null, 0.4, 'proportion')).toBe('');
  });

  it('prints a mean with one decimal place and a true minus sign', () => {
    expect(meanNumber(143.2)).toBe('143.2');
    expect(meanNumber(-2.5)).toBe('−2.5');
  });

  it('prints degrees of freedom whole from 100 up and with up to two decimals below', () => {
    expect(dfText(8.25)).toBe('8.25');
    expect(dfText(3)).toBe('3');
    expect(dfText(5.8734)).toBe('5.87');
    expect(dfText(10.5)).toBe('10.5');
    expect(dfText(3110.25)).toBe('3110');
  });

  it('prints a p-value below a thousandth as p < 0.001 and others with three decimals', () => {
    expect(pText(4.01393e-7)).toBe('p < 0.001');
    expect(pText(0.0234)).toBe('p = 0.023');
    expect(pText(0.5)).toBe('p = 0.500');
  });

  it('prints a base as n= and a whole number', () => {
    expect(baseText(412)).toBe('n=412');
  });

  it('words a Rao–Scott test as a statistics office prints it', () => {
    const test = { table: 't', panel: 'all', statistic: 'F', ndf: 8.25, ddf: 3110.25, value: 5.5312, p_value: 0.0000401 };
    expect(testSentence(test)).toBe('Rao–Scott F = 5.53 on 8.25 and 3110 df, p < 0.001');
    expect(testSentence({ ...test, statistic: 'Chisq', ndf: 3, ddf: null, value: 12.345, p_value: 0.0063 })).toBe('Rao–Scott χ² = 12.35 on 3 df, p = 0.006');
  });
});
