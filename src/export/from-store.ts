/**
 * A wave's export read from the store: its responses page by page as the export writes them, and
 * the whole export with its audit row, so that `tapestry export`, the workspace's export page and
 * the API write the same files and log the same row.
 */
import { relative } from 'node:path';
import type { Kysely } from 'kysely';
import type { Instrument } from '../instrument/schema.ts';
import { appendAudit, type Actor } from '../store/audit.ts';
import type { Database } from '../store/database.ts';
import { responsePages, type ResponsePageOptions, type StoredResponse } from '../store/response-pages.ts';
import { writeExport, type ExportFormat, type ExportResult } from './bundle.ts';
import type { ExportResponse } from './rows.ts';

/** A stored response as the export reads it: the meta every export of it gives, so the files agree byte for byte. */
export function exportResponse(response: StoredResponse, wave: string): ExportResponse {
  return {
    meta: { responseId: response.id, wave, instrumentVersion: response.instrumentVersion, submittedAt: response.submittedAt ?? '' },
    answers: response.answers,
  };
}

/** The store's responses as the export reads them, page by page. */
export async function* exportPages(db: Kysely<Database>, waveId: number, wave: string, options: ResponsePageOptions): AsyncGenerator<ExportResponse[]> {
  for await (const page of responsePages(db, waveId, options)) yield page.map((response) => exportResponse(response, wave));
}

export interface WaveExport {
  instrument: Instrument;
  wave: { id: number; name: string };
  formats: readonly ExportFormat[];
  /** What was asked for, as the audit row names it: a format, or `all`. */
  asked: string;
  includePartial: boolean;
  dir: string;
  /** The folder as the audit row names it. */
  folder: string;
}

/** Writes the export and appends its `exported` audit row; the summary says what went out. */
export async function exportWave(db: Kysely<Database>, actor: Actor, at: Date, request: WaveExport): Promise<ExportResult & { summary: string }> {
  const { instrument, wave, includePartial } = request;
  const result = await writeExport({ instrument, wave: wave.name, formats: request.formats, dir: request.dir }, exportPages(db, wave.id, wave.name, { includePartial }));
  const submitted = result.responses - result.partial;
  const summary = `exported ${submitted} submitted${includePartial ? ` and ${result.partial} partial` : ''} responses of wave ${wave.name} of ${instrument.id} as ${request.asked}`;
  const files = result.files.map((file) => relative(request.dir, file));
  await appendAudit(db, {
    ...actor,
    at,
    action: 'exported',
    instrumentId: instrument.id,
    wave: wave.name,
    summary,
    details: { format: request.asked, formats: [...request.formats], include_partial: includePartial, submitted, partial: result.partial, version: instrument.version, folder: request.folder, files },
  });
  return { ...result, summary };
}
