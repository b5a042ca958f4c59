/** Personal invitations: a random token per invitee, of which only a hash is stored. */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, InvitationRow } from './database.ts';

/** 32 random bytes: well past the 128 bits that make a token unguessable. */
export function newToken(random: (size: number) => Buffer = randomBytes): string {
  return random(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface CreatedInvitation {
  id: number;
  token: string;
  attributes: Record<string, string>;
}

/**
 * Rows per insert: each row is four parameters, and PostgreSQL takes at most 65,535 in one
 * statement, so a single insert of more than 16,000 invitations would be refused.
 */
export const INSERT_CHUNK = 1000;

/** Creates one invitation per attribute set (use `{}` for none), all or none, and returns the tokens. */
export async function createInvitations(
  db: Kysely<Database>,
  waveId: number,
  attributeSets: readonly Record<string, string>[],
  random?: (size: number) => Buffer,
  /** Each invitee's address, in the same order, when they are to be e-mailed. */
  emails?: readonly (string | null)[],
): Promise<CreatedInvitation[]> {
  if (attributeSets.length === 0) return [];
  const tokens = attributeSets.map(() => newToken(random));
  const insert = async (trx: Kysely<Database>) => {
    const idByHash = new Map<string, number>();
    for (let start = 0; start < attributeSets.length; start += INSERT_CHUNK) {
      const rows = await trx
        .insertInto('invitations')
        .values(
          attributeSets.slice(start, start + INSERT_CHUNK).map((attributes, offset) => ({
            wave_id: waveId,
            token_hash: hashToken(tokens[start + offset]!),
            attributes: JSON.stringify(attributes),
            email: emails?.[start + offset] ?? null,
          })),
        )
        .returning(['id', 'token_hash'])
        .execute();
      for (const row of rows) idByHash.set(row.token_hash, row.id);
    }
    return idByHash;
  };
  // Several statements now, so one transaction keeps "all or none".
  const idByHash = db.isTransaction ? await insert(db) : await db.transaction().execute(insert);
  return tokens.map((token, i) => ({ id: idByHash.get(hashToken(token))!, token, attributes: attributeSets[i]! }));
}

/** The invitation a token belongs to: its first link, or one made later for a message (invitation_links). */
export async function findInvitationByToken(db: Kysely<Database>, token: string): Promise<InvitationRow | undefined> {
  const hash = hashToken(token);
  return (
    (await db.selectFrom('invitations').selectAll().where('token_hash', '=', hash).executeTakeFirst()) ??
    (await db
      .selectFrom('invitations')
      .selectAll('invitations')
      .where('id', '=', (eb) => eb.selectFrom('invitation_links').select('invitation_id').where('token_hash', '=', hash))
      .executeTakeFirst())
  );
}

/** A further link to an invitation, for one message; only its hash is stored. */
export async function addInvitationLink(db: Kysely<Database>, invitationId: number, outboxId: number | null, random?: (size: number) => Buffer): Promise<string> {
  const token = newToken(random);
  await db.insertInto('invitation_links').values({ token_hash: hashToken(token), invitation_id: invitationId, outbox_id: outboxId }).execute();
  return token;
}

/** The invitee wants no more: the invitation is declined, and its messages not yet sent never will be. */
export async function declineInvitation(db: Kysely<Database>, invitationId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('invitations').set({ state: 'declined' }).where('id', '=', invitationId).execute();
    await trx
      .updateTable('mail_outbox')
      .set({ status: 'failed', last_error: 'the invitee declined' })
      .where('invitation_id', '=', invitationId)
      .where('status', '=', 'pending')
      .execute();
  });
}
