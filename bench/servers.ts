// The two servers the submission benchmark compares, in one process of their own so that the
// load generator does not share their event loop: tapestry's survey service, and a bare Fastify
// route that parses the same form and INSERTs the answers into PostgreSQL.
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import pg from 'pg';
import { buildServer } from '../src/collect/server.ts';
import { loadInstrumentFile } from '../src/instrument/load.ts';
import { publishInstrument } from '../src/store/instrument-versions.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { openStore } from '../src/store/open.ts';
import { openWave } from '../src/store/waves.ts';

const databaseUrl = process.argv[2]!;
const store = await openStore({ databaseUrl });
await migrateToLatest(store);
const { row } = await publishInstrument(store.db, await loadInstrumentFile(new URL('../surveys/leadership-individual.yaml', import.meta.url).pathname));
await openWave(store.db, { instrumentId: row.instrument_id, instrumentVersionId: row.id, name: 'bench' });
// Every simulated respondent comes from 127.0.0.1, so the per-client limits (20 anonymous starts
// a minute by default) would refuse all but the first few; the bench measures the work, not them.
const tapestry = await buildServer({ store, lookupsPerMinute: 1_000_000, startsPerMinute: 1_000_000 });
await tapestry.listen({ host: '127.0.0.1', port: 0 });

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
await pool.query('create table if not exists bare_responses (id uuid primary key default gen_random_uuid(), answers jsonb not null, submitted_at timestamptz not null default now())');
const bare = Fastify({ bodyLimit: 256 * 1024 });
await bare.register(formbody);
bare.post('/bare', async (request, reply) => {
  await pool.query('insert into bare_responses (answers) values ($1)', [JSON.stringify(request.body)]);
  return reply.code(303).header('location', '/done').send();
});
await bare.listen({ host: '127.0.0.1', port: 0 });

const port = (server: { server: { address(): unknown } }) => (server.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ tapestry: port(tapestry), bare: port(bare) })}\n`);
process.on('SIGTERM', async () => {
  await tapestry.close();
  await bare.close();
  await store.close();
  await pool.end();
  process.exit(0);
});
