/** `GET /`: the surveys open now. */
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../app.ts';
import { isOpen } from '../fielded.ts';

export async function homeRoutes(fastify: FastifyInstance, deps: RouteDeps) {
  fastify.get('/', async (_request, reply) => {
    const rows = await deps.store.db
      .selectFrom('waves')
      .innerJoin('instrument_versions', 'instrument_versions.id', 'waves.instrument_version_id')
      .select(['waves.instrument_id', 'waves.name', 'waves.status', 'waves.opens_at', 'waves.closes_at', 'instrument_versions.title'])
      .where('waves.status', '=', 'open')
      .orderBy('instrument_versions.title')
      .orderBy('waves.name')
      .execute();
    const now = deps.now();
    const surveys = rows
      .filter((row) => isOpen(row, now))
      .map((row) => ({
        title: row.title,
        wave: row.name,
        href: `/s/${encodeURIComponent(row.instrument_id)}/${encodeURIComponent(row.name)}`,
      }));
    return reply.render('home.njk', { title: 'Open surveys', surveys });
  });
}
