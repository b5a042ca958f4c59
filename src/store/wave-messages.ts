/** The wording of a wave's invitation and reminder e-mails. */
import type { Kysely } from 'kysely';
import type { Database, MailKind } from './database.ts';

export interface Wording {
  subject: string;
  body: string;
}

export async function setWaveMessage(db: Kysely<Database>, waveId: number, kind: MailKind, wording: Wording): Promise<void> {
  await db
    .insertInto('wave_messages')
    .values({ wave_id: waveId, kind, subject: wording.subject, body: wording.body })
    .onConflict((oc) => oc.columns(['wave_id', 'kind']).doUpdateSet({ subject: wording.subject, body: wording.body }))
    .execute();
}

/** The wave's wording for `kind`; a reminder without its own is the invitation's, its subject marked as a reminder. */
export async function waveMessage(db: Kysely<Database>, waveId: number, kind: MailKind): Promise<Wording | undefined> {
  const rows = await db.selectFrom('wave_messages').select(['kind', 'subject', 'body']).where('wave_id', '=', waveId).execute();
  const own = rows.find((r) => r.kind === kind);
  if (own) return { subject: own.subject, body: own.body };
  const invitation = rows.find((r) => r.kind === 'invitation');
  if (kind === 'reminder' && invitation) return { subject: `Reminder: ${invitation.subject}`, body: invitation.body };
  return undefined;
}
