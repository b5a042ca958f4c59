/**
 * A CSV file read as a header and rows, each row with the line it starts on in an editor (a quoted
 * cell may run over several lines, so a record's number is not its line), and every problem of its
 * shape found at once: the one reader of tapestry's CSV inputs (coding files, response imports).
 */
import Papa from 'papaparse';
import { unguardCell } from './csv.ts';
import type { Problem } from './yaml-source.ts';

const code = (s: string) => `\`${s}\``;

export interface Row {
  cells: string[];
  line: number;
}

export interface Table {
  header: string[];
  headerLine: number;
  /** The rows with a cell for every column; the others are reported already. */
  rows: Row[];
  /** Every row under the header, well-formed or not. */
  rowCount: number;
}

const QUOTE_HINT = 'a `"` inside a quoted cell is written `""`';

function csvError(error: Papa.ParseError): string {
  if (error.code === 'MissingQuotes') return `a quoted cell that starts in this row is never closed; ${QUOTE_HINT}`;
  if (error.code === 'InvalidQuotes') return `a quote in this row is not at the start or end of a cell; ${QUOTE_HINT}`;
  return `the CSV is not valid here: ${error.message}`;
}

/**
 * Splits the text into a header and rows, each with the line it starts on. Lines are counted from
 * the parser's own position after each record, so they stay right whatever the cells hold.
 */
export function readTable(text: string, file: string, needs: string, problems: Problem[]): Table | undefined {
  const body = text.replace(/^\uFEFF/, '');
  const at = (line: number, message: string) => problems.push({ file, line, message });
  if (body.trim() === '') {
    at(1, `the file is empty; it needs a header line naming its columns (${needs})`);
    return undefined;
  }
  const records: Row[] = [];
  let cursor = 0;
  let counted = 0;
  let line = 1;
  Papa.parse<string[]>(body, {
    // Fixed, because the parser would otherwise guess from the content, and text full of
    // semicolons or tabs could then be split on them.
    delimiter: ',',
    step: (result) => {
      for (let i = counted; i < cursor; i++) if (body.charCodeAt(i) === 10) line++;
      counted = cursor;
      cursor = result.meta.cursor;
      // Cells keep their text, but a line break inside one is always `\n`, so a file saved on
      // Windows reads the same as one saved elsewhere, and the apostrophe tapestry's CSV writer
      // puts before a line a spreadsheet could run is taken off, so its own files read back.
      const cells = result.data.map((cell) => unguardCell(cell).replace(/\r\n?/g, '\n'));
      for (const error of result.errors) at(line, csvError(error));
      if (cells.every((cell) => cell.trim() === '')) return;
      records.push({ cells, line });
    },
  });
  const [first, ...rows] = records;
  if (!first) {
    at(1, `the file has no header line; it needs one naming its columns (${needs})`);
    return undefined;
  }
  const header = first.cells.map((name) => name.trim());
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') at(first.line, `column ${i + 1} of the header has no name`);
    else if (seen.has(name)) at(first.line, `the header names ${code(name)} twice (columns ${seen.get(name)! + 1} and ${i + 1})`);
    else seen.set(name, i);
  });
  for (const row of rows) {
    if (row.cells.length !== header.length) {
      const hint = row.cells.length > header.length ? 'a cell that contains a comma must be in double quotes' : 'every row needs a cell for each column, even an empty one';
      at(row.line, `the row has ${row.cells.length} cells but the header has ${header.length} (${hint})`);
    }
  }
  return { header, headerLine: first.line, rows: rows.filter((row) => row.cells.length === header.length), rowCount: rows.length };
}
