/** The wave a workspace address names, with its instrument, or the 404 page every wave route gives. */
import type { FastifyInstance } from 'fastify';
import type { Fielded } from '../../fielded.ts';
import { HttpError } from '../../http-error.ts';

export async function fieldedWave(fastify: FastifyInstance, params: { instrument: string; wave: string }): Promise<Fielded> {
  const fielded = await fastify.instruments.fielded(fastify.store.db, params.instrument, params.wave);
  if (!fielded) throw new HttpError(404, 'Page not found', `${params.instrument} has no wave named ${params.wave}.`, { href: '/admin', text: 'Go to the workspace' });
  return fielded;
}
