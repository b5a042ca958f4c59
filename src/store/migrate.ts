/** Running the migrations in `migrations/`, up to the latest or back down. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { StoreLockedError } from './lock.ts';
import { withSchemaIntrospection } from './schema-introspection.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Kysely's FileMigrationProvider imports from inside node_modules, where TypeScript files are not
 * loaded by the test runner; importing from here lets the same `.ts` migrations run everywhere.
 */
export const fileMigrations: MigrationProvider = {
  async getMigrations() {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_[\w-]+\.ts$/.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      migrations[file.replace(/\.ts$/, '')] = (await import(pathToFileURL(join(MIGRATIONS_DIR, file)).href)) as Migration;
    }
    return migrations;
  },
};

/** What migrations need of a store: the database, and the schema its tables live in. */
export interface MigrationTarget {
  db: Kysely<any>;
  schema: string;
  /** The pid of the process this embedded database is reached through (`Store.sharedBy`), if any. */
  sharedBy?: number | null;
}

/**
 * Only the process that holds the embedded database migrates it: `tapestry serve` does as it starts,
 * and its code is written for its schema, not for one another command changes under it.
 */
function refuseThroughHolder(holder: number, what: string): never {
  throw new StoreLockedError(
    `the embedded database is in use by another tapestry process (pid ${holder}), which ${what}. ` +
      'Only the process holding it changes its schema: stop that process and start it again, or run this once it has stopped.',
    { owner: holder },
  );
}

export function migrator({ db, schema }: MigrationTarget): Migrator {
  // Kysely looks for its bookkeeping tables in any schema unless told which: name ours, so that
  // several schemas on one server (one per test file, or per study) each keep their own history.
  // It also looks only at that schema to see what exists (see schema-introspection.ts).
  return new Migrator({ db: withSchemaIntrospection(db, schema), provider: fileMigrations, migrationTableSchema: schema });
}

export class MigrationError extends Error {
  constructor(results: MigrationResultSet) {
    const failed = results.results?.find((r) => r.status === 'Error');
    const cause = results.error instanceof Error ? results.error.message : String(results.error);
    super(failed ? `migration ${failed.migrationName} failed: ${cause}` : `migrations failed: ${cause}`);
    this.name = 'MigrationError';
  }
}

function check(results: MigrationResultSet): string[] {
  if (results.error) throw new MigrationError(results);
  return (results.results ?? []).map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(target: MigrationTarget): Promise<string[]> {
  if (target.sharedBy) {
    const pending = (await migrator(target).getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
    if (pending.length > 0) refuseThroughHolder(target.sharedBy, `has not applied ${pending.join(', ')}, which this command needs`);
    return [];
  }
  return check(await migrator(target).migrateToLatest());
}

/** Undoes the most recent migration; returns its name (none if nothing was applied). */
export async function migrateDown(target: MigrationTarget): Promise<string[]> {
  if (target.sharedBy) refuseThroughHolder(target.sharedBy, 'is using its tables');
  return check(await migrator(target).migrateDown());
}

/** Undoes every migration. */
export async function migrateReset(target: MigrationTarget): Promise<string[]> {
  const undone: string[] = [];
  for (;;) {
    const step = await migrateDown(target);
    if (step.length === 0) return undone;
    undone.push(...step);
  }
}

export async function migrationStatus(target: MigrationTarget): Promise<{ name: string; executedAt: Date | undefined }[]> {
  const migrations = await migrator(target).getMigrations();
  return migrations.map((m) => ({ name: m.name, executedAt: m.executedAt }));
}
