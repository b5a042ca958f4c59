// `npm run bench:coding`: automatic coding on synthetic segments made from the bundled codebook's
// keywords mixed with filler words. Trains on 5,000 coded segments and suggests codes for 100,000,
// printing each stage's time, segments per second and the peak memory; in the same run, two
// baselines on the same segments: a plain keyword count, and natural's own BayesClassifier (on a
// subset, since it is far slower, with its rate scaled). Target on a 2-core machine: train and
// suggest under 10 s together, and under 500 MB peak.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import BayesClassifier from 'natural/lib/natural/classifiers/bayes_classifier.js';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { Codebook } from '../src/coding/codebook.ts';
import { trainCoder, type TrainingSegment } from '../src/coding/classifier.ts';
import { splitWords, stemWord } from '../src/coding/tokens.ts';

const TRAIN = Number(process.env.BENCH_TRAIN ?? 5_000);
const SUGGEST = Number(process.env.BENCH_SEGMENTS ?? 100_000);
const SEED = 2010;
const root = new URL('..', import.meta.url).pathname;
const book = Codebook.parse(parse(readFileSync(join(root, 'pipelines', 'codebooks', 'leading-together.yaml'), 'utf8')));

// ── Synthetic segments ──────────────────────────────────────────────────────────────────────────
const rng = xoroshiro128plus(SEED);
const pickFrom = <T>(items: readonly T[]): T => items[uniformInt(rng, 0, items.length - 1)]!;
const codeWords = book.codes.map((code) => [...new Set(code.keywords.flatMap(splitWords).filter((w) => stemWord(w) !== null))]);
const common = (
  'the a and to of in we it is that for on with as was but they our have this are be not at so ' +
  'people staff team service work time year day week month place really think know feel need said ' +
  'good better more much some very just always often never still already again about other every'
).split(' ');
// Made-up words stand in for the long tail of a real vocabulary that no code cares about.
const syllables = ['ba', 'ke', 'lo', 'mi', 'nu', 'ra', 'se', 'ti', 'vo', 'dra', 'ple', 'stor', 'wen', 'gal', 'fin'];
const filler = [...common, ...Array.from({ length: 3_000 }, () => Array.from({ length: uniformInt(rng, 2, 4) }, () => pickFrom(syllables)).join(''))];

function segment(id: number): TrainingSegment {
  const c = uniformInt(rng, 0, book.codes.length - 1);
  const words: string[] = [];
  const length = uniformInt(rng, 20, 60);
  for (let i = 0; i < length; i++) {
    const u = uniformFloat64(rng);
    words.push(u < 0.2 ? pickFrom(codeWords[c]!) : u < 0.25 ? pickFrom(pickFrom(codeWords)) : pickFrom(filler));
    if (i % 9 === 8) words[i] += ',';
  }
  const text = words.join(' ');
  return { id: `s${id}`, text: `${text[0]!.toUpperCase()}${text.slice(1)}.`, codes: [book.codes[c]!.id] };
}
const training = Array.from({ length: TRAIN }, (_, i) => segment(i));
const unseen = Array.from({ length: SUGGEST }, (_, i) => segment(TRAIN + i));

// ── Timing ──────────────────────────────────────────────────────────────────────────────────────
let peakSampled = process.memoryUsage().rss;
const sample = () => (peakSampled = Math.max(peakSampled, process.memoryUsage().rss));
const time = <T>(work: () => T): [T, number] => {
  const t = performance.now();
  const result = work();
  sample();
  return [result, (performance.now() - t) / 1000];
};
const accuracy = (codes: readonly string[], segments: readonly TrainingSegment[]) =>
  codes.filter((code, i) => code === segments[i]!.codes[0]).length / segments.length;

const [model, trainSeconds] = time(() => trainCoder(book, training));
const [top, suggestSeconds] = time(() =>
  unseen.map((s, i) => {
    if (i % 10_000 === 0) sample();
    return model.suggest(s.text, s.id)[0]!.code;
  }),
);
const peak = Math.max(peakSampled, process.resourceUsage().maxRSS * 1024) / 2 ** 20;

// Baseline 1: count each code's keyword words in the segment, over the same 100,000 segments.
const keywordOf = new Map<string, number>();
codeWords.forEach((words, c) => words.forEach((w) => keywordOf.has(w) || keywordOf.set(w, c)));
const [keywordTop, keywordSeconds] = time(() =>
  unseen.map((s) => {
    const hits = new Array<number>(book.codes.length).fill(0);
    for (const w of s.text.toLowerCase().split(/[^a-z0-9]+/)) {
      const c = keywordOf.get(w);
      if (c !== undefined) hits[c]!++;
    }
    return book.codes[hits.indexOf(Math.max(...hits))]!.id;
  }),
);

// Baseline 2: natural's BayesClassifier on a tenth of the training set and 1,000 segments; its
// classification scans every feature it knows for every segment, so it is timed per segment.
const naturalTrain = training.slice(0, Math.ceil(TRAIN / 10));
const naturalTest = unseen.slice(0, 1_000);
const bayes = new BayesClassifier();
const [, naturalTrainSeconds] = time(() => {
  for (const s of naturalTrain) bayes.addDocument(s.text, s.codes[0]!);
  bayes.train();
});
const [naturalTop, naturalSuggestSeconds] = time(() => naturalTest.map((s) => bayes.classify(s.text)));
const [, oursSubsetSeconds] = time(() => {
  const small = trainCoder(book, naturalTrain);
  naturalTest.forEach((s) => small.suggest(s.text, s.id));
});

const rate = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString('en-GB');
const row = (name: string, seconds: number, note = '') => console.log(`${name.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s  ${note}`);
console.log(`synthetic segments: ${TRAIN.toLocaleString('en-GB')} to train on, ${SUGGEST.toLocaleString('en-GB')} to code (seed ${SEED}, ${book.codes.length} codes)`);
row(`train on ${TRAIN.toLocaleString('en-GB')}`, trainSeconds, `${rate(TRAIN, trainSeconds)} segments/s`);
row(`suggest for ${SUGGEST.toLocaleString('en-GB')}`, suggestSeconds, `${rate(SUGGEST, suggestSeconds)} segments/s; top-1 accuracy ${accuracy(top, unseen).toFixed(3)}`);
row('train + suggest', trainSeconds + suggestSeconds, '(target < 10 s)');
console.log(`${'peak memory (max RSS)'.padEnd(44)} ${peak.toFixed(0).padStart(7)} MB (target < 500 MB)`);
console.log('baselines, same run:');
row(`  keyword count, ${SUGGEST.toLocaleString('en-GB')} segments`, keywordSeconds, `${rate(SUGGEST, keywordSeconds)} segments/s; top-1 accuracy ${accuracy(keywordTop, unseen).toFixed(3)}; tapestry takes ${(suggestSeconds / keywordSeconds).toFixed(1)}× as long`);
row(`  natural BayesClassifier, train on ${naturalTrain.length}`, naturalTrainSeconds);
row(`  natural BayesClassifier, classify ${naturalTest.length}`, naturalSuggestSeconds, `${rate(naturalTest.length, naturalSuggestSeconds)} segments/s; top-1 accuracy ${accuracy(naturalTop, naturalTest).toFixed(3)}`);
row(`  tapestry, the same ${naturalTrain.length} and ${naturalTest.length}`, oursSubsetSeconds, `${((naturalTrainSeconds + naturalSuggestSeconds) / oursSubsetSeconds).toFixed(0)}× faster than natural`);
console.log(
  `  natural scaled to ${TRAIN.toLocaleString('en-GB')} + ${SUGGEST.toLocaleString('en-GB')} (at least: its cost per segment grows with the vocabulary): ` +
    `${(naturalTrainSeconds * (TRAIN / naturalTrain.length) + naturalSuggestSeconds * (SUGGEST / naturalTest.length)).toFixed(0)} s`,
);
