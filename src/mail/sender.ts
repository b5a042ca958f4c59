/**
 * Delivering the outbox over SMTP: claim what is due, make each message a link of its own, hand it
 * to the server, and record what the server said. A 5xx reply is permanent (the message and the
 * invitation fail, with the reason); a 4xx reply or a connection that fails is tried again later.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '../store/database.ts';
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
}

export interface SendSummary {
  sent: number;
  failed: number;
  retrying: number;
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

async function sendOne(db: Kysely<Database>, transport: Transporter, message: OutboxRow, options: SendOptions): Promise<'sent' | 'failed' | 'retrying'> {
  const invitation = await db.selectFrom('invitations').selectAll().where('id', '=', message.invitation_id).executeTakeFirstOrThrow();
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

/** Sends what is due, up to the limit, and says how it went. */
export async function sendDue(db: Kysely<Database>, options: SendOptions): Promise<SendSummary> {
  const summary: SendSummary = { sent: 0, failed: 0, retrying: 0 };
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const transport = nodemailer.createTransport(options.config.smtpUrl);
  let tried = 0;
  try {
    while (tried < limit && !options.signal?.aborted) {
      const claimed = await claimDue(db, options.now(), Math.min(BATCH, limit - tried));
      if (claimed.length === 0) break;
      for (const [index, message] of claimed.entries()) {
        if (options.signal?.aborted) {
          await releaseClaims(db, claimed.slice(index).map((m) => m.id), options.now());
          break;
        }
        summary[await sendOne(db, transport, message, options)] += 1;
        tried += 1;
      }
    }
  } finally {
    transport.close();
  }
  return summary;
}
