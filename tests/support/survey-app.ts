/**
 * The survey service on a fresh test store, with the bundled instruments published and a wave
 * "2010" open for each, and a clock fixed in the middle of that wave.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/collect/server.ts';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import { publishInstrument } from '../../src/store/instrument-versions.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import type { Store } from '../../src/store/open.ts';
import { openWave } from '../../src/store/waves.ts';
import { openTestStore, type TestStore } from './store.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BUNDLED = ['leadership-individual', 'leadership-organisational', 'capabilities-self-assessment'];

export interface SurveyApp {
  store: TestStore;
  app: FastifyInstance;
  versionIds: Record<string, number>;
  waveIds: Record<string, number>;
  clock: { now: Date };
  /** Closes the app and the store, then opens both again on the same data: a restart. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

export async function prepareStore(store: Store) {
  await migrateToLatest(store);
  const versionIds: Record<string, number> = {};
  const waveIds: Record<string, number> = {};
  for (const id of BUNDLED) {
    const { row } = await publishInstrument(store.db, await loadInstrumentFile(join(ROOT, 'surveys', `${id}.yaml`)));
    versionIds[id] = row.id;
    const wave = await openWave(store.db, { instrumentId: id, instrumentVersionId: row.id, name: '2010', opensAt: new Date('2010-09-01T00:00:00Z') });
    waveIds[id] = wave.id;
  }
  return { versionIds, waveIds };
}

export async function startSurveyApp(options: { lookupsPerMinute?: number; startsPerMinute?: number; signInsPerMinute?: number; bodyLimit?: number } = {}): Promise<SurveyApp> {
  const store = await openTestStore();
  const { versionIds, waveIds } = await prepareStore(store);
  const clock = { now: new Date('2010-09-15T10:00:00Z') };
  const build = (s: Store) => buildServer({ store: s, now: () => new Date(clock.now), ...options });
  const survey: SurveyApp = {
    store,
    app: await build(store),
    versionIds,
    waveIds,
    clock,
    async restart() {
      await survey.app.close();
      await survey.store.close();
      const again = await store.reopen();
      survey.store = { ...store, ...again };
      survey.app = await build(again);
    },
    async dispose() {
      await survey.app.close();
      await store.dispose();
    },
  };
  return survey;
}
