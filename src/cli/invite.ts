/**
 * `tapestry invite`: personal invitation links for a wave, anonymous or from a CSV of invitees
 * (the default subcommand, so `tapestry invite <instrument> --wave W …` creates them), and
 * `tapestry invite status` (invite-status.ts). Reading the file is `parseInvitees`'s and writing
 * the invitations `inviteRecorded`'s, as for the workspace's invitations page.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Instrument } from '../instrument/schema.ts';
import { parseInvitees } from '../mail/invitees.ts';
import { csvText } from '../shared/csv.ts';
import { getInstrumentVersion } from '../store/instrument-versions.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { inviteRecorded, InviteError } from '../store/wave-invitations.ts';
import { waveMessage } from '../store/wave-messages.ts';
import { commandActor } from './actor.ts';
import { inviteStatusCommand } from './invite-status.ts';
import { UserError, type Io } from './io.ts';
import { openWaveOf } from './wave-lookup.ts';
import { withStore } from './store-session.ts';

interface InviteOptions {
  wave: string;
  count?: string;
  from?: string;
  baseUrl?: string;
  send?: boolean;
}

/** The invitees of a file, or every problem with it at its `file:line`. */
async function inviteesFrom(file: string, instrument: Instrument, requireEmail: boolean): Promise<Record<string, string>[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${file}: cannot read the invitees file: ${error.code === 'ENOENT' ? 'there is no such file' : error.message}`);
  });
  const { invitees, problems } = parseInvitees(text, file, instrument, requireEmail);
  if (problems.length > 0) throw new UserError(`no invitations were created:\n${problems.join('\n')}`);
  return invitees;
}

export function inviteCommand(program: Command, io: Io): void {
  const invite = program.command('invite').description('create personal invitation links for a wave (the default), or see where they stand (invite status)');
  invite
    .command('create', { isDefault: true })
    .description('create personal invitation links for a wave and print them as CSV')
    .argument('<instrument>', 'instrument id, e.g. leadership-individual')
    .requiredOption('--wave <name>', 'the wave to invite to')
    .option('--count <n>', 'how many anonymous invitations to create')
    .option('--from <file>', 'a CSV of invitees: one a row; columns named after questions (e.g. sector) prefill answers')
    .option('--base-url <url>', 'where the service is reached (default BASE_URL or http://localhost:3000)')
    .option('--send', "also queue each invitee an e-mail with the wave's message, to its `email` column (tapestry mail send delivers)")
    .action(async (instrumentId: string, opts: InviteOptions) => {
      if ((opts.count === undefined) === (opts.from === undefined)) throw new UserError('give either --count N or --from FILE');
      if (opts.send && opts.from === undefined) throw new UserError('--send needs --from FILE, a CSV with an `email` column');
      const count = opts.count === undefined ? undefined : Number(opts.count);
      if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 100_000)) {
        throw new UserError(`--count must be a whole number from 1 to 100000, not ${opts.count}`);
      }
      const send = opts.send === true;
      const baseUrl = (opts.baseUrl ?? io.env.BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const wave = await openWaveOf(store.db, instrumentId, opts.wave);
        const version = await getInstrumentVersion(store.db, wave.instrument_version_id);
        const instrument = Instrument.parse(version!.definition);
        const invitees = opts.from ? await inviteesFrom(resolve(io.cwd, opts.from), instrument, send) : Array.from({ length: count! }, () => ({}));
        if (send && !(await waveMessage(store.db, wave.id, 'invitation'))) {
          throw new UserError(`wave ${wave.name} of ${instrumentId} has no message yet: set one with tapestry mail message ${instrumentId} --wave ${wave.name} --subject … --body FILE`);
        }
        let result;
        try {
          result = await inviteRecorded(store.db, commandActor(io), io.now(), wave, invitees, { send, ...(opts.from ? { source: opts.from } : {}) });
        } catch (error) {
          if (error instanceof InviteError) throw new UserError(`no invitations were created: ${error.message}`);
          throw error;
        }
        const { created, columns } = result;
        const rows = created.map((c) => [`${baseUrl}/i/${c.token}`, ...columns.map((k) => (Object.hasOwn(c.attributes, k) ? c.attributes[k] : ''))]);
        io.out(csvText(['link', ...columns], rows));
        io.err(`${created.length} invitations created for ${instrumentId} wave ${wave.name}; the links are shown only now\n`);
        if (send) io.err(`${result.queued} e-mails queued: tapestry mail send delivers them\n`);
      });
    });
  inviteStatusCommand(invite, program, io);
}
