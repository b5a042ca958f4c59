import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { unguardCell } from '../../src/shared/csv.ts';
import { countAudit } from '../../src/store/audit.ts';
import { INVITATION_STATES } from '../../src/store/invitation-status.ts';
import { declineInvitation } from '../../src/store/invitations.ts';
import { claimDue, markFailed, markSent } from '../../src/store/outbox.ts';
import { openStore, storeOptionsFromEnv, type Store } from '../../src/store/open.ts';
import { saveProgress, startResponse, submitResponse } from '../../src/store/responses.ts';
import { findWave } from '../../src/store/waves.ts';
import { captureIo } from '../support/io.ts';
import { backend, commandDatabase } from '../support/store.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** A refusal as a mail server might word it: text from outside, which the CSV must not let a spreadsheet run. */
const REFUSAL = '=HYPERLINK("http://evil.example","550 no such mailbox")';
const SENT_AT = new Date('2010-09-02T10:00:00Z');

describe(`tapestry invite status on ${backend}`, () => {
  let dir: string;
  let database: Awaited<ReturnType<typeof commandDatabase>>;
  let env: NodeJS.ProcessEnv;
  const dataDir = () => join(dir, 'data');
  const tapestry = async (...args: string[]) => {
    const io = captureIo({ cwd: dir, env });
    const code = await run(['--data-dir', dataDir(), ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const withTestStore = async <T>(work: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore({ ...storeOptionsFromEnv(env), dataDir: dataDir() });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };
  /** The state each invitee is put in, by address; the two anonymous links stay `created`. */
  const expected: Record<string, string> = {
    'ann@example.org': 'queued',
    'bob@example.org': 'sent',
    'cat@example.org': 'opened',
    'dan@example.org': 'started',
    'eve@example.org': 'submitted',
    'fay@example.org': 'failed',
    'gus@example.org': 'declined',
  };
  const emails = Object.keys(expected);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-invite-status-'));
    database = await commandDatabase('invite_status');
    env = { ...database.env };
    expect(await run(['--data-dir', dataDir(), 'setup'], captureIo({ cwd: ROOT, env }))).toBe(0);
    writeFileSync(join(dir, 'body.txt'), 'Dear {name}: {link}\n');
    expect((await tapestry('mail', 'message', 'leadership-individual', '--wave', '2010', '--subject', 'Take part', '--body', 'body.txt')).code).toBe(0);
    expect((await tapestry('invite', 'leadership-individual', '--wave', '2010', '--count', '2')).code).toBe(0);
    writeFileSync(join(dir, 'people.csv'), `email,name\n${emails.map((e) => `${e},${e.slice(0, 3)}`).join('\n')}\n`);
    expect((await tapestry('invite', 'leadership-individual', '--wave', '2010', '--from', 'people.csv', '--send')).code).toBe(0);

    await withTestStore(async ({ db }) => {
      const wave = (await findWave(db, 'leadership-individual', '2010'))!;
      const invitations = await db.selectFrom('invitations').select(['id', 'email']).where('wave_id', '=', wave.id).execute();
      const id = (email: string) => invitations.find((i) => i.email === email)!.id;
      for (const message of await claimDue(db, SENT_AT, 100, 1)) {
        const email = invitations.find((i) => i.id === message.invitation_id)!.email!;
        if (email === 'ann@example.org') await db.updateTable('mail_outbox').set({ status: 'pending', claimed_by: null }).where('id', '=', message.id).execute();
        else if (email === 'fay@example.org') await markFailed(db, message, REFUSAL);
        else await markSent(db, message, SENT_AT);
      }
      const start = async (email: string) =>
        (await startResponse(db, { waveId: wave.id, instrumentVersionId: wave.instrument_version_id, invitationId: id(email), startedAt: SENT_AT }))!;
      await start('cat@example.org');
      await saveProgress(db, (await start('dan@example.org')).id, { answers: {}, complete: false, currentPage: 'about-you' }, SENT_AT);
      await submitResponse(db, (await start('eve@example.org')).id, SENT_AT);
      await declineInvitation(db, id('gus@example.org'));
    });
  }, 240_000);
  afterAll(async () => {
    await database?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the invitations of the wave in each state, and writes no audit row', async () => {
    const auditBefore = await withTestStore(({ db }) => countAudit(db));
    const { code, out } = await tapestry('invite', 'status', 'leadership-individual', '--wave', '2010');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('Invitations to leadership-individual wave 2010');
    const counted = Object.fromEntries(lines.slice(2).map((line) => line.split(/ +/) as [string, string]));
    const want = Object.fromEntries(INVITATION_STATES.map((s) => [s, String(Object.values(expected).filter((e) => e === s).length + (s === 'created' ? 2 : 0))]));
    expect(counted).toEqual({ ...want, total: String(emails.length + 2) });
    expect(await withTestStore(({ db }) => countAudit(db))).toBe(auditBefore);
  });

  it('gives the same counts as JSON, and with --list every invitation in the order made', async () => {
    const counts = JSON.parse((await tapestry('invite', 'status', 'leadership-individual', '--wave', '2010', '--json')).out);
    expect(counts).toMatchObject({ instrument: 'leadership-individual', wave: '2010', total: emails.length + 2, states: { created: 2, opened: 1, failed: 1 } });
    expect(counts.invitations).toBeUndefined();
    const listed = JSON.parse((await tapestry('invite', 'status', 'leadership-individual', '--wave', '2010', '--json', '--list')).out);
    expect(listed.invitations.map((i: { email: string | null }) => i.email)).toEqual([null, null, ...emails]);
    expect(listed.invitations.map((i: { state: string }) => i.state)).toEqual(['created', 'created', ...emails.map((e) => expected[e])]);
    const ids = listed.invitations.map((i: { id: number }) => i.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(listed.invitations.find((i: { email: string }) => i.email === 'bob@example.org')).toMatchObject({ sentAt: SENT_AT.toISOString(), remindedAt: null, failure: null });
  });

  it('lists the invitations as CSV whose text from outside cannot run in a spreadsheet', async () => {
    const { code, out, err } = await tapestry('invite', 'status', 'leadership-individual', '--wave', '2010', '--list');
    expect(code).toBe(0);
    const rows = Papa.parse<string[]>(out.trim()).data;
    expect(rows[0]).toEqual(['id', 'email', 'state', 'sent_at', 'reminded_at', 'failure']);
    expect(rows.slice(1).map((r) => r[2])).toEqual(['created', 'created', ...emails.map((e) => expected[e])]);
    const fay = rows.find((r) => r[1] === 'fay@example.org')!;
    expect(fay[5]).toBe(`'${REFUSAL}`);
    expect(unguardCell(fay[5]!)).toBe(REFUSAL);
    expect(err).toContain(`${emails.length + 2} of ${emails.length + 2} invitations to leadership-individual wave 2010 listed`);
  });

  it('lists only the invitations in the state asked for', async () => {
    const { code, out } = await tapestry('invite', 'status', 'leadership-individual', '--wave', '2010', '--state', 'failed');
    expect(code).toBe(0);
    const rows = Papa.parse<string[]>(out.trim()).data;
    expect(rows.slice(1).map((r) => [r[1], r[2]])).toEqual([['fay@example.org', 'failed']]);
  });

  it('refuses a state that does not exist, naming those that do', async () => {
    const { code, err } = await tapestry('invite', 'status', 'leadership-individual', '--wave', '2010', '--state', 'bounced');
    expect(code).toBe(1);
    expect(err).toContain(`--state must be one of ${INVITATION_STATES.join(', ')}, not "bounced"`);
  });

  it('creates invitations as `invite create` too, the name of the default', async () => {
    const { code, out } = await tapestry('invite', 'create', 'leadership-individual', '--wave', '2010', '--count', '1');
    expect(code).toBe(0);
    expect(out).toMatch(/^link\nhttp:\/\/localhost:3000\/i\/[A-Za-z0-9_-]{43}\n$/);
    const counts = JSON.parse((await tapestry('invite', 'status', 'leadership-individual', '--wave', '2010', '--json')).out);
    expect(counts.states.created).toBe(3);
  });

  it('names the waves an instrument has when the wave is unknown', async () => {
    const { code, err } = await tapestry('invite', 'status', 'leadership-individual', '--wave', '1999');
    expect(code).toBe(1);
    expect(err).toContain('leadership-individual has no wave named 1999 (its waves: 2010)');
  });
});
