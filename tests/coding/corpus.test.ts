// Automatic coding on real material: the 37 focus-group quotes of the 2010 review, each placed
// under one of the five themes by the review's authors. The file lives outside the project and is
// read here, never copied in, so that nothing in tapestry is fitted to these particular quotes.
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cohenKappa } from '../../src/coding/agreement.ts';
import { Codebook } from '../../src/coding/codebook.ts';
import { trainCoder, type TrainingSegment } from '../../src/coding/classifier.ts';
import { assignFolds, crossValidate } from '../../src/coding/cross-validate.ts';
import { CORPUS, HAVE_CORPUS, warnIfNoCorpus } from '../support/corpus.ts';

const codebookText = readFileSync(new URL('../../pipelines/codebooks/leading-together.yaml', import.meta.url), 'utf8');
const codebook = Codebook.parse(parse(codebookText));
warnIfNoCorpus("the tests on the 2010 review's quotes");
const csv = Papa.parse<Record<string, string>>(HAVE_CORPUS ? readFileSync(CORPUS, 'utf8') : '', { header: true, skipEmptyLines: true });
const quotes: TrainingSegment[] = csv.data.map((row) => ({ id: row.quote_id!, text: row.text!, codes: [row.theme!] }));

// Floors are the figures measured with the default options, less a margin of about one or two
// quotes' worth (one quote moves kappa by about 0.03 on 37).
describe.skipIf(!HAVE_CORPUS)('coding the focus-group quotes of the 2010 review', () => {
  it('reads all 37 quotes, each under one of the codebook’s themes', () => {
    expect(csv.errors).toEqual([]);
    expect(quotes).toHaveLength(37);
    const ids = codebook.codes.map((code) => code.id);
    for (const quote of quotes) expect(ids).toContain(quote.codes[0]);
  });

  it('agrees with the authors well beyond chance under five-fold cross-validation (kappa 0.723 measured)', () => {
    const evaluation = crossValidate(codebook, quotes, { folds: 5 });
    expect(evaluation.units).toBe(37);
    expect(evaluation.kappa!).toBeGreaterThan(0.66);
    // Always suggesting the commonest theme scores kappa 0 and 10 of 37 right.
    expect(evaluation.kappa!).toBeGreaterThan(0);
    expect(evaluation.majority.accuracy).toBeCloseTo(10 / 37, 12);
    expect(evaluation.accuracy).toBeGreaterThan(evaluation.majority.accuracy + 0.4);
    // Confidences are meant as probabilities: on average, close to how often the top one is right.
    expect(Math.abs(evaluation.meanConfidence - evaluation.accuracy)).toBeLessThan(0.15);
    for (const row of evaluation.perCode) expect(row.recall).toBeGreaterThan(0);
  });

  it('agrees about as well when each quote is left out in turn (kappa 0.687 measured)', () => {
    expect(crossValidate(codebook, quotes, { folds: quotes.length }).kappa!).toBeGreaterThan(0.63);
  });

  it('agrees with the authors from the codebook alone, with no quote to learn from (kappa 0.498 measured)', () => {
    const model = trainCoder(codebook, []);
    const suggested = quotes.map((quote) => model.suggest(quote.text, quote.id)[0]!.code);
    expect(cohenKappa(suggested, quotes.map((quote) => quote.codes[0]!)).kappa!).toBeGreaterThan(0.44);
  });

  it('learns from the quotes: cross-validated agreement beats the codebook alone', () => {
    const model = trainCoder(codebook, []);
    const alone = cohenKappa(
      quotes.map((quote) => model.suggest(quote.text, quote.id)[0]!.code),
      quotes.map((quote) => quote.codes[0]!),
    ).kappa!;
    expect(crossValidate(codebook, quotes, { folds: 5 }).kappa!).toBeGreaterThan(alone + 0.1);
  });

  it('deals the quotes into five folds of 7 or 8, each theme spread over as many folds as it has quotes', () => {
    const folds = assignFolds(codebook, quotes, 5);
    const sizes = [0, 1, 2, 3, 4].map((k) => folds.filter((f) => f === k).length);
    expect(sizes.sort()).toEqual([7, 7, 7, 8, 8]);
    for (const code of codebook.codes) {
      const used = quotes.flatMap((quote, i) => (quote.codes[0] === code.id ? [folds[i]] : []));
      expect(new Set(used).size).toBe(Math.min(5, used.length));
    }
  });

  it('keeps the quotes out of the codebook: no run of five words is shared', () => {
    const words = (text: string) => text.toLowerCase().replace(/[‘’]/g, "'").match(/[a-z0-9']+/g) ?? [];
    const runs = (text: string) => {
      const w = words(text);
      return new Set(w.slice(0, Math.max(0, w.length - 4)).map((_, i) => w.slice(i, i + 5).join(' ')));
    };
    const inCodebook = runs(codebookText);
    const shared = quotes.flatMap((quote) => [...runs(quote.text)].filter((run) => inCodebook.has(run)).map((run) => `${quote.id}: ${run}`));
    expect(shared).toEqual([]);
  });
});
