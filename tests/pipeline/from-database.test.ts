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
import { migrateToLatest } from '../../src/store/migrate.ts';
import { saveProgress, startResponse, submitResponse } from '../../src/store/responses.ts';
import { openWave } from '../../src/store/waves.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');
const quiet = { log: () => undefined };

/** Publishes an instrument, opens `wave` and submits `n` answered responses to it. */
async function collect(store: TestStore, file: string, wave: string, n: number, seed: number): Promise<void> {
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
}

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
    await collect(store, 'surveys/leadership-individual.yaml', '2026', 60, 7);
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
    const sectors = readFileSync(join(dir, 'report', 'tables', 'responses-by-sector.csv'), 'utf8');
    expect(sectors.split('\n')[0]).toBe('table,domain,category,base_n,cell_n,estimate,se,ci_low,ci_high,deff,suppressed');
    const share = (sector: string) => Number(sectors.split('\n').find((l) => l.startsWith(`responses-by-sector,all,${sector},`))!.split(',')[5]);
    expect(share('public')).toBeCloseTo(52 / 190, 6);
    expect(share('voluntary')).toBeCloseTo(75 / 190, 6);
  });

  it('refuses a wave the database does not have, naming the waves it has', async () => {
    await expect(run('2027', 'none')).rejects.toThrow(new PipelineError('input individual: leadership-individual has no wave 2027 in the database (its waves: 2026)'));
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });
});
