import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { authenticateApiToken } from '../../src/store/api-tokens.ts';
import { hashToken } from '../../src/store/invitations.ts';
import { openStore, type Store } from '../../src/store/open.ts';
import { captureIo } from '../support/io.ts';
import { backend, commandDatabase } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');
const NOW = new Date('2026-03-02T09:00:00Z');

describe(`tapestry token on ${backend}`, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv = {};
  let database: Awaited<ReturnType<typeof commandDatabase>>;
  const tapestry = async (...args: string[]) => {
    const io = captureIo({ cwd: root, env, now: () => NOW, username: () => 'lea' });
    const code = await run(['--data-dir', dataDir, ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const withDb = async <T>(work: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tapestry-token-'));
    database = await commandDatabase('token');
    env = database.env;
    expect((await tapestry('setup')).code).toBe(0);
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await database.dispose();
  });

  it('prints a new token once, keeps only its hash, and lists it without it', async () => {
    const made = await tapestry('token', 'create', '--role', 'analyst', '--instrument', 'leadership-individual', '--expires', '90d', '--name', 'dashboard');
    expect(made.code, made.err).toBe(0);
    const token = made.out.trim();
    expect(token).toMatch(/^tap_[A-Za-z0-9_-]{43}$/);
    expect(made.err).toContain('API token 1 made: analyst of leadership-individual, until 2026-05-31T09:00:00Z');
    await withDb(async (store) => {
      const rows = await store.db.selectFrom('api_tokens').selectAll().execute();
      expect(rows.map((r) => r.token_hash)).toEqual([hashToken(token)]);
      expect(JSON.stringify(rows)).not.toContain(token);
      const audit = await store.db.selectFrom('audit_log').select(['action', 'actor', 'summary']).where('action', '=', 'token-created').execute();
      expect(audit).toEqual([{ action: 'token-created', actor: 'command line (lea)', summary: expect.stringContaining('made API token 1 "dashboard", analyst of leadership-individual') }]);
      expect(await authenticateApiToken(store.db, token, NOW)).toMatchObject({ id: 1, role: 'analyst', instruments: ['leadership-individual'] });
    });
    const listed = await tapestry('token', 'list');
    expect(listed.out).toMatch(/^1 +dashboard +analyst of leadership-individual +active +2026-05-31T09:00:00Z/m);
    expect(listed.out).not.toContain(token);
  });

  it('revokes a token at once, and says so when it is revoked already or unknown', async () => {
    const token = (await tapestry('token', 'create', '--role', 'viewer')).out.trim();
    const revoked = await tapestry('token', 'revoke', '2');
    expect(revoked).toMatchObject({ code: 0, err: 'API token 2 "API token" revoked\n' });
    await withDb(async (store) => expect(await authenticateApiToken(store.db, token, NOW)).toBe('revoked'));
    expect((await tapestry('token', 'revoke', '2')).err).toContain('API token 2 was revoked already');
    expect((await tapestry('token', 'revoke', '99')).err).toContain('there is no API token 99');
    expect((await tapestry('token', 'list')).out).toMatch(/^2 +API token +viewer of every instrument +revoked 2026-03-02T09:00:00Z/m);
  });

  it('refuses a role, an instrument or a lifetime it does not know, and makes nothing', async () => {
    expect((await tapestry('token', 'create', '--role', 'boss')).err).toContain('--role must be one of admin, owner, editor, analyst, viewer, not boss');
    expect((await tapestry('token', 'create', '--role', 'viewer', '--instrument', 'nope')).err).toContain('--instrument: no instrument nope has been published');
    expect((await tapestry('token', 'create', '--role', 'viewer', '--expires', 'soon')).err).toContain('--expires must be a whole number and a unit');
    expect((await tapestry('token', 'create', '--role', 'admin', '--instrument', 'leadership-individual')).err).toContain('an admin token cannot be limited to instruments');
    await withDb(async (store) => expect(await store.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(2));
  });
});
