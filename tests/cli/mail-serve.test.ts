// `tapestry serve` sends the outbox itself when it is given a mail server. Killed half-way through
// 50 invitations and started again, it delivers the rest, each once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, storeOptionsFromEnv } from '../../src/store/open.ts';
import { startServe, tapestry, type Serving } from '../support/processes.ts';
import { recipient, startSmtp, type TestSmtp } from '../support/smtp.ts';
import { backend, commandDatabase } from '../support/store.ts';

const SLOW = { timeout: 240_000 };

async function until(condition: () => boolean, what: string, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe(`the service sending invitations, on ${backend}`, SLOW, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let database: Awaited<ReturnType<typeof commandDatabase>>;
  let smtp: TestSmtp;
  let serve: Serving | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-mail-serve-'));
    database = await commandDatabase('mailserve');
    smtp = await startSmtp();
    env = {
      ...process.env,
      ...database.env,
      TAPESTRY_DATA_DIR: join(dir, 'data'),
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Leading Together <survey@example.org>',
      BASE_URL: 'http://survey.example',
      MAIL_POLL_SECONDS: '1',
    };
    expect((await tapestry(env, ['setup'])).code).toBe(0);
    const opened = await tapestry(env, ['wave', 'open', 'leadership-individual', 'mailing', '--access', 'invitation']);
    expect(opened.code, opened.err).toBe(0);
    writeFileSync(join(dir, 'invitation.txt'), 'Dear {name},\n\nPlease take part: {link}\n');
    writeFileSync(join(dir, 'fifty.csv'), `email,name,sector\n${Array.from({ length: 50 }, (_, i) => `person${i + 1}@example.org,Person ${i + 1},public`).join('\n')}\n`);
    const wording = await tapestry(env, ['mail', 'message', 'leadership-individual', '--wave', 'mailing', '--subject', 'Leading Together', '--body', join(dir, 'invitation.txt')]);
    expect(wording.code, wording.err).toBe(0);
  }, SLOW.timeout);

  afterAll(async () => {
    if (serve?.child.exitCode === null) {
      serve.child.kill('SIGKILL');
      await serve.exited;
    }
    await smtp?.close();
    await database?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the 30 left after being killed at the 21st of 50, with no duplicate, and records each run in the audit log', async () => {
    const invited = await tapestry(env, ['invite', 'leadership-individual', '--wave', 'mailing', '--from', join(dir, 'fifty.csv'), '--send']);
    expect(invited.code, invited.err).toBe(0);
    expect(invited.err).toContain('50 e-mails queued');

    // The 21st message gets no answer, and while it waits for one the service is killed outright.
    smtp.holding = () => smtp.received.length >= 20;
    const killed = new Promise<void>((resolve) => (smtp.onHold = resolve));
    serve = await startServe(env);
    await killed;
    serve.child.kill('SIGKILL');
    await serve.exited;
    expect(smtp.received).toHaveLength(20);
    expect(smtp.held).toHaveLength(1);

    smtp.holding = undefined;
    serve = await startServe(env);
    await until(() => smtp.received.length >= 50, '50 deliveries');
    // A look or two more, to see that nothing else arrives.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await serve.stop()).toBe(0);

    expect(smtp.received).toHaveLength(50);
    expect(new Set(smtp.received.map(recipient)).size).toBe(50);
    // The one the killed service never heard back about went again, now accepted: not a duplicate.
    expect(smtp.received.map(recipient)).toContain(recipient(smtp.held[0]!));

    const store = await openStore({ ...storeOptionsFromEnv(env), throughHolder: false });
    try {
      const outbox = await store.db.selectFrom('mail_outbox').select(['status', 'attempts', 'claimed_by']).orderBy('id').execute();
      expect(outbox.map((o) => o.status)).toEqual(Array(50).fill('sent'));
      // The first 20 went at the first attempt; those the killed service had claimed, at the second.
      expect(outbox.slice(0, 20).every((o) => o.attempts === 1)).toBe(true);
      expect(outbox.slice(20).every((o) => o.attempts <= 2)).toBe(true);
      expect(outbox[20]!.attempts).toBe(2);
      expect(outbox.every((o) => o.claimed_by === null)).toBe(true);
      expect((await store.db.selectFrom('invitations').select('state').execute()).map((i) => i.state)).toEqual(Array(50).fill('sent'));
      // The killed run never got to write its row; the second run's rows count the 30 it sent.
      const audit = await store.db.selectFrom('audit_log').select(['actor', 'instrument_id', 'wave', 'details']).where('action', '=', 'mail-sent').execute();
      expect(audit.every((a) => a.actor === 'tapestry serve (e-mail sender)' && a.instrument_id === 'leadership-individual' && a.wave === 'mailing')).toBe(true);
      expect(audit.reduce((sum, a) => sum + Number(a.details.sent), 0)).toBe(30);
    } finally {
      await store.close();
    }
  });

  it('refuses to start, naming the variable, when SMTP_URL is set and MAIL_FROM is not', async () => {
    const refused = await tapestry({ ...env, MAIL_FROM: '' }, ['serve']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/MAIL_FROM is not set/);
  });
});
