/**
 * The two kinds of missing answer an export tells apart, and the code each is written as.
 *
 * An empty cell cannot say why it is empty, yet analysts must know: a question hidden by skip logic
 * has no answer by design (leave it out of the base), while one shown and left blank is item
 * non-response (count it, perhaps impute it). SPSS and Stata users mark the two with declared
 * missing values, so the CSV carries a code in each such cell and the syntax files declare them.
 *
 * Decisions, and why:
 * - Numeric columns (numbers, numeric option codes, the 1/0 columns of a multiple-choice question)
 *   use -99 and -98, the codes survey archives and SPSS users conventionally reserve; an option
 *   code is digits and so never negative, and a 1/0 column never holds them. A `number` question
 *   whose range admits -99 or -98 (no `min`, or one at or below -98) could receive them as
 *   answers; give it a `min` where negative answers make no sense, as they rarely do in a survey.
 * - Text columns (letter option codes, free text) use `.skip` and `.blank`. A leading dot cannot
 *   begin an option id, so no letter code can be mistaken for one; it echoes Stata's `.`-missing
 *   notation; the words explain themselves to someone reading the raw CSV; and each is at most
 *   8 bytes, the most SPSS and PSPP accept as a missing value of a long string. A free-text answer
 *   that is exactly `.skip` or `.blank` would read as missing; that is the one ambiguity left.
 * - Neither code starts with a character the CSV formula guard acts on (`=`, `+`, `-`, `@`), or
 *   does so only as a number (-99), which the guard leaves alone in a numeric column.
 * - Stata keeps numeric columns' codes as extended missing values `.a` (not shown) and `.b`
 *   (shown, not answered), so `missing(x)` is true for both and `x == .a` tells them apart.
 */

export const MISSING_REASONS = ['not_shown', 'not_answered'] as const;
export type MissingReason = (typeof MISSING_REASONS)[number];

export interface MissingCode {
  /** The cell in a numeric column. */
  numeric: number;
  /** The cell in a text column. */
  string: string;
  /** Stata's extended missing value for a numeric column. */
  stata: '.a' | '.b';
  /** The value label every syntax file gives the code. */
  label: string;
}

export const MISSING_CODES: Readonly<Record<MissingReason, MissingCode>> = {
  not_shown: { numeric: -99, string: '.skip', stata: '.a', label: 'not shown (skip logic)' },
  not_answered: { numeric: -98, string: '.blank', stata: '.b', label: 'shown, not answered' },
};

/** How a column is stored: the kind of cell the CSV holds and the syntax files declare. */
export type Storage = 'numeric' | 'string' | 'datetime';

/** The cell the CSV writer puts in a question's column when its answer is missing for this reason. */
export function missingCell(storage: Storage, reason: MissingReason): string {
  return storage === 'numeric' ? NUMERIC_TEXT[reason] : MISSING_CODES[reason].string;
}

// Written once: an export asks for a missing cell's text millions of times.
const NUMERIC_TEXT: Readonly<Record<MissingReason, string>> = {
  not_shown: String(MISSING_CODES.not_shown.numeric),
  not_answered: String(MISSING_CODES.not_answered.numeric),
};
