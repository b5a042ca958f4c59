/** `tapestry audit`: the audit log, newest first, filtered by instrument, time, action or actor. */
import type { Command } from 'commander';
import { AUDIT_PAGE_MAX, countAudit, listAudit, type AuditFilters } from '../store/audit.ts';
import { AUDIT_ACTIONS, type AuditAction } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';
import { textTable } from './text-table.ts';
import { parseInstant } from './wave.ts';

interface AuditOptions {
  instrument?: string;
  since?: string;
  action?: string;
  actor?: string;
  limit: string;
  json?: boolean;
}

const iso = (at: Date) => at.toISOString().replace('.000Z', 'Z');

function parseLimit(text: string): number {
  const limit = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_PAGE_MAX) throw new UserError(`--limit must be a whole number from 1 to ${AUDIT_PAGE_MAX}, not ${text}`);
  return limit;
}

function parseAction(text: string): AuditAction {
  const action = AUDIT_ACTIONS.find((a) => a === text);
  if (!action) throw new UserError(`--action must be one of ${AUDIT_ACTIONS.join(', ')}, not ${text}`);
  return action;
}

export function auditCommand(program: Command, io: Io): void {
  program
    .command('audit')
    .description('show the audit log, newest first: who published, opened, closed, invited, exported, ran and signed in')
    .option('--instrument <id>', 'only entries about this instrument')
    .option('--since <time>', 'only entries at or after this date or time, e.g. 2026-09-01 or 2026-09-01T09:00:00+01:00')
    .option('--action <action>', `only this kind of entry (${AUDIT_ACTIONS.join(', ')})`)
    .option('--actor <who>', 'only entries by this actor, e.g. lea@example.org or "command line (lea)"')
    .option('--limit <n>', `at most this many entries (at most ${AUDIT_PAGE_MAX})`, '100')
    .option('--json', 'print the entries as JSON, with their details')
    .action(async (opts: AuditOptions) => {
      const filters: AuditFilters = {
        instrumentId: opts.instrument,
        since: opts.since === undefined ? undefined : parseInstant('--since', opts.since),
        action: opts.action === undefined ? undefined : parseAction(opts.action),
        actor: opts.actor,
      };
      const limit = parseLimit(opts.limit);
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const entries = await listAudit(store.db, filters, { limit });
        const total = await countAudit(store.db, filters);
        if (total > entries.length) io.err(`showing the newest ${entries.length} of ${total} entries (use --limit, up to ${AUDIT_PAGE_MAX})\n`);
        if (opts.json) {
          // Named as the table's columns, as `tapestry user list --json` names its fields.
          const rows = entries.map((e) => ({
            id: e.id,
            at: iso(e.at),
            actor: e.actor,
            actor_account_id: e.actorAccountId,
            address: e.address,
            action: e.action,
            instrument_id: e.instrumentId,
            wave: e.wave,
            summary: e.summary,
            details: e.details,
          }));
          return io.out(`${JSON.stringify(rows, null, 2)}\n`);
        }
        if (entries.length === 0) return io.out('no entries\n');
        io.out(
          textTable(
            [['at', 'actor', 'action', 'instrument', 'wave', 'summary'], ...entries.map((e) => [iso(e.at), e.actor, e.action, e.instrumentId ?? '', e.wave ?? '', e.summary])],
            6,
          ),
        );
      });
    });
}
