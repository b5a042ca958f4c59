/**
 * A wave's individual responses through the API, for roles that may see them (`responses`; never
 * a viewer's): a page at a time as JSON, or the whole wave as NDJSON or as the CSV of `tapestry
 * export --format csv`, streamed a page at a time.
 *
 * Decisions, and why:
 * - The cursor is the last id of the page before, base64url-encoded: the store reads keyset pages
 *   by id, so a page costs the same however deep, and a response arriving while a client pages
 *   through never makes another appear twice or go missing. Opaque, so that what it holds can
 *   change without breaking clients.
 * - The whole-wave routes stream from an async generator, one page of the store at a time, so a
 *   wave of any size passes through without being held in memory; the status and headers go out
 *   before the first row, so a failure half-way ends the connection instead of answering a problem.
 * - The CSV is written by the export's own writer (the column layout, the missing codes, every text
 *   cell guarded against formula injection): it is the same file `tapestry export` writes.
 * - The whole-wave routes are downloads of the data and are audited as an export is; a page of JSON
 *   is one step of a client's walk, and is not.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { exportFileNames } from '../../../../export/bundle.ts';
import { csvHeader, csvPage } from '../../../../export/csv.ts';
import { exportCells } from '../../../../export/rows.ts';
import { variablesOf } from '../../../../export/variables.ts';
import { isoInstant } from '../../../../shared/instant.ts';
import type { StoredResponse } from '../../../../store/response-pages.ts';
import { responsePages } from '../../../../store/response-pages.ts';
import { needs } from '../guard.ts';
import { ApiProblem, problemResponses } from '../problem.ts';
import { ResponsePageSchema, ResponseSchema, ResponsesQuery, WaveParams, WholeWaveQuery } from './schemas.ts';
import { countedPages, recordExported, tokenActor, waveWithInstrument } from './wave-data.ts';
import { exportResponse } from '../../../../export/from-store.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');

/** The id a cursor holds, or a 400 naming the parameter. */
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID.test(id)) throw new ApiProblem(400, 'The request is not valid', 'querystring.cursor: is not a cursor this API gave; pass the `nextCursor` of a page, or leave it out for the first page.', [{ location: 'querystring.cursor', message: 'is not a cursor this API gave' }]);
  return id;
}

export function responseView(response: StoredResponse): z.infer<typeof ResponseSchema> {
  return {
    id: response.id,
    status: response.status,
    submittedAt: response.submittedAt === null ? null : isoInstant(response.submittedAt),
    instrumentVersion: response.instrumentVersion,
    answers: response.answers,
    ...(response.source !== null ? { source: { name: response.source, sha256: response.sourceSha256 ?? '' } } : {}),
  };
}

export async function responseRoutes(root: FastifyInstance) {
  const fastify = root.withTypeProvider<ZodTypeProvider>();
  const db = () => fastify.store.db;
  const base = '/instruments/:instrument/waves/:wave/responses';

  fastify.get(
    base,
    {
      config: needs('responses'),
      schema: {
        tags: ['responses'],
        summary: "A page of the wave's responses, ordered by id",
        description: 'Follow `nextCursor` until it is null to read every response once.',
        params: WaveParams,
        querystring: ResponsesQuery,
        response: { 200: ResponsePageSchema, ...problemResponses },
      },
    },
    async (request) => {
      const after = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor);
      const { wave } = await waveWithInstrument(db(), request.params);
      const pages = responsePages(db(), wave.id, { includePartial: request.query.include === 'partial', pageSize: request.query.limit, ...(after ? { after } : {}) });
      const first = await pages.next();
      await pages.return(undefined);
      const page = first.done ? [] : first.value;
      return {
        instrument: wave.instrument_id,
        wave: wave.name,
        responses: page.map(responseView),
        // A full page may be followed by an empty one: the client then learns it was the last.
        nextCursor: page.length === request.query.limit ? encodeCursor(page[page.length - 1]!.id) : null,
      };
    },
  );

  /** Streams `lines` of the wave and writes the `exported` row once it has gone (or the client has). */
  const wholeWave = (format: 'ndjson' | 'csv', type: string, schema: z.ZodType, summary: string) =>
    fastify.get(
      `${base}.${format}`,
      {
        // A HEAD would run the export and be audited as one, for data never sent.
        exposeHeadRoute: false,
        config: needs('responses'),
        schema: { tags: ['responses'], summary, params: WaveParams, querystring: WholeWaveQuery, response: { 200: { description: summary, content: { [type]: { schema } } }, ...problemResponses } },
      },
      async (request, reply) => {
        const { wave, instrument } = await waveWithInstrument(db(), request.params);
        const includePartial = request.query.include === 'partial';
        const actor = tokenActor(request);
        const count = { responses: 0, partial: 0 };
        const variables = variablesOf(instrument);
        const log = request.log;
        const store = db();
        const now = () => fastify.now();
        async function* lines(): AsyncGenerator<string> {
          let complete = false;
          try {
            if (format === 'csv') yield csvHeader(variables);
            for await (const page of countedPages(store, wave.id, { includePartial }, count)) {
              if (format === 'ndjson') yield page.map((r) => `${JSON.stringify(responseView(r))}\n`).join('');
              else yield csvPage(variables, 'coded', page.map((r) => exportCells(instrument, variables, exportResponse(r, wave.name))));
            }
            complete = true;
          } finally {
            await recordExported(store, actor, now(), { wave, instrument, format, includePartial, responses: count.responses, partial: count.partial, complete }).catch((error: unknown) => log.error({ err: error }, 'the export could not be audited'));
          }
        }
        const name = format === 'csv' ? exportFileNames(instrument, wave.name).csv : `${wave.instrument_id}-${wave.name}.ndjson`;
        return reply
          .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(Readable.from(lines(), { objectMode: false }));
      },
    );

  wholeWave('ndjson', 'application/x-ndjson', ResponseSchema, "Every response of the wave, one JSON object a line, ordered by id");
  wholeWave('csv', 'text/csv', z.string().describe('the coded CSV of `tapestry export --format csv`'), "Every response of the wave as the export's coded CSV, in the column layout");
}
