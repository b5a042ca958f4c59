/**
 * Opening the store for a command: from DATABASE_URL or the embedded directory, closed on the way
 * out and on SIGINT/SIGTERM, so that an interrupted command leaves the embedded database clean.
 */
import { resolve } from 'node:path';
import { openStore, StoreConfigError, storeOptionsFromEnv, type DatabaseTimeouts, type Store, type StoreLogger } from '../store/open.ts';
import { UserError, type Io } from './io.ts';

export interface StoreFlags {
  dataDir?: string;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export interface StoreBehaviour {
  /** Off for a command that handles signals itself (the server); on by default. */
  handleSignals?: boolean;
  /** The command's own timeouts, under those the environment sets. */
  timeouts?: Partial<DatabaseTimeouts>;
  logger?: StoreLogger;
  /** Off for the server, which must hold the embedded database rather than go through another process. */
  throughHolder?: boolean;
}

/** Runs `work` with the store open. With `handleSignals`, a signal closes the store and exits. */
export async function withStore<T>(io: Io, flags: StoreFlags, work: (store: Store) => Promise<T>, behaviour: StoreBehaviour = {}): Promise<T> {
  const handleSignals = behaviour.handleSignals ?? true;
  let store: Store;
  try {
    const options = storeOptionsFromEnv(io.env);
    const dataDir = flags.dataDir ?? options.dataDir;
    store = await openStore({
      ...options,
      dataDir: dataDir === undefined ? undefined : resolve(io.cwd, dataDir),
      timeouts: { ...behaviour.timeouts, ...options.timeouts },
      logger: behaviour.logger,
      throughHolder: behaviour.throughHolder,
    });
  } catch (error) {
    if (error instanceof StoreConfigError || /cannot connect to PostgreSQL/.test((error as Error).message)) {
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
