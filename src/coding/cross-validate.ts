/**
 * How well automatic coding agrees with people on segments it has not learnt from: k-fold cross-
 * validation over human-coded segments, with Cohen's kappa between the top suggestion and the
 * human code, accuracy, and precision and recall per code.
 */
import { cohenKappa } from './agreement.ts';
import { allCodes, type Codebook } from './codebook.ts';
import { trainCoder, type CoderOptions, type TrainingSegment } from './classifier.ts';

export interface CodeScores {
  code: string;
  /** Held-out segments whose reference code (see `Evaluation`) is this one. */
  support: number;
  /** Of the segments given this code as top suggestion, the share whose reference it is (0 if none). */
  precision: number;
  /** Of the segments whose reference it is, the share given it as top suggestion. */
  recall: number;
  f1: number;
}

/**
 * A segment may carry several human codes. The top suggestion is correct (for `accuracy`) when it
 * is any of them. For `kappa` and `perCode` each segment has one reference code: the human code
 * equal to the top suggestion if there is one, otherwise the first human code; so a suggestion that
 * a person also applied is never counted as a disagreement, and a miss counts against the code the
 * person put first.
 */
export interface Evaluation {
  folds: number;
  /** Segments evaluated: every training segment, once, while held out. */
  units: number;
  /**
   * Cohen's kappa between each segment's top suggestion and its reference code; `null` where it
   * is 0/0 (every suggestion and every reference the same one code), as `agreement.ts` has it.
   */
  kappa: number | null;
  /** Share of segments whose top suggestion is one of their human codes. */
  accuracy: number;
  /** Mean confidence of the top suggestions, to set beside `accuracy`: equal when calibrated. */
  meanConfidence: number;
  /** Always suggesting the most common first human code (ties: the codebook's first): kappa 0. */
  majority: { code: string; accuracy: number };
  /** One row per code in the codebook, in its order. */
  perCode: CodeScores[];
}

export interface CrossValidationOptions extends CoderOptions {
  /** Number of folds, 2 up to the number of segments (which is leave-one-out). */
  folds: number;
}

/**
 * Folds are stratified by first human code and involve no randomness: segments are ordered by
 * their first code's place in the codebook, then by id (code-unit order), and dealt to the folds
 * in turn, so each fold holds about the same share of every code and the same input always gives
 * the same folds.
 */
export function assignFolds(codebook: Codebook, segments: readonly TrainingSegment[], folds: number): number[] {
  const rank = new Map(allCodes(codebook).map((code, i) => [code.id, i]));
  const firstRank = (segment: TrainingSegment): number => {
    const code = segment.codes[0];
    if (code === undefined) throw new Error(`training segment "${segment.id}" has no code, so it cannot be scored`);
    const r = rank.get(code);
    if (r === undefined) throw new Error(`training segment "${segment.id}" is coded "${code}", which codebook "${codebook.id}" does not have`);
    return r;
  };
  const order = segments.map((segment, i) => ({ i, rank: firstRank(segment), id: segment.id }));
  order.sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : a.i - b.i));
  const fold = new Array<number>(segments.length);
  order.forEach((entry, position) => (fold[entry.i] = position % folds));
  return fold;
}

export function crossValidate(codebook: Codebook, training: readonly TrainingSegment[], options: CrossValidationOptions): Evaluation {
  const { folds, ...coderOptions } = options;
  if (!Number.isInteger(folds) || folds < 2 || folds > training.length) {
    throw new RangeError(`folds must be a whole number from 2 to the number of segments (${training.length}), not ${folds}`);
  }
  const fold = assignFolds(codebook, training, folds);
  const top: string[] = new Array(training.length);
  const confidence = new Float64Array(training.length);
  for (let k = 0; k < folds; k++) {
    const model = trainCoder(
      codebook,
      training.filter((_, i) => fold[i] !== k),
      coderOptions,
    );
    training.forEach((segment, i) => {
      if (fold[i] !== k) return;
      const best = model.suggest(segment.text, segment.id)[0]!;
      top[i] = best.code;
      confidence[i] = best.confidence;
    });
  }
  const reference = training.map((segment, i) => (segment.codes.includes(top[i]!) ? top[i]! : segment.codes[0]!));
  const codes = allCodes(codebook).map((code) => code.id);
  return {
    folds,
    units: training.length,
    kappa: cohenKappa(top, reference).kappa,
    accuracy: reference.filter((code, i) => code === top[i]).length / training.length,
    meanConfidence: confidence.reduce((a, b) => a + b, 0) / training.length,
    majority: majority(codes, training),
    perCode: codes.map((code) => scores(code, top, reference)),
  };
}

function majority(codes: readonly string[], training: readonly TrainingSegment[]): Evaluation['majority'] {
  const counts = codes.map((code) => training.filter((segment) => segment.codes[0] === code).length);
  const best = counts.indexOf(Math.max(...counts));
  // Always suggesting it is right wherever a person applied it at all.
  const right = training.filter((segment) => segment.codes.includes(codes[best]!)).length;
  return { code: codes[best]!, accuracy: right / training.length };
}

function scores(code: string, top: readonly string[], reference: readonly string[]): CodeScores {
  let support = 0;
  let predicted = 0;
  let hits = 0;
  reference.forEach((ref, i) => {
    if (ref === code) support++;
    if (top[i] === code) predicted++;
    if (ref === code && top[i] === code) hits++;
  });
  const precision = predicted === 0 ? 0 : hits / predicted;
  const recall = support === 0 ? 0 : hits / support;
  return { code, support, precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}
