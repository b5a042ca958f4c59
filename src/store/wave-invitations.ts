/**
 * Inviting people to a wave and reminding them, each with its audit rows in one transaction, so
 * that `tapestry invite` / `remind`, the wave's invitations page and the API follow one set of
 * rules and the log says the same whoever acted. The audit rows say how many and which columns,
 * never who.
 */
import { sql, type Kysely } from 'kysely';
import { unknownPlaceholders } from '../mail/compose.ts';
import { appendAudit, type Actor } from './audit.ts';
import type { Database, WaveRow } from './database.ts';
import { createInvitations, type CreatedInvitation } from './invitations.ts';
import { queueInvitationMessages, queueReminders } from './outbox.ts';
import { waveMessage } from './wave-messages.ts';

export class InviteError extends Error {
  override name = 'InviteError';
}

type WaveRef = Pick<WaveRow, 'id' | 'name' | 'instrument_id'>;

/**
 * Creates an invitation per invitee and, with `send`, queues each its e-mail (to its `email`).
 * Refused before anything is written when the wave has no message or the message uses a
 * placeholder no column fills.
 */
export async function inviteRecorded(
  db: Kysely<Database>,
  actor: Actor,
  at: Date,
  wave: WaveRef,
  invitees: readonly Record<string, string>[],
  options: { send: boolean; source?: string },
): Promise<{ created: CreatedInvitation[]; columns: string[]; queued: number }> {
  const columns = [...new Set(invitees.flatMap((i) => Object.keys(i)))];
  if (options.send) {
    const wording = await waveMessage(db, wave.id, 'invitation');
    if (!wording) throw new InviteError(`wave ${wave.name} of ${wave.instrument_id} has no message yet: set its invitation e-mail first`);
    const unknown = unknownPlaceholders([wording.subject, wording.body], columns);
    if (unknown.length > 0) throw new InviteError(`the message uses ${unknown.map((k) => `{${k}}`).join(', ')}, which ${options.source ?? 'the invitees'} has no column for`);
  }
  return db.transaction().execute(async (trx) => {
    const emails = options.send ? invitees.map((i) => i.email!.trim()) : undefined;
    const created = await createInvitations(trx, wave.id, invitees, undefined, emails);
    await appendAudit(trx, {
      ...actor,
      at,
      action: 'invitations-created',
      instrumentId: wave.instrument_id,
      wave: wave.name,
      summary: `created ${created.length} invitation${created.length === 1 ? '' : 's'} to wave ${wave.name} of ${wave.instrument_id}${options.source ? ` from ${options.source}` : ''}`,
      details: { count: created.length, columns, ...(options.source ? { from: options.source } : {}) },
    });
    let queued = 0;
    if (options.send) {
      queued = await queueInvitationMessages(trx, created.map((m) => m.id), at);
      await appendAudit(trx, {
        ...actor,
        at,
        action: 'invitations-queued',
        instrumentId: wave.instrument_id,
        wave: wave.name,
        summary: `queued ${queued} invitation e-mail${queued === 1 ? '' : 's'} to wave ${wave.name} of ${wave.instrument_id}`,
        details: { count: queued },
      });
    }
    return { created, columns, queued };
  });
}

/**
 * Queues a reminder for every invitee whose e-mail went out and who has not submitted or declined,
 * leaving out anyone reminded since `since` or with a reminder still on its way. Returns how many.
 */
export async function remindRecorded(db: Kysely<Database>, actor: Actor, at: Date, wave: WaveRef, since: Date, notSince: string): Promise<number> {
  if (!(await waveMessage(db, wave.id, 'reminder'))) throw new InviteError(`wave ${wave.name} of ${wave.instrument_id} has no message yet: set its invitation e-mail first`);
  return db.transaction().execute(async (trx) => {
    // Only invitations whose e-mail went out: a queued one is on its way, a failed one has an
    // address that does not work, and a declined one is never written to again.
    const due = await trx
      .selectFrom('invitations as i')
      .select('i.id')
      .where('i.wave_id', '=', wave.id)
      .where('i.state', '=', 'sent')
      .where('i.email', 'is not', null)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('responses as r').select(sql`1`.as('one')).whereRef('r.invitation_id', '=', 'i.id').where('r.status', '=', 'submitted'))))
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
    const n = await queueReminders(trx, due.map((r) => r.id), at);
    await appendAudit(trx, {
      ...actor,
      at,
      action: 'reminders-queued',
      instrumentId: wave.instrument_id,
      wave: wave.name,
      summary: `queued ${n} reminder${n === 1 ? '' : 's'} to wave ${wave.name} of ${wave.instrument_id}`,
      details: { count: n, notSince },
    });
    return n;
  });
}
