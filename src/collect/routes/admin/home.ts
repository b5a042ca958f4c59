/** `GET /admin`: the instruments the account works on, each with its versions and waves. */
import type { FastifyInstance } from 'fastify';
import { listInstrumentVersions } from '../../../store/instrument-versions.ts';
import { listWaves } from '../../../store/waves.ts';
import { allows } from '../../authorisation.ts';
import { availability } from '../../journey.ts';
import { signedIn } from './index.ts';
import { instrumentHref, waveHref } from './addresses.ts';

/** A wave's state as the workspace names it, the same words as `tapestry wave list`. */
export const STATE_TEXT = { open: 'open', 'not-yet-open': 'scheduled', closed: 'closed' } as const;

export async function homeRoutes(fastify: FastifyInstance) {
  fastify.get('/', { prefixTrailingSlash: 'no-slash' }, async (request, reply) => {
    const account = signedIn(request);
    const now = fastify.now();
    const versions = await listInstrumentVersions(fastify.store.db);
    const waves = await listWaves(fastify.store.db);
    const ids = [...new Set(versions.map((v) => v.instrument_id))].filter((id) => allows(account, 'read', id)).sort();
    const instruments = ids.map((id) => {
      const own = versions.filter((v) => v.instrument_id === id);
      const latest = own[own.length - 1]!;
      return {
        id,
        href: instrumentHref(id),
        title: latest.title,
        latest: latest.version,
        versions: own.length,
        waves: waves
          .filter((w) => w.instrument_id === id)
          .map((w) => ({ name: w.name, href: waveHref(id, w.name), state: STATE_TEXT[availability(w, now)] })),
      };
    });
    return reply.page('admin/home.njk', { title: 'Instruments', instruments, mayPublish: allows(account, 'publish') });
  });
}
