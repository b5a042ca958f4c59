// `npm run bench:monitor`: the workspace's monitoring page for a wave of 200,000 responses on the
// real PostgreSQL, and `tapestry status`'s figures for the same wave.
//
// A schema of its own gets leadership-individual, a wave "big" of BENCH_RESPONSES responses
// (spread over sectors and tiers, most submitted, the rest in progress at every page) with
// targets and invitations, and a wave "small" of 1,000 made the same way. The page is requested
// signed in as an admin, through Fastify's inject (the whole route, its hooks and its template,
// without the network) — once as viewed again before any count has moved (its charts kept from
// the last view) and once with its charts drawn afresh (as after a response came in) — and the
// status figures are worked out, 50 times each, in rounds that
// alternate with the baselines measured in the same run: a plain `select count(*)` of the big
// wave's responses (an index-only scan), one pass over its rows reading each one's sector out of
// its answers (what any figure counted by an answer other than sector or tier costs at least), and the same page and figures for the small
// wave. BENCH_EXPLAIN=1 also prints EXPLAIN ANALYZE of every query the monitoring store
// functions send, on the big wave. BENCH_KEEP_SCHEMA=1 leaves the schema (its name printed) for psql.
import type { FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { quantileSorted } from 'simple-statistics';
import { waveStatus } from '../src/cli/status.ts';
import { forgetDrawnCharts } from '../src/collect/monitoring-charts.ts';
import { buildServer } from '../src/collect/server.ts';
import { loadInstrumentFile } from '../src/instrument/load.ts';
import type { Instrument } from '../src/instrument/schema.ts';
import { createAccount, setPassword } from '../src/store/accounts.ts';
import type { Database } from '../src/store/database.ts';
import { publishInstrument } from '../src/store/instrument-versions.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { countInvitations, countInvitationsByStratum, medianMinutesToSubmit, stopsByPage, tallyWave, waveFigures, waveFiguresByAnswer } from '../src/store/monitoring.ts';
import { openStore } from '../src/store/open.ts';
import { listWaveTargets, setWaveTargets } from '../src/store/targets.ts';
import { openWave } from '../src/store/waves.ts';

const RESPONSES = Number(process.env.BENCH_RESPONSES ?? 200_000);
const SMALL = 1_000;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50);
const BATCH = 20_000;
const INSTRUMENT = 'leadership-individual';
const baseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_monitor_${process.pid}`;

const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect().catch((error: Error) => {
  console.error(`npm run bench:monitor needs PostgreSQL (DATABASE_URL or ${baseUrl}): ${error.message}`);
  process.exit(1);
});
await admin.query(`create schema ${schema}`);
if (process.env.BENCH_KEEP_SCHEMA) console.log(`schema ${schema} is kept`);
// The schema goes whatever happens after this, an error or ^C included.
let dropped = false;
async function dropSchema() {
  if (dropped || process.env.BENCH_KEEP_SCHEMA) return;
  dropped = true;
  await admin.query(`drop schema ${schema} cascade`);
}
process.once('SIGINT', () => void dropSchema().finally(() => process.exit(130)));

async function run() {
  const store = await openStore({ databaseUrl: baseUrl, schema });
  await migrateToLatest(store);
  const instrument = await loadInstrumentFile(new URL('../surveys/leadership-individual.yaml', import.meta.url).pathname);
  const { row: version } = await publishInstrument(store.db, instrument);
  const opensAt = new Date(Date.now() - 30 * 24 * 3600 * 1000);
  const big = await openWave(store.db, { instrumentId: INSTRUMENT, instrumentVersionId: version.id, name: 'big', opensAt });
  const small = await openWave(store.db, { instrumentId: INSTRUMENT, instrumentVersionId: version.id, name: 'small', opensAt });

  const started = performance.now();
  for (const [wave, count] of [[big, RESPONSES], [small, SMALL]] as const) {
    await setWaveTargets(store.db, wave.id, targetsFor(count));
    await loadWave(wave.id, version.id, count, opensAt, (done) => process.stderr.write(`  wave ${wave.name}: ${done.toLocaleString('en-GB')}/${count.toLocaleString('en-GB')} responses\n`));
  }
  // Autovacuum would soon analyse the freshly loaded tables and set their visibility map; done now
  // so that it neither lands in the middle of a measurement nor leaves the planner guessing.
  await admin.query(`vacuum analyze ${schema}.responses, ${schema}.invitations`);
  const loadSeconds = (performance.now() - started) / 1000;
  const size = await admin.query(`select pg_size_pretty(pg_table_size('${schema}.responses')) as size`);

  const app = await buildServer({ store });
  const cookies = await signIn(app, store.db);
  const pageOf = (wave: string) => async () => {
    const response = await app.inject({ method: 'GET', url: `/admin/instruments/${INSTRUMENT}/waves/${wave}`, headers: { cookie: cookies } });
    if (response.statusCode !== 200) throw new Error(`the page of wave ${wave} answered ${response.statusCode}`);
    return response.body;
  };
  const statusOf = (wave: string) => () => waveStatus(store, INSTRUMENT, wave, () => ['sector', 'tier'], 5);
  const countAll = () => sql`select count(*) from responses where wave_id = ${big.id}`.execute(store.db);
  // One pass over the wave's rows that reads an answer: what every figure counted by answer costs at least.
  const onePass = () => sql`select count(answers->>'sector') from responses where wave_id = ${big.id}`.execute(store.db);

  // The page must show the wave it was asked for: its total row (invited, started, submitted, …)
  // counts every response as started.
  const totalRow = /<tr[^>]*tapestry-total[^>]*>([\s\S]*?)<\/tr>/.exec(await pageOf('big')())?.[1] ?? '';
  const cells = [...totalRow.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
  if (!cells.includes(String(RESPONSES))) throw new Error(`the page of wave big shows ${cells.join(', ')} in its total row, not ${RESPONSES} responses started`);
  const status = await statusOf('big')();
  if (status.overall.started !== RESPONSES) throw new Error(`status of wave big counts ${status.overall.started} responses started, not ${RESPONSES}`);

  const measured = {
    page: [] as number[],
    pageFresh: [] as number[],
    pageSmall: [] as number[],
    status: [] as number[],
    statusSmall: [] as number[],
    count: [] as number[],
    pass: [] as number[],
  };
  const work: Record<keyof typeof measured, () => Promise<unknown>> = {
    page: pageOf('big'),
    // As after a response has moved a count: both charts drawn again.
    pageFresh: () => {
      forgetDrawnCharts();
      return pageOf('big')();
    },
    pageSmall: pageOf('small'),
    status: statusOf('big'),
    statusSmall: statusOf('small'),
    count: countAll,
    pass: onePass,
  };
  // Warm-up: compiled templates, prepared plans and cached pages before anything is timed.
  for (let i = 0; i < 3; i++) for (const run of Object.values(work)) await run();
  for (let i = 0; i < REQUESTS; i++) {
    // Each round in another order, so that no figure always follows the same one.
    const keys = Object.keys(work) as (keyof typeof measured)[];
    for (const key of [...keys.slice(i % keys.length), ...keys.slice(0, i % keys.length)]) {
      const at = performance.now();
      await work[key]();
      measured[key].push(performance.now() - at);
    }
  }

  if (process.env.BENCH_EXPLAIN) await explainMonitoring(big.id, instrument.instrument);

  await app.close();
  await store.close();

  const serverVersion = (await admin.query('show server_version')).rows[0].server_version;
  const s = Object.fromEntries(Object.entries(measured).map(([key, values]) => [key, stats(values)])) as Record<keyof typeof measured, ReturnType<typeof stats>>;
  const f = (n: number, digits = 1) => n.toFixed(digits).padStart(8);
  const line = (name: string, x: ReturnType<typeof stats>) => `${name.padEnd(44)}${f(x.p50)} ${f(x.p99)} ${f(x.min)} ${f(x.max)}`;
  const n = RESPONSES.toLocaleString('en-GB');
  console.log(`\nwave of ${n} responses (${size.rows[0].size}) loaded in ${loadSeconds.toFixed(1)} s; ${REQUESTS} requests each, PostgreSQL ${serverVersion} at ${new URL(baseUrl).host}`);
  console.log(`${''.padEnd(44)}  p50 ms   p99 ms   min ms   max ms`);
  console.log(line(`monitoring page, ${n} responses`, s.page));
  console.log(line(`  the same, its charts drawn afresh`, s.pageFresh));
  console.log(line(`monitoring page, ${SMALL.toLocaleString('en-GB')} responses`, s.pageSmall));
  console.log(line(`status figures, ${n} responses`, s.status));
  console.log(line(`status figures, ${SMALL.toLocaleString('en-GB')} responses`, s.statusSmall));
  console.log(line(`select count(*), ${n} responses`, s.count));
  console.log(line(`one pass reading sector, ${n} responses`, s.pass));
  console.log(`monitoring page p50 ${s.page.p50.toFixed(1)} ms (target < 300 ms): ${s.page.p50 < 300 ? 'met' : 'missed'}; charts drawn afresh ${s.pageFresh.p50.toFixed(1)} ms: ${s.pageFresh.p50 < 300 ? 'met' : 'missed'}`);
  console.log(`ratio at p50, page ${n} / page ${SMALL.toLocaleString('en-GB')}     ${f(s.page.p50 / s.pageSmall.p50, 2)}`);
  console.log(`ratio at p50, page ${n} / count(*)       ${f(s.page.p50 / s.count.p50, 2)}`);
  console.log(`ratio at p50, page ${n} / one pass       ${f(s.page.p50 / s.pass.p50, 2)}`);
  console.log(`ratio at p50, status ${n} / count(*)     ${f(s.status.p50 / s.count.p50, 2)}`);
  console.log(`ratio at p50, status ${n} / one pass     ${f(s.status.p50 / s.pass.p50, 2)}`);
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: quantileSorted(sorted, 0.5), p99: quantileSorted(sorted, 0.99), min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Targets for every sector × tier, adding up to about the wave's size, so that the page has all its columns. */
function targetsFor(count: number) {
  const sectors = { public: 0.5, private: 0.3, voluntary: 0.2 };
  const tiers = ['front_line', 'first_line', 'middle', 'senior'];
  return Object.entries(sectors).flatMap(([sector, share]) => tiers.map((tier) => ({ sector, tier, target: Math.round((count * share) / tiers.length) })));
}

// Answers as the survey service stores them (see src/instrument/answers.ts), page by page:
// single and scale answers as option ids, multiple choices as arrays, a matrix as row → option.
const PAGE_ANSWERS = [
  { qual_status: 'holds', qual_type: ['svq', 'academic'], qual_reason: ['job_relevance'], qual_benefit: 'some', qual_benefit_text: 'More confidence when leading my team, and a better sense of where the service is going.' },
  { activities: { feedback_360: 'never_offered', coaching: 'offered', mentoring: 'took_part', networking: 'never_offered', secondment: 'offered', action_learning: 'took_part', leadership_community: 'never_offered', co_consultancy: 'offered' } },
  { resources: { clf: 'aware', four_ps: 'unaware', inspectorate_guide: 'used', in_house: 'used' } },
  { capabilities: { vision: 'established', self_leadership: 'emerging', motivating: 'established', empowering: 'accomplished', collaborating: 'established', creativity: 'emerging' } },
];
const PAGES = ['about-you', 'qualifications', 'development-activities', 'resources', 'your-leadership', 'looking-ahead'];
const SERVICE_AREAS = ['adult_care_homes', 'care_at_home', 'day_services', 'housing_support', 'children_residential', 'early_years', 'criminal_justice', 'fieldwork', 'central_services'];

/**
 * `count` responses for the wave, BATCH at a time, each batch one `insert … select` over
 * generate_series, with `invited` of them (a quarter) through invitations of their own among
 * twice as many. Who answers what is a hash of the response's number, so every run loads the
 * same rows: 80 % submitted; the rest stopped after 0 to 6 pages, a seventh of them on each.
 */
async function loadWave(waveId: number, versionId: number, count: number, opensAt: Date, progress: (done: number) => void) {
  const invitations = Math.floor(count / 2);
  const invited = Math.floor(count / 4);
  await admin.query(
    `insert into ${schema}.invitations (wave_id, token_hash, email, state, attributes)
     select $1::int, 'bench-' || $1::int || '-' || i, 'person' || i || '@example.org',
            (array['sent', 'sent', 'sent', 'sent', 'sent', 'sent', 'queued', 'failed', 'declined', 'created'])[1 + abs(hashint4(i)) % 10], '{}'
     from generate_series(1, $2::int) as i`,
    [waveId, invitations],
  );
  for (let from = 1; from <= count; from += BATCH) {
    const to = Math.min(count, from + BATCH - 1);
    await admin.query(
      `insert into ${schema}.responses (wave_id, instrument_version_id, invitation_id, status, answers, current_page, complete, started_at, updated_at, submitted_at)
       with r as (
         select i,
                abs(hashint4(i)) % 100 < 80 as submitted,
                abs(hashint4(i + 7919)) % 100 as s,
                abs(hashint4(i + 104729)) % 4 as t,
                abs(hashint4(i + 1299709)) % 7 as stage,
                abs(hashint4(i + 15485863)) % 9 as area
         from generate_series($3::int, $4::int) as i
       ), p as (
         select r.*, case when submitted then 6 else stage end as pages,
                $5::timestamptz + (i % 2500000) * interval '1 second' as started_at,
                (5 + abs(hashint4(i + 49979687)) % 40) * interval '1 minute' as took
         from r
       )
       select $1::int, $2::int,
              case when i <= $6 then (select id from ${schema}.invitations v where v.token_hash = 'bench-' || $1::int || '-' || i) end,
              case when submitted then 'submitted' else 'in_progress' end,
              case when pages >= 1 then jsonb_build_object(
                     'sector', case when s < 50 then 'public' when s < 80 then 'private' else 'voluntary' end,
                     'tier', ($7::text[])[1 + t],
                     'service_area', ($8::text[])[1 + area]) else '{}'::jsonb end
                || case when pages >= 2 then $9::jsonb else '{}'::jsonb end
                || case when pages >= 3 then $10::jsonb else '{}'::jsonb end
                || case when pages >= 4 then $11::jsonb else '{}'::jsonb end
                || case when pages >= 5 then $12::jsonb else '{}'::jsonb end
                || case when pages >= 6 then jsonb_build_object('most_help', 'Protected time for learning, and a mentor outside my own service (' || i || ').') else '{}'::jsonb end,
              case when pages = 0 then null else ($13::text[])[pages] end,
              pages = 6,
              started_at,
              started_at + case when submitted then took else took / 3 end,
              case when submitted then started_at + took end
       from p`,
      [waveId, versionId, from, to, opensAt, invited, ['front_line', 'first_line', 'middle', 'senior'], SERVICE_AREAS, ...PAGE_ANSWERS.map((a) => JSON.stringify(a)), PAGES],
    );
    if (count >= BATCH) progress(to);
  }
}

/** The cookie header of an admin signed in through the real sign-in form. */
async function signIn(app: FastifyInstance, db: Kysely<Database>): Promise<string> {
  const email = 'admin@example.org';
  const password = 'correct horse battery staple';
  const account = await createAccount(db, { email, role: 'admin', now: new Date() });
  await setPassword(db, account.id, password, new Date());
  const jar = new Map<string, string>();
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (response: Awaited<ReturnType<FastifyInstance['inject']>>) => {
    for (const cookie of response.cookies) jar.set(cookie.name, cookie.value);
  };
  const form = await app.inject({ method: 'GET', url: '/admin/sign-in' });
  keep(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const signedIn = await app.inject({
    method: 'POST',
    url: '/admin/sign-in',
    headers: { cookie: header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
  if (signedIn.statusCode !== 303) throw new Error(`signing in as ${email} answered ${signedIn.statusCode}`);
  keep(signedIn);
  return header();
}

/**
 * EXPLAIN ANALYZE of every query the page's and `status`'s store functions send for the wave,
 * caught as they are sent by a Kysely of this module's own that logs them, on the same schema.
 */
async function explainMonitoring(waveId: number, instrument: Instrument) {
  const queries: CompiledQuery[] = [];
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') queries.push(event.query);
    },
  });
  await listWaveTargets(db, waveId);
  await tallyWave(db, waveId);
  await medianMinutesToSubmit(db, waveId);
  await waveFigures(db, waveId);
  await stopsByPage(db, waveId);
  await waveFiguresByAnswer(db, waveId, 'sector');
  await stopsByPage(db, waveId, 'sector');
  await countInvitations(db, waveId);
  await countInvitationsByStratum(db, waveId, instrument);
  for (const query of queries) {
    const plan = await pool.query(`explain (analyze, buffers) ${query.sql}`, [...query.parameters]);
    console.log(`\n${query.sql}\n  -- parameters ${JSON.stringify(query.parameters)}`);
    for (const row of plan.rows) console.log(`  ${row['QUERY PLAN']}`);
  }
  await db.destroy();
}

// Last, once every constant above is defined.
try {
  await run();
} finally {
  await dropSchema();
  await admin.end();
}
