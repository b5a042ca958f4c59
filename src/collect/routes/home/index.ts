/** `GET /`: the surveys open now that anyone may start and that are listed. */
import type { FastifyInstance } from 'fastify';
import { listListedOpenWaves } from '../../../store/waves.ts';
import { isOpen } from '../../journey.ts';

export async function homeRoutes(fastify: FastifyInstance) {
  fastify.get('/', async (_request, reply) => {
    const rows = await listListedOpenWaves(fastify.store.db);
    const now = fastify.now();
    const surveys = rows
      .filter((row) => isOpen(row, now))
      .map((row) => ({
        title: row.title,
        wave: row.name,
        href: `/s/${encodeURIComponent(row.instrument_id)}/${encodeURIComponent(row.name)}`,
      }));
    return reply.render('home/index.njk', { title: 'Open surveys', surveys });
  });
}
