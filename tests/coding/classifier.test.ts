import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Codebook, type CodeInput } from '../../src/coding/codebook.ts';
import { trainCoder, type TrainingSegment } from '../../src/coding/classifier.ts';
import { assignFolds, crossValidate } from '../../src/coding/cross-validate.ts';
import { splitWords, stems } from '../../src/coding/tokens.ts';

const bundledText = readFileSync(new URL('../../pipelines/codebooks/leading-together.yaml', import.meta.url), 'utf8');
const bundled = Codebook.parse(parse(bundledText));

const book = (codes: CodeInput[]) => Codebook.parse({ id: 'garden', title: 'Garden', codes });
const garden = book([
  { id: 'roses', label: 'Roses', definition: 'Growing roses: pruning, feeding and blooms.', keywords: ['rose', 'pruning', 'bloom', 'thorn'] },
  { id: 'veg', label: 'Vegetables', definition: 'Growing vegetables for the kitchen.', keywords: ['carrot', 'potato', 'onion', 'harvest'] },
  { id: 'pests', label: 'Pests', definition: 'Slugs, aphids and other pests.', keywords: ['slug', 'aphid', 'snail', 'pest'] },
]);
const gardenTraining: TrainingSegment[] = [
  { id: 't1', text: 'I pruned the climbing roses hard this spring and they bloomed in June.', codes: ['roses'] },
  { id: 't2', text: 'The carrots and onions did well; we harvested potatoes all August.', codes: ['veg'] },
  { id: 't3', text: 'Feeding the roses with manure gave far more blooms.', codes: ['roses'] },
  { id: 't4', text: 'Our leeks and beans came up late but the harvest was good.', codes: ['veg'] },
];
const texts = [
  'The roses had black spot but still bloomed.',
  'We grew more potatoes than we could eat.',
  'Slugs ate half the lettuces overnight.',
  '',
  'the and of it',
  'Quantum chromodynamics is unrelated to gardening.',
];

describe('splitting text into words and stems', () => {
  it('splits hyphenated words and keeps the joined form, so that all three spellings meet', () => {
    expect(splitWords('Front-line staff')).toEqual(['front', 'line', 'frontline', 'staff']);
    expect(stems('frontline')).toEqual(stems('front-line').slice(-1));
  });

  it('straightens curly apostrophes and drops stop words, single letters and numbers', () => {
    expect(stems('The people’s leaders in 2010')).toEqual(['peopl', 'leader']);
  });
});

describe('suggesting codes', () => {
  it('gives identical suggestions, order and confidences included, from identical training', () => {
    const first = trainCoder(garden, gardenTraining);
    const second = trainCoder(garden, gardenTraining);
    const run = (model: typeof first) => texts.map((text, i) => model.suggest(text, `s${i}`));
    const once = run(first);
    expect(run(second)).toEqual(once);
    // A model remembers the words it has looked up; asking again must not change an answer.
    expect(run(first)).toEqual(once);
  });

  it('returns at least one suggestion for every segment, even one with no word the model knows', () => {
    const model = trainCoder(garden, gardenTraining);
    for (const text of texts) expect(model.suggest(text, 'x').length).toBeGreaterThanOrEqual(1);
    const one = trainCoder(garden, gardenTraining, { limit: 1 });
    for (const text of texts) expect(one.suggest(text, 'x')).toHaveLength(1);
  });

  it('marks every suggestion automatic, with its segment, and confidences in 0..1, best first, summing to 1', () => {
    const model = trainCoder(garden, gardenTraining);
    for (const text of texts) {
      const rows = model.suggest(text, 'seg-1');
      expect(rows.map((r) => r.code).sort()).toEqual(['pests', 'roses', 'veg']);
      for (const row of rows) {
        expect(row.origin).toBe('auto');
        expect(row.segmentId).toBe('seg-1');
        expect(row.confidence).toBeGreaterThanOrEqual(0);
        expect(row.confidence).toBeLessThanOrEqual(1);
      }
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.confidence).toBeLessThanOrEqual(rows[i - 1]!.confidence);
      expect(rows.reduce((sum, r) => sum + r.confidence, 0)).toBeCloseTo(1, 12);
    }
  });

  it('suggests what the training taught it', () => {
    const model = trainCoder(garden, gardenTraining);
    expect(model.suggest(texts[0]!, 'a')[0]!.code).toBe('roses');
    expect(model.suggest(texts[1]!, 'b')[0]!.code).toBe('veg');
  });

  it('suggests a code that no training segment carries, from its codebook text alone, for text with its keywords', () => {
    const model = trainCoder(garden, gardenTraining);
    const [best] = model.suggest('Slugs ate half the lettuces overnight.', 'c');
    expect(best!.code).toBe('pests');
    expect(best!.confidence).toBeGreaterThan(0.5);
  });

  it('codes from the codebook alone when there is no training at all', () => {
    const model = trainCoder(garden, []);
    expect(model.suggest('Aphids and snails everywhere', 'd')[0]!.code).toBe('pests');
    expect(model.suggest('A fine harvest of carrots', 'e')[0]!.code).toBe('veg');
  });

  it('does not let a code’s exclusion rules pull text toward it', () => {
    const withExclusion = book([
      { id: 'roses', label: 'Roses', definition: 'Growing roses.', keywords: ['rose', 'pruning'], exclude: ['Slugs, snails and aphids eating the roses: code pests.'] },
      { id: 'pests', label: 'Pests', definition: 'Pests in the garden.', keywords: ['pest', 'slug'] },
    ]);
    const without = book([
      { id: 'roses', label: 'Roses', definition: 'Growing roses.', keywords: ['rose', 'pruning'] },
      { id: 'pests', label: 'Pests', definition: 'Pests in the garden.', keywords: ['pest', 'slug'] },
    ]);
    for (const text of ['snails and aphids eating the roses', 'slugs, snails and aphids']) {
      expect(trainCoder(withExclusion, []).suggest(text, 'f')).toEqual(trainCoder(without, []).suggest(text, 'f'));
    }
    expect(trainCoder(withExclusion, []).suggest('slugs, snails and aphids', 'f')[0]!.code).toBe('pests');
  });

  it('counts keywords above the other codebook text', () => {
    const twoCodes = book([
      { id: 'a', label: 'A', definition: 'Mentions of compost now and then.', keywords: ['mulch'] },
      { id: 'b', label: 'B', definition: 'Mentions of mulch now and then.', keywords: ['compost'] },
    ]);
    expect(trainCoder(twoCodes, []).suggest('compost', 'g')[0]!.code).toBe('b');
    expect(trainCoder(twoCodes, [], { keywordWeight: 0 }).suggest('compost', 'g')[0]!.code).toBe('a');
  });

  it('breaks ties by the codebook’s order', () => {
    const model = trainCoder(garden, []);
    const rows = model.suggest('nothing here is known', 'h');
    expect(rows.map((r) => r.code)).toEqual(['roses', 'veg', 'pests']);
    expect(new Set(rows.map((r) => r.confidence)).size).toBe(1);
  });

  it('lets a child code’s training count toward its parent, and not the other way round', () => {
    const nested = book([
      { id: 'flowers', label: 'Flowers', children: [{ id: 'tulips', label: 'Tulips' }] },
      { id: 'trees', label: 'Trees' },
    ]);
    const training = [{ id: 'x1', text: 'tulip bulbs planted deep in autumn', codes: ['tulips'] }];
    const confidenceOf = (model: ReturnType<typeof trainCoder>, code: string) => model.suggest('bulbs in autumn', 'i').find((r) => r.code === code)!.confidence;
    const shared = trainCoder(nested, training);
    const unshared = trainCoder(nested, training, { parentShare: 0 });
    expect(confidenceOf(shared, 'flowers')).toBeGreaterThan(confidenceOf(unshared, 'flowers'));
    expect(confidenceOf(shared, 'flowers')).toBeGreaterThan(confidenceOf(shared, 'trees'));
    const fromParent = trainCoder(nested, [{ id: 'x2', text: 'tulip bulbs planted deep in autumn', codes: ['flowers'] }]);
    expect(confidenceOf(fromParent, 'tulips')).toBeCloseTo(confidenceOf(fromParent, 'trees'), 12);
  });

  it('refuses training that names a code the codebook does not have, naming the segment and the code', () => {
    expect(() => trainCoder(garden, [...gardenTraining, { id: 'q-17', text: 'Weeds everywhere', codes: ['weeds'] }])).toThrow(
      new Error('training segment "q-17" is coded "weeds", which codebook "garden" does not have'),
    );
  });

  it('refuses options that are not numbers of 0 or more', () => {
    expect(() => trainCoder(garden, [], { keywordWeight: -1 })).toThrow(RangeError);
    expect(() => trainCoder(garden, [], { smoothing: 0 })).toThrow(/smoothing/);
    expect(() => trainCoder(garden, [], { limit: 0 })).toThrow(/limit/);
  });
});

describe('cross-validating', () => {
  const segments: TrainingSegment[] = Array.from({ length: 12 }, (_, i) => ({
    id: `s${String(i).padStart(2, '0')}`,
    text: ['pruning the roses', 'a harvest of carrots', 'slugs on the lettuces'][i % 3]!,
    codes: [['roses', 'veg', 'pests'][i % 3]!],
  }));

  it('deals each code’s segments round the folds in id order, whatever order they come in', () => {
    const folds = assignFolds(garden, segments, 4);
    expect(assignFolds(garden, [...segments].reverse(), 4)).toEqual([...folds].reverse());
    for (const code of ['roses', 'veg', 'pests']) {
      const used = segments.flatMap((s, i) => (s.codes[0] === code ? [folds[i]] : []));
      expect(new Set(used).size).toBe(4);
    }
  });

  it('reports kappa, accuracy, the majority baseline and one row per code', () => {
    const evaluation = crossValidate(garden, segments, { folds: 4 });
    expect(evaluation).toMatchObject({ folds: 4, units: 12, kappa: 1, accuracy: 1 });
    expect(evaluation.majority).toEqual({ code: 'roses', accuracy: 4 / 12 });
    expect(evaluation.perCode.map((row) => [row.code, row.support, row.precision, row.recall, row.f1])).toEqual([
      ['roses', 4, 1, 1, 1],
      ['veg', 4, 1, 1, 1],
      ['pests', 4, 1, 1, 1],
    ]);
  });

  it('counts a top suggestion as right when it is any of a segment’s human codes', () => {
    const multi = segments.map((s) => ({ ...s, codes: s.codes[0] === 'pests' ? ['roses', 'pests'] : s.codes }));
    const evaluation = crossValidate(garden, multi, { folds: 4 });
    expect(evaluation.accuracy).toBe(1);
    expect(evaluation.kappa).toBe(1);
  });

  it('refuses a fold count outside 2 to the number of segments, and a segment with no code', () => {
    expect(() => crossValidate(garden, segments, { folds: 1 })).toThrow(RangeError);
    expect(() => crossValidate(garden, segments, { folds: 13 })).toThrow(RangeError);
    expect(() => crossValidate(garden, [...segments, { id: 'bare', text: 'x', codes: [] }], { folds: 2 })).toThrow(/"bare" has no code/);
  });
});

describe('the bundled Leading Together codebook', () => {
  it('is a valid codebook with the five themes of the 2010 review, in order', () => {
    expect(bundled.id).toBe('leading-together');
    expect(bundled.codes.map((code) => code.id)).toEqual(['all-levels', 'authority', 'whole-systems', 'collaborative', 'complexity']);
  });

  it('gives every theme a definition, 2-4 inclusion rules, 1-3 exclusion rules naming other themes, 2-4 examples and 10-30 keywords', () => {
    const ids = bundled.codes.map((code) => code.id);
    for (const code of bundled.codes) {
      expect(code.definition.length).toBeGreaterThan(100);
      expect(code.include.length).toBeGreaterThanOrEqual(2);
      expect(code.include.length).toBeLessThanOrEqual(4);
      expect(code.exclude.length).toBeGreaterThanOrEqual(1);
      expect(code.exclude.length).toBeLessThanOrEqual(3);
      for (const rule of code.exclude) expect(ids.filter((id) => id !== code.id).some((id) => rule.includes(id))).toBe(true);
      expect(code.examples.length).toBeGreaterThanOrEqual(2);
      expect(code.examples.length).toBeLessThanOrEqual(4);
      expect(code.keywords.length).toBeGreaterThanOrEqual(10);
      expect(code.keywords.length).toBeLessThanOrEqual(30);
      expect(new Set(code.keywords).size).toBe(code.keywords.length);
    }
  });

  it('codes each theme’s own examples as that theme from the codebook alone', () => {
    const model = trainCoder(bundled, []);
    for (const code of bundled.codes) for (const example of code.examples) expect(model.suggest(example, 'ex')[0]!.code).toBe(code.id);
  });
});
