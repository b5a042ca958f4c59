/**
 * `tapestry remind`: queues a reminder for every invitee of a wave whose invitation was sent, who
 * has not submitted or declined, and who was not reminded within the period (7 days unless told).
 */
import type { Command } from 'commander';
import { sql } from 'kysely';
import { appendAudit } from '../store/audit.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { queueReminders } from '../store/outbox.ts';
import { waveMessage } from '../store/wave-messages.ts';
import { commandActor } from './actor.ts';
import { openWaveOf } from './invite.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `30m`, `12h`, `7d`, `2w`, given as `option`. */
export function parseDuration(text: string, option = '--not-since'): number {
  const match = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  if (!match) throw new UserError(`${option} must be a whole number and a unit (m, h, d or w), e.g. 7d, not ${JSON.stringify(text)}`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

export function remindCommand(program: Command, io: Io): void {
  program
    .command('remind')
    .description("queues a reminder e-mail for each invitee of a wave who has not submitted or declined (tapestry mail send delivers)")
    .argument('<instrument>', 'instrument id, e.g. leadership-individual')
    .requiredOption('--wave <name>', 'the wave')
    .option('--not-since <duration>', 'skip invitees reminded within this long: 30m, 12h, 7d, 2w', '7d')
    .action(async (instrumentId: string, opts: { wave: string; notSince: string }) => {
      const window = parseDuration(opts.notSince);
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const wave = await openWaveOf(store.db, instrumentId, opts.wave);
        if (!(await waveMessage(store.db, wave.id, 'reminder'))) {
          throw new UserError(`wave ${wave.name} of ${instrumentId} has no message yet: set one with tapestry mail message ${instrumentId} --wave ${wave.name} …`);
        }
        const since = new Date(io.now().getTime() - window);
        const queued = await store.db.transaction().execute(async (trx) => {
          // Only invitations whose e-mail went out: a queued one is on its way, and a failed one
          // has an address that does not work.
          const due = await trx
            .selectFrom('invitations as i')
            .select('i.id')
            .where('i.wave_id', '=', wave.id)
            .where('i.state', '=', 'sent')
            .where('i.email', 'is not', null)
            .where(({ not, exists, selectFrom }) =>
              not(exists(selectFrom('responses as r').select(sql`1`.as('one')).whereRef('r.invitation_id', '=', 'i.id').where('r.status', '=', 'submitted'))),
            )
            .where(({ not, exists, selectFrom }) =>
              not(
                exists(
                  selectFrom('mail_outbox as o')
                    .select(sql`1`.as('one'))
                    .whereRef('o.invitation_id', '=', 'i.id')
                    .where('o.kind', '=', 'reminder')
                    .where((w) => w.or([w('o.queued_at', '>', since), w('o.status', 'in', ['pending', 'sending'])])),
                ),
              ),
            )
            .orderBy('i.id')
            .execute();
          const n = await queueReminders(trx, due.map((r) => r.id), io.now());
          await appendAudit(trx, {
            ...commandActor(io),
            at: io.now(),
            action: 'reminders-queued',
            instrumentId,
            wave: wave.name,
            summary: `queued ${n} reminder${n === 1 ? '' : 's'} to wave ${wave.name} of ${instrumentId}`,
            details: { count: n, notSince: opts.notSince },
          });
          return n;
        });
        io.err(`${queued} reminder${queued === 1 ? '' : 's'} queued for ${instrumentId} wave ${wave.name}: tapestry mail send delivers them\n`);
      });
    });
}
