import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { checkSignIn, findAccountByEmail } from '../../src/store/accounts.ts';
import { listAudit } from '../../src/store/audit.ts';
import { openStore, type Store } from '../../src/store/open.ts';
import { setPasswordWithToken } from '../../src/store/password-tokens.ts';
import { createSession, findSession } from '../../src/store/sessions.ts';
import { captureIo } from '../support/io.ts';
import { backend, commandDatabase } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');
const NOW = new Date('2026-03-02T09:00:00Z');
const PASSWORD = 'a long and unusual passphrase';
const LINK = /^http:\/\/127\.0\.0\.1:3000\/admin\/set-password\/([A-Za-z0-9_-]{43})$/;

interface Listed {
  email: string;
  role: string;
  instruments: string[];
  password: boolean;
  locked_until: string | null;
  created: string;
}

describe(`tapestry user on ${backend}`, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv = {};
  let database: Awaited<ReturnType<typeof commandDatabase>>;

  const tapestry = async (args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) => {
    const io = captureIo({ cwd: root, env: { ...env, ...options.env }, now: () => NOW, readStdin: async () => options.stdin ?? '', username: () => 'lea' });
    const code = await run(['--data-dir', dataDir, ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const list = async () => JSON.parse((await tapestry(['user', 'list', '--json'])).out) as Listed[];
  const withDb = async <T>(work: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };
  const auditCount = () => withDb(async (store) => (await listAudit(store.db, {}, { limit: 1000 })).length);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tapestry-user-'));
    database = await commandDatabase('user');
    env = database.env;
    expect((await tapestry(['publish', 'surveys/leadership-individual.yaml', 'surveys/leadership-organisational.yaml'])).code).toBe(0);
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await database.dispose();
  });

  it('adds an account and prints a one-time link, valid 24 hours, that sets its password', async () => {
    const added = await tapestry(['user', 'add', ' Sam.Reid@Example.org ', '--role', 'editor', '--instrument', 'leadership-individual']);
    expect(added.code).toBe(0);
    const [first, link, ...rest] = added.out.split('\n');
    expect(first).toBe('added  sam.reid@example.org: editor of leadership-individual');
    expect(link).toMatch(LINK);
    expect(rest).toEqual(['']);
    expect(added.err).toBe('the link sets the password once, until 2026-03-03T09:00:00Z; it is shown only now\n');
    const token = LINK.exec(link!)![1]!;
    await withDb(async (store) => {
      expect(await setPasswordWithToken(store.db, token, PASSWORD, NOW)).toMatchObject({ email: 'sam.reid@example.org' });
      expect((await checkSignIn(store.db, 'sam.reid@example.org', PASSWORD, NOW)).ok).toBe(true);
    });
  });

  it('takes the link’s address from --base-url, then BASE_URL as serve and invite do, then the older TAPESTRY_BASE_URL', async () => {
    const fromEnv = await tapestry(['user', 'add', 'env@example.org', '--role', 'viewer'], { env: { BASE_URL: 'https://survey.example.org/', TAPESTRY_BASE_URL: 'https://older.example.org' } });
    expect(fromEnv.out.split('\n')[1]).toMatch(/^https:\/\/survey\.example\.org\/admin\/set-password\/[A-Za-z0-9_-]{43}$/);
    const fromOption = await tapestry(['user', 'password', 'env@example.org', '--base-url', 'https://other.example.org'], { env: { TAPESTRY_BASE_URL: 'https://survey.example.org' } });
    expect(fromOption.out).toMatch(/^https:\/\/other\.example\.org\/admin\/set-password\/[A-Za-z0-9_-]{43}\n$/);
  });

  it('sets the password from standard input, never printing or storing it', async () => {
    const added = await tapestry(['user', 'add', 'admin@example.org', '--role', 'admin', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(added).toEqual({ code: 0, out: 'added  admin@example.org: admin of every instrument, password set\n', err: '' });
    await withDb(async (store) => {
      expect((await checkSignIn(store.db, 'admin@example.org', PASSWORD, NOW)).ok).toBe(true);
      const row = await store.db.selectFrom('accounts').select('password_hash').where('email', '=', 'admin@example.org').executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      const audit = JSON.stringify(await listAudit(store.db));
      expect(audit).not.toContain(PASSWORD);
    });
  });

  it('lists the accounts as a table and as JSON', async () => {
    expect(await list()).toEqual([
      { email: 'admin@example.org', role: 'admin', instruments: [], password: true, locked_until: null, created: '2026-03-02T09:00:00Z' },
      { email: 'env@example.org', role: 'viewer', instruments: [], password: false, locked_until: null, created: '2026-03-02T09:00:00Z' },
      { email: 'sam.reid@example.org', role: 'editor', instruments: ['leadership-individual'], password: true, locked_until: null, created: '2026-03-02T09:00:00Z' },
    ]);
    const table = (await tapestry(['user', 'list'])).out.split('\n');
    expect(table[0]).toMatch(/^email +role +instruments +password +state$/);
    expect(table[3]).toMatch(/^sam\.reid@example\.org +editor +leadership-individual +set$/);
  });

  it('refuses, saying why, what cannot be done, and writes nothing', async () => {
    const before = await list();
    const audited = await auditCount();
    const cases: [string[], string, string?, NodeJS.ProcessEnv?][] = [
      [['user', 'add', 'not an address', '--role', 'viewer'], 'the e-mail address must look like name@example.org, not "not an address"'],
      [['user', 'add', 'new@example.org', '--role', 'boss'], '--role must be one of admin, owner, editor, analyst, viewer, not boss'],
      [['user', 'add', 'new@example.org', '--role', 'editor', '--instrument', 'nothing'], 'no version of nothing is published, so an account cannot be limited to it (published instruments: leadership-individual, leadership-organisational)'],
      [['user', 'add', 'new@example.org', '--role', 'admin', '--instrument', 'leadership-individual'], 'an admin account cannot be limited to some'],
      [['user', 'add', 'SAM.REID@example.org', '--role', 'viewer'], 'there is already an account for sam.reid@example.org'],
      [['user', 'add', 'new@example.org', '--role', 'viewer', '--password-stdin'], '--password-stdin read no password from standard input', ''],
      [['user', 'add', 'new@example.org', '--role', 'viewer', '--password-stdin'], 'the password must be at least 12 characters long (this one has 5)', 'short\n'],
      [['user', 'add', 'new@example.org', '--role', 'viewer', '--password-stdin'], 'the password must not be the account’s e-mail address', 'NEW@example.org\n'],
      [['user', 'add', 'new@example.org', '--role', 'viewer', '--base-url', 'survey.example.org'], '--base-url must be an http or https address'],
      [['user', 'add', 'new@example.org', '--role', 'viewer'], 'BASE_URL must be an http or https address such as https://survey.example.org, not survey.example.org', undefined, { BASE_URL: 'survey.example.org' }],
      [['user', 'add', 'new@example.org', '--role', 'viewer'], 'TAPESTRY_BASE_URL must be an http or https address', undefined, { TAPESTRY_BASE_URL: 'ftp://x' }],
      [['user', 'remove', 'nobody@example.org'], 'there is no account for nobody@example.org (tapestry user list shows them)'],
      [['user', 'role', 'nobody@example.org', 'viewer'], 'there is no account for nobody@example.org'],
      [['user', 'remove', 'admin@example.org'], 'admin@example.org is the only admin, so it cannot be removed: make another account an admin first'],
      [['user', 'role', 'admin@example.org', 'viewer'], 'admin@example.org is the only admin, so it cannot be made a viewer'],
      [['user', 'role', 'sam.reid@example.org', 'chief'], 'the role must be one of admin, owner, editor, analyst, viewer, not chief'],
      [['user', 'role', 'sam.reid@example.org', 'viewer', '--instrument', 'nothing'], 'no version of nothing is published'],
      [['user', 'role', 'sam.reid@example.org', 'viewer', '--instrument', 'leadership-individual', '--all-instruments'], 'give --instrument or --all-instruments, not both'],
      [['user', 'password', 'nobody@example.org'], 'there is no account for nobody@example.org'],
      [['user', 'password', 'sam.reid@example.org', '--password-stdin'], 'the password is one of the commonest passwords', 'password1234'],
    ];
    for (const [args, message, stdin, env] of cases) {
      const result = await tapestry(args, { stdin, env });
      expect([args.join(' '), result.code]).toEqual([args.join(' '), 1]);
      expect(result.err).toContain(message);
      expect(result.out).toBe('');
    }
    expect(await list()).toEqual(before);
    expect(await auditCount()).toBe(audited);
  });

  it('changes a role and its instruments, and says so when nothing changes', async () => {
    expect((await tapestry(['user', 'role', 'sam.reid@example.org', 'analyst'])).out).toBe('changed  sam.reid@example.org: editor of leadership-individual → analyst of leadership-individual\n');
    expect((await tapestry(['user', 'role', 'sam.reid@example.org', 'owner', '--instrument', 'leadership-organisational', '--instrument', 'leadership-individual'])).out).toBe(
      'changed  sam.reid@example.org: analyst of leadership-individual → owner of leadership-individual and leadership-organisational\n',
    );
    const audited = await auditCount();
    expect((await tapestry(['user', 'role', 'sam.reid@example.org', 'owner'])).out).toBe('unchanged  sam.reid@example.org: already owner of leadership-individual and leadership-organisational\n');
    expect(await auditCount()).toBe(audited);
    expect((await tapestry(['user', 'role', 'sam.reid@example.org', 'editor', '--all-instruments'])).out).toBe('changed  sam.reid@example.org: owner of leadership-individual and leadership-organisational → editor of every instrument\n');
    expect((await list()).find((a) => a.email === 'sam.reid@example.org')).toMatchObject({ role: 'editor', instruments: [] });
  });

  it('makes a new link that replaces the old one, or sets a password that signs the account out everywhere', async () => {
    const first = LINK.exec((await tapestry(['user', 'password', 'sam.reid@example.org'])).out.trim())![1]!;
    const second = LINK.exec((await tapestry(['user', 'password', 'sam.reid@example.org'])).out.trim())![1]!;
    const token = await withDb(async (store) => {
      expect(await setPasswordWithToken(store.db, first, 'an older link’s passphrase', NOW)).toBeUndefined();
      const account = (await findAccountByEmail(store.db, 'sam.reid@example.org'))!;
      return (await createSession(store.db, { accountId: account.id, now: NOW, address: null, userAgent: null })).token;
    });
    const set = await tapestry(['user', 'password', 'SAM.REID@example.org', '--password-stdin'], { stdin: 'a new and different passphrase\r\n' });
    expect(set).toEqual({ code: 0, out: 'password set  sam.reid@example.org; its sessions have ended\n', err: '' });
    await withDb(async (store) => {
      expect(await findSession(store.db, token, NOW)).toBeUndefined();
      expect((await checkSignIn(store.db, 'sam.reid@example.org', 'a new and different passphrase', NOW)).ok).toBe(true);
      expect(await setPasswordWithToken(store.db, second, 'the second link’s passphrase', NOW)).toMatchObject({ email: 'sam.reid@example.org' });
    });
  });

  it('removes an account, whose history stays in the audit log', async () => {
    expect((await tapestry(['user', 'remove', 'Env@example.org'])).out).toBe('removed  env@example.org (viewer of every instrument)\n');
    expect((await list()).map((a) => a.email)).toEqual(['admin@example.org', 'sam.reid@example.org']);
    const audit = await withDb((store) => listAudit(store.db, { actor: 'command line (lea)' }, { limit: 1000 }));
    expect(audit.filter((e) => JSON.stringify(e.details).includes('env@example.org')).map((e) => e.action)).toEqual(['account-removed', 'password-link-created', 'account-added']);
  });

  it('writes an audit row for every change, as the command line and its system user', async () => {
    const audit = await withDb((store) => listAudit(store.db, {}, { limit: 1000 }));
    expect(new Set(audit.map((e) => e.actor))).toEqual(new Set(['command line (lea)']));
    expect(audit.map((e) => e.action).reverse()).toEqual([
      'published',
      'published',
      'account-added',
      'account-added',
      'password-link-created',
      'account-added',
      'role-changed',
      'role-changed',
      'role-changed',
      'password-link-created',
      'password-link-created',
      'password-set',
      'account-removed',
    ]);
    expect(audit.find((e) => e.action === 'role-changed')).toMatchObject({
      summary: 'sam.reid@example.org: owner of leadership-individual and leadership-organisational → editor of every instrument',
      details: { email: 'sam.reid@example.org', before: { role: 'owner', instruments: ['leadership-individual', 'leadership-organisational'] }, after: { role: 'editor', instruments: [] } },
    });
  });
});
