// `npm run bench:export`: `tapestry export` of a wave of 100,000 submitted responses on the real
// PostgreSQL, as CSV and as SPSS, each run in a process of its own so that its wall time and its
// peak memory (the process's maximum resident set) are the command's own.
//
// A schema of its own gets leadership-individual and a wave "big" of BENCH_RESPONSES responses,
// loaded with one `insert … select generate_series` per 20,000 rows; who answers what is a hash of
// the response's number (every qualification status, so that the skip logic hides different
// questions in different rows), so every run exports the same answers. Then, BENCH_RUNS times in
// rounds whose order turns, each of these runs as a child process:
// - `tapestry export leadership-individual --wave big --format csv`, and `--format spss`, into a
//   temporary folder, with DATABASE_URL naming the schema in its options (as `npm run bench` does);
// - baselines: `COPY (select id, answers …) TO STDOUT` of the same rows through psql, when there
//   is one (what the database takes to hand them over at all); the same rows' `select id, answers`
//   read in pages of 1,000 by pg in node (what the export reads, with nothing done to them); and
//   `tapestry export --help` (node and the export command loaded, nothing read: the floor under both figures).
// Peak memory comes from /usr/bin/time when there is one (the largest of the process and anything
// it starts), otherwise from `process.resourceUsage().maxRSS` at the child's exit. Figures: the
// median and the slowest wall time, the largest peak, and the export's ratios to the baselines.
// BENCH_KEEP_SCHEMA=1 leaves the schema (its name printed) for psql; BENCH_RUNS=0 then only loads it.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { quantileSorted } from 'simple-statistics';
import { loadInstrumentFile } from '../src/instrument/load.ts';
import { publishInstrument } from '../src/store/instrument-versions.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { openStore } from '../src/store/open.ts';
import { openWave } from '../src/store/waves.ts';

const RESPONSES = Number(process.env.BENCH_RESPONSES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BATCH = 20_000;
const INSTRUMENT = 'leadership-individual';
const root = new URL('..', import.meta.url).pathname;
const baseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_export_${process.pid}`;
const timeProgram = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const psql = ['/usr/bin/psql', '/usr/local/bin/psql'].find((path) => existsSync(path));

const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect().catch((error: Error) => {
  console.error(`npm run bench:export needs PostgreSQL (DATABASE_URL or ${baseUrl}): ${error.message}`);
  process.exit(1);
});
await admin.query(`create schema ${schema}`);
if (process.env.BENCH_KEEP_SCHEMA) console.log(`schema ${schema} is kept`);
const work = mkdtempSync(join(tmpdir(), 'tapestry-bench-export-'));
// The schema and the folder go whatever happens after this, an error or ^C included.
let dropped = false;
async function cleanUp() {
  if (dropped) return;
  dropped = true;
  rmSync(work, { recursive: true, force: true });
  if (!process.env.BENCH_KEEP_SCHEMA) await admin.query(`drop schema ${schema} cascade`);
}
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

interface Measured {
  seconds: number;
  peakMb: number;
}

/**
 * Runs `args` (node's, or a program's with `program`) as a child and measures it: wall time from
 * spawn to exit, and its peak resident set. Fails with the child's stderr if it fails.
 */
async function measure(args: string[], options: { env?: NodeJS.ProcessEnv; program?: string; stdout?: string } = {}): Promise<Measured> {
  const rssFile = join(work, `rss-${process.hrtime.bigint()}`);
  const program = options.program ?? process.execPath;
  // Without /usr/bin/time, node itself reports its peak as it exits.
  const nodeArgs = options.program || timeProgram ? args : ['--import', `data:text/javascript,${encodeURIComponent(`import { writeFileSync } from 'node:fs'; process.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));`)}`, ...args];
  const [command, commandArgs] = timeProgram ? [timeProgram, ['-f', '%M', '-o', rssFile, program, ...nodeArgs]] : [program, nodeArgs];
  // Straight to a file, so that nothing the child prints passes through this process.
  const stdout = openSync(options.stdout ?? join(work, 'stdout'), 'w');
  const started = performance.now();
  const child = spawn(command, commandArgs, { cwd: root, env: { ...process.env, ...options.env }, stdio: ['ignore', stdout, 'pipe'] });
  const err: Buffer[] = [];
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => closeSync(stdout));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${[program, ...args].join(' ')} exited with ${code}: ${Buffer.concat(err).toString('utf8')}`);
  // Both report kilobytes.
  const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  rmSync(rssFile);
  return { seconds, peakMb: kb / 1024 };
}

async function run() {
  const store = await openStore({ databaseUrl: baseUrl, schema });
  await migrateToLatest(store);
  const instrument = await loadInstrumentFile(join(root, 'surveys/leadership-individual.yaml'));
  const { row: version } = await publishInstrument(store.db, instrument);
  const opensAt = new Date(Date.now() - 30 * 24 * 3600 * 1000);
  const wave = await openWave(store.db, { instrumentId: INSTRUMENT, instrumentVersionId: version.id, name: 'big', opensAt });
  await store.close();

  const loadStarted = performance.now();
  await loadWave(wave.id, version.id, RESPONSES, opensAt, (done) => process.stderr.write(`  ${done.toLocaleString('en-GB')}/${RESPONSES.toLocaleString('en-GB')} responses\n`));
  // As autovacuum soon would, so that it lands in no measurement and the planner knows the table.
  await admin.query(`vacuum analyze ${schema}.responses`);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const size = (await admin.query(`select pg_size_pretty(pg_total_relation_size('${schema}.responses')) as size`)).rows[0].size;

  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const env = { DATABASE_URL: url.toString() };
  const rows = `select id, answers from responses where wave_id = ${wave.id} and status = 'submitted' order by id`;
  let n = 0;
  const exportAs = (format: 'csv' | 'spss') => async () => {
    const out = join(work, `${format}-${n++}`);
    const measured = await measure(['bin/tapestry.js', 'export', INSTRUMENT, '--wave', 'big', '--format', format, '--out', out], { env });
    checkExport(out, format);
    rmSync(out, { recursive: true });
    return measured;
  };
  const jobs: Record<string, () => Promise<Measured>> = {
    csv: exportAs('csv'),
    spss: exportAs('spss'),
    ...(psql ? { copy: () => measure(['--no-psqlrc', '-X', '-q', '-c', `copy (${rows}) to stdout`, baseUrl], { program: psql, env: { PGOPTIONS: `-c search_path=${schema}` }, stdout: join(work, 'copy.txt') }) } : {}),
    pages: () => measure(['--import', 'tsx', join(root, 'bench/export-read.ts'), url.toString(), String(wave.id), join(work, 'pages.jsonl')]),
    idle: () => measure(['bin/tapestry.js', 'export', '--help']),
  };
  if (RUNS === 0) return;
  const measured: Record<string, Measured[]> = Object.fromEntries(Object.keys(jobs).map((key) => [key, []]));
  // One of each first, untimed: the file cache and the database's buffers warm for all alike.
  for (const job of Object.values(jobs)) await job();
  const keys = Object.keys(jobs);
  for (let i = 0; i < RUNS; i++) {
    for (const key of [...keys.slice(i % keys.length), ...keys.slice(0, i % keys.length)]) {
      measured[key]!.push(await jobs[key]!());
      process.stderr.write(`  run ${i + 1}/${RUNS}: ${key}\n`);
    }
  }

  const serverVersion = (await admin.query('show server_version')).rows[0].server_version;
  const [load1] = readFileSync('/proc/loadavg', 'utf8').split(' ');
  const s = Object.fromEntries(Object.entries(measured).map(([key, values]) => [key, stats(values)]));
  const count = RESPONSES.toLocaleString('en-GB');
  const f = (value: number, digits = 2) => value.toFixed(digits).padStart(9);
  const line = (name: string, x: ReturnType<typeof stats>) => `${name.padEnd(52)}${f(x.p50)} ${f(x.max)} ${f(x.peakMb, 0)}`;
  console.log(`\n${count} submitted responses (responses table and indexes ${size}) loaded in ${loadSeconds.toFixed(1)} s; ${RUNS} runs each; PostgreSQL ${serverVersion} at ${url.host}; load average ${load1} at the end`);
  console.log(`${''.padEnd(52)}  p50 s     max s   peak MB`);
  console.log(line(`tapestry export --format csv`, s.csv!));
  console.log(line(`tapestry export --format spss`, s.spss!));
  if (s.copy) console.log(line(`baseline: psql COPY (select id, answers) TO STDOUT`, s.copy));
  console.log(line(`baseline: select id, answers in pages, pg in node`, s.pages!));
  console.log(line(`baseline: tapestry export --help (idle)`, s.idle!));
  for (const format of ['csv', 'spss'] as const) {
    const x = s[format]!;
    const met = (ok: boolean) => (ok ? 'met' : 'missed');
    console.log(`${format}: wall ${x.p50.toFixed(2)} s at p50, ${x.max.toFixed(2)} s at the slowest (target < 5 s, judged on the slowest) ${met(x.max < 5)}; peak ${x.peakMb.toFixed(0)} MB (target < 300 MB) ${met(x.peakMb < 300)}`);
  }
  const ratio = (name: string, a: number, b: number) => console.log(`ratio at p50, ${name.padEnd(44)}${f(a / b)}`);
  if (s.copy) ratio('export csv / COPY', s.csv!.p50, s.copy.p50);
  ratio('export csv / select in pages', s.csv!.p50, s.pages!.p50);
  ratio('(export csv - idle) / (select in pages - idle)', s.csv!.p50 - s.idle!.p50, s.pages!.p50 - s.idle!.p50);
  ratio('peak, export csv / idle', s.csv!.peakMb, s.idle!.peakMb);
}

function stats(values: Measured[]) {
  const sorted = values.map((v) => v.seconds).sort((a, b) => a - b);
  return { p50: quantileSorted(sorted, 0.5), max: sorted[sorted.length - 1]!, peakMb: Math.max(...values.map((v) => v.peakMb)) };
}

/** The export must hold every response: a header and one line per response in its CSV, and the syntax for SPSS. */
function checkExport(dir: string, format: 'csv' | 'spss') {
  const files = readdirSync(dir).sort();
  const csv = join(dir, `${INSTRUMENT}-big.csv`);
  if (!files.includes(`${INSTRUMENT}-big.csv`)) throw new Error(`the ${format} export wrote ${files.join(', ')}, without its CSV`);
  if (format === 'spss' && !files.includes(`${INSTRUMENT}-big.sps`)) throw new Error(`the spss export wrote ${files.join(', ')}, without its .sps`);
  const text = readFileSync(csv, 'utf8');
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  if (lines !== RESPONSES + 1) throw new Error(`the ${format} export's CSV (${statSync(csv).size} bytes) has ${lines} lines, not ${RESPONSES + 1}`);
}

// Answers as the survey service stores them (see src/instrument/answers.ts): single and scale
// answers as option ids, multiple choices as arrays, a matrix as row → option.
const ACTIVITIES = ['feedback_360', 'coaching', 'mentoring', 'networking', 'secondment', 'action_learning', 'leadership_community', 'co_consultancy'];
const ACTIVITY_ANSWERS = ['never_offered', 'offered', 'took_part'];
const RESOURCES = ['clf', 'four_ps', 'inspectorate_guide', 'in_house'];
const RESOURCE_ANSWERS = ['unaware', 'aware', 'used'];
const CAPABILITIES = ['vision', 'self_leadership', 'motivating', 'empowering', 'collaborating', 'creativity'];
const CAPABILITY_ANSWERS = ['emerging', 'established', 'accomplished'];
const SERVICE_AREAS = ['adult_care_homes', 'care_at_home', 'day_services', 'housing_support', 'children_residential', 'early_years', 'criminal_justice', 'fieldwork', 'central_services'];

/** A matrix answer in SQL: each row's option picked by a hash of the response's number and the row's. */
const matrix = (rows: string[], options: string[], salt: number) =>
  `jsonb_build_object(${rows.map((row, r) => `'${row}', (array[${options.map((o) => `'${o}'`).join(', ')}])[1 + abs(hashint4(i * 31 + ${salt + r})) % ${options.length}]`).join(', ')})`;

/**
 * `count` submitted responses for the wave, BATCH at a time, each batch one `insert … select` over
 * generate_series. Qualification status: 40 % hold one, 20 % are working towards one (both then
 * answer its four follow-ups), 15 % started one and did not finish (its reasons), 25 % have none.
 */
async function loadWave(waveId: number, versionId: number, count: number, opensAt: Date, progress: (done: number) => void) {
  for (let from = 1; from <= count; from += BATCH) {
    const to = Math.min(count, from + BATCH - 1);
    await admin.query(
      `insert into ${schema}.responses (wave_id, instrument_version_id, status, answers, current_page, complete, started_at, updated_at, submitted_at)
       with r as (
         select i,
                abs(hashint4(i + 7919)) % 100 as s,
                abs(hashint4(i + 104729)) % 4 as t,
                abs(hashint4(i + 15485863)) % 9 as area,
                abs(hashint4(i + 32452843)) % 100 as q,
                $3::timestamptz + (i % 2500000) * interval '1 second' as started_at,
                (5 + abs(hashint4(i + 49979687)) % 40) * interval '1 minute' as took
         from generate_series($4::int, $5::int) as i
       )
       select $1::int, $2::int, 'submitted',
              jsonb_build_object(
                'sector', case when s < 50 then 'public' when s < 80 then 'private' else 'voluntary' end,
                'tier', (array['front_line', 'first_line', 'middle', 'senior'])[1 + t],
                'service_area', ($6::text[])[1 + area],
                'qual_status', case when q < 40 then 'holds' when q < 60 then 'working' when q < 75 then 'started_not_completed' else 'none' end,
                'activities', ${matrix(ACTIVITIES, ACTIVITY_ANSWERS, 1)},
                'resources', ${matrix(RESOURCES, RESOURCE_ANSWERS, 11)},
                'capabilities', ${matrix(CAPABILITIES, CAPABILITY_ANSWERS, 21)},
                'most_help', 'Protected time for learning, and a mentor outside my own service (' || i || ').')
              || case when q < 60 then jsonb_build_object(
                   'qual_type', case when i % 3 = 0 then '["svq", "academic"]'::jsonb else '["svq"]'::jsonb end,
                   'qual_reason', case when i % 2 = 0 then '["job_relevance", "career"]'::jsonb else '["registration"]'::jsonb end,
                   'qual_benefit', (array['none', 'little', 'some', 'lot'])[1 + i % 4],
                   'qual_benefit_text', 'More confidence when leading my team, and a better sense of where the service is going.')
                 when q < 75 then jsonb_build_object('not_completed_reasons', case when i % 2 = 0 then '["time", "funding"]'::jsonb else '["personal"]'::jsonb end)
                 else '{}'::jsonb end,
              'looking-ahead', true, started_at, started_at + took, started_at + took
       from r`,
      [waveId, versionId, opensAt, from, to, SERVICE_AREAS],
    );
    progress(to);
  }
}

// Last, once every constant above is defined.
try {
  await run();
} finally {
  await cleanUp();
  await admin.end();
}
