/**
 * A wave through the API: `GET …/waves/{wave}`, its monitoring figures (`…/figures`, counted by the
 * database), and closing it (`POST …/close`, for roles that may change waves; audited as the
 * workspace and `tapestry wave close` are, through the same function).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { isoInstant } from '../../../../shared/instant.ts';
import type { InstrumentVersionRow, WaveRow } from '../../../../store/database.ts';
import { listVersionsOf, type VersionSummary } from '../../../../store/instrument-history.ts';
import { waveFigures } from '../../../../store/monitoring.ts';
import { closeWaveRecorded } from '../../../../store/wave-changes.ts';
import { findWave, waveState, WaveError } from '../../../../store/waves.ts';
import { apiToken, needs } from '../guard.ts';
import { ApiProblem, problemResponses } from '../problem.ts';
import { FiguresSchema, WaveParams, WaveSchema } from './schemas.ts';

export function waveView(wave: WaveRow, versions: readonly Pick<InstrumentVersionRow, 'id' | 'version'>[], now: Date): z.infer<typeof WaveSchema> {
  return {
    instrument: wave.instrument_id,
    name: wave.name,
    version: versions.find((v) => v.id === wave.instrument_version_id)?.version ?? '',
    state: waveState(wave, now),
    access: wave.access,
    opensAt: isoInstant(wave.opens_at),
    closesAt: wave.closes_at === null ? null : isoInstant(wave.closes_at),
  };
}

export async function waveRoutes(root: FastifyInstance) {
  const fastify = root.withTypeProvider<ZodTypeProvider>();
  const db = () => fastify.store.db;

  const waveOf = async (params: { instrument: string; wave: string }): Promise<{ wave: WaveRow; versions: VersionSummary[] }> => {
    const wave = await findWave(db(), params.instrument, params.wave);
    if (!wave) throw new ApiProblem(404, 'No such wave', `${params.instrument} has no wave named ${params.wave}.`);
    return { wave, versions: await listVersionsOf(db(), params.instrument) };
  };

  fastify.get(
    '/instruments/:instrument/waves/:wave',
    { config: needs('read'), schema: { tags: ['waves'], summary: 'One wave', params: WaveParams, response: { 200: WaveSchema, ...problemResponses } } },
    async (request) => {
      const { wave, versions } = await waveOf(request.params);
      return waveView(wave, versions, fastify.now());
    },
  );

  fastify.get(
    '/instruments/:instrument/waves/:wave/figures',
    {
      config: needs('monitor'),
      schema: { tags: ['waves'], summary: "The wave's responses started and submitted, and the median time to complete", params: WaveParams, response: { 200: FiguresSchema, ...problemResponses } },
    },
    async (request) => {
      const { wave } = await waveOf(request.params);
      const figures = await waveFigures(db(), wave.id);
      return { instrument: wave.instrument_id, wave: wave.name, started: figures.started, submitted: figures.submitted, medianMinutes: figures.medianMinutes };
    },
  );

  fastify.post(
    '/instruments/:instrument/waves/:wave/close',
    {
      config: needs('waves'),
      schema: { tags: ['waves'], summary: 'Closes the wave now (a scheduled one is called off)', params: WaveParams, response: { 200: WaveSchema, 409: problemResponses[400], ...problemResponses } },
    },
    async (request) => {
      const token = apiToken(request);
      const { wave, versions } = await waveOf(request.params);
      try {
        const { wave: closed } = await closeWaveRecorded(db(), { actor: `API token ${token.id} (${token.name})`, actorAccountId: null, address: request.ip }, fastify.now(), wave);
        return waveView(closed, versions, fastify.now());
      } catch (error) {
        if (error instanceof WaveError) throw new ApiProblem(409, 'The wave is closed already', error.message);
        throw error;
      }
    },
  );
}
