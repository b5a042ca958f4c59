// `npm run bench`: 50 concurrent simulated respondents against tapestry's survey service on the
// real PostgreSQL, and in the same run a bare Fastify route that INSERTs the same answers.
//
// Each respondent starts a response, answers every page of leadership-individual (one POST a
// page, validated against the instrument and saved), reaches "check your answers" and submits.
// Figures: submissions per second with p50/p99 latency of the submit request, against the bare
// route's INSERT of the same answers; and the same for page saves.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { quantileSorted } from 'simple-statistics';

const RESPONSES = Number(process.env.BENCH_RESPONSES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const baseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${process.pid}`;

const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect().catch((error: Error) => {
  console.error(`npm run bench needs PostgreSQL (DATABASE_URL or ${baseUrl}): ${error.message}`);
  process.exit(1);
});
await admin.query(`create schema ${schema}`);
const url = new URL(baseUrl);
url.searchParams.set('options', `-c search_path=${schema}`);

const child = spawn(process.execPath, [...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), '--import', 'tsx', new URL('./servers.ts', import.meta.url).pathname, url.toString()], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const ports: { tapestry: number; bare: number } = await new Promise((resolve, reject) => {
  createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
  child.once('exit', (code) => reject(new Error(`the servers exited with ${code}`)));
});

// node:http with a keep-alive agent rather than fetch: the load generator shares the two cores
// with the servers and PostgreSQL, and the lighter client leaves more of them to what is measured.
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** One respondent's cookies and requests. */
class Respondent {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly port: number) {}
  request(path: string, body?: URLSearchParams): Promise<{ status: number; text: string; location: string | undefined; ms: number }> {
    const started = performance.now();
    const payload = body?.toString();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          method: payload === undefined ? 'GET' : 'POST',
          agent,
          headers: {
            cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
            ...(payload === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            for (const cookie of res.headers['set-cookie'] ?? []) {
              const [pair] = cookie.split(';');
              const eq = pair!.indexOf('=');
              this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
            }
            resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8'), location: res.headers.location, ms: performance.now() - started });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const askedOf = (html: string) => /name="_asked" value="([^"]*)"/.exec(html)?.[1] ?? '';

/** A complete, valid set of answers for every page, follow-ups included. */
const ANSWERS: Record<string, [string, string][]> = {
  'about-you': [['sector', 'voluntary'], ['tier', 'middle'], ['service_area', 'care_at_home']],
  qualifications: [['qual_status', 'holds'], ['qual_type', 'svq'], ['qual_type', 'academic'], ['qual_reason', 'job_relevance'], ['qual_benefit', 'some'], ['qual_benefit_text', 'More confidence when leading my team.']],
  'development-activities': ['feedback_360', 'coaching', 'mentoring', 'networking', 'secondment', 'action_learning', 'leadership_community', 'co_consultancy'].map((row, i) => [`activities.${row}`, ['never_offered', 'offered', 'took_part'][i % 3]!]),
  resources: [['resources.clf', 'aware'], ['resources.four_ps', 'unaware'], ['resources.inspectorate_guide', 'used'], ['resources.in_house', 'used']],
  'your-leadership': ['vision', 'self_leadership', 'motivating', 'empowering', 'collaborating', 'creativity'].map((row) => [`capabilities.${row}`, 'established']),
  'looking-ahead': [['most_help', 'Protected time for learning, and a mentor outside my own service.']],
};
const pageIds = Object.keys(ANSWERS);
const allQuestionIds: Record<string, string> = {
  'about-you': 'sector tier service_area service_area_other',
  qualifications: 'qual_status qual_type qual_reason qual_benefit qual_benefit_text not_completed_reasons',
  'development-activities': 'activities',
  resources: 'resources',
  'your-leadership': 'capabilities',
  'looking-ahead': 'most_help',
};

async function pool<T>(count: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}

function summary(latencies: number[], seconds: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, p50: quantileSorted(sorted, 0.5), p99: quantileSorted(sorted, 0.99) };
}

const base = '/s/leadership-individual/bench';
const pageSaves: number[] = [];
let prepared = 0;

// Phase 1: respondents answer every page (page saves are timed) and stop at "check your answers".
const ready = await pool(RESPONSES, async () => {
  const r = new Respondent(ports.tapestry);
  const start = await r.request(base);
  const started = await r.request(`${base}/start`, new URLSearchParams({ _csrf: csrfOf(start.text) }));
  // A refused start (a rate limit, a wave by invitation only) would otherwise show up later as a
  // page that answers 403 for want of a form to take its CSRF token from.
  if (started.status !== 303) throw new Error(`starting a response answered with ${started.status}`);
  for (const pageId of pageIds) {
    const page = await r.request(`${base}/page/${pageId}`);
    const body = new URLSearchParams([['_csrf', csrfOf(page.text)], ['_asked', allQuestionIds[pageId] ?? askedOf(page.text)], ['_action', 'continue'], ...ANSWERS[pageId]!]);
    const saved = await r.request(`${base}/page/${pageId}`, body);
    if (saved.status !== 303) throw new Error(`page ${pageId} answered with ${saved.status}`);
    pageSaves.push(saved.ms);
  }
  const check = await r.request(`${base}/check`);
  if (++prepared % 200 === 0) process.stderr.write(`  ${prepared}/${RESPONSES} respondents at "check your answers"\n`);
  return { r, csrf: csrfOf(check.text) };
});

// The page saves above leave dead row versions behind; vacuum now, as autovacuum would soon,
// so that it does not land in the middle of one side's measurement.
await admin.query(`vacuum analyze ${schema}.responses`);

// Phase 2: submissions and the bare route's INSERTs, 50 at a time, in alternating rounds so
// that neither side always gets the warmer machine.
const ROUNDS = 4;
const bareBody = new URLSearchParams(Object.values(ANSWERS).flat());
const submits: number[] = [];
const bares: number[] = [];
let submitSeconds = 0;
let bareSeconds = 0;
for (let round = 0; round < ROUNDS; round++) {
  const from = Math.floor((round * RESPONSES) / ROUNDS);
  const to = Math.floor(((round + 1) * RESPONSES) / ROUNDS);
  let started = performance.now();
  bares.push(
    ...(await pool(to - from, async () => {
      const result = await new Respondent(ports.bare).request('/bare', bareBody);
      if (result.status !== 303) throw new Error(`bare insert answered with ${result.status}`);
      return result.ms;
    })),
  );
  bareSeconds += (performance.now() - started) / 1000;
  started = performance.now();
  submits.push(
    ...(await pool(to - from, async (i) => {
      const { r, csrf } = ready[from + i]!;
      const result = await r.request(`${base}/submit`, new URLSearchParams({ _csrf: csrf }));
      if (result.status !== 303) throw new Error(`submit answered with ${result.status}`);
      return result.ms;
    })),
  );
  submitSeconds += (performance.now() - started) / 1000;
}
const tapestrySubmit = summary(submits, submitSeconds);
const bare = summary(bares, bareSeconds);
const saves = summary(pageSaves, 1);

const stored = await admin.query(`select count(*)::int as n from ${schema}.responses where status = 'submitted'`);
agent.destroy();
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
await admin.query(`drop schema ${schema} cascade`);
await admin.end();

const f = (n: number, digits = 1) => n.toFixed(digits).padStart(8);
console.log(`\n${RESPONSES} complete responses, ${CONCURRENCY} concurrent respondents, PostgreSQL at ${new URL(baseUrl).host}`);
console.log('                              per s      p50 ms   p99 ms');
console.log(`tapestry submit            ${f(tapestrySubmit.perSecond)}  ${f(tapestrySubmit.p50)} ${f(tapestrySubmit.p99)}`);
console.log(`bare route INSERT          ${f(bare.perSecond)}  ${f(bare.p50)} ${f(bare.p99)}`);
console.log(`tapestry page save                   ${f(saves.p50)} ${f(saves.p99)}`);
console.log(`ratio tapestry / bare      ${f(tapestrySubmit.perSecond / bare.perSecond, 2)}   (target ≥ 0.60; p99 target < 100 ms)`);
console.log(`submitted responses stored: ${stored.rows[0].n} of ${RESPONSES}`);
if (stored.rows[0].n !== RESPONSES) process.exitCode = 1;
