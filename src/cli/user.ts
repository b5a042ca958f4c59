/**
 * `tapestry user add|list|remove|role|password`: researchers' accounts from the command line, the
 * way in before anyone can sign in, and the way back if every admin is locked out. Each change
 * and its audit row are written in one transaction; a password is read from standard input only,
 * never from the arguments, which other users of the machine can see.
 */
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { AccountError, createAccount, emailProblem, findAccountByEmail, isRole, listAccounts, removeAccount, setAccountAccess, writePasswordHash, type Account } from '../store/accounts.ts';
import { accessChangedEntry, accountAddedEntry, accountRemovedEntry, describeAccess, passwordLinkEntry } from '../store/account-audit.ts';
import { appendAudit } from '../store/audit.ts';
import { ROLES, type Database, type Role } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { createPasswordToken } from '../store/password-tokens.ts';
import { hashPassword, passwordProblem } from '../store/passwords.ts';
import type { Store } from '../store/open.ts';
import { commandActor } from './actor.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';
import { textTable } from './text-table.ts';

const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

const iso = (at: Date) => at.toISOString().replace('.000Z', 'Z');
const repeatable = (value: string, all: string[]) => [...all, value];

function checkedEmail(email: string): string {
  const problem = emailProblem(email);
  if (problem) throw new UserError(problem);
  return email.trim().toLowerCase();
}

function checkedRole(option: string, role: string): Role {
  if (!isRole(role)) throw new UserError(`${option} must be one of ${ROLES.join(', ')}, not ${role}`);
  return role;
}

/**
 * Where the link points: --base-url, else BASE_URL as `serve`, `invite` and `mail` read it, else
 * TAPESTRY_BASE_URL, the name this command read first (kept so that scripts written for it work).
 */
function baseUrl(io: Io, option: string | undefined): string {
  const [given, from] =
    option !== undefined ? [option, '--base-url'] : io.env.BASE_URL ? [io.env.BASE_URL, 'BASE_URL'] : io.env.TAPESTRY_BASE_URL ? [io.env.TAPESTRY_BASE_URL, 'TAPESTRY_BASE_URL'] : [DEFAULT_BASE_URL, 'the default'];
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`${from} must be an http or https address such as https://survey.example.org, not ${given}`);
  }
  return given.replace(/\/+$/, '');
}

/** The password piped in: one line, its line ending dropped, checked against the rules. */
async function passwordFromStdin(io: Io, email: string): Promise<string> {
  const password = (await io.readStdin()).replace(/\r?\n$/, '');
  if (password === '') throw new UserError('--password-stdin read no password from standard input (e.g. printf %s "$PASSWORD" | tapestry user …)');
  const problem = passwordProblem(password, email);
  if (problem) throw new UserError(problem);
  return password;
}

/** An account by address, or a UserError that says there is none. */
async function existing(db: Kysely<Database>, email: string): Promise<Account> {
  const account = await findAccountByEmail(db, email);
  if (!account) throw new UserError(`there is no account for ${email} (tapestry user list shows them)`);
  return account;
}

/** Turns a refusal of the store's into the command's plain message, inside the transaction so it rolls back. */
async function refusals<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AccountError) throw new UserError(error.message);
    throw error;
  }
}

function inTransaction<T>(store: Store, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return refusals(() => store.db.transaction().execute(work));
}

function printLink(io: Io, base: string, link: { token: string; expiresAt: Date }): void {
  io.out(`${base}/admin/set-password/${link.token}\n`);
  io.err(`the link sets the password once, until ${iso(link.expiresAt)}; it is shown only now\n`);
}

interface AddOptions {
  role: string;
  instrument: string[];
  passwordStdin?: boolean;
  baseUrl?: string;
}

interface RoleOptions {
  instrument: string[];
  allInstruments?: boolean;
}

export function userCommand(program: Command, io: Io): void {
  const user = program.command('user').description('add, list and remove the accounts that sign in to the workspace, and set their roles and passwords');

  user
    .command('add')
    .description('add an account; prints a one-time link to set its password, valid 24 hours, unless --password-stdin sets one')
    .argument('<email>', 'the e-mail address the person signs in with')
    .requiredOption('--role <role>', `what the account may do: ${ROLES.join(', ')}`)
    .option('--instrument <id>', 'limit the account to this instrument (repeatable; default every instrument)', repeatable, [] as string[])
    .option('--password-stdin', 'read the password from standard input instead of printing a link')
    .option('--base-url <url>', `where the workspace is reached, for the link (default BASE_URL or ${DEFAULT_BASE_URL})`)
    .action(async (emailText: string, opts: AddOptions) => {
      const email = checkedEmail(emailText);
      const role = checkedRole('--role', opts.role);
      const base = opts.passwordStdin ? undefined : baseUrl(io, opts.baseUrl);
      // Read and checked, and hashed, before anything is written.
      const passwordHash = opts.passwordStdin ? await hashPassword(await passwordFromStdin(io, email)) : undefined;
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const { account, link } = await inTransaction(store, async (trx) => {
          const account = await createAccount(trx, { email, role, instruments: opts.instrument, now: io.now() });
          if (passwordHash) await writePasswordHash(trx, account.id, passwordHash, io.now());
          const link = passwordHash ? undefined : await createPasswordToken(trx, account.id, io.now());
          await appendAudit(trx, accountAddedEntry(commandActor(io), io.now(), account, passwordHash ? 'set' : 'link'));
          return { account, link };
        });
        io.out(`added  ${account.email}: ${describeAccess(account)}${link ? '' : ', password set'}\n`);
        if (link) printLink(io, base!, link);
      });
    });

  user
    .command('list')
    .description('list the accounts with their roles, instruments and whether they have a password')
    .option('--json', 'print the accounts as JSON')
    .action(async (opts: { json?: boolean }) => {
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const now = io.now();
        const accounts = (await listAccounts(store.db)).map((a) => ({
          email: a.email,
          role: a.role,
          instruments: a.instruments,
          password: a.hasPassword,
          locked_until: a.lockedUntil && a.lockedUntil > now ? iso(a.lockedUntil) : null,
          created: iso(a.createdAt),
        }));
        if (opts.json) return io.out(`${JSON.stringify(accounts, null, 2)}\n`);
        if (accounts.length === 0) return io.out('no accounts (add one with tapestry user add EMAIL --role admin)\n');
        io.out(
          textTable(
            [
              ['email', 'role', 'instruments', 'password', 'state'],
              ...accounts.map((a) => [a.email, a.role, a.instruments.length ? a.instruments.join(', ') : 'all', a.password ? 'set' : 'not set', a.locked_until ? `locked until ${a.locked_until}` : '']),
            ],
            5,
          ),
        );
      });
    });

  user
    .command('remove')
    .description('remove an account: its sessions end and its links stop working; the audit log keeps its history')
    .argument('<email>', 'the account’s e-mail address')
    .action(async (emailText: string) => {
      const email = checkedEmail(emailText);
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const removed = await inTransaction(store, async (trx) => {
          const account = await removeAccount(trx, (await existing(trx, email)).id);
          await appendAudit(trx, accountRemovedEntry(commandActor(io), io.now(), account));
          return account;
        });
        io.out(`removed  ${removed.email} (${describeAccess(removed)})\n`);
      });
    });

  user
    .command('role')
    .description('change an account’s role and, with --instrument or --all-instruments, the instruments it is limited to')
    .argument('<email>', 'the account’s e-mail address')
    .argument('<role>', `the new role: ${ROLES.join(', ')}`)
    .option('--instrument <id>', 'limit the account to this instrument (repeatable; replaces its instruments)', repeatable, [] as string[])
    .option('--all-instruments', 'lift the account’s limits: every instrument')
    .action(async (emailText: string, roleText: string, opts: RoleOptions) => {
      const email = checkedEmail(emailText);
      const role = checkedRole('the role', roleText);
      if (opts.allInstruments && opts.instrument.length > 0) throw new UserError('give --instrument or --all-instruments, not both');
      const instruments = opts.allInstruments ? [] : opts.instrument.length > 0 ? opts.instrument : undefined;
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const change = await inTransaction(store, async (trx) => {
          const { before, after } = await setAccountAccess(trx, (await existing(trx, email)).id, { role, instruments });
          if (describeAccess(before) === describeAccess(after)) return { before, after, changed: false };
          await appendAudit(trx, accessChangedEntry(commandActor(io), io.now(), before, after));
          return { before, after, changed: true };
        });
        if (!change.changed) return io.out(`unchanged  ${change.after.email}: already ${describeAccess(change.after)}\n`);
        io.out(`changed  ${change.after.email}: ${describeAccess(change.before)} → ${describeAccess(change.after)}\n`);
      });
    });

  user
    .command('password')
    .description('print a new one-time link to set an account’s password (older links stop working), or set it with --password-stdin')
    .argument('<email>', 'the account’s e-mail address')
    .option('--password-stdin', 'read the new password from standard input; the account is signed out everywhere')
    .option('--base-url <url>', `where the workspace is reached, for the link (default BASE_URL or ${DEFAULT_BASE_URL})`)
    .action(async (emailText: string, opts: { passwordStdin?: boolean; baseUrl?: string }) => {
      const email = checkedEmail(emailText);
      const base = opts.passwordStdin ? undefined : baseUrl(io, opts.baseUrl);
      const passwordHash = opts.passwordStdin ? await hashPassword(await passwordFromStdin(io, email)) : undefined;
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const link = await inTransaction(store, async (trx) => {
          const account = await existing(trx, email);
          if (passwordHash) await writePasswordHash(trx, account.id, passwordHash, io.now());
          const link = passwordHash ? undefined : await createPasswordToken(trx, account.id, io.now());
          await appendAudit(
            trx,
            passwordHash
              ? { ...commandActor(io), at: io.now(), action: 'password-set', summary: `set the password of ${account.email}, signing it out everywhere`, details: { account_id: account.id, email: account.email } }
              : passwordLinkEntry(commandActor(io), io.now(), account),
          );
          return link;
        });
        if (link) printLink(io, base!, link);
        else io.out(`password set  ${email}; its sessions have ended\n`);
      });
    });
}
