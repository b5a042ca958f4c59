/**
 * `tapestry remind`: queues a reminder for every invitee of a wave whose invitation was sent, who
 * has not submitted or declined, and who was not reminded within the period (7 days unless told).
 */
import type { Command } from 'commander';
import { durationMs } from '../shared/duration.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { remindRecorded } from '../store/wave-invitations.ts';
import { waveMessage } from '../store/wave-messages.ts';
import { commandActor } from './actor.ts';
import { openWaveOf } from './wave-lookup.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';

/** `30m`, `12h`, `7d`, `2w`, given as `option`. */
export function parseDuration(text: string, option = '--not-since'): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new UserError(`${option} must be a whole number and a unit (m, h, d or w), e.g. 7d, not ${JSON.stringify(text)}`);
  return ms;
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
        const queued = await remindRecorded(store.db, commandActor(io), io.now(), wave, since, opts.notSince);
        io.err(`${queued} reminder${queued === 1 ? '' : 's'} queued for ${instrumentId} wave ${wave.name}: tapestry mail send delivers them\n`);
      });
    });
}
