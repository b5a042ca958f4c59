/**
 * Every number the report prints goes through one of these functions, so the same figure reads
 * the same in the CSV, the Markdown, the HTML and the charts, on any machine.
 *
 * Decisions, and why:
 * - Only `toFixed` and `toPrecision`: ECMAScript defines their digits exactly from the double, with
 *   no locale, so the bytes cannot depend on where the report is made. `toLocaleString` and `Intl`
 *   would follow the machine's settings (a decimal comma in Germany, grouping spaces in France).
 * - A value that rounds to zero from below prints without its minus sign: "-0.000000" tells the
 *   reader of a table nothing but that floating point was involved.
 * - null, and anything not finite, prints as an empty string: the model uses null for a withheld
 *   or impossible figure, and a CSV has no spelling of NaN that every reader understands.
 */

type Maybe = number | null | undefined;

function finite(x: Maybe): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** `toFixed` without a negative zero. */
export function fixed(x: Maybe, digits: number): string {
  if (!finite(x)) return '';
  const text = x.toFixed(digits);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

// --- The CSV files: full precision a reader can compute with. ---

/** Proportions, means, standard errors and interval bounds: six decimal places. */
export const formatEstimate = (x: Maybe): string => fixed(x, 6);

/** Design effects: four decimal places. */
export const formatDeff = (x: Maybe): string => fixed(x, 4);

/** Numbers of respondents: whole numbers. */
export const formatCount = (x: Maybe): string => fixed(x, 0);

/** Test statistics and degrees of freedom: four decimal places. */
export const formatStatistic = (x: Maybe): string => fixed(x, 4);

/**
 * p-values: four significant digits, which keeps a very small p readable as what it is
 * (`4.014e-7`) where a fixed number of decimals would print zeros.
 */
export function formatPValue(x: Maybe): string {
  if (!finite(x)) return '';
  return x.toPrecision(4);
}

// --- The Markdown and HTML reports and the charts: what a reader takes in at a glance. ---

/** A proportion as a percentage with one decimal place and its sign: 0.4301 → `43.0%`. */
export const percent = (x: Maybe): string => (finite(x) ? `${fixed(x * 100, 1)}%` : '');

/** A proportion as a percentage number without its sign, for interval bounds: 0.381 → `38.1`. */
export const percentNumber = (x: Maybe): string => fixed(finite(x) ? x * 100 : x, 1);

/**
 * A mean, with one decimal place and a true minus sign (U+2212), so that a negative bound is not
 * read as the dash of an interval.
 */
export function meanNumber(x: Maybe): string {
  const text = fixed(x, 1);
  return text.startsWith('-') ? `\u2212${text.slice(1)}` : text;
}

/**
 * A confidence interval in brackets: `(38.1–48.0)` with an en dash; `(−1.2 to 3.4)` when a bound is
 * negative, where a dash between two numbers would be ambiguous. Empty when either bound is missing.
 */
export function interval(low: Maybe, high: Maybe, kind: 'proportion' | 'mean'): string {
  if (!finite(low) || !finite(high)) return '';
  const show = kind === 'proportion' ? percentNumber : meanNumber;
  const separator = low < 0 || high < 0 ? ' to ' : '\u2013';
  return `(${show(low)}${separator}${show(high)})`;
}

/** An estimate in the unit its table reads in: `43.0%` for a proportion, `12.3` for a mean. */
export const estimateText = (x: Maybe, kind: 'proportion' | 'mean'): string => (kind === 'proportion' ? percent(x) : meanNumber(x));

/** A test statistic in a sentence: two decimal places (`5.53`). */
export const statisticText = (x: Maybe): string => fixed(x, 2);

/**
 * Degrees of freedom in a sentence: whole numbers from 100 up (`3110`), otherwise up to two
 * decimal places without trailing zeros (`8.25`, `3`), as a statistics office prints them.
 */
export function dfText(x: Maybe): string {
  if (!finite(x)) return '';
  if (Math.abs(x) >= 100) return fixed(x, 0);
  return fixed(x, 2).replace(/\.?0+$/, '');
}

/** A p-value in a sentence: `p < 0.001` below a thousandth, else `p = 0.023`. */
export function pText(p: Maybe): string {
  if (!finite(p)) return '';
  if (p < 0.001) return 'p < 0.001';
  return `p = ${fixed(p, 3)}`;
}

/** A number of respondents in a sentence or a table: `n=210`. */
export const baseText = (n: Maybe): string => (finite(n) ? `n=${formatCount(n)}` : '');

/** A count for a reader, with commas between thousands (`1,250`): the grouping written out, not a locale's. */
export function countText(n: Maybe): string {
  const text = formatCount(n);
  return text.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
