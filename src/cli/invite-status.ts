/**
 * `tapestry invite status <instrument> --wave W [--list] [--state S] [--json]`: how many of a
 * wave's invitations are in each state (see store/invitation-status.ts), and with `--list` the
 * invitations themselves, read from the database a page at a time and written as they come, so a
 * wave of any size fits. Only reads: nothing is changed, so no audit row is written.
 */
import type { Command } from 'commander';
import { csvRecords } from '../shared/csv.ts';
import {
  allInvitationStatuses,
  countInvitationStates,
  INVITATION_LIST_COLUMNS,
  INVITATION_STATES,
  invitationListRecord,
  isInvitationState,
  type InvitationState,
  type InvitationStatus,
} from '../store/invitation-status.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';
import { textTable } from './text-table.ts';
import { namedWave } from './wave-lookup.ts';

interface StatusOptions {
  wave: string;
  list?: boolean;
  state?: string;
  json?: boolean;
}

/** The state named by `--state`, or an error listing the states there are. */
export function stateOption(text: string): InvitationState {
  if (isInvitationState(text)) return text;
  throw new UserError(`--state must be one of ${INVITATION_STATES.join(', ')}, not ${JSON.stringify(text)}`);
}

function jsonRecord(s: InvitationStatus) {
  return { id: s.id, email: s.email, state: s.state, sentAt: s.sentAt?.toISOString() ?? null, remindedAt: s.remindedAt?.toISOString() ?? null, failure: s.failure };
}

export function inviteStatusCommand(invite: Command, program: Command, io: Io): void {
  invite
    .command('status')
    .description("how many of a wave's invitations are in each state; with --list, each invitation")
    .argument('<instrument>', 'instrument id, e.g. leadership-individual')
    .requiredOption('--wave <name>', 'the wave')
    .option('--list', 'also print each invitation (as CSV, or in the JSON): id, e-mail, state, when sent and last reminded, why it failed')
    .option('--state <state>', `list only the invitations in this state (implies --list): ${INVITATION_STATES.join(', ')}`)
    .option('--json', 'print JSON instead of text')
    .action(async (instrumentId: string, opts: StatusOptions) => {
      const state = opts.state === undefined ? undefined : stateOption(opts.state);
      const list = opts.list === true || state !== undefined;
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const wave = await namedWave(store.db, instrumentId, opts.wave);
        const counts = await countInvitationStates(store.db, wave.id);
        const states = Object.fromEntries(INVITATION_STATES.map((s) => [s, counts[s]]));
        if (opts.json) {
          const head = JSON.stringify({ instrument: instrumentId, wave: wave.name, total: counts.total, states, ...(state ? { listed: state } : {}) });
          if (!list) {
            io.out(`${head}\n`);
            return;
          }
          // The list is written as it is read: `{…, "invitations":[…]}`, one invitation a line.
          io.out(`${head.slice(0, -1)},"invitations":[`);
          let first = true;
          for await (const s of allInvitationStatuses(store.db, wave.id, state)) {
            io.out(`${first ? '\n' : ',\n'}${JSON.stringify(jsonRecord(s))}`);
            first = false;
          }
          io.out(`${first ? '' : '\n'}]}\n`);
          return;
        }
        if (list) {
          io.out(csvRecords([INVITATION_LIST_COLUMNS]));
          let page: InvitationStatus[] = [];
          for await (const s of allInvitationStatuses(store.db, wave.id, state)) {
            page.push(s);
            if (page.length === 1000) {
              io.out(csvRecords(page.map(invitationListRecord)));
              page = [];
            }
          }
          io.out(csvRecords(page.map(invitationListRecord)));
          io.err(`${state ? counts[state] : counts.total} of ${counts.total} invitations to ${instrumentId} wave ${wave.name} listed\n`);
          return;
        }
        io.out(`Invitations to ${instrumentId} wave ${wave.name}\n`);
        io.out(textTable([['state', 'invitations'], ...INVITATION_STATES.map((s) => [s, String(counts[s])]), ['total', String(counts.total)]]));
      });
    });
}
