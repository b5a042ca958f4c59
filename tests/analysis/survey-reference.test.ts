// tapestry's estimators against R's survey package, on the committed fixtures made by
// tests/fixtures/survey-reference/make-reference.R (estimates, SEs and deffs to 1e-6; interval
// bounds and p-values to 1e-4).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { makeDesign, type Design } from '../../src/analysis/design.ts';
import { estimateCategorical, estimateMeans } from '../../src/analysis/estimate.ts';
import { betaInterval, logitInterval, wilsonInterval } from '../../src/analysis/intervals.ts';
import { rake } from '../../src/analysis/rake.ts';
import { raoScott } from '../../src/analysis/rao-scott.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'survey-reference');
const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
const rows = Papa.parse<Record<string, string>>(readFileSync(join(dir, 'data.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data;
const levels: Record<string, string[]> = ref.meta.factor_levels;
const column = (name: string) => rows.map((r) => r[name]!);
const numeric = (name: string) => Float64Array.from(rows, (r) => (r[name] === '' ? NaN : Number(r[name])));
const indicator = (name: string, level: string) => Float64Array.from(rows, (r) => (r[name] === '' ? NaN : r[name] === level ? 1 : 0));
const answered = (name: string, extra: (i: number) => boolean = () => true) => rows.map((r, i) => r[name] !== '' && extra(i));

const close = (actual: number, expected: number, tolerance: number) => {
  // Relative for large values (weights, F's ddf), absolute for proportions and p-values.
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
};

const weights = Array.from(numeric('weight'));
const sector = column('sector');
const tier = column('tier');
const raking = rake(
  weights,
  [
    { name: 'sector', groups: sector, totals: ref.designs.raked.rake.population_margins.sector },
    { name: 'tier', groups: tier, totals: ref.designs.raked.rake.population_margins.tier },
  ],
  { epsilon: 1e-12, maxIterations: 100 },
);
const designs: Record<string, Design> = {
  unstratified: makeDesign({ weights }),
  stratified_fpc: makeDesign({ weights, strata: sector, population: Array.from(numeric('population')) }),
  raked: makeDesign({ weights: Array.from(raking.weights), calibration: [sector, tier] }),
};

describe('raking agrees with survey::rake', () => {
  it('reaches the same weights in the same number of passes', () => {
    expect(raking.converged).toBe(true);
    expect(raking.iterations).toBe(ref.designs.raked.rake.passes);
    ref.designs.raked.rake.final_weights.forEach((w: number, i: number) => close(raking.weights[i]!, w, 1e-9));
  });
});

describe.each(Object.keys(designs))('the %s design agrees with R', (name) => {
  const design = designs[name]!;
  const r = ref.designs[name];
  const coachingColumns = levels.coaching!.map((l) => indicator('coaching', l));

  it('estimates the proportion in each category of a single-choice question, with SE and deff', () => {
    const result = estimateMeans(design, coachingColumns, answered('coaching'));
    expect(result.n).toBe(r.coaching.n);
    close(result.weightedN, r.coaching.weighted_n, 1e-9);
    r.coaching.categories.forEach((c: { estimate: number; se: number; deff: number }, k: number) => {
      close(result.estimates[k]!, c.estimate, 1e-6);
      close(result.se[k]!, c.se, 1e-6);
      close(result.deff[k]!, c.deff, 1e-6);
    });
  });

  it.each(['qual_type.svq', 'qual_type.academic', 'staff'])('estimates %s (a multiple-response option or a mean) with SE and deff', (variable) => {
    const result = estimateMeans(design, [numeric(variable)], answered(variable));
    expect(result.n).toBe(r[variable].n);
    close(result.estimates[0]!, r[variable].estimate, 1e-6);
    close(result.se[0]!, r[variable].se, 1e-6);
    close(result.deff[0]!, r[variable].deff, 1e-6);
  });

  it('gives the same figures from option codes as from indicator columns', () => {
    const codes = Int16Array.from(rows, (r) => levels.coaching!.indexOf(r.coaching!));
    for (const keep of [answered('coaching'), answered('coaching', (i) => tier[i] === 'senior' && sector[i] === 'private')]) {
      const fromCodes = estimateCategorical(design, codes, levels.coaching!.length, keep);
      const fromColumns = estimateMeans(design, coachingColumns, keep);
      expect(fromCodes.n).toBe(fromColumns.n);
      expect(fromCodes.sums).toEqual(fromColumns.sums);
      fromColumns.estimates.forEach((p, k) => {
        close(fromCodes.estimates[k]!, p, 1e-12);
        close(fromCodes.se[k]!, fromColumns.se[k]!, 1e-12);
        close(fromCodes.deff[k]!, fromColumns.deff[k]!, 1e-9);
        fromColumns.covariance[k]!.forEach((v, j) => close(fromCodes.covariance[k]![j]!, v, 1e-12));
      });
    }
  });

  it('estimates each domain of one variable and of two crossed', () => {
    for (const key of ['domains_tier', 'domains_tier_sector']) {
      for (const row of r[key].rows as { tier: string; sector?: string; category: string; estimate: number; se: number; deff: number; n: number }[]) {
        const keep = answered('coaching', (i) => tier[i] === row.tier && (row.sector === undefined || sector[i] === row.sector));
        const result = estimateMeans(design, coachingColumns, keep);
        const k = levels.coaching!.indexOf(row.category);
        expect(result.n).toBe(row.n);
        close(result.estimates[k]!, row.estimate, 1e-6);
        close(result.se[k]!, row.se, 1e-6);
        close(result.deff[k]!, row.deff, 1e-6);
      }
    }
  });

  it('gives the logit and beta intervals of svyciprop, and the design-based Wilson interval computed in R, overall and in each domain', () => {
    const tookPart = indicator('coaching', 'took_part');
    const cases = [{ keep: answered('coaching'), expected: r.ciprop_took_part.overall }].concat(
      r.ciprop_took_part.by_tier.map((row: { tier: string }) => ({ keep: answered('coaching', (i) => tier[i] === row.tier), expected: row })),
    );
    for (const { keep, expected } of cases) {
      const result = estimateMeans(design, [tookPart], keep);
      expect(result.df).toBe(expected.degf);
      expect(result.designRows).toBe(expected.nrow_design);
      const input = { p: result.estimates[0]!, se: result.se[0]!, df: result.df, designRows: result.designRows };
      const logit = logitInterval(input);
      close(logit.low, expected.methods.logit.ci_low, 1e-4);
      close(logit.high, expected.methods.logit.ci_high, 1e-4);
      const beta = betaInterval(input);
      close(beta.low, expected.methods.beta.ci_low, 1e-4);
      close(beta.high, expected.methods.beta.ci_high, 1e-4);
      // survey has no Wilson interval; the reference is the design-based Wilson interval computed
      // in R from survey's estimate, SE and degrees of freedom (see make-reference.R).
      const wilson = wilsonInterval(input);
      close(input.p, expected.wilson.estimate, 1e-6);
      close(input.se, expected.wilson.se, 1e-6);
      close(wilson.low, expected.wilson.ci_low, 1e-4);
      close(wilson.high, expected.wilson.ci_high, 1e-4);
    }
  });

  // Each case is svychisq(~rows + cols, subset(design, both answered)): the test on a domain of
  // the whole design, so strata sizes, fpc and raking are the full sample's. Two of them are not
  // square (4 × 3, 3 × 4), where a wrong contrast basis shows; one has nothing missing.
  it.each([
    ['tier', 'stage', 'chisq_tier_stage'],
    ['coaching', 'stage', 'chisq_coaching_stage'],
    ['tier', 'coaching', 'chisq_tier_coaching'],
    ['tier', 'sector', 'chisq_tier_sector'],
  ])('gives the Rao–Scott test of svychisq for %s by %s on the rows that answered both, as a domain of the whole design', (rowVariable, columnVariable, key) => {
    const rowLevels = levels[rowVariable]!;
    const columnLevels = levels[columnVariable]!;
    const keep = answered(rowVariable, (i) => rows[i]![columnVariable] !== '');
    // Cells with the row variable varying fastest, as svychisq orders them.
    const columns = columnLevels.flatMap((b) => rowLevels.map((a) => Float64Array.from(rows, (row) => (row[rowVariable] === a && row[columnVariable] === b ? 1 : 0))));
    const result = estimateMeans(design, columns, keep);
    const expected = r[key];
    expect(result.n).toBe(expected.n);
    expect(result.designRows).toBe(expected.weighted_table_scaled_to_N.N);
    close(result.designDf, expected.F.nu, 1e-9);
    const cells = rowLevels.map((_, i) => columnLevels.map((_, j) => result.estimates[i + j * rowLevels.length]!));
    const test = raoScott({ cells, covariance: result.covariance, designRows: result.designRows, df: result.designDf });
    close(test.F, expected.F.statistic, 1e-6);
    close(test.ndf, expected.F.ndf, 1e-6);
    close(test.ddf, expected.F.ddf, 1e-6);
    close(test.pValue, expected.F.p_value, 1e-4);
    // Small p-values keep their digits rather than rounding to 0 (reports print them).
    expect(test.pValue / expected.F.p_value).toBeCloseTo(1, 4);
    close(test.chisq, expected.Chisq.statistic, 1e-6);
    expect(test.chisqDf).toBe(expected.Chisq.df);
    close(test.chisqPValue, expected.Chisq.p_value, 1e-4);
    expect(test.chisqPValue / expected.Chisq.p_value).toBeCloseTo(1, 4);
  });
});
