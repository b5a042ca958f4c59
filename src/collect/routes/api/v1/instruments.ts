/** `GET /api/v1/instruments` and `/api/v1/instruments/{instrument}`: what the token may see, with versions and waves. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isoInstant } from '../../../../shared/instant.ts';
import type { InstrumentVersionRow, WaveRow } from '../../../../store/database.ts';
import { listInstrumentVersions } from '../../../../store/instrument-versions.ts';
import { listWaves } from '../../../../store/waves.ts';
import { allows } from '../../../authorisation.ts';
import { apiToken, needs } from '../guard.ts';
import { ApiProblem, problemResponses } from '../problem.ts';
import { InstrumentParams, InstrumentSchema } from './schemas.ts';
import { waveView } from './waves.ts';

function instrumentView(id: string, versions: readonly InstrumentVersionRow[], waves: readonly WaveRow[], now: Date): z.infer<typeof InstrumentSchema> {
  const own = versions.filter((v) => v.instrument_id === id);
  return {
    id,
    title: own[own.length - 1]!.title,
    versions: own.map((v) => ({ version: v.version, title: v.title, contentHash: v.content_hash, publishedAt: isoInstant(v.published_at) })),
    waves: waves.filter((w) => w.instrument_id === id).map((w) => waveView(w, own, now)),
  };
}

export async function instrumentRoutes(root: FastifyInstance) {
  const fastify = root.withTypeProvider<ZodTypeProvider>();
  const db = () => fastify.store.db;

  fastify.get(
    '/instruments',
    {
      config: needs('read'),
      schema: { tags: ['instruments'], summary: 'The instruments this token may read', response: { 200: z.object({ instruments: z.array(InstrumentSchema) }), ...problemResponses } },
    },
    async (request) => {
      const token = apiToken(request);
      const [versions, waves] = await Promise.all([listInstrumentVersions(db()), listWaves(db())]);
      const ids = [...new Set(versions.map((v) => v.instrument_id))].filter((id) => allows(token, 'read', id)).sort();
      return { instruments: ids.map((id) => instrumentView(id, versions, waves, fastify.now())) };
    },
  );

  fastify.get(
    '/instruments/:instrument',
    {
      config: needs('read'),
      schema: { tags: ['instruments'], summary: 'One instrument, its versions and waves', params: InstrumentParams, response: { 200: InstrumentSchema, ...problemResponses } },
    },
    async (request) => {
      const [versions, waves] = await Promise.all([listInstrumentVersions(db()), listWaves(db(), request.params.instrument)]);
      if (!versions.some((v) => v.instrument_id === request.params.instrument)) throw new ApiProblem(404, 'No such instrument', `No instrument ${request.params.instrument} has been published.`);
      return instrumentView(request.params.instrument, versions, waves, fastify.now());
    },
  );
}
