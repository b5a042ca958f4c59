/**
 * The tables of the store as Kysely sees them. Columns the database fills are `Generated<>`;
 * nullable columns are `T | null`, never optional, so an insert has to say what it leaves empty.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** jsonb: written as a JSON string (pg would turn a JS array into a Postgres array), read back parsed. */
export type Json<T> = ColumnType<T, string, string>;
/** jsonb with a database default: may be left out of an insert. */
export type JsonWithDefault<T> = ColumnType<T, string | undefined, string>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigint arrives as a string from pg and as a number from PGlite; callers convert with Number(). */
type BigCount = ColumnType<string | number | bigint, number | bigint | undefined, number | bigint>;

export interface InstrumentVersionsTable {
  id: Generated<number>;
  instrument_id: string;
  version: string;
  title: string;
  kind: 'individual' | 'organisational';
  content_hash: string;
  definition: Json<unknown>;
  source_text: string;
  published_at: Timestamp;
}

export interface WavesTable {
  id: Generated<number>;
  instrument_id: string;
  name: string;
  instrument_version_id: number;
  status: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>;
  opens_at: Timestamp;
  closes_at: Date | string | null;
  /** `open`: anyone with the survey's address may start; `invitation`: only personal links. */
  access: ColumnType<WaveAccess, WaveAccess | undefined, WaveAccess>;
  /** Listed on the home page (open waves only). */
  listed: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
}

export const WAVE_ACCESS = ['open', 'invitation'] as const;
export type WaveAccess = (typeof WAVE_ACCESS)[number];

/** Responses a wave aims for in one sector × tier (tier '' when the instrument has none). */
export interface WaveTargetsTable {
  wave_id: number;
  sector: string;
  tier: ColumnType<string, string | undefined, string>;
  target: number;
}

export interface InvitationsTable {
  id: Generated<number>;
  wave_id: number;
  token_hash: string;
  attributes: JsonWithDefault<Record<string, string>>;
  created_at: Timestamp;
  /** Where the invitation is e-mailed; null for links handed out some other way. */
  email: string | null;
  /** What the mail decided; opened, started and submitted are read from the response (see invitation-status.ts). */
  state: ColumnType<StoredInvitationState, StoredInvitationState | undefined, StoredInvitationState>;
}

export const STORED_INVITATION_STATES = ['created', 'queued', 'sent', 'failed', 'declined'] as const;
export type StoredInvitationState = (typeof STORED_INVITATION_STATES)[number];

export const MAIL_KINDS = ['invitation', 'reminder'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** The wording of a wave's invitation or reminder: plain text with `{placeholders}`. */
export interface WaveMessagesTable {
  wave_id: number;
  kind: MailKind;
  subject: string;
  body: string;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** One message to send; unique per (invitation, kind, sequence). */
export interface MailOutboxTable {
  id: Generated<number>;
  invitation_id: number;
  kind: MailKind;
  sequence: ColumnType<number, number | undefined, number>;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  queued_at: Timestamp;
  sent_at: Date | string | null;
  /** The sender holding a message being sent (see `outbox.ts`); null otherwise. */
  claimed_by: number | null;
}

/** Further links to an invitation, one per message sent; only the hash of each is kept. */
export interface InvitationLinksTable {
  token_hash: string;
  invitation_id: number;
  outbox_id: number | null;
  created_at: Timestamp;
}

export interface ResponsesTable {
  id: Generated<string>;
  wave_id: number;
  instrument_version_id: number;
  invitation_id: number | null;
  resume_code_hash: string | null;
  status: ColumnType<'in_progress' | 'submitted', 'in_progress' | 'submitted' | undefined, 'in_progress' | 'submitted'>;
  answers: JsonWithDefault<Record<string, unknown>>;
  current_page: string | null;
  /** Every required question shown has an answer (see `missingRequired`). */
  complete: ColumnType<boolean, boolean | undefined, boolean>;
  started_at: Timestamp;
  updated_at: Timestamp;
  submitted_at: Date | string | null;
  /** The answer to `sector`, kept by the database from `answers` (migration 0011) for monitoring's index. */
  sector: ColumnType<string | null, never, never>;
  /** The answer to `tier`, '' when there is none, kept as `sector` is. */
  tier: ColumnType<string, never, never>;
  /** For a response imported from a file: the name given to where it came from, and the file's sha256. */
  source: ColumnType<string | null, string | null | undefined, never>;
  source_sha256: ColumnType<string | null, string | null | undefined, never>;
}

export interface ResponsePageTimesTable {
  response_id: string;
  page_id: string;
  visits: ColumnType<number, number | undefined, number>;
  milliseconds: BigCount;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export const ROLES = ['admin', 'owner', 'editor', 'analyst', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface AccountsTable {
  id: Generated<number>;
  /** Lower case, without surrounding space (the database checks). */
  email: string;
  /** Null until a password is set. */
  password_hash: string | null;
  role: Role;
  /** Failed sign-ins in a row since the last success or lockout. */
  failed_sign_ins: ColumnType<number, number | undefined, number>;
  locked_until: Date | string | null;
  password_changed_at: Date | string | null;
  created_at: Timestamp;
}

/** The instruments an account is limited to; none means every instrument. */
export interface AccountInstrumentsTable {
  account_id: number;
  instrument_id: string;
}

export interface PasswordTokensTable {
  id: Generated<number>;
  token_hash: string;
  account_id: number;
  created_at: Timestamp;
  expires_at: Date | string;
  used_at: Date | string | null;
}

export interface SessionsTable {
  /** A hash of the cookie's token, never the token. */
  id: string;
  account_id: number;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  /** The absolute end, however active the session is. */
  expires_at: Date | string;
  revoked_at: Date | string | null;
  address: string | null;
  user_agent: string | null;
}

/** A token for the JSON API; only its hash is kept. */
export interface ApiTokensTable {
  id: Generated<number>;
  token_hash: string;
  /** What the token is for, in the words of whoever made it. */
  name: string;
  role: Role;
  /** The audit log's actor who made it. */
  created_by: string;
  created_at: Timestamp;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
}

/** The instruments a token is limited to; none means every instrument. */
export interface ApiTokenInstrumentsTable {
  token_id: number;
  instrument_id: string;
}

/** Weights made elsewhere, attached to a wave under a name a pipeline's design can give as its weight. */
export interface WeightSetsTable {
  id: Generated<number>;
  wave_id: number;
  name: string;
  /** SHA-256 of the file the weights came from. */
  source_sha256: string;
  attached_at: Timestamp;
}

export interface ResponseWeightsTable {
  weight_set_id: number;
  response_id: string;
  weight: number;
}

/** What the audit log records; kept as text in the database, so adding one needs no migration. */
export const AUDIT_ACTIONS = [
  'sign-in',
  'sign-in-failed',
  'sign-out',
  'account-added',
  'account-removed',
  'role-changed',
  'password-set',
  'password-link-created',
  'published',
  'wave-opened',
  'wave-closed',
  'wave-targets-set',
  'invitations-created',
  'invitations-queued',
  'reminders-queued',
  'mail-sent',
  'exported',
  'pipeline-run',
  'token-created',
  'token-revoked',
  'weights-attached',
  'responses-imported',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Append-only: the database refuses UPDATE, DELETE and TRUNCATE. */
export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  /** An account's e-mail address, or e.g. `command line (alice)`: text, so history outlives accounts. */
  actor: string;
  actor_account_id: number | null;
  address: string | null;
  action: AuditAction;
  instrument_id: string | null;
  wave: string | null;
  summary: string;
  details: JsonWithDefault<Record<string, unknown>>;
}

export interface Database {
  settings: SettingsTable;
  instrument_versions: InstrumentVersionsTable;
  waves: WavesTable;
  wave_targets: WaveTargetsTable;
  invitations: InvitationsTable;
  wave_messages: WaveMessagesTable;
  mail_outbox: MailOutboxTable;
  invitation_links: InvitationLinksTable;
  responses: ResponsesTable;
  response_page_times: ResponsePageTimesTable;
  accounts: AccountsTable;
  account_instruments: AccountInstrumentsTable;
  password_tokens: PasswordTokensTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  api_tokens: ApiTokensTable;
  api_token_instruments: ApiTokenInstrumentsTable;
  weight_sets: WeightSetsTable;
  response_weights: ResponseWeightsTable;
}

export type InstrumentVersionRow = Selectable<InstrumentVersionsTable>;
export type WaveRow = Selectable<WavesTable>;
export type NewWave = Insertable<WavesTable>;
export type WaveTargetRow = Selectable<WaveTargetsTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type OutboxRow = Selectable<MailOutboxTable>;
export type ResponseRow = Selectable<ResponsesTable>;
export type ResponseUpdate = Updateable<ResponsesTable>;
export type AccountRow = Selectable<AccountsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type AuditRow = Selectable<AuditLogTable>;
