/**
 * The 37 focus-group quotes of the 2010 review: they sit beside the project in ../shared, never in
 * it, so a user's clone does not have them. Tests that need them skip, naming the missing file.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/focus-group-quotes.csv', import.meta.url));
export const HAVE_CORPUS = existsSync(CORPUS);

/** Says, once per test file, what is skipped because the corpus is missing. */
export function warnIfNoCorpus(what: string): void {
  if (!HAVE_CORPUS) console.warn(`skipping ${what}: ${CORPUS} is not there (it sits beside the project in ../shared)`);
}
