/**
 * The store and the instrument cache, as decorations: `fastify.store` (its `db` is what the
 * repositories in src/store take) and `fastify.instruments` (published versions, parsed once).
 * The store is opened and closed by whoever built the app (server.ts, a test), not here: a
 * process closes it only after the server has finished its last request.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Store } from '../../store/open.ts';
import { InstrumentCache } from '../fielded.ts';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    instruments: InstrumentCache;
  }
}

export const store = fp(
  async function storePlugin(fastify: FastifyInstance, options: { store: Store }) {
    fastify.decorate('store', options.store);
    fastify.decorate('instruments', new InstrumentCache());
  },
  { name: 'tapestry-store', fastify: '5.x' },
);
