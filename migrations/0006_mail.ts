// Frozen in time: imports nothing of the application.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Where an invitation is sent, and how far its e-mail has got. Only what the mail itself decides
  // is stored (created, queued, sent, failed, declined); opened, started and submitted are read
  // from the invitation's response rather than copied here, so the two can never disagree.
  await db.schema.alterTable('invitations').addColumn('email', 'text').execute();
  await db.schema
    .alterTable('invitations')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('created'))
    .execute();
  await sql`alter table invitations add constraint invitations_state_check
    check (state in ('created', 'queued', 'sent', 'failed', 'declined'))`.execute(db);

  // The message a wave's invitees receive, and the reminder (which falls back to the invitation's
  // wording when a wave has none of its own). Plain text; the HTML part is made from it.
  await db.schema
    .createTable('wave_messages')
    .addColumn('wave_id', 'integer', (c) => c.notNull().references('waves.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('invitation', 'reminder')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('wave_messages_pkey', ['wave_id', 'kind'])
    .execute();

  // The outbox: one row per message to send. The unique (invitation, kind, sequence) is what
  // keeps anyone from receiving two copies of one message however often queuing is repeated.
  // No link is kept here: the sender makes a fresh one as it sends (see invitation_links).
  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('invitation_id', 'integer', (c) => c.notNull().references('invitations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('invitation', 'reminder')`))
    .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(1).check(sql`sequence >= 1`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'sending', 'sent', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0).check(sql`attempts >= 0`))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_error', 'text')
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addUniqueConstraint('mail_outbox_message_key', ['invitation_id', 'kind', 'sequence'])
    .execute();
  await db.schema.createIndex('mail_outbox_due_idx').on('mail_outbox').columns(['status', 'next_attempt_at']).execute();

  // Further links to an invitation, one made for each message sent, since only a hash of the
  // first is stored and a reminder must carry a link that works. Any of them reaches the same response.
  await db.schema
    .createTable('invitation_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('invitation_id', 'integer', (c) => c.notNull().references('invitations.id').onDelete('cascade'))
    .addColumn('outbox_id', 'integer', (c) => c.references('mail_outbox.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('invitation_links_invitation_idx').on('invitation_links').column('invitation_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('invitation_links').execute();
  await db.schema.dropTable('mail_outbox').execute();
  await db.schema.dropTable('wave_messages').execute();
  await db.schema.alterTable('invitations').dropConstraint('invitations_state_check').execute();
  await db.schema.alterTable('invitations').dropColumn('state').execute();
  await db.schema.alterTable('invitations').dropColumn('email').execute();
}
