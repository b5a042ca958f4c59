/**
 * The export as an Excel workbook: a `responses` sheet with the coded data (as the coded CSV holds
 * it) and a `codebook` sheet, written with exceljs's streaming writer so that rows go to the file
 * as each page of responses arrives and the workbook is never held in memory.
 *
 * Decisions, and why:
 * - Numeric columns (numeric codes, 1/0, numbers, the -99/-98 codes) are number cells; everything
 *   else is a text cell, never a formula, and still passes `guardCell`: a spreadsheet that saves
 *   the sheet as CSV, or a reader that copies a cell into another program, would otherwise carry
 *   `=…` on. Codes that look like numbers in a text column (`01`) stay text.
 * - An xlsx file is a zip whose entries carry a time, and whose properties name a creation time;
 *   both are fixed, so the same export gives the same bytes. exceljs stamps entries with the time
 *   they are added (in local time, as zip stores it) and has no option for another, and some are
 *   added inside its constructor, so the finished file's entry times are set afterwards by
 *   `fixZipTimes`, to 1980-01-01 00:00, zip's first moment.
 * - The data sheet is finished before the codebook sheet starts: a zip is written one entry at a
 *   time, and a second sheet begun early would wait in memory for the first.
 */
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { guardCell } from '../shared/csv.ts';
import { CODEBOOK_COLUMNS, codebookRow, type CodebookEntry } from './codebook.ts';
import { missingCell } from './missing.ts';
import type { ExportCell } from './rows.ts';
import type { Variable } from './variables.ts';

/** The workbook's stated creation time (ISO 8601 in its properties, so UTC is fine). */
const CREATED = new Date(Date.UTC(1980, 0, 1));
/** 1 January 1980, 00:00, as zip stores a date and a time (MS-DOS format): zip's first moment. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;

type Value = string | number | null;

/**
 * Sets the time of every entry of the zip at `path` to zip's first moment, in its local headers
 * and its central directory, so the file's bytes do not depend on when (or in which time zone) it
 * was written. The entries' content and checksums are untouched; only the end of the file (where
 * the directory is) and each entry's header are read.
 */
export async function fixZipTimes(path: string): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const { size } = await file.stat();
    const tail = Buffer.alloc(Math.min(size, 22 + 0xffff));
    await file.read(tail, 0, tail.length, size - tail.length);
    const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (end < 0) throw new Error(`${path} is not a zip file: it has no end of central directory`);
    const entries = tail.readUInt16LE(end + 10);
    const directorySize = tail.readUInt32LE(end + 12);
    const directoryAt = tail.readUInt32LE(end + 16);
    if (directoryAt === 0xffffffff) throw new Error(`${path} is a zip64 file, whose entry times are not fixed here`);
    const directory = Buffer.alloc(directorySize);
    await file.read(directory, 0, directorySize, directoryAt);
    const stamp = Buffer.alloc(4);
    stamp.writeUInt16LE(DOS_TIME, 0);
    stamp.writeUInt16LE(DOS_DATE, 2);
    let at = 0;
    for (let i = 0; i < entries; i++) {
      if (directory.readUInt32LE(at) !== 0x02014b50) throw new Error(`${path}: central directory entry ${i + 1} is malformed`);
      stamp.copy(directory, at + 12);
      await file.write(stamp, 0, 4, directory.readUInt32LE(at + 42) + 10);
      at += 46 + directory.readUInt16LE(at + 28) + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
    }
    await file.write(directory, 0, directorySize, directoryAt);
  } finally {
    await file.close();
  }
}

function text(value: string): string {
  return guardCell(value);
}

export interface XlsxWriter {
  /** Writes one page of responses to the data sheet. */
  page(page: readonly (readonly ExportCell[])[]): void;
  /** Adds the codebook sheet and finishes the file (the stream is ended). */
  finish(codebook: readonly CodebookEntry[]): Promise<void>;
}

/** A workbook on `stream`, its data sheet begun with the header row. */
export function xlsxWriter(stream: Writable, variables: readonly Variable[]): XlsxWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: false, useSharedStrings: false });
  workbook.creator = 'tapestry';
  workbook.created = CREATED;
  workbook.modified = CREATED;
  const data = workbook.addWorksheet('responses', { views: [{ state: 'frozen', ySplit: 1 }] });
  data.addRow(variables.map((v) => text(v.column.name))).commit();
  const cellValue = (variable: Variable, cell: ExportCell): Value => {
    const written = typeof cell === 'string' ? cell : missingCell(variable.storage, cell.kind);
    if (variable.storage === 'numeric') return written === '' ? null : Number(written);
    return written === '' ? null : text(written);
  };
  return {
    page(page) {
      for (const cells of page) data.addRow(cells.map((cell, i) => cellValue(variables[i]!, cell))).commit();
    },
    async finish(codebook) {
      data.commit();
      const sheet = workbook.addWorksheet('codebook', { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.addRow([...CODEBOOK_COLUMNS]).commit();
      for (const entry of codebook) sheet.addRow(codebookRow(entry).map((v) => (v === '' ? null : text(v)))).commit();
      sheet.commit();
      await workbook.commit();
    },
  };
}
