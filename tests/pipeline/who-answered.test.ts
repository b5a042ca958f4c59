// "Who answered" from a dataset and its design: unweighted counts beside weighted shares, rates
// from invitations, and caveats written from the figures when a group is small.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeDesign } from '../../src/analysis/design.ts';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import type { Instrument } from '../../src/instrument/schema.ts';
import type { Dataset } from '../../src/pipeline/dataset.ts';
import { marginPoints, whoAnsweredInput, whoAnsweredNote, type WhoAnsweredSource } from '../../src/pipeline/who-answered.ts';
import { whoAnsweredCsv } from '../../src/report/csv.ts';

const root = join(import.meta.dirname, '..', '..');
const SECTORS = ['public', 'private', 'voluntary'];
const TIERS = ['front_line', 'first_line', 'middle', 'senior'];
// 120 public, 30 private, 50 voluntary respondents; 5 of them gave no tier.
const SECTOR_COUNTS = [120, 30, 50];
const POPULATION = { public: 52000, private: 63000, voluntary: 75000 };
const SPEC = { by: ['sector', 'tier'], small_base: 100 };

let instrument: Instrument;
beforeAll(async () => {
  instrument = (await loadInstrumentFile(join(root, 'surveys', 'leadership-individual.yaml'))).instrument;
});

function source(invited?: WhoAnsweredSource['invited']): WhoAnsweredSource {
  const sector = SECTOR_COUNTS.flatMap((n, k) => new Array<number>(n).fill(k));
  const n = sector.length;
  const tier = sector.map((_, i) => (i < 5 ? -1 : i % TIERS.length));
  const dataset: Dataset = {
    n,
    codes: new Map([
      ['sector', Int16Array.from(sector)],
      ['tier', Int16Array.from(tier)],
    ]),
    levels: new Map([
      ['sector', SECTORS],
      ['tier', TIERS],
    ]),
    numbers: new Map(),
    texts: new Map(),
  };
  const names = sector.map((k) => SECTORS[k]!);
  const populationOf = names.map((s) => POPULATION[s as keyof typeof POPULATION]);
  const design = makeDesign({ weights: names.map((s, i) => populationOf[i]! / SECTOR_COUNTS[SECTORS.indexOf(s)]!), strata: names, population: populationOf });
  return { input: 'individual', instrument, dataset, design, strata: 'sector', ...(invited ? { invited } : {}) };
}

describe('who answered a survey', () => {
  it('counts respondents unweighted beside the weighted shares, a stratum’s share fixed by its population with no interval', () => {
    const who = whoAnsweredInput(source(), 'Individual survey', SPEC);
    expect(who).toMatchObject({ input: 'individual', title: 'Individual survey', unit: 'people', respondents: 200, invited: null, rate: null });
    const sector = who.breakdowns.find((b) => b.question === 'sector')!;
    expect(sector.levels.map((l) => [l.id, l.respondents, l.share])).toEqual([
      ['public', 120, 0.6],
      ['private', 30, 0.15],
      ['voluntary', 50, 0.25],
    ]);
    for (const level of sector.levels) {
      expect(level.fixed, level.id).toBe(true);
      expect(level.weighted).toBeCloseTo(POPULATION[level.id as keyof typeof POPULATION] / 190000, 9);
      expect([level.ci_low, level.ci_high, level.invited, level.rate]).toEqual([null, null, null, null]);
    }
    // A tier is estimated, not fixed: it has an interval around its weighted share.
    const tier = who.breakdowns.find((b) => b.question === 'tier')!;
    expect(tier.unanswered).toBe(5);
    expect(tier.levels.reduce((s, l) => s + l.respondents, 0)).toBe(195);
    for (const level of tier.levels) {
      expect(level.fixed).toBe(false);
      expect(level.ci_low!).toBeLessThan(level.weighted!);
      expect(level.ci_high!).toBeGreaterThan(level.weighted!);
    }
  });

  it('writes a caveat for each group under the small-base rule, with its interval’s width and how far weighting lifts it', () => {
    const who = whoAnsweredInput(source(), 'Individual survey', SPEC);
    const small = who.breakdowns.flatMap((b) => b.levels.filter((l) => l.small).map((l) => l.id));
    // Private (30) and voluntary (50) sectors, and every tier (about 49 each), are under 100.
    expect(small).toEqual(['private', 'voluntary', ...TIERS]);
    const privateCaveat = who.caveats.find((c) => c.startsWith('Private:'))!;
    expect(privateCaveat).toContain(`only 30 respondents. Estimates for this group rest on a small base: a percentage near 50% from 30 respondents has a 95% interval of about ±${marginPoints(30)} points.`);
    expect(privateCaveat).toContain('they are 15.0% of those who answered, and 33.2% of the weighted estimates.');
    // A tier's weighted share is close to its unweighted one: no weighting sentence.
    expect(who.caveats.find((c) => c.startsWith('Front line:'))).toMatch(/^Front line: only \d+ respondents\. [^W]+$/);
    expect(who.caveats.some((c) => c.startsWith('Public:'))).toBe(false);
    const none = whoAnsweredInput(source(), 'Individual survey', { ...SPEC, small_base: 20 });
    expect(none.caveats).toEqual([]);
  });

  it('gives each group its response rate from the invitations whose attributes place them there', () => {
    const who = whoAnsweredInput(
      source({ total: 1000, by: { sector: [{ value: 'public', invited: 240 }, { value: 'private', invited: 600 }, { value: 'voluntary', invited: 100 }, { value: null, invited: 60 }] } }),
      'Individual survey',
      SPEC,
    );
    expect(who.invited).toBe(1000);
    expect(who.rate).toBeCloseTo(0.2, 12);
    const sector = who.breakdowns.find((b) => b.question === 'sector')!;
    expect(sector.levels.map((l) => [l.id, l.invited, l.rate])).toEqual([
      ['public', 240, 0.5],
      ['private', 600, 0.05],
      ['voluntary', 100, 0.5],
    ]);
    expect(sector.invitedElsewhere).toBe(60);
    expect(who.caveats.find((c) => c.startsWith('Private:'))).toContain('only 30 respondents, a response rate of 5.0% of the 600 invited.');
    // Invitations that name no tier leave the tiers without rates rather than with rates of zero.
    const tier = who.breakdowns.find((b) => b.question === 'tier')!;
    expect(tier.levels.every((l) => l.invited === null && l.rate === null)).toBe(true);
    const csv = whoAnsweredCsv([who]);
    expect(csv.split('\n').slice(0, 3)).toEqual([
      'input,question,level,respondents,share,weighted,ci_low,ci_high,weighted_from,invited,response_rate',
      'individual,all,all,200,,,,,,1000,0.200000',
      'individual,sector,public,120,0.600000,0.273684,,,population,240,0.500000',
    ]);
  });

  it('states the caveat rule with the half-width it implies at the chosen base', () => {
    expect(marginPoints(100)).toBe(10);
    expect(marginPoints(400)).toBe(5);
    expect(whoAnsweredNote(SPEC)).toContain('fewer than 100 respondents');
    expect(whoAnsweredNote(SPEC)).toContain('(±10 points at 100)');
    expect(whoAnsweredNote({ ...SPEC, small_base: 1000 })).toContain('(±3 points at 1,000)');
  });
});
