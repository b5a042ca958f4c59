// Frozen in time: imports nothing of the application.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Researchers who sign in to the workspace. The address is kept as it is compared (lower case,
  // no surrounding space), and the database holds that, so two spellings can never be two accounts.
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    // Null until the person follows their set-password link.
    .addColumn('password_hash', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('failed_sign_ins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('password_changed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('accounts_email_check', sql`email = lower(btrim(email)) and length(email) between 3 and 254`)
    .addCheckConstraint('accounts_role_check', sql`role in ('admin', 'owner', 'editor', 'analyst', 'viewer')`)
    .addCheckConstraint('accounts_failed_sign_ins_check', sql`failed_sign_ins >= 0`)
    .execute();

  // The instruments an account is limited to; an account with no rows here reaches every one.
  // Not a foreign key: an instrument is named by its versions, of which none may be published yet.
  await db.schema
    .createTable('account_instruments')
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('instrument_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('account_instruments_pkey', ['account_id', 'instrument_id'])
    .execute();

  // One-time links to set a password. Only a hash of the token is kept, as for invitations.
  await db.schema
    .createTable('password_tokens')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('password_tokens_account_idx').on('password_tokens').column('account_id').execute();

  // Signed-in sessions. The key is a hash of the cookie's token, so a copy of the database
  // signs nobody in; sessions live here rather than in memory so that every instance knows them.
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('address', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_account_idx').on('sessions').column('account_id').execute();

  // What was done to the study, by whom. The actor is text, and actor_account_id is deliberately
  // not a foreign key: removing an account must leave its history as it was, and the log can
  // never be updated to forget whom a row named.
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_account_id', 'integer')
    .addColumn('address', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('instrument_id', 'text')
    .addColumn('wave', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_log_instrument_idx').on('audit_log').columns(['instrument_id', 'at']).execute();

  // The log only grows: the database refuses to change or remove what it holds, whatever code
  // path or console session tries. Statement triggers, so that even a DELETE or UPDATE that
  // matches no row is refused, and TRUNCATE (which row triggers never see) is covered too.
  await sql`
    create function audit_log_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit log only grows: % is refused', tg_op using errcode = 'check_violation';
    end $$`.execute(db);
  await sql`
    create trigger audit_log_is_append_only before update or delete or truncate on audit_log
    for each statement execute function audit_log_is_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Dropping the table is not a TRUNCATE: the trigger goes with it.
  await db.schema.dropTable('audit_log').execute();
  await sql`drop function audit_log_is_append_only()`.execute(db);
  for (const table of ['sessions', 'password_tokens', 'account_instruments', 'accounts']) {
    await db.schema.dropTable(table).execute();
  }
}
