/**
 * Opening the store for a command: from DATABASE_URL or the embedded directory, closed on the way
 * out and on SIGINT/SIGTERM, so that an interrupted command leaves the embedded database clean.
 */
import { resolve } from 'node:path';
import { openStore, storeOptionsFromEnv, type Store } from '../store/open.ts';
import { UserError, type Io } from './io.ts';

export interface StoreFlags {
  dataDir?: string;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs `work` with the store open. With `handleSignals` (the default) a signal closes the store
 * and exits; a command that handles signals itself (the server) turns it off.
 */
export async function withStore<T>(io: Io, flags: StoreFlags, work: (store: Store) => Promise<T>, behaviour: { handleSignals?: boolean } = {}): Promise<T> {
  const handleSignals = behaviour.handleSignals ?? true;
  const options = storeOptionsFromEnv(io.env);
  const dataDir = flags.dataDir ?? options.dataDir;
  let store: Store;
  try {
    store = await openStore({ ...options, dataDir: dataDir === undefined ? undefined : resolve(io.cwd, dataDir) });
  } catch (error) {
    if (/cannot connect to PostgreSQL/.test((error as Error).message)) {
      throw new UserError((error as Error).message);
    }
    throw error;
  }
  const onSignal = (signal: NodeJS.Signals) => {
    io.err(`${signal}: closing the database…\n`);
    store.close().finally(() => process.exit(SIGNAL_EXIT[signal] ?? 1));
  };
  if (handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    return await work(store);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
}
