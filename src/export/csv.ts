/**
 * The data files of an export as CSV, through the one CSV writer (`shared/csv.ts`), so every text
 * cell is guarded against formula injection as every other CSV of tapestry's is.
 *
 * Decisions, and why:
 * - The header is the column layout's names (`support.manager`), as every CSV going into or out of
 *   tapestry has them: the syntax files and the pipelines find columns by these names.
 * - The coded file holds the codes of the instrument (option ids, `1`/`0`, numbers as written) and
 *   the missing codes of `missing.ts`; it is the file the SPSS, Stata and R syntax read and that
 *   the Data Package describes.
 * - The labelled file is for reading by eye or in a spreadsheet: option labels instead of ids,
 *   "Selected" and "Not selected" for the 1/0 columns, and the label of the reason ("not shown
 *   (skip logic)", "shown, not answered") in any question column without an answer, numbers and
 *   text included, so no empty cell is left to guess at.
 * - Numbers are declared numeric to the writer, so `-99` and `-0.25` are written as they are.
 */
import { csvRecords, type CsvCell } from '../shared/csv.ts';
import { MISSING_CODES, missingCell } from './missing.ts';
import type { ExportCell } from './rows.ts';
import type { Variable } from './variables.ts';

export type CsvStyle = 'coded' | 'labelled';

/** The header line. */
export function csvHeader(variables: readonly Variable[]): string {
  return csvRecords([variables.map((v) => v.column.name)]);
}

/** Which columns the writer is to treat as numbers in this style. */
export function numericColumns(variables: readonly Variable[], style: CsvStyle): boolean[] {
  return variables.map((v) => v.storage === 'numeric' && (style === 'coded' || v.values.length === 0));
}

/** A response's cells as the coded file writes them. */
export function codedRecord(variables: readonly Variable[], cells: readonly ExportCell[]): CsvCell[] {
  return cells.map((cell, i) => (typeof cell === 'string' ? cell : missingCell(variables[i]!.storage, cell.kind)));
}

/** A response's cells as the labelled file writes them. */
export function labelledRecord(variables: readonly Variable[], cells: readonly ExportCell[]): CsvCell[] {
  return cells.map((cell, i) => {
    if (typeof cell !== 'string') return MISSING_CODES[cell.kind].label;
    const variable = variables[i]!;
    if (variable.values.length === 0) return cell;
    return variable.values.find((value) => value.code === cell)?.label ?? cell;
  });
}

/** Records of one page of responses, each ending in `\n`. */
export function csvPage(variables: readonly Variable[], style: CsvStyle, page: readonly (readonly ExportCell[])[]): string {
  const record = style === 'coded' ? codedRecord : labelledRecord;
  return csvRecords(
    page.map((cells) => record(variables, cells)),
    numericColumns(variables, style),
  );
}
