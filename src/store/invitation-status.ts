/**
 * Where each invitation of a wave stands, read from the database: what the mail did with it
 * (`invitations.state`) and what its invitee did with the link (the response, if any).
 *
 * Decisions, and why:
 * - The state is derived, not stored: opening, starting and submitting are written by the
 *   respondent's journey to `responses`, and a second copy on the invitation could disagree with
 *   it. One SQL expression (`STATE`) decides, so counting and listing can never disagree either.
 * - Precedence: `declined` and `failed` win over everything, since they say that nothing more is
 *   to be sent; then `submitted`, `started` (a page has been saved, so `current_page` names where
 *   they are), `opened` (the link was followed, which starts a response with no page yet: the
 *   answers an invitation prefills are not the invitee's doing); else the mail's own `created`,
 *   `queued` or `sent`.
 * - Counting and paging happen in the database: a wave may have tens of thousands of invitations,
 *   and no caller needs them all at once. Pages are keyset pages by invitation id, so a page is the
 *   same whatever was added after it, and the order is the order of creation.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './database.ts';

export const INVITATION_STATES = ['created', 'queued', 'sent', 'opened', 'started', 'submitted', 'failed', 'declined'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

export const INVITATION_STATE_MEANINGS: Readonly<Record<InvitationState, string>> = {
  created: 'the link exists; no e-mail has been queued for it',
  queued: 'its e-mail is waiting to be sent',
  sent: 'its e-mail was accepted by the mail server',
  opened: 'the link was followed, and no page answered yet',
  started: 'at least one page has been answered',
  submitted: 'the response has been submitted',
  failed: 'an e-mail to it was refused for good',
  declined: 'the invitee asked for no more e-mail',
};

export function isInvitationState(text: string): text is InvitationState {
  return (INVITATION_STATES as readonly string[]).includes(text);
}

/** The state of invitation `i` with its response `r` (left-joined: at most one, by the unique invitation column). */
const STATE: RawBuilder<InvitationState> = sql<InvitationState>`case
  when i.state in ('declined', 'failed') then i.state
  when r.status = 'submitted' then 'submitted'
  when r.current_page is not null then 'started'
  when r.id is not null then 'opened'
  else i.state end`;

function withResponses(db: Kysely<Database>, waveId: number) {
  return db
    .selectFrom('invitations as i')
    .leftJoin('responses as r', 'r.invitation_id', 'i.id')
    .where('i.wave_id', '=', waveId);
}

export type InvitationStateCounts = Record<InvitationState, number> & { total: number };

/** How many of the wave's invitations are in each state; every state is there, 0 when none. */
export async function countInvitationStates(db: Kysely<Database>, waveId: number): Promise<InvitationStateCounts> {
  const rows = await withResponses(db, waveId)
    .select([STATE.as('state'), (eb) => eb.fn.countAll<string | number>().as('n')])
    .groupBy(STATE)
    .execute();
  const counts = Object.fromEntries(INVITATION_STATES.map((s) => [s, 0])) as InvitationStateCounts;
  counts.total = 0;
  for (const row of rows) {
    counts[row.state] = Number(row.n);
    counts.total += Number(row.n);
  }
  return counts;
}

export interface InvitationStatus {
  id: number;
  /** Null for a link handed out some other way than by e-mail. */
  email: string | null;
  state: InvitationState;
  createdAt: Date;
  /** When the mail server accepted its invitation e-mail; null while it has not. */
  sentAt: Date | null;
  /** When the mail server accepted its latest reminder; null when none has gone. */
  remindedAt: Date | null;
  /** Why its mail failed, for a failed invitation; null otherwise. */
  failure: string | null;
}

export interface InvitationStatusPage {
  /** Invitations with an id above this one only: the last id of the page before. */
  afterId?: number;
  /** At most this many (default 100, at most 1,000). */
  limit?: number;
  /** Skip this many first: for numbered pages, where counting is cheap and pages are few. */
  offset?: number;
  state?: InvitationState;
}

export const INVITATION_PAGE_DEFAULT = 100;
export const INVITATION_PAGE_MAX = 1000;

const instant = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

/** A page of the wave's invitations in the order they were created, optionally in one state. */
export async function listInvitationStatuses(db: Kysely<Database>, waveId: number, page: InvitationStatusPage = {}): Promise<InvitationStatus[]> {
  const limit = Math.min(Math.max(1, Math.floor(page.limit ?? INVITATION_PAGE_DEFAULT)), INVITATION_PAGE_MAX);
  let query = withResponses(db, waveId)
    .select([
      'i.id',
      'i.email',
      'i.created_at',
      STATE.as('state'),
      sql<Date | string | null>`(select max(o.sent_at) from mail_outbox o where o.invitation_id = i.id and o.kind = 'invitation' and o.status = 'sent')`.as('sent_at'),
      sql<Date | string | null>`(select max(o.sent_at) from mail_outbox o where o.invitation_id = i.id and o.kind = 'reminder' and o.status = 'sent')`.as('reminded_at'),
      // The latest refusal: the one that failed the invitation.
      sql<string | null>`(select o.last_error from mail_outbox o where o.invitation_id = i.id and o.status = 'failed' order by o.id desc limit 1)`.as('last_error'),
    ])
    .orderBy('i.id')
    .limit(limit);
  if (page.afterId !== undefined) query = query.where('i.id', '>', page.afterId);
  if (page.state !== undefined) query = query.where(STATE, '=', page.state);
  if (page.offset !== undefined && page.offset > 0) query = query.offset(Math.floor(page.offset));
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    state: row.state,
    createdAt: new Date(row.created_at),
    sentAt: instant(row.sent_at),
    remindedAt: instant(row.reminded_at),
    failure: row.state === 'failed' ? row.last_error : null,
  }));
}

/** Every invitation of the wave (in one state, if given), read a page at a time. */
export async function* allInvitationStatuses(db: Kysely<Database>, waveId: number, state?: InvitationState): AsyncGenerator<InvitationStatus> {
  let afterId: number | undefined;
  for (;;) {
    const page = await listInvitationStatuses(db, waveId, { afterId, state, limit: INVITATION_PAGE_MAX });
    yield* page;
    if (page.length < INVITATION_PAGE_MAX) return;
    afterId = page[page.length - 1]!.id;
  }
}

/** The columns of a list of invitations as the command and the workspace write it (as CSV). */
export const INVITATION_LIST_COLUMNS = ['id', 'email', 'state', 'sent_at', 'reminded_at', 'failure'] as const;

const iso = (at: Date | null) => (at === null ? null : at.toISOString());

/** One invitation as the cells of `INVITATION_LIST_COLUMNS`: moments in ISO 8601, UTC. */
export function invitationListRecord(s: InvitationStatus): (string | number | null)[] {
  return [s.id, s.email, s.state, iso(s.sentAt), iso(s.remindedAt), s.failure];
}
