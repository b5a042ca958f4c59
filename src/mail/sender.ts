/**
 * Delivering the outbox over SMTP: claim what is due, make each message a link of its own, hand it
 * to the server, and record what the server said. A 5xx reply is permanent (the message and the
 * invitation fail, with the reason); a 4xx reply or a connection that fails is tried again later.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '../store/database.ts';
import { appendAudit, type Actor } from '../store/audit.ts';
import type { Store } from '../store/open.ts';
import { holdSenderLock, type SenderLock } from '../store/sender-lock.ts';
import { addInvitationLink } from '../store/invitations.ts';
import { claimDue, markFailed, markRetry, markSent, releaseClaims } from '../store/outbox.ts';
import { waveMessage } from '../store/wave-messages.ts';
import { compose, placeholdersOf } from './compose.ts';
import type { MailConfig } from './config.ts';

export interface SendOptions {
  config: MailConfig;
  /** Where the service is reached, without a trailing slash: links are `<baseUrl>/i/<token>`. */
  baseUrl: string;
  /** At most this many messages tried in this run. */
  limit?: number;
  now: () => Date;
  /** Stops after the message being sent: those claimed and not tried go back to the queue. */
  signal?: AbortSignal;
  /** The lock this sender holds (a long-running sender keeps one); without it, one is held for the run. */
  lock?: SenderLock;
}

export interface Outcomes {
  sent: number;
  failed: number;
  retrying: number;
}

/** One wave's share of a run, for its audit row. */
export interface WaveOutcomes extends Outcomes {
  waveId: number;
  instrumentId: string;
  wave: string;
}

export interface SendSummary extends Outcomes {
  /** By wave, in the order of their ids. */
  waves: WaveOutcomes[];
}

/** How many a claim takes: small, so that a stopped sender holds little for its lease. */
const BATCH = 10;

interface Refusal {
  permanent: boolean;
  reason: string;
}

/** What an SMTP error means for the message: nodemailer puts the server's reply code on the error. */
export function classify(error: unknown): Refusal {
  const e = error as { responseCode?: number; response?: string; message?: string; code?: string; rejectedErrors?: { responseCode?: number; response?: string }[] };
  const rejected = e.rejectedErrors?.[0];
  const code = e.responseCode ?? rejected?.responseCode;
  const reason = (e.response ?? rejected?.response ?? e.message ?? String(error)).trim();
  return { permanent: typeof code === 'number' && code >= 500 && code < 600, reason: code === undefined && e.code ? `${e.code}: ${reason}` : reason };
}

type Outcome = keyof Outcomes;

async function sendOne(db: Kysely<Database>, transport: Transporter, message: OutboxRow, options: SendOptions): Promise<{ outcome: Outcome; waveId: number }> {
  const invitation = await db.selectFrom('invitations').selectAll().where('id', '=', message.invitation_id).executeTakeFirstOrThrow();
  return { outcome: await deliver(db, transport, message, invitation, options), waveId: invitation.wave_id };
}

async function deliver(
  db: Kysely<Database>,
  transport: Transporter,
  message: OutboxRow,
  invitation: { id: number; wave_id: number; email: string | null; state: string; attributes: Record<string, string> },
  options: SendOptions,
): Promise<Outcome> {
  if (invitation.email === null) {
    await markFailed(db, message, 'the invitation has no e-mail address');
    return 'failed';
  }
  if (invitation.state === 'declined') {
    await markFailed(db, message, 'the invitee declined');
    return 'failed';
  }
  const wording = await waveMessage(db, invitation.wave_id, message.kind);
  if (!wording) {
    await markFailed(db, message, 'the wave has no message to send (tapestry mail message)');
    return 'failed';
  }
  // A link of its own for every message: only hashes of tokens are stored, so the one printed
  // when the invitation was made cannot be written into a later reminder.
  const token = await addInvitationLink(db, invitation.id, message.id);
  const link = `${options.baseUrl}/i/${token}`;
  const values = { name: '', ...invitation.attributes, email: invitation.email, link, decline_link: `${link}/decline` };
  // Every message says how to decline, in the wording's own place or else at its end.
  const body = placeholdersOf(wording.body).includes('decline_link') ? wording.body : `${wording.body.trimEnd()}\n\nIf you do not want to take part, tell us here and we will not write again: {decline_link}\n`;
  const composed = compose({ subject: wording.subject, body }, values);
  try {
    await transport.sendMail({ from: options.config.from, to: invitation.email, subject: composed.subject, text: composed.text, html: composed.html });
  } catch (error) {
    const refusal = classify(error);
    if (refusal.permanent) {
      await markFailed(db, message, refusal.reason);
      return 'failed';
    }
    return (await markRetry(db, message, refusal.reason, options.now())) ? 'retrying' : 'failed';
  }
  await markSent(db, message, options.now());
  return 'sent';
}

/** Sends what is due, up to the limit, and says how it went, overall and by wave. */
export async function sendDue(store: Pick<Store, 'db' | 'kind'>, options: SendOptions): Promise<SendSummary> {
  const { db } = store;
  const byWave = new Map<number, Outcomes>();
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const lock = options.lock ?? (await holdSenderLock(store));
  // Bounded waits, so that a sender never holds a message longer than its lease (outbox.ts).
  const transport = nodemailer.createTransport({ url: options.config.smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
  let tried = 0;
  try {
    while (tried < limit && !options.signal?.aborted) {
      const claimed = await claimDue(db, options.now(), Math.min(BATCH, limit - tried), lock.id);
      if (claimed.length === 0) break;
      for (const [index, message] of claimed.entries()) {
        if (options.signal?.aborted) {
          await releaseClaims(db, claimed.slice(index).map((m) => m.id), options.now());
          break;
        }
        const { outcome, waveId } = await sendOne(db, transport, message, options);
        const counts = byWave.get(waveId) ?? { sent: 0, failed: 0, retrying: 0 };
        counts[outcome] += 1;
        byWave.set(waveId, counts);
        tried += 1;
      }
    }
  } finally {
    transport.close();
    if (!options.lock) await lock.release();
  }
  const ids = [...byWave.keys()].sort((a, b) => a - b);
  const names = ids.length ? await db.selectFrom('waves').select(['id', 'instrument_id', 'name']).where('id', 'in', ids).execute() : [];
  const waves = ids.map((waveId) => {
    const row = names.find((n) => n.id === waveId);
    return { waveId, instrumentId: row?.instrument_id ?? '', wave: row?.name ?? '', ...byWave.get(waveId)! };
  });
  const total = (key: Outcome) => waves.reduce((sum, w) => sum + w[key], 0);
  return { sent: total('sent'), failed: total('failed'), retrying: total('retrying'), waves };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One audit row per wave a run sent for, with the counts: never one per invitee, whose addresses stay out of the log. */
export async function auditSending(db: Kysely<Database>, summary: SendSummary, actor: Actor, at: Date): Promise<void> {
  for (const w of summary.waves) {
    await appendAudit(db, {
      ...actor,
      at,
      action: 'mail-sent',
      instrumentId: w.instrumentId,
      wave: w.wave,
      summary: `sent ${plural(w.sent, 'e-mail')}; ${w.failed} failed, ${w.retrying} to be retried`,
      details: { sent: w.sent, failed: w.failed, retrying: w.retrying },
    });
  }
}
