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
 *   not tell a guard from an apostrophe someone typed. Quoting (RFC 4180) is still papaparse's.
 */
import Papa from 'papaparse';

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

/** The cell as papaparse is to write it (it writes null and undefined as empty cells itself). */
function written(cell: CsvCell, numeric: boolean): CsvCell {
  if (typeof cell !== 'string' || !risky(cell)) return cell;
  return numeric && NUMBER_TEXT.test(cell) ? cell : cell.replace(RISKY_LINE, "'");
}

/**
 * Records as CSV text, each ending in `\n` (nothing for no records): the piece a streaming writer
 * appends. `numeric[i]` says that column i holds numbers written as text.
 */
export function csvRecords(records: readonly (readonly CsvCell[])[], numeric: readonly boolean[] = []): string {
  if (records.length === 0) return '';
  // A record is copied only if one of its cells changes: most records of most files have none.
  const cells = records.map((record) => {
    let copy: CsvCell[] | undefined;
    for (let i = 0; i < record.length; i++) {
      const cell = written(record[i], numeric[i] === true);
      if (cell !== record[i]) (copy ??= [...record])[i] = cell;
    }
    return copy ?? record;
  });
  return `${Papa.unparse(cells as CsvCell[][], { newline: '\n' })}\n`;
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
