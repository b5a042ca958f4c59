/**
 * How `coding/` reports a bad input file: every problem found, each at its file and line in a
 * plain sentence. Readers return problems as values; a caller that cannot go on without the data
 * turns them into one `CodingInputError`, so that a bad file is never half-accepted.
 */
import { ProblemsError, type Problem } from '../shared/yaml-source.ts';

export class CodingInputError extends ProblemsError {
  override name = 'CodingInputError';
}

/**
 * The named part of a reader's result (`unwrap(parseTranscript(text, file), 'transcript')`), or a
 * `CodingInputError` listing every problem. Any problem refuses the whole value, so a caller can
 * never act on part of a file.
 */
export function unwrap<R extends { problems: Problem[] }, K extends Exclude<keyof R, 'problems'>>(result: R, key: K): NonNullable<R[K]> {
  if (result.problems.length > 0) throw new CodingInputError(result.problems);
  const value = result[key];
  // Readers always return either a value or problems; reaching this is a fault in the reader.
  if (value === undefined || value === null) throw new Error(`the reader returned neither ${String(key)} nor problems`);
  return value as NonNullable<R[K]>;
}

export { sortProblems } from '../shared/problems.ts';

export const code = (s: unknown): string => `\`${String(s)}\``;
