/**
 * `tapestry token create|list|revoke`: tokens for the JSON API (`Authorization: Bearer …`). A token
 * is printed once, when made; only its hash is kept. Each change and its audit row are one transaction.
 */
import type { Command } from 'commander';
import { isRole } from '../store/accounts.ts';
import { describeAccess } from '../store/account-audit.ts';
import { ApiTokenError, createApiToken, listApiTokens, revokeApiToken } from '../store/api-tokens.ts';
import { ROLES } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { commandActor } from './actor.ts';
import { UserError, type Io } from './io.ts';
import { parseDuration } from './remind.ts';
import { withStore } from './store-session.ts';
import { textTable } from './text-table.ts';

const repeatable = (value: string, all: string[]) => [...all, value];
const iso = (at: Date | null) => (at ? at.toISOString().replace('.000Z', 'Z') : '');

/** The store's refusals are the user's mistakes: say them as such. */
async function refusalsAsUserErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiTokenError) throw new UserError(error.message);
    throw error;
  }
}

export function tokenCommand(program: Command, io: Io): void {
  const token = program.command('token').description('tokens for the JSON API at /api/v1');

  token
    .command('create')
    .description('makes a token and prints it, once; send it as "Authorization: Bearer <token>"')
    .requiredOption('--role <role>', `what the token may do: ${ROLES.join(', ')}`)
    .option('--instrument <id>', 'limit the token to this instrument (repeat for more; default every instrument)', repeatable, [])
    .option('--expires <duration>', 'the token stops working after this long: 30m, 12h, 90d, 52w (default never)')
    .option('--name <text>', 'what the token is for, shown in the list and the audit log', 'API token')
    .action(async (opts: { role: string; instrument: string[]; expires?: string; name: string }) => {
      if (!isRole(opts.role)) throw new UserError(`--role must be one of ${ROLES.join(', ')}, not ${opts.role}`);
      const role = opts.role;
      const lifetime = opts.expires === undefined ? undefined : parseDuration(opts.expires, '--expires');
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const known = new Set((await store.db.selectFrom('instrument_versions').select('instrument_id').distinct().execute()).map((r) => r.instrument_id));
        const unknown = opts.instrument.filter((id) => !known.has(id));
        if (unknown.length) throw new UserError(`--instrument: no instrument ${unknown.join(', ')} has been published (published: ${[...known].sort().join(', ') || 'none'})`);
        const now = io.now();
        const made = await refusalsAsUserErrors(() =>
          createApiToken(store.db, commandActor(io), now, { name: opts.name, role, instruments: opts.instrument, expiresAt: lifetime === undefined ? null : new Date(now.getTime() + lifetime) }),
        );
        io.out(`${made.token}\n`);
        io.err(`API token ${made.row.id} made: ${describeAccess(made.row)}${made.row.expiresAt ? `, until ${iso(made.row.expiresAt)}` : ''}. It is shown only now: keep it somewhere safe.\n`);
      });
    });

  token
    .command('list')
    .description('lists the API tokens, revoked ones too, never the tokens themselves')
    .action(async () => {
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const rows = await listApiTokens(store.db);
        const now = io.now();
        const state = (t: (typeof rows)[number]) => (t.revokedAt ? `revoked ${iso(t.revokedAt)}` : t.expiresAt && t.expiresAt <= now ? `expired ${iso(t.expiresAt)}` : 'active');
        io.out(
          textTable(
            [['id', 'name', 'access', 'state', 'expires', 'last used', 'made by'], ...rows.map((t) => [String(t.id), t.name, describeAccess(t), state(t), iso(t.expiresAt), iso(t.lastUsedAt), t.createdBy])],
            7,
          ),
        );
      });
    });

  token
    .command('revoke')
    .description('stops a token working, at once')
    .argument('<id>', 'the token id, as token list shows it')
    .action(async (idText: string) => {
      if (!/^\d{1,9}$/.test(idText)) throw new UserError(`the token id must be a whole number as tapestry token list shows it, not ${idText}`);
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const row = await refusalsAsUserErrors(() => revokeApiToken(store.db, commandActor(io), io.now(), Number(idText)));
        io.err(`API token ${row.id} "${row.name}" revoked\n`);
      });
    });
}
