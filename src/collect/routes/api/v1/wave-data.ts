/**
 * What the routes that hand out a wave's responses share: the wave with the instrument it fields,
 * its responses as the export machinery reads them, and the `exported` row of the audit log, which
 * says what `tapestry export` says of a run, so the log reads the same whoever took the data.
 */
import type { Kysely } from 'kysely';
import type { FastifyRequest } from 'fastify';
import { Instrument } from '../../../../instrument/schema.ts';
import { appendAudit, type Actor } from '../../../../store/audit.ts';
import type { Database, WaveRow } from '../../../../store/database.ts';
import { getInstrumentVersion } from '../../../../store/instrument-versions.ts';
import { responsePages, type ResponsePageOptions, type StoredResponse } from '../../../../store/response-pages.ts';
import { findWave } from '../../../../store/waves.ts';
import { apiToken } from '../guard.ts';
import { ApiProblem } from '../problem.ts';

/** Who acted, for the audit log: the token, by id and name, from the request's address. */
export function tokenActor(request: FastifyRequest): Actor {
  const token = apiToken(request);
  return { actor: `API token ${token.id} (${token.name})`, actorAccountId: null, address: request.ip };
}

/** The wave and the instrument version it fields, or a 404 that says which is missing. */
export async function waveWithInstrument(db: Kysely<Database>, params: { instrument: string; wave: string }): Promise<{ wave: WaveRow; instrument: Instrument }> {
  const wave = await findWave(db, params.instrument, params.wave);
  if (!wave) throw new ApiProblem(404, 'No such wave', `${params.instrument} has no wave named ${params.wave}.`);
  const version = await getInstrumentVersion(db, wave.instrument_version_id);
  return { wave, instrument: Instrument.parse(version!.definition) };
}

/** The wave's responses in pages, counting as they go by, so the audit row can say how many were handed out. */
export async function* countedPages(db: Kysely<Database>, waveId: number, options: ResponsePageOptions, count: { responses: number; partial: number }): AsyncGenerator<StoredResponse[]> {
  for await (const page of responsePages(db, waveId, options)) {
    count.responses += page.length;
    count.partial += page.filter((r) => r.status !== 'submitted').length;
    yield page;
  }
}

export interface ExportedRecord {
  wave: WaveRow;
  instrument: Instrument;
  format: string;
  includePartial: boolean;
  responses: number;
  partial: number;
  /** False when the client went away before the whole wave was sent. */
  complete: boolean;
  files?: string[];
}

/** The `exported` row, as `tapestry export` writes it, with `via: api`. */
export async function recordExported(db: Kysely<Database>, actor: Actor, at: Date, record: ExportedRecord): Promise<void> {
  const { wave, instrument, format, includePartial, partial } = record;
  const submitted = record.responses - partial;
  await appendAudit(db, {
    ...actor,
    at,
    action: 'exported',
    instrumentId: wave.instrument_id,
    wave: wave.name,
    summary: `exported ${submitted} submitted${includePartial ? ` and ${partial} partial` : ''} responses of wave ${wave.name} of ${wave.instrument_id} as ${format} through the API${record.complete ? '' : ' (the client left before the end)'}`,
    details: { format, include_partial: includePartial, submitted, partial, version: instrument.version, via: 'api', complete: record.complete, ...(record.files ? { files: record.files } : {}) },
  });
}
