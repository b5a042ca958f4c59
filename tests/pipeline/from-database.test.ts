// The bundled pipeline on what the service collects: the two instruments published, a wave
// opened, responses submitted through the store, and the report made from the database. Runs on
// PGlite, and on PostgreSQL when DATABASE_URL is set.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import { PipelineError, runPipeline } from '../../src/pipeline/run.ts';
import { planSimulation, seededRandom, simulateAnswers } from '../../src/pipeline/simulate.ts';
import { publishInstrument } from '../../src/store/instrument-versions.ts';
import { createInvitations } from '../../src/store/invitations.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { saveProgress, startResponse, submitResponse } from '../../src/store/responses.ts';
import { openWave } from '../../src/store/waves.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');
const quiet = { log: () => undefined };

/** Publishes an instrument, opens `wave` and submits `n` answered responses to it; returns the wave's id. */
async function collect(store: TestStore, file: string, wave: string, n: number, seed: number): Promise<number> {
  const loaded = await loadInstrumentFile(join(root, file));
  const { row: version } = await publishInstrument(store.db, loaded);
  const opened = await openWave(store.db, { instrumentId: loaded.instrument.id, instrumentVersionId: version.id, name: wave, opensAt: new Date('2026-09-01T00:00:00Z') });
  const plan = planSimulation(loaded.instrument);
  const random = seededRandom(seed);
  for (let i = 0; i < n; i++) {
    const at = new Date(Date.UTC(2026, 8, 2, 9, 0, i));
    const response = (await startResponse(store.db, { waveId: opened.id, instrumentVersionId: version.id, startedAt: at }))!;
    await saveProgress(store.db, response.id, { answers: simulateAnswers(plan, random.split()), complete: true, currentPage: null }, at);
    await submitResponse(store.db, response.id, at);
  }
  return opened.id;
}

/** Invitations to the individual survey's wave, by the sector their invitees' attributes give (and some giving none). */
const INVITED = { public: 100, private: 200, voluntary: 150 };
const INVITED_WITHOUT_SECTOR = 10;

describe(`the bundled pipeline on responses submitted to the service (${backend})`, () => {
  let store: TestStore;
  let dir: string;
  const run = (wave: string, out: string) =>
    runPipeline({ pipelineFile: 'pipelines/leading-together.yaml', wave, outDir: join(dir, out), cwd: dir }, { ...quiet, openStore: () => store.reopen() });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-from-db-'));
    for (const sub of ['surveys', 'pipelines']) cpSync(join(root, sub), join(dir, sub), { recursive: true });
    store = await openTestStore();
    await migrateToLatest(store);
    const individual = await collect(store, 'surveys/leadership-individual.yaml', '2026', 60, 7);
    const attributes = [...Object.entries(INVITED).flatMap(([sector, n]) => Array.from({ length: n }, () => ({ sector }))), ...Array.from({ length: INVITED_WITHOUT_SECTOR }, () => ({}))];
    await createInvitations(store.db, individual, attributes);
    await collect(store, 'surveys/leadership-organisational.yaml', '2026', 40, 8);
    // The runner opens the store itself; the embedded database allows one holder at a time.
    await store.close();
  }, 120_000);
  afterAll(async () => {
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a report weighted by the pipeline’s population counts, with no weight column in the data', async () => {
    const result = await run('2026', 'report');
    for (const file of ['report.html', 'report.md', 'manifest.json', 'tables/grid-coaching.csv']) expect(existsSync(join(dir, 'report', file)), file).toBe(true);
    expect(result.model.methods.designs).toEqual([
      "individual: 60 responses, weighted by each stratum's population over its responses (N_h / n_h, from the pipeline's population counts), stratified by sector, with a finite population correction per stratum.",
      "organisational: 40 responses, weighted by each stratum's population over its responses (N_h / n_h, from the pipeline's population counts), stratified by sector, with a finite population correction per stratum.",
    ]);
    // Submitted responses are real; only the bundled transcripts are examples.
    expect(result.model.pipeline.simulated).toBe("Simulated data, not real results: the 8 focus-group transcripts were written as examples, so their quotes are no real participant's words.");
    const manifest = JSON.parse(readFileSync(join(dir, 'report', 'manifest.json'), 'utf8'));
    expect(manifest.inputs.individual.responses).toMatchObject({ source: 'database', wave: '2026', rows: 60 });
    // Weighted to 190 000 staff: the sectors' populations, not the 60 who answered.
    const who = readFileSync(join(dir, 'report', 'tables', 'who-answered.csv'), 'utf8').trim().split('\n');
    expect(who[0]).toBe('input,question,level,respondents,share,weighted,ci_low,ci_high,weighted_from,invited,response_rate');
    const row = (input: string, question: string, level: string) => {
      const cells = who.find((l) => l.startsWith(`${input},${question},${level},`))!.split(',');
      return { respondents: Number(cells[3]), weighted: Number(cells[5]), from: cells[8], invited: cells[9], rate: cells[10] };
    };
    expect(row('individual', 'sector', 'public')).toMatchObject({ from: 'population' });
    expect(row('individual', 'sector', 'public').weighted).toBeCloseTo(52 / 190, 6);
    expect(row('individual', 'sector', 'voluntary').weighted).toBeCloseTo(75 / 190, 6);
  });

  it('opens with who answered: respondents unweighted, invitations and response rates by sector from the invitees’ attributes', async () => {
    const result = await run('2026', 'who');
    const [individual, organisational] = result.model.whoAnswered!;
    expect(individual).toMatchObject({ input: 'individual', respondents: 60, invited: 460 });
    expect(individual!.rate).toBeCloseTo(60 / 460, 12);
    const sector = individual!.breakdowns.find((b) => b.question === 'sector')!;
    expect(sector.invitedElsewhere).toBe(INVITED_WITHOUT_SECTOR);
    expect(sector.levels.reduce((sum, level) => sum + level.respondents, 0) + sector.unanswered).toBe(60);
    for (const level of sector.levels) {
      const invited = INVITED[level.id as keyof typeof INVITED];
      expect(level.invited, level.id).toBe(invited);
      expect(level.rate, level.id).toBeCloseTo(level.respondents / invited, 12);
    }
    // No invitee's attributes name a tier, so tiers have their counts but every invitation is "elsewhere".
    const tier = individual!.breakdowns.find((b) => b.question === 'tier')!;
    expect(tier.invitedElsewhere).toBe(460);
    // Every sector of 60 respondents is under the bundled rule of 100, and its caveat says its rate.
    for (const level of sector.levels) {
      expect(individual!.caveats.some((c) => c.includes(`${level.respondents} respondents, a response rate of`) && c.includes(`of the ${INVITED[level.id as keyof typeof INVITED]} invited`)), level.id).toBe(true);
    }
    // The organisations' wave sent no invitations: counts, and no rates.
    expect(organisational).toMatchObject({ input: 'organisational', respondents: 40, invited: null, rate: null });
    expect(organisational!.breakdowns.map((b) => b.question)).toEqual(['sector']);
    const csv = readFileSync(join(dir, 'who', 'tables', 'who-answered.csv'), 'utf8');
    expect(csv).toContain(`individual,all,all,60,,,,,,460,${(60 / 460).toFixed(6)}\n`);
    expect(csv).toMatch(/\norganisational,sector,public,\d+,[\d.]+,[\d.]+,,,population,,\n/);
    const html = readFileSync(join(dir, 'who', 'report.html'), 'utf8');
    expect(html).toMatch(/<th scope="col"[^>]*>Response rate<\/th>/);
    expect(html).toContain('460 were invited: a response rate of 13.0%.');
  });

  it('refuses a wave the database does not have, naming the waves it has', async () => {
    await expect(run('2027', 'none')).rejects.toThrow(new PipelineError('input individual: leadership-individual has no wave 2027 in the database (its waves: 2026)'));
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });
});
