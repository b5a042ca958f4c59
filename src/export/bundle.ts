/**
 * One export: the files of the formats asked for, written from one pass over a wave's responses.
 * The responses come in as pages from whatever reads them (the store, for the command), so this
 * holds one page at a time, and the files appear whole or not at all (`output.ts`).
 *
 * Decisions, and why:
 * - One coded CSV serves every format that needs data beside a description: the SPSS, Stata and R
 *   syntax read it, the Data Package describes it. The syntax files name it without a folder, so
 *   the folder can be moved or shared as it is; they are run from inside it.
 * - The codebook (CSV and Markdown) comes with every format: data without one is a puzzle.
 * - File names start with `<instrument>-<wave>`, so exports of two waves can sit in one folder.
 */
import { join } from 'node:path';
import type { Instrument } from '../instrument/schema.ts';
import { codebookCsv, codebookMarkdown, codebookOf } from './codebook.ts';
import { csvHeader, csvPage } from './csv.ts';
import { dataPackage } from './datapackage.ts';
import { OutputFiles, type OutputFile } from './output.ts';
import { rScript } from './r.ts';
import { exportCells, type ExportResponse } from './rows.ts';
import { spssSyntax } from './spss.ts';
import { stataSyntax } from './stata.ts';
import { variablesOf } from './variables.ts';
import type { XlsxWriter } from './xlsx.ts';

export const EXPORT_FORMATS = ['csv', 'labelled-csv', 'xlsx', 'spss', 'stata', 'r', 'datapackage'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportRequest {
  instrument: Instrument;
  wave: string;
  formats: readonly ExportFormat[];
  /** The folder the files go to; made if need be. */
  dir: string;
}

export interface ExportResult {
  /** The files written, in the order written. */
  files: string[];
  /** How many responses, and how many of them were not submitted. */
  responses: number;
  partial: number;
}

/** The files an export of these formats writes, by role, named for the instrument and wave. */
export function exportFileNames(instrument: Instrument, wave: string) {
  const base = `${instrument.id}-${wave}`;
  return {
    csv: `${base}.csv`,
    labelled: `${base}-labelled.csv`,
    xlsx: `${base}.xlsx`,
    sps: `${base}.sps`,
    sav: `${base}.sav`,
    do: `${base}.do`,
    r: `${base}.R`,
    codebookCsv: 'codebook.csv',
    codebookMd: 'codebook.md',
    datapackage: 'datapackage.json',
  };
}

/** Writes the export from `pages`; on any failure no file of it is left, and the error goes on. */
export async function writeExport(request: ExportRequest, pages: AsyncIterable<readonly ExportResponse[]>): Promise<ExportResult> {
  const { instrument, wave, formats, dir } = request;
  const wants = (...any: ExportFormat[]) => any.some((f) => formats.includes(f));
  const names = exportFileNames(instrument, wave);
  const variables = variablesOf(instrument);
  const codebook = codebookOf(instrument, variables);
  const output = new OutputFiles();
  const at = (name: string) => join(dir, name);
  try {
    const coded = wants('csv', 'spss', 'stata', 'r', 'datapackage') ? await output.open(at(names.csv)) : undefined;
    const labelled = wants('labelled-csv') ? await output.open(at(names.labelled)) : undefined;
    let xlsx: { file: OutputFile; writer: XlsxWriter; fixZipTimes: (path: string) => Promise<void> } | undefined;
    if (wants('xlsx')) {
      // Loaded only for a workbook: the workbook library is the largest an export loads.
      const { fixZipTimes, xlsxWriter } = await import('./xlsx.ts');
      const file = await output.open(at(names.xlsx));
      xlsx = { file, writer: xlsxWriter(file.stream, variables), fixZipTimes };
    }
    await coded?.write(csvHeader(variables));
    await labelled?.write(csvHeader(variables));
    let responses = 0;
    let partial = 0;
    for await (const page of pages) {
      const cells = page.map((response) => exportCells(instrument, variables, response));
      responses += page.length;
      partial += page.filter((response) => response.meta.submittedAt === '').length;
      await coded?.write(csvPage(variables, 'coded', cells));
      await labelled?.write(csvPage(variables, 'labelled', cells));
      if (xlsx) {
        xlsx.writer.page(cells);
        // The workbook writer does not wait for its file; wait here, as for the other files.
        await xlsx.file.drained();
      }
    }
    if (xlsx) {
      await xlsx.writer.finish(codebook);
      await xlsx.file.finish();
      await xlsx.fixZipTimes(xlsx.file.temp);
    }
    const whole = async (name: string, text: string) => {
      const file = await output.open(at(name));
      await file.write(text);
    };
    if (wants('spss')) await whole(names.sps, spssSyntax(instrument, names.csv, names.sav));
    if (wants('stata')) await whole(names.do, stataSyntax(instrument, names.csv));
    if (wants('r')) await whole(names.r, rScript(instrument, names.csv));
    if (wants('datapackage')) await whole(names.datapackage, dataPackage(instrument, wave, variables, names.csv));
    await whole(names.codebookCsv, codebookCsv(codebook));
    await whole(names.codebookMd, codebookMarkdown(instrument, wave, codebook));
    const files = await output.commit();
    return { files, responses, partial };
  } catch (error) {
    await output.abort();
    throw error;
  }
}
