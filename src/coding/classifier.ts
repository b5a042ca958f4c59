/**
 * Automatic coding: suggests codes for a segment of text, learnt from segments people have coded
 * and from the codebook itself, so that a code nobody has applied yet can still be suggested from
 * its definition, inclusion rules, examples and keywords.
 *
 * The model is a multinomial naive Bayes over Porter stems (see `tokens.ts`) in which the codebook
 * is the prior: each code starts from a pseudo-document made of its label, definition, inclusion
 * rules and examples, with its keywords counted `keywordWeight` times, and the human-coded
 * segments are added to that. Exclusion rules are left out on purpose: they describe what the
 * code is not, usually in the words of the other codes, so counting them would pull exactly the
 * wrong segments toward it.
 *
 * Every code id is a class, parents and children alike. A segment coded with a child also counts,
 * at `parentShare` of its weight, toward the child's parent (and at `parentShare` squared toward
 * the grandparent), since whatever is an instance of the child is an instance of the parent too; a
 * parent's segments say nothing about which child applies, so nothing flows downward.
 *
 * Everything is deterministic: no randomness, sums taken in a fixed order, and ties between codes
 * broken by the codebook's order.
 */
import { allCodes, parentOf, type Codebook } from './codebook.ts';
import { splitWords, stemWord } from './tokens.ts';
import type { AutoCode } from './types.ts';

/** A segment coded by a person, to learn from. */
export interface TrainingSegment {
  id: string;
  text: string;
  codes: string[];
}

export interface CoderOptions {
  /** How many times a keyword counts against one word of definition or example text (3). */
  keywordWeight?: number;
  /** The weight of the codebook's text against the human-coded segments' (1). */
  codebookWeight?: number;
  /** Additive smoothing of every stem's count in every code: 1 is Laplace's rule (1). */
  smoothing?: number;
  /** The share of a child's coded segments that also counts toward its parent (0.5). */
  parentShare?: number;
  /**
   * The most words of independent evidence one segment is taken to hold (10). Naive Bayes treats
   * every word as independent evidence, which words in one sentence are not, and its posteriors
   * come out far too sure; scaling a longer segment's evidence down to this many words keeps the
   * confidences in a range where they mean something. It changes confidences, and the order only
   * where the codes' prior shares differ.
   */
  evidenceWords?: number;
  /** The most suggestions returned for a segment (every code). */
  limit?: number;
}

export interface CoderModel {
  /** The codes the model can suggest, in the codebook's order. */
  readonly codes: readonly string[];
  /**
   * Codes for a segment, best first, at least one. `confidence` is the model's probability that
   * the code is the one that best fits the segment; over all codes the confidences sum to 1 (to
   * within rounding), so those returned under a `limit` sum to at most 1. A segment with no word
   * the model knows gets each code's prior share.
   */
  suggest(text: string, segmentId: string): AutoCode[];
}

const defaults = { keywordWeight: 3, codebookWeight: 1, smoothing: 1, parentShare: 0.5, evidenceWords: 10 };

/** Word → feature lookups remembered per model; beyond this many distinct words it starts afresh. */
const WORD_CACHE_LIMIT = 200_000;

export function trainCoder(codebook: Codebook, training: readonly TrainingSegment[], options: CoderOptions = {}): CoderModel {
  const settings = { ...defaults };
  for (const name of Object.keys(defaults) as (keyof typeof defaults)[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`option ${name} must be a number of 0 or more, not ${String(value)}`);
    settings[name] = value;
  }
  if (options.limit !== undefined && !(options.limit >= 1)) throw new RangeError(`option limit must be 1 or more, not ${String(options.limit)}`);
  if (settings.smoothing <= 0) throw new RangeError('option smoothing must be above 0, or a stem seen in one code only would rule out every other code');

  const codes = allCodes(codebook);
  const codeIndex = new Map(codes.map((code, i) => [code.id, i]));
  const parents = parentOf(codebook);
  const K = codes.length;

  // Stems get feature numbers as they are first met, codebook first, then training in order.
  // Stemming is most of the cost, so each distinct word is stemmed once; the model keeps the
  // lookups it starts with.
  const vocabulary = new Map<string, number>();
  const words = new Map<string, number>();
  const featuresOf = (text: string): number[] => {
    const out: number[] = [];
    for (const word of splitWords(text)) {
      let index = words.get(word);
      if (index === undefined) {
        const stem = stemWord(word);
        if (stem === null) index = -1;
        else if ((index = vocabulary.get(stem)) === undefined) vocabulary.set(stem, (index = vocabulary.size));
        if (words.size < WORD_CACHE_LIMIT) words.set(word, index);
      }
      if (index >= 0) out.push(index);
    }
    return out;
  };

  // Evidence as (code, features, weight) triples, gathered before the vocabulary's size is known.
  const evidence: { code: number; features: number[]; weight: number }[] = [];
  codes.forEach((code, c) => {
    for (const text of [code.label, code.definition, ...code.include, ...code.examples]) {
      evidence.push({ code: c, features: featuresOf(text), weight: settings.codebookWeight });
    }
    for (const keyword of code.keywords) {
      evidence.push({ code: c, features: featuresOf(keyword), weight: settings.codebookWeight * settings.keywordWeight });
    }
  });
  const segmentsPerCode = new Float64Array(K);
  for (const segment of training) {
    const features = featuresOf(segment.text);
    for (const id of new Set(segment.codes)) {
      const c = codeIndex.get(id);
      if (c === undefined) {
        throw new Error(`training segment "${segment.id}" is coded "${id}", which codebook "${codebook.id}" does not have`);
      }
      evidence.push({ code: c, features, weight: 1 });
      segmentsPerCode[c]! += 1;
      let share = settings.parentShare;
      for (let parent = parents.get(id); parent !== undefined && share > 0; parent = parents.get(parent)) {
        const p = codeIndex.get(parent)!;
        evidence.push({ code: p, features, weight: share });
        segmentsPerCode[p]! += share;
        share *= settings.parentShare;
      }
    }
  }

  const V = vocabulary.size;
  // Laid out feature-major, so that scoring one word reads its K log-probabilities side by side.
  const logTheta = new Float64Array(V * K);
  const scratch = new Float64Array(V);
  for (const { code, features, weight } of evidence) {
    // Each text's counts are damped to log2(1 + tf), after Rennie et al. 2003, so that a word
    // repeated in one long segment does not outweigh words spread over many; base 2 keeps a word
    // that occurs once at a count of exactly 1, so the weights above mean what they say.
    const touched = countInto(scratch, features);
    for (const f of touched) {
      const tf = scratch[f]!;
      scratch[f] = 0;
      logTheta[f * K + code]! += weight * damped(tf);
    }
  }
  const totals = new Float64Array(K);
  for (let f = 0; f < V; f++) for (let c = 0; c < K; c++) totals[c]! += logTheta[f * K + c]!;
  for (let f = 0; f < V; f++) {
    for (let c = 0; c < K; c++) {
      logTheta[f * K + c] = Math.log((logTheta[f * K + c]! + settings.smoothing) / (totals[c]! + settings.smoothing * V));
    }
  }
  // Each code's prior share: its coded segments plus one, so that a code nobody has applied yet
  // keeps a chance, and with no training at all every code starts equal.
  const logPrior = new Float64Array(K);
  let priorTotal = 0;
  for (let c = 0; c < K; c++) priorTotal += segmentsPerCode[c]! + 1;
  for (let c = 0; c < K; c++) logPrior[c] = Math.log((segmentsPerCode[c]! + 1) / priorTotal);

  return new NaiveBayesCoder(
    codes.map((code) => code.id),
    vocabulary,
    words,
    logTheta,
    logPrior,
    settings.evidenceWords,
    Math.max(1, Math.min(K, Math.floor(options.limit ?? K))),
  );
}

/** A word's count in one text, damped: 1 → 1, 2 → 1.58, 3 → 2, 7 → 3. */
const damped = (tf: number): number => Math.log2(1 + tf);

/** Counts features into `tf` (all zeros on entry) and returns them in order of first appearance. */
function countInto(tf: Float64Array, features: readonly number[]): number[] {
  const touched: number[] = [];
  for (const f of features) {
    if (tf[f] === 0) touched.push(f);
    tf[f]! += 1;
  }
  return touched;
}

class NaiveBayesCoder implements CoderModel {
  private readonly tf: Float64Array;
  private readonly scores: Float64Array;
  private readonly order: number[];

  constructor(
    readonly codes: readonly string[],
    private readonly vocabulary: ReadonlyMap<string, number>,
    /** Feature number of each word seen, or -1 for a stop word or a stem the model does not know. */
    private readonly words: Map<string, number>,
    private readonly logTheta: Float64Array,
    private readonly logPrior: Float64Array,
    private readonly evidenceWords: number,
    private readonly limit: number,
  ) {
    this.tf = new Float64Array(vocabulary.size);
    this.scores = new Float64Array(codes.length);
    this.order = codes.map((_, i) => i);
  }

  suggest(text: string, segmentId: string): AutoCode[] {
    const K = this.codes.length;
    const { tf, scores, logTheta } = this;
    const touched: number[] = [];
    for (const word of splitWords(text)) {
      const f = this.featureOf(word);
      if (f < 0) continue;
      if (tf[f] === 0) touched.push(f);
      tf[f]! += 1;
    }
    let mass = 0;
    for (const f of touched) mass += damped(tf[f]!);
    const scale = mass > this.evidenceWords ? this.evidenceWords / mass : 1;
    scores.set(this.logPrior);
    for (const f of touched) {
      const weight = scale * damped(tf[f]!);
      tf[f] = 0;
      const row = f * K;
      for (let c = 0; c < K; c++) scores[c]! += weight * logTheta[row + c]!;
    }
    // Softmax over the codes, from the largest score so that nothing overflows.
    let max = -Infinity;
    for (let c = 0; c < K; c++) if (scores[c]! > max) max = scores[c]!;
    let sum = 0;
    for (let c = 0; c < K; c++) sum += scores[c] = Math.exp(scores[c]! - max);
    for (let c = 0; c < K; c++) scores[c]! /= sum;
    const order = this.order.sort((a, b) => scores[b]! - scores[a]! || a - b);
    const out: AutoCode[] = [];
    for (let i = 0; i < this.limit; i++) {
      const c = order[i]!;
      out.push({ segmentId, code: this.codes[c]!, confidence: Math.min(1, scores[c]!), origin: 'auto' });
    }
    return out;
  }

  private featureOf(word: string): number {
    let f = this.words.get(word);
    if (f === undefined) {
      const stem = stemWord(word);
      f = stem === null ? -1 : (this.vocabulary.get(stem) ?? -1);
      if (this.words.size >= WORD_CACHE_LIMIT) this.words.clear();
      this.words.set(word, f);
    }
    return f;
  }
}
