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
import { createInvitations } from '../store/invitations.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { findWave, listWaves } from '../store/waves.ts';
import { commandActor } from './actor.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';

interface InviteOptions {
  wave: string;
  count?: string;
  from?: string;
  baseUrl?: string;
}

/** Reads invitees: a header row, then one invitee a row; columns that name questions prefill them. */
export async function readInvitees(file: string, instrument: Instrument): Promise<Record<string, string>[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${file}: cannot read the invitees file: ${error.code === 'ENOENT' ? 'there is no such file' : error.message}`);
  });
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy' });
  const problems = parsed.errors.map((e) => `${file}:${(e.row ?? 0) + 2}: ${e.message}`);
  parsed.data.forEach((row, index) => {
    const line = index + 2; // the header is line 1
    for (const problem of prefillAnswers(instrument, row).problems) problems.push(`${file}:${line}: ${problem.message}`);
  });
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
    .action(async (instrumentId: string, opts: InviteOptions) => {
      if ((opts.count === undefined) === (opts.from === undefined)) throw new UserError('give either --count N or --from FILE');
      const count = opts.count === undefined ? undefined : Number(opts.count);
      if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 100_000)) {
        throw new UserError(`--count must be a whole number from 1 to 100000, not ${opts.count}`);
      }
      const baseUrl = (opts.baseUrl ?? io.env.BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const wave = await findWave(store.db, instrumentId, opts.wave);
        if (!wave) {
          const known = (await listWaves(store.db, instrumentId)).map((w) => w.name);
          throw new UserError(`${instrumentId} has no wave named ${opts.wave}${known.length ? ` (its waves: ${known.join(', ')})` : ' (publish it and open a wave first)'}`);
        }
        if (wave.status !== 'open') throw new UserError(`wave ${wave.name} of ${instrumentId} is closed`);
        const version = await getInstrumentVersion(store.db, wave.instrument_version_id);
        const instrument = Instrument.parse(version!.definition);
        const invitees = opts.from ? await readInvitees(resolve(io.cwd, opts.from), instrument) : Array.from({ length: count! }, () => ({}));
        const columns = [...new Set(invitees.flatMap((i) => Object.keys(i)))];
        // The invitations and their audit row together, or neither. The row says how many and
        // which columns, never the invitees themselves.
        const created = await store.db.transaction().execute(async (trx) => {
          const made = await createInvitations(trx, wave.id, invitees);
          await appendAudit(trx, {
            ...commandActor(io),
            at: io.now(),
            action: 'invitations-created',
            instrumentId,
            wave: wave.name,
            summary: `created ${made.length} invitation${made.length === 1 ? '' : 's'} to wave ${wave.name} of ${instrumentId}${opts.from ? ` from ${opts.from}` : ''}`,
            details: { count: made.length, columns, ...(opts.from ? { from: opts.from } : {}) },
          });
          return made;
        });
        const rows = created.map((c) => [`${baseUrl}/i/${c.token}`, ...columns.map((k) => (Object.hasOwn(c.attributes, k) ? c.attributes[k] : ''))]);
        io.out(csvText(['link', ...columns], rows));
        io.err(`${created.length} invitations created for ${instrumentId} wave ${wave.name}; the links are shown only now\n`);
      });
    });
}
