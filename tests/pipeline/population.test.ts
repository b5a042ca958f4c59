// Designs whose weights come from population counts in the pipeline (the service collects no
// weights): checked against R's survey package on the survey-reference data, whose own weight and
// population columns are ignored here (tests/fixtures/population-reference/make-reference.R).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { DesignError } from '../../src/analysis/design.ts';
import { estimateMeans } from '../../src/analysis/estimate.ts';
import type { Dataset } from '../../src/pipeline/dataset.ts';
import { designFor } from '../../src/pipeline/design-from-data.ts';
import { populationFromCsv, populationFromYaml } from '../../src/pipeline/population.ts';
import { formatProblem } from '../../src/shared/yaml-source.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const ref = JSON.parse(readFileSync(join(fixtures, 'population-reference', 'reference.json'), 'utf8'));
const rows = Papa.parse<Record<string, string>>(readFileSync(join(fixtures, 'survey-reference', 'data.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data;

const LEVELS: Record<string, string[]> = {
  sector: ['public', 'private', 'voluntary'],
  tier: ['front_line', 'first_line', 'middle', 'senior'],
  coaching: ['never_offered', 'offered', 'took_part'],
};
const dataset: Dataset = {
  n: rows.length,
  codes: new Map(Object.entries(LEVELS).map(([name, levels]) => [name, Int16Array.from(rows, (r) => levels.indexOf(r[name]!))])),
  levels: new Map(Object.entries(LEVELS)),
  numbers: new Map([['staff', Float64Array.from(rows, (r) => (r.staff === '' ? NaN : Number(r.staff)))]]),
  texts: new Map(),
};

const jointCsv = `sector,tier,count\n${ref.population.sector_tier.map((c: { sector: string; tier: string; count: number }) => `${c.sector},${c.tier},${c.count}`).join('\n')}\n`;
const joint = populationFromCsv(jointCsv, 'sector-tier.csv').population!;
const bySector = populationFromYaml({ sector: ref.population.sector });
const bySectorAndTier = populationFromYaml({ sector: ref.population.sector, tier: ref.population.tier });

const close = (actual: number, expected: number, tolerance: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));

const cases = [
  ['fpc_only', 'strata with population counts and no weights', designFor('individual', dataset, { strata: 'sector' }, bySector)],
  ['raked_tier', 'those strata raked to population counts by tier', designFor('individual', dataset, { strata: 'sector', rake: ['tier'] }, bySectorAndTier)],
  ['raked_joint', 'those strata raked to the sector × tier counts of a CSV', designFor('individual', dataset, { strata: 'sector', rake: ['sector+tier'] }, joint)],
] as const;

describe.each(cases)('a design of %s (%s)', (name, _what, result) => {
  const r = ref[name];

  it('gives every response the weight R gives it', () => {
    r.weights.forEach((w: number, i: number) => close(result.design.weights[i]!, w, 1e-9));
  });

  it('estimates a proportion and a mean with the standard errors R gives', () => {
    const coaching = estimateMeans(
      result.design,
      LEVELS.coaching!.map((level) => Float64Array.from(rows, (row) => (row.coaching === '' ? NaN : row.coaching === level ? 1 : 0))),
      rows.map((row) => row.coaching !== ''),
    );
    r.coaching.estimate.forEach((e: number, k: number) => close(coaching.estimates[k]!, e, 1e-6));
    r.coaching.se.forEach((se: number, k: number) => close(coaching.se[k]!, se, 1e-6));
    const staff = estimateMeans(result.design, [dataset.numbers.get('staff')!], rows.map((row) => row.staff !== ''));
    close(staff.estimates[0]!, r.staff.estimate, 1e-6);
    close(staff.se[0]!, r.staff.se, 1e-6);
  });
});

describe('weights from population counts per stratum', () => {
  it('weighs each response N_h / n_h and corrects for the finite population with N_h', () => {
    const { design, note } = cases[0][2];
    // public 4000 / 150, private 6000 / 90, voluntary 3000 / 160 (the fixture's sample sizes).
    const weightOf = (sector: string) => design.weights[rows.findIndex((row) => row.sector === sector)];
    expect(weightOf('public')).toBeCloseTo(4000 / 150, 12);
    expect(weightOf('private')).toBeCloseTo(6000 / 90, 12);
    expect(weightOf('voluntary')).toBeCloseTo(3000 / 160, 12);
    const fpc = Object.fromEntries(design.stratumNames.map((h, k) => [h, design.fpcFactor[k]]));
    expect(fpc).toEqual({ public: (4000 - 150) / 4000, private: (6000 - 90) / 6000, voluntary: (3000 - 160) / 3000 });
    expect(note).toBe("individual: 400 responses, weighted by each stratum's population over its responses (N_h / n_h, from the pipeline's population counts), stratified by sector, with a finite population correction per stratum.");
  });

  it('takes the strata sizes of a crossed table by adding up its cells', () => {
    expect(Array.from(cases[2][2].design.fpcFactor)).toEqual(Array.from(cases[0][2].design.fpcFactor));
  });

  it('refuses a stratum with responses and no population count, naming it', () => {
    expect(() => designFor('individual', dataset, { strata: 'sector' }, populationFromYaml({ sector: { public: 4000, private: 6000 } }))).toThrow(
      new DesignError('input individual: the population has no count for sector voluntary, which has responses'),
    );
  });

  it('refuses raking margins that count populations of different sizes', () => {
    expect(() => designFor('individual', dataset, { strata: 'sector', rake: ['tier'] }, populationFromYaml({ sector: ref.population.sector, tier: { ...ref.population.tier, senior: 1 } }))).toThrow(
      new DesignError('input individual: the population counts add up to different totals (sector 13000, tier 11401); they must count the same population'),
    );
  });
});

describe('reading a population CSV', () => {
  const problems = (text: string) => populationFromCsv(text, 'pop.csv').problems.map(formatProblem);

  it('reads each row as one cell of the population', () => {
    const read = populationFromCsv('sector,count\npublic,52000\n\nprivate,63000\n', 'pop.csv');
    expect(read.problems).toEqual([]);
    expect([...read.population!.tables[0]!.cells]).toEqual([['public', 52000], ['private', 63000]]);
  });

  it('reports every problem at its line, counting blank lines', () => {
    expect(problems('sector,count\npublic,52000\n\nprivate,lots\nvoluntary,\npublic,1\n,5\n')).toEqual([
      "pop.csv:4: the count 'lots' is not a positive number",
      "pop.csv:5: the count '' is not a positive number",
      'pop.csv:6: sector public is given twice (first on line 2)',
      'pop.csv:7: `sector` is empty; every row names a level of each variable',
    ]);
    expect(problems('sector,population\npublic,5\n')).toEqual(['pop.csv:1: the header has no `count` column (it has sector, population); the population of each row goes there']);
    expect(problems('count\n5\n')).toEqual(['pop.csv:1: the header names no variable beside `count`, such as `sector`']);
    expect(problems('sector,count\npublic,0\n')).toEqual(["pop.csv:2: the count '0' is not a positive number"]);
  });
});
