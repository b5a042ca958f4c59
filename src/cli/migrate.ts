import type { Command } from 'commander';
import { migrateDown, migrateReset, migrateToLatest, migrationStatus } from '../store/migrate.ts';
import type { Io } from './io.ts';
import { withStore } from './store-session.ts';

export function migrateCommand(program: Command, io: Io): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (or back down)')
    .option('--down', 'undo the most recent migration')
    .option('--reset', 'undo every migration (drops all tapestry tables and their data)')
    .option('--status', 'list the migrations and whether each has run')
    .action(async (opts: { down?: boolean; reset?: boolean; status?: boolean }) => {
      const flags = program.opts<{ dataDir?: string }>();
      await withStore(io, flags, async (store) => {
        if (opts.status) {
          for (const m of await migrationStatus(store)) io.out(`${m.executedAt ? 'applied' : 'pending'}  ${m.name}\n`);
          return;
        }
        const names = opts.reset ? await migrateReset(store) : opts.down ? await migrateDown(store) : await migrateToLatest(store);
        const verb = opts.reset || opts.down ? 'undone' : 'applied';
        if (names.length === 0) io.out(`${store.location}: nothing to do\n`);
        for (const name of names) io.out(`${verb}  ${name}\n`);
      });
    });
}
