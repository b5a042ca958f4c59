/**
 * The workbook, read back with exceljs: the coded data as number and text cells, formula-like text
 * guarded and never a formula, the codebook on its own sheet, the same bytes every time; and an
 * export that fails half-way leaves no file behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFileNames, writeExport } from '../../src/export/bundle.ts';
import { MISSING_CODES } from '../../src/export/missing.ts';
import type { ExportResponse } from '../../src/export/rows.ts';
import { variablesOf, type Variable } from '../../src/export/variables.ts';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import type { Instrument } from '../../src/instrument/schema.ts';
import { EXPORT_FIXTURE, exportResponses, pagesOf } from '../support/export-responses.ts';

let instrument: Instrument;
let variables: Variable[];
let dir: string;
let sheetRows: ExcelJS.CellValue[][];
let codebookRows: ExcelJS.CellValue[][];
let cellTypes: ExcelJS.ValueType[][];

beforeAll(async () => {
  ({ instrument } = await loadInstrumentFile(EXPORT_FIXTURE));
  variables = variablesOf(instrument);
  dir = mkdtempSync(join(tmpdir(), 'tapestry-xlsx-'));
  await writeExport({ instrument, wave: '2026', formats: ['xlsx'], dir }, pagesOf(exportResponses()));
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(join(dir, exportFileNames(instrument, '2026').xlsx));
  const values = (sheet: ExcelJS.Worksheet) => {
    const rows: ExcelJS.CellValue[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row) => rows.push(Array.from({ length: sheet.columnCount }, (_, i) => row.getCell(i + 1).value)));
    return rows;
  };
  const data = workbook.getWorksheet('responses')!;
  sheetRows = values(data);
  cellTypes = [];
  data.eachRow((row) => cellTypes.push(Array.from({ length: variables.length }, (_, i) => row.getCell(i + 1).type)));
  codebookRows = values(workbook.getWorksheet('codebook')!);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const column = (name: string) => variables.findIndex((v) => v.column.name === name);

describe('the workbook', () => {
  it('has the layout\'s header and one row per response, in the order given', () => {
    expect(sheetRows[0]).toEqual(variables.map((v) => v.column.name));
    expect(sheetRows.slice(1).map((r) => r[0])).toEqual(exportResponses().map((r) => r.meta.responseId));
  });

  it('holds numeric columns as numbers, missing codes included, and everything else as text', () => {
    for (const [r, types] of cellTypes.slice(1).entries()) {
      types.forEach((type, i) => {
        const v = variables[i]!;
        if (sheetRows[r + 1]![i] === null) return;
        expect(type, `${v.name} of row ${r + 1}`).toBe(v.storage === 'numeric' ? ExcelJS.ValueType.Number : ExcelJS.ValueType.String);
      });
    }
    expect(sheetRows[2]![column('staff')]).toBe(MISSING_CODES.not_shown.numeric);
    expect(sheetRows[3]![column('agree')]).toBe(MISSING_CODES.not_answered.numeric);
    expect(sheetRows[3]![column('hours')]).toBe(4.014e-7);
    expect(sheetRows[1]![column('band')]).toBe(10);
    expect(sheetRows[2]![column('confidence')]).toBe(MISSING_CODES.not_answered.string);
  });

  it('guards text a spreadsheet would run, and writes no formula anywhere', () => {
    expect(sheetRows[1]![column('coaching_detail')]).toBe('\'=HYPERLINK("http://example.com/x","click"), +more');
    expect(sheetRows[3]![column('to')]).toBe("'@SUM(A1:A9)");
    expect(sheetRows[4]![column('to')]).toBe("'-2+3");
    const formulas = cellTypes.flat().filter((t) => t === ExcelJS.ValueType.Formula || t === ExcelJS.ValueType.SharedString);
    expect(formulas).toEqual([]);
  });

  it('leaves a partial response\'s submission time empty', () => {
    expect(sheetRows[4]![column('submitted_at')]).toBeNull();
    expect(sheetRows[1]![column('submitted_at')]).toBe('2026-09-01T09:05:07.250Z');
  });

  it('carries the codebook on its own sheet, one row per variable', () => {
    expect(codebookRows[0]!.slice(0, 4)).toEqual(['variable', 'column', 'question', 'label']);
    expect(codebookRows.slice(1).map((r) => r[0])).toEqual(variables.map((v) => v.name));
    const band = codebookRows.find((r) => r[0] === 'band')!;
    expect(band[7]).toBe('8=Band 8 | 9=Band 9 | 10=Band 10');
  });

  it('stamps every zip entry with 1980-01-01 00:00, in its local header and in the central directory', () => {
    const zip = readFileSync(join(dir, exportFileNames(instrument, '2026').xlsx));
    const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const entries = zip.readUInt16LE(end + 10);
    let at = zip.readUInt32LE(end + 16);
    const stamps: string[] = [];
    for (let i = 0; i < entries; i++) {
      const local = zip.readUInt32LE(at + 42);
      stamps.push(`${zip.readUInt16LE(at + 12)}/${zip.readUInt16LE(at + 14)}`, `${zip.readUInt16LE(local + 10)}/${zip.readUInt16LE(local + 12)}`);
      at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    }
    expect(entries).toBeGreaterThan(5);
    // MS-DOS time 0 (00:00:00) and date 33 (1980, month 1, day 1).
    expect(new Set(stamps)).toEqual(new Set(['0/33']));
  });

  it('is the same bytes when written again, whatever the time', async () => {
    const again = mkdtempSync(join(tmpdir(), 'tapestry-xlsx-again-'));
    try {
      // Zip stores times to two seconds; wait past that so an unfixed time would differ.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      await writeExport({ instrument, wave: '2026', formats: ['xlsx'], dir: again }, pagesOf(exportResponses(), 3));
      const name = exportFileNames(instrument, '2026').xlsx;
      expect(readFileSync(join(again, name)).equals(readFileSync(join(dir, name)))).toBe(true);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});

describe('an export that fails half-way', () => {
  it('leaves no file, not even a temporary one, and keeps what the folder held', async () => {
    const failing = mkdtempSync(join(tmpdir(), 'tapestry-xlsx-fail-'));
    try {
      async function* broken(): AsyncGenerator<ExportResponse[]> {
        yield exportResponses().slice(0, 2);
        throw new Error('the database went away');
      }
      await expect(writeExport({ instrument, wave: '2026', formats: ['csv', 'labelled-csv', 'xlsx', 'spss', 'stata', 'r', 'datapackage'], dir: failing }, broken())).rejects.toThrow('the database went away');
      expect(readdirSync(failing)).toEqual([]);
    } finally {
      rmSync(failing, { recursive: true, force: true });
    }
  });
});
