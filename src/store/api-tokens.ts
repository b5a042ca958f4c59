/**
 * Tokens for the JSON API. A token carries a role, as an account does, on every instrument or on
 * some; it is shown once when made, and only its hash is stored. It can expire and be revoked; a
 * revoked token is kept (for the audit log's sake) and never works again. Making and revoking write
 * their audit row in the same transaction.
 */
import type { Kysely } from 'kysely';
import { describeAccess } from './account-audit.ts';
import { inTransaction } from './accounts.ts';
import { appendAudit, type Actor } from './audit.ts';
import type { Database, Role } from './database.ts';
import { hashToken, newToken } from './invitations.ts';

/** Tokens start so, to be told apart from other secrets in a leaked file or a log. */
export const TOKEN_PREFIX = 'tap_';

export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  /** Empty for every instrument. */
  instruments: string[];
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface NewApiToken {
  name: string;
  role: Role;
  instruments: readonly string[];
  expiresAt: Date | null;
}

export class ApiTokenError extends Error {
  override name = 'ApiTokenError';
}

const date = (value: Date | string | null) => (value === null ? null : new Date(value));

async function tokensWhere(db: Kysely<Database>, ids?: readonly number[]): Promise<ApiToken[]> {
  let query = db.selectFrom('api_tokens').selectAll().orderBy('id');
  if (ids) query = query.where('id', 'in', ids.length ? ids : [-1]);
  const rows = await query.execute();
  const limits = rows.length
    ? await db.selectFrom('api_token_instruments').selectAll().where('token_id', 'in', rows.map((r) => r.id)).orderBy('instrument_id').execute()
    : [];
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    role: row.role,
    instruments: limits.filter((l) => l.token_id === row.id).map((l) => l.instrument_id),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    expiresAt: date(row.expires_at),
    revokedAt: date(row.revoked_at),
    lastUsedAt: date(row.last_used_at),
  }));
}

export const listApiTokens = (db: Kysely<Database>) => tokensWhere(db);

/** Makes a token; the token itself is returned only now. */
export async function createApiToken(db: Kysely<Database>, actor: Actor, at: Date, spec: NewApiToken): Promise<{ token: string; row: ApiToken }> {
  if (spec.name.trim() === '') throw new ApiTokenError('a token needs a name that says what it is for');
  if (spec.role === 'admin' && spec.instruments.length > 0) throw new ApiTokenError('an admin token cannot be limited to instruments');
  if (spec.expiresAt && spec.expiresAt <= at) throw new ApiTokenError('the token would have expired already');
  const token = `${TOKEN_PREFIX}${newToken()}`;
  const id = await inTransaction(db, async (trx) => {
    const { id } = await trx
      .insertInto('api_tokens')
      .values({ token_hash: hashToken(token), name: spec.name.trim(), role: spec.role, created_by: actor.actor, created_at: at, expires_at: spec.expiresAt, revoked_at: null, last_used_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const instruments = [...new Set(spec.instruments)].sort();
    if (instruments.length) await trx.insertInto('api_token_instruments').values(instruments.map((instrument_id) => ({ token_id: id, instrument_id }))).execute();
    await appendAudit(trx, {
      ...actor,
      at,
      action: 'token-created',
      summary: `made API token ${id} "${spec.name.trim()}", ${describeAccess({ role: spec.role, instruments })}${spec.expiresAt ? `, until ${spec.expiresAt.toISOString()}` : ''}`,
      details: { token_id: id, role: spec.role, instruments, expires_at: spec.expiresAt?.toISOString() ?? null },
    });
    return id;
  });
  return { token, row: (await tokensWhere(db, [id]))[0]! };
}

/** Revokes a token at once; revoking one already revoked changes nothing and is refused. */
export async function revokeApiToken(db: Kysely<Database>, actor: Actor, at: Date, id: number): Promise<ApiToken> {
  await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('api_tokens').select(['id', 'name', 'revoked_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new ApiTokenError(`there is no API token ${id}`);
    if (row.revoked_at !== null) throw new ApiTokenError(`API token ${id} was revoked already`);
    await trx.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).execute();
    await appendAudit(trx, { ...actor, at, action: 'token-revoked', summary: `revoked API token ${id} "${row.name}"`, details: { token_id: id } });
  });
  return (await tokensWhere(db, [id]))[0]!;
}

/**
 * The token a request presented: `unknown` when no token has that hash, `revoked` or `expired`
 * when it has stopped working, or the token (its use noted).
 */
export async function authenticateApiToken(db: Kysely<Database>, token: string, now: Date): Promise<ApiToken | 'unknown' | 'revoked' | 'expired'> {
  if (!token.startsWith(TOKEN_PREFIX)) return 'unknown';
  const row = await db.selectFrom('api_tokens').select(['id', 'revoked_at', 'expires_at']).where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!row) return 'unknown';
  if (row.revoked_at !== null) return 'revoked';
  if (row.expires_at !== null && new Date(row.expires_at) <= now) return 'expired';
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  return (await tokensWhere(db, [row.id]))[0]!;
}
