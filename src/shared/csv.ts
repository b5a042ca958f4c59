/**
 * The one CSV writer: every CSV tapestry writes goes through `csvText` or `csvRecords`, and every
 * reader of tapestry's own CSVs takes its text cells back through `unguardCell`.
 *
 * Decisions, and why:
 * - A text cell a spreadsheet could run is guarded with a leading apostrophe (the OWASP advice for
 *   CSV exports): a line of the cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
 *   return. Every line of a cell is looked at, not only its first, and each such line gets its own
 *   apostrophe: an importer that splits on line breaks without minding quotes would otherwise meet
 *   `=…` at the start of a row.
 * - A line that starts with apostrophes and then one of those characters gets one more apostrophe,
 *   so taking one off again (`unguardCell`) gives back exactly the text that was written, even text
 *   that already looked guarded.
 * - Numbers are not text: a cell passed as a number, or a number written as text (`-0.250000`,
 *   `4.014e-7`) in a column declared numeric, is written as it is, so a spreadsheet reads a number
 *   and a program reads the same digits. Anything else in a numeric column is guarded like text.
 * - papaparse's own `escapeFormulae` is not used: in 5.7 it tests `/^[=+\-@\t\r].*$/`, which does
 *   not match a cell whose formula is followed by a line break (`.` and `$` stop there), never looks
 *   at later lines, guards `-0.25` written as text, and leaves `'=…` as it is, so reading back could
 *   not tell a guard from an apostrophe someone typed.
 * - Quoting is papaparse's rule (RFC 4180, with `unparse`'s defaults), written out here rather
 *   than called: a cell is quoted when it holds a comma, a quote, a line break or a byte order
 *   mark, or starts or ends with a space, and its quotes are doubled. `unparse` spent a quarter
 *   of a 100,000-response export on its general case (headers, objects, dates, options looked up
 *   for every cell); the test holds this writer to `unparse`'s bytes for every kind of cell.
 */

/** A cell: text (guarded where it must be), a number (written as JavaScript writes it), or empty. */
export type CsvCell = string | number | null | undefined;

// Each position that starts a line (the start of the cell, or just after a `\n` or a `\r`), and
// is followed by apostrophes and then a character a spreadsheet takes as the start of a formula.
// Both lookarounds are zero-width, so every position is tried once, including one right after a
// `\r` that itself starts a guarded line.
const RISKY_LINE = /(?<=^|[\n\r])(?='*[=+\-@\t\r])/g;
const GUARDED_LINE = /(?<=^|[\n\r])'(?='*[=+\-@\t\r])/g;
const RISKY_ANYWHERE = /(?:^|[\n\r])'*[=+\-@\t\r]/;
/** First characters that can make a cell need a guard: those above, and the apostrophe. */
const RISKY_FIRST = new Uint8Array(128);
for (const c of "=+-@\t\r'") RISKY_FIRST[c.charCodeAt(0)] = 1;

/** A number as JavaScript and tapestry's formatters write one: `-3`, `0.250000`, `4.014e-7`. */
const NUMBER_TEXT = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Whether some line of the text needs a guard. Most cells are short words with no line break, so
 * the first character and a look for a line break settle them before the regular expression runs:
 * a simulated million rows make some fifty million cells.
 */
function risky(text: string): boolean {
  const first = text.charCodeAt(0);
  if (first < 128 && RISKY_FIRST[first] === 1) return RISKY_ANYWHERE.test(text);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return RISKY_ANYWHERE.test(text);
  }
  return false;
}

/** The text with an apostrophe before every line that a spreadsheet could run. */
export function guardCell(text: string): string {
  return risky(text) ? text.replace(RISKY_LINE, "'") : text;
}

/** The text `guardCell` was given: one apostrophe taken off every line it guarded. */
export function unguardCell(text: string): string {
  return text.includes("'") ? text.replace(GUARDED_LINE, '') : text;
}

/** What makes papaparse quote a cell. */
const NEEDS_QUOTES = /[",\n\r\ufeff]|^ | $/;
const QUOTE = /"/g;

/**
 * Whether the text goes into the file as it is: no guard, no quotes. One look at each character
 * settles it for the cells most files are made of (codes, numbers, short words), which are then
 * not scanned again by the guard's and the quoting's regular expressions.
 */
function plain(text: string): boolean {
  const n = text.length;
  if (n === 0) return true;
  const first = text.charCodeAt(0);
  if ((first < 128 && RISKY_FIRST[first] === 1) || first === 32 || text.charCodeAt(n - 1) === 32) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // `"`, `,`, `\n`, `\r` and the byte order mark.
    if (c === 34 || c === 44 || c === 10 || c === 13 || c === 0xfeff) return false;
  }
  return true;
}

/** The cell as it goes into the file: guarded where it must be, quoted where it must be. */
function field(cell: CsvCell, numeric: boolean): string {
  if (cell === null || cell === undefined) return '';
  // A number's text is digits, a sign, a point or an exponent: nothing to guard or quote.
  if (typeof cell === 'number') return String(cell);
  if (plain(cell) || (numeric && NUMBER_TEXT.test(cell))) return cell;
  const text = risky(cell) ? cell.replace(RISKY_LINE, "'") : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTE, '""')}"` : text;
}

/**
 * Records as CSV text, each ending in `\n` (nothing for no records): the piece a streaming writer
 * appends. `numeric[i]` says that column i holds numbers written as text.
 */
export function csvRecords(records: readonly (readonly CsvCell[])[], numeric: readonly boolean[] = []): string {
  let text = '';
  for (const record of records) {
    for (let i = 0; i < record.length; i++) {
      if (i > 0) text += ',';
      text += field(record[i], numeric[i] === true);
    }
    text += '\n';
  }
  return text;
}

/**
 * A whole CSV file: the header, then the rows, with `\n` line ends and a final newline, so the file
 * is text and a diff of two runs is clean. `numeric` names the columns that hold numbers.
 */
export function csvText(header: readonly string[], rows: readonly (readonly CsvCell[])[], options: { numeric?: readonly string[] } = {}): string {
  const numeric = options.numeric ?? [];
  const unknown = numeric.filter((name) => !header.includes(name));
  if (unknown.length > 0) throw new Error(`numeric columns ${unknown.join(', ')} are not in the header ${header.join(',')}`);
  // The header is text whatever its columns hold.
  return csvRecords([header]) + csvRecords(rows, header.map((name) => numeric.includes(name)));
}
