// natural's index module pulls in every storage back-end (and dotenv, which prints on import);
// the distance module alone is what suggestions need.
declare module 'natural/lib/natural/distance/levenshtein_distance.js' {
  export function DamerauLevenshteinDistance(a: string, b: string, options?: { transposition_cost?: number }): number;
}
