/** `tapestry invite`: personal invitation links for a wave, anonymous or from a CSV of invitees. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import Papa from 'papaparse';
import { prefillAnswers } from '../instrument/prefill.ts';
import { Instrument } from '../instrument/schema.ts';
import { csvText } from '../shared/csv.ts';
import { appendAudit } from '../store/audit.ts';
import { getInstrumentVersion } from '../store/instrument-versions.ts';
import type { WaveRow } from '../store/database.ts';
import { createInvitations } from '../store/invitations.ts';
import { migrateToLatest } from '../store/migrate.ts';
import type { Store } from '../store/open.ts';
import { queueInvitationMessages } from '../store/outbox.ts';
import { waveMessage } from '../store/wave-messages.ts';
import { isEmailAddress } from '../mail/config.ts';
import { unknownPlaceholders } from '../mail/compose.ts';
import { findWave, listWaves } from '../store/waves.ts';
import { commandActor } from './actor.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';

interface InviteOptions {
  wave: string;
  count?: string;
  from?: string;
  baseUrl?: string;
  send?: boolean;
}

/** The open wave of an instrument, or an error naming the waves it has. */
export async function openWaveOf(db: Store['db'], instrumentId: string, name: string): Promise<WaveRow> {
  const wave = await findWave(db, instrumentId, name);
  if (!wave) {
    const known = (await listWaves(db, instrumentId)).map((w) => w.name);
    throw new UserError(`${instrumentId} has no wave named ${name}${known.length ? ` (its waves: ${known.join(', ')})` : ' (publish it and open a wave first)'}`);
  }
  if (wave.status !== 'open') throw new UserError(`wave ${wave.name} of ${instrumentId} is closed`);
  return wave;
}

/**
 * Reads invitees: a header row, then one invitee a row; columns that name questions prefill them.
 * With `requireEmail`, every row needs an address in an `email` column.
 */
export async function readInvitees(file: string, instrument: Instrument, requireEmail = false): Promise<Record<string, string>[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${file}: cannot read the invitees file: ${error.code === 'ENOENT' ? 'there is no such file' : error.message}`);
  });
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy' });
  const problems = parsed.errors.map((e) => `${file}:${(e.row ?? 0) + 2}: ${e.message}`);
  parsed.data.forEach((row, index) => {
    const line = index + 2; // the header is line 1
    for (const problem of prefillAnswers(instrument, row).problems) problems.push(`${file}:${line}: ${problem.message}`);
    if (requireEmail) {
      const email = (row.email ?? '').trim();
      if (email === '') problems.push(`${file}:${line}: column \`email\` is empty; --send needs an address for every invitee`);
      else if (!isEmailAddress(email)) problems.push(`${file}:${line}: column \`email\` has ${JSON.stringify(email)}, which is not an e-mail address`);
    }
  });
  if (requireEmail && parsed.data.length > 0 && !(parsed.meta.fields ?? []).includes('email')) {
    throw new UserError(`no invitations were created: ${file} has no \`email\` column, which --send needs`);
  }
  if (problems.length > 0) throw new UserError(`no invitations were created:\n${problems.join('\n')}`);
  return parsed.data.map((row) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== '')));
}

export function inviteCommand(program: Command, io: Io): void {
  program
    .command('invite')
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
      const baseUrl = (opts.baseUrl ?? io.env.BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const wave = await openWaveOf(store.db, instrumentId, opts.wave);
        const version = await getInstrumentVersion(store.db, wave.instrument_version_id);
        const instrument = Instrument.parse(version!.definition);
        const invitees: Record<string, string>[] = opts.from ? await readInvitees(resolve(io.cwd, opts.from), instrument, opts.send) : Array.from({ length: count! }, () => ({}));
        const columns = [...new Set(invitees.flatMap((i) => Object.keys(i)))];
        if (opts.send) {
          // Checked before anything is written: a message that cannot be filled in goes to nobody.
          const wording = await waveMessage(store.db, wave.id, 'invitation');
          if (!wording) throw new UserError(`wave ${wave.name} of ${instrumentId} has no message yet: set one with tapestry mail message ${instrumentId} --wave ${wave.name} --subject … --body FILE`);
          const unknown = unknownPlaceholders([wording.subject, wording.body], columns);
          if (unknown.length > 0) throw new UserError(`no invitations were created: the message uses ${unknown.map((k) => `{${k}}`).join(', ')}, which ${opts.from} has no column for`);
        }
        // The invitations and their audit row together, or neither. The row says how many and
        // which columns, never the invitees themselves.
        const created = await store.db.transaction().execute(async (trx) => {
          const emails = opts.send ? invitees.map((i) => i.email!.trim()) : undefined;
          const made = await createInvitations(trx, wave.id, invitees, undefined, emails);
          await appendAudit(trx, {
            ...commandActor(io),
            at: io.now(),
            action: 'invitations-created',
            instrumentId,
            wave: wave.name,
            summary: `created ${made.length} invitation${made.length === 1 ? '' : 's'} to wave ${wave.name} of ${instrumentId}${opts.from ? ` from ${opts.from}` : ''}`,
            details: { count: made.length, columns, ...(opts.from ? { from: opts.from } : {}) },
          });
          if (opts.send) {
            const queued = await queueInvitationMessages(trx, made.map((m) => m.id), io.now());
            await appendAudit(trx, {
              ...commandActor(io),
              at: io.now(),
              action: 'invitations-queued',
              instrumentId,
              wave: wave.name,
              summary: `queued ${queued} invitation e-mail${queued === 1 ? '' : 's'} to wave ${wave.name} of ${instrumentId}`,
              details: { count: queued },
            });
          }
          return made;
        });
        const rows = created.map((c) => [`${baseUrl}/i/${c.token}`, ...columns.map((k) => (Object.hasOwn(c.attributes, k) ? c.attributes[k] : ''))]);
        io.out(csvText(['link', ...columns], rows));
        io.err(`${created.length} invitations created for ${instrumentId} wave ${wave.name}; the links are shown only now\n`);
        if (opts.send) io.err(`${created.length} e-mails queued: tapestry mail send delivers them\n`);
      });
    });
}
