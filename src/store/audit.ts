/**
 * The audit log: who did what to the study, and when. Rows are only ever added; the database
 * refuses UPDATE, DELETE and TRUNCATE on the table (migration 0004). Write a change's row with
 * the same transaction as the change, so that the log and the study never disagree.
 */
import { sql, type Kysely } from 'kysely';
import type { AuditAction, AuditRow, Database } from './database.ts';

/** Who acted: an account's e-mail address, or the command line and the system user who ran it. */
export interface Actor {
  actor: string;
  actorAccountId: number | null;
  /** The client's address, for requests; null from the command line. */
  address: string | null;
}

export interface NewAuditEntry extends Actor {
  at: Date;
  action: AuditAction;
  instrumentId?: string | null;
  wave?: string | null;
  /** One sentence a person reads in the list. */
  summary: string;
  /** What a later question may need: ids, before and after, counts. */
  details?: Record<string, unknown>;
}

export interface AuditEntry extends Actor {
  id: number;
  at: Date;
  action: AuditAction;
  instrumentId: string | null;
  wave: string | null;
  summary: string;
  details: Record<string, unknown>;
}

export interface AuditFilters {
  instrumentId?: string | undefined;
  /** Entries about one of these instruments only (an account limited to them sees no others). */
  instrumentIds?: readonly string[] | undefined;
  /** Entries at or after this moment. */
  since?: Date | undefined;
  action?: AuditAction | undefined;
  /** The actor exactly as recorded (an e-mail address, or `command line (alice)`). */
  actor?: string | undefined;
}

export interface AuditPage {
  /** At most this many (default 100, at most 1000). */
  limit?: number | undefined;
  /** Skipping this many of the newest first. */
  offset?: number | undefined;
}

export const AUDIT_PAGE_DEFAULT = 100;
export const AUDIT_PAGE_MAX = 1000;

/** The actor of a command run at the terminal by the system user `username`. */
export function commandLineActor(username: string): Actor {
  return { actor: `command line (${username})`, actorAccountId: null, address: null };
}

/** The actor of a request made by a signed-in account. */
export function accountActor(account: { id: number; email: string }, address: string | null): Actor {
  return { actor: account.email, actorAccountId: account.id, address };
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: new Date(row.at),
    actor: row.actor,
    actorAccountId: row.actor_account_id,
    address: row.address,
    action: row.action,
    instrumentId: row.instrument_id,
    wave: row.wave,
    summary: row.summary,
    details: row.details,
  };
}

export async function appendAudit(db: Kysely<Database>, entry: NewAuditEntry): Promise<AuditEntry> {
  const row = await db
    .insertInto('audit_log')
    .values({
      at: entry.at,
      actor: entry.actor,
      actor_account_id: entry.actorAccountId,
      address: entry.address,
      action: entry.action,
      instrument_id: entry.instrumentId ?? null,
      wave: entry.wave ?? null,
      summary: entry.summary,
      details: JSON.stringify(entry.details ?? {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEntry(row);
}

function filtered(db: Kysely<Database>, filters: AuditFilters) {
  let query = db.selectFrom('audit_log');
  if (filters.instrumentId !== undefined) query = query.where('instrument_id', '=', filters.instrumentId);
  if (filters.instrumentIds !== undefined) {
    const ids = [...filters.instrumentIds];
    query = ids.length === 0 ? query.where(sql<boolean>`false`) : query.where('instrument_id', 'in', ids);
  }
  if (filters.since !== undefined) query = query.where('at', '>=', filters.since);
  if (filters.action !== undefined) query = query.where('action', '=', filters.action);
  if (filters.actor !== undefined) query = query.where('actor', '=', filters.actor);
  return query;
}

function whole(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(0, Math.trunc(value)));
}

/** Entries matching every filter given, newest first (ties by the order they were written). */
export async function listAudit(db: Kysely<Database>, filters: AuditFilters = {}, page: AuditPage = {}): Promise<AuditEntry[]> {
  const rows = await filtered(db, filters)
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(whole(page.limit, AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX))
    .offset(whole(page.offset, 0, Number.MAX_SAFE_INTEGER))
    .execute();
  return rows.map(toEntry);
}

/** How many entries match, for paging. */
export async function countAudit(db: Kysely<Database>, filters: AuditFilters = {}): Promise<number> {
  const row = await filtered(db, filters).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
