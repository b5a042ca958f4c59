/** Service-wide settings shared by every instance through the database. */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './database.ts';

/**
 * The value of `key`, created with `make()` if absent. Concurrent first starts agree on one value:
 * the insert that loses the race does nothing, and both read the winner's.
 */
export async function getOrCreateSetting(db: Kysely<Database>, key: string, make: () => string): Promise<string> {
  await db.insertInto('settings').values({ key, value: make() }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return row.value;
}

/** The key that signs cookies and CSRF secrets. */
export function cookieSecret(db: Kysely<Database>): Promise<string> {
  return getOrCreateSetting(db, 'cookie_secret', () => randomBytes(32).toString('base64url'));
}
