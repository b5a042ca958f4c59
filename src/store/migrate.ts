/** Running the migrations in `migrations/`, up to the latest or back down. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

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

export function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: fileMigrations });
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
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return check(await migrator(db).migrateToLatest());
}

/** Undoes the most recent migration; returns its name (none if nothing was applied). */
export async function migrateDown(db: Kysely<any>): Promise<string[]> {
  return check(await migrator(db).migrateDown());
}

/** Undoes every migration. */
export async function migrateReset(db: Kysely<any>): Promise<string[]> {
  const undone: string[] = [];
  for (;;) {
    const step = await migrateDown(db);
    if (step.length === 0) return undone;
    undone.push(...step);
  }
}

export async function migrationStatus(db: Kysely<any>): Promise<{ name: string; executedAt: Date | undefined }[]> {
  const migrations = await migrator(db).getMigrations();
  return migrations.map((m) => ({ name: m.name, executedAt: m.executedAt }));
}
