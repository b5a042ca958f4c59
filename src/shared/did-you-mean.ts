/** "Did you mean …?" suggestions for misspelt ids, keys and options. */
import { DamerauLevenshteinDistance } from 'natural/lib/natural/distance/levenshtein_distance.js';

/**
 * The closest candidate within a small edit distance (a third of the word, at least 1, at most 3),
 * or undefined. Ties go to the earlier candidate so that messages never depend on anything but input.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = DamerauLevenshteinDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** "; did you mean `x`?" or nothing. */
export function suggestion(word: string, candidates: Iterable<string>, quote: (s: string) => string = (s) => `\`${s}\``): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : `; did you mean ${quote(match)}?`;
}
