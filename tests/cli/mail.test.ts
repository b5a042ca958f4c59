import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/collect/server.ts';
import { run } from '../../src/cli/main.ts';
import { compose, fill } from '../../src/mail/compose.ts';
import { mailConfigFromEnv } from '../../src/mail/config.ts';
import { sendDue } from '../../src/mail/sender.ts';
import { claimDue } from '../../src/store/outbox.ts';
import { openStore, storeOptionsFromEnv, type Store } from '../../src/store/open.ts';
import { captureIo } from '../support/io.ts';
import { Browser } from '../support/browser.ts';
import { recipient, startSmtp } from '../support/smtp.ts';
import { backend, commandDatabase } from '../support/store.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe(`e-mailed invitations on ${backend}`, () => {
  let dir: string;
  let database: Awaited<ReturnType<typeof commandDatabase>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
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
  const invitees = (name: string, rows: string[]) => {
    writeFileSync(join(dir, name), `email,name,sector\n${rows.join('\n')}\n`);
    return name;
  };
  const linkOf = (mail: ParsedMail) => /http:\/\/survey\.example\/i\/([A-Za-z0-9_-]{43})/.exec(mail.text ?? '')?.[0];
  const to = recipient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-mail-'));
    database = await commandDatabase('mail');
    smtp = await startSmtp();
    env = { ...database.env, SMTP_URL: smtp.url, MAIL_FROM: 'Leading Together <survey@example.org>', BASE_URL: 'http://survey.example' };
    expect(await run(['--data-dir', dataDir(), 'setup'], captureIo({ cwd: ROOT, env }))).toBe(0);
    writeFileSync(join(dir, 'invitation.txt'), 'Dear {name},\n\nPlease take part in our study of the {sector} sector: {link}\n\n<b>Thank you</b> & {unknown}\n');
    expect((await tapestry('mail', 'message', 'leadership-individual', '--wave', '2010', '--subject', 'Leading Together: {name}', '--body', 'invitation.txt')).code).toBe(0);
  });
  afterAll(async () => {
    await smtp?.close();
    await database?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the variable when SMTP_URL or MAIL_FROM is missing or malformed', () => {
    expect(() => mailConfigFromEnv({ MAIL_FROM: 'a@example.org' })).toThrow(/^SMTP_URL is not set/);
    expect(() => mailConfigFromEnv({ SMTP_URL: 'http://x', MAIL_FROM: 'a@example.org' })).toThrow('SMTP_URL must start smtp:// or smtps://, not http://');
    expect(() => mailConfigFromEnv({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toThrow(/^MAIL_FROM is not set/);
    expect(() => mailConfigFromEnv({ SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'Survey <nobody>' })).toThrow('MAIL_FROM is not an e-mail address: Survey <nobody>');
    expect(mailConfigFromEnv({ SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'Survey <s@example.org>' })).toEqual({ smtpUrl: 'smtp://127.0.0.1:2525', from: 'Survey <s@example.org>' });
  });

  it('fills known placeholders only, once, and escapes everything in the HTML part', () => {
    expect(fill('{name} {link} {other}', { name: 'Ann {link}', link: 'L' })).toBe('Ann {link} L {other}');
    const composed = compose({ subject: 'Hi {name}', body: 'Dear {name},\n\nGo: {link}' }, { name: '<script>x</script>\nBcc: x@y', link: 'http://a/i/t?a=1&b=2' });
    expect(composed.subject).toBe('Hi <script>x</script> Bcc: x@y');
    expect(composed.html).toContain('<p>Dear &lt;script&gt;x&lt;/script&gt;<br>\nBcc: x@y,</p>');
    expect(composed.html).toContain('http://a/i/t?a=1&amp;b=2');
    expect(composed.html).not.toContain('<script>');
  });

  it('refuses an invalid address with its file and line, and creates nothing', async () => {
    const file = invitees('bad.csv', ['a@example.org,Ann,public', 'not-an-address,Bob,public']);
    const { code, err } = await tapestry('invite', 'leadership-individual', '--wave', '2010', '--from', file, '--send');
    expect(code).toBe(1);
    expect(err).toContain(`${join(dir, 'bad.csv')}:3: column \`email\` has "not-an-address", which is not an e-mail address`);
    expect(await withTestStore(async (s) => (await s.db.selectFrom('invitations').select('id').execute()).length)).toBe(0);
  });

  it('refuses a message whose placeholder the CSV has no column for, and creates nothing', async () => {
    writeFileSync(join(dir, 'typo.txt'), 'Dear {nmae}: {link}\n');
    expect((await tapestry('mail', 'message', 'leadership-individual', '--wave', '2010', '--subject', 'S', '--body', 'typo.txt', '--reminder')).code).toBe(0);
    // The invitation's own wording has {unknown}, which no column fills.
    const file = invitees('ok.csv', ['a@example.org,Ann,public']);
    const { code, err } = await tapestry('invite', 'leadership-individual', '--wave', '2010', '--from', file, '--send');
    expect(code).toBe(1);
    expect(err).toContain('the message uses {unknown}, which ok.csv has no column for');
    expect(await withTestStore(async (s) => (await s.db.selectFrom('invitations').select('id').execute()).length)).toBe(0);
    writeFileSync(join(dir, 'invitation.txt'), 'Dear {name},\n\nPlease take part in our study of the {sector} sector: {link}\n\n<b>Thank you</b> & goodbye\n');
    writeFileSync(join(dir, 'reminder.txt'), 'Dear {name}, a reminder: {link}\n');
    expect((await tapestry('mail', 'message', 'leadership-individual', '--wave', '2010', '--subject', 'Leading Together: {name}', '--body', 'invitation.txt')).code).toBe(0);
    expect((await tapestry('mail', 'message', 'leadership-individual', '--wave', '2010', '--subject', 'Still time, {name}', '--body', 'reminder.txt', '--reminder')).code).toBe(0);
  });

  it('delivers one message to each of 50 invitees, each with a working link of its own, and resumes an interrupted delivery without a duplicate', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `person${i + 1}@example.org,Person ${i + 1},${i % 2 ? 'public' : 'voluntary'}`);
    const invite = await tapestry('invite', 'leadership-individual', '--wave', '2010', '--from', invitees('fifty.csv', rows), '--send');
    expect(invite.code).toBe(0);
    expect(invite.err).toContain('50 e-mails queued');

    // The sender stops once the server has accepted the 20th message, as a stopped process would.
    const stop = new AbortController();
    smtp.listeners.push((n) => n === 20 && stop.abort());
    const first = await withTestStore((s) => sendDue(s, { config: mailConfigFromEnv(env), baseUrl: 'http://survey.example', now: () => new Date('2010-09-01T09:00:00Z'), signal: stop.signal }));
    smtp.listeners.length = 0;
    expect(first).toMatchObject({ sent: 20, failed: 0, retrying: 0, waves: [{ instrumentId: 'leadership-individual', wave: '2010', sent: 20 }] });
    expect(smtp.received).toHaveLength(20);

    const second = await tapestry('mail', 'send');
    expect(second.code).toBe(0);
    expect(second.err).toContain('30 sent, 0 failed, 0 to be retried');
    expect(smtp.received).toHaveLength(50);
    expect(new Set(smtp.received.map(to)).size).toBe(50);
    expect((await tapestry('mail', 'send')).err).toContain('0 sent, 0 failed, 0 to be retried');
    expect(smtp.received).toHaveLength(50);

    const mail = smtp.received.find((m) => to(m) === 'person7@example.org')!;
    expect(mail.subject).toBe('Leading Together: Person 7');
    expect(mail.from?.text).toBe('"Leading Together" <survey@example.org>');
    expect(mail.text).toContain('Dear Person 7,\n\nPlease take part in our study of the voluntary sector: http://survey.example/i/');
    expect(mail.html).toContain('&lt;b&gt;Thank you&lt;/b&gt; &amp; goodbye');
    const links = smtp.received.map(linkOf);
    expect(links.every(Boolean)).toBe(true);
    expect(new Set(links).size).toBe(50);

    await withTestStore(async (store) => {
      const states = await store.db.selectFrom('invitations').select(['state', 'email']).execute();
      expect(states.filter((s) => s.state === 'sent')).toHaveLength(50);
      const outbox = await store.db.selectFrom('mail_outbox').select(['status', 'attempts']).execute();
      expect(outbox.map((o) => `${o.status}/${o.attempts}`)).toEqual(Array(50).fill('sent/1'));
      const audit = await store.db.selectFrom('audit_log').select(['action', 'details']).where('action', 'in', ['invitations-queued', 'mail-sent']).orderBy('id').execute();
      expect(audit.map((a) => [a.action, a.details.count ?? a.details.sent])).toEqual([['invitations-queued', 50], ['mail-sent', 30]]);

      // The link from the e-mail starts the invitee's response and leads to the start page.
      const app = await buildServer({ store, now: () => new Date('2010-09-15T10:00:00Z') });
      try {
        const followed = await app.inject({ method: 'GET', url: new URL(linkOf(mail)!).pathname });
        expect(followed.statusCode).toBe(303);
        const cookie = followed.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
        const start = await app.inject({ method: 'GET', url: followed.headers.location as string, headers: { cookie } });
        expect(start.statusCode).toBe(200);
      } finally {
        await app.close();
      }
    });
  });

  it('marks a message refused with 550 failed with the reason, and retries one refused with 451 later', async () => {
    const file = invitees('refused.csv', ['gone@refused.example,Gone,public', 'busy@later.example,Busy,public']);
    expect((await tapestry('invite', 'leadership-individual', '--wave', '2010', '--from', file, '--send')).code).toBe(0);
    const sent = await tapestry('mail', 'send');
    expect(sent.err).toContain('0 sent, 1 failed, 1 to be retried');
    await withTestStore(async (store) => {
      const rows = await store.db
        .selectFrom('mail_outbox as o')
        .innerJoin('invitations as i', 'i.id', 'o.invitation_id')
        .select(['i.email', 'i.state', 'o.status', 'o.last_error', 'o.attempts', 'o.next_attempt_at'])
        .where('i.email', 'in', ['gone@refused.example', 'busy@later.example'])
        .orderBy('i.email')
        .execute();
      expect(rows.map((r) => [r.email, r.state, r.status])).toEqual([
        ['busy@later.example', 'queued', 'pending'],
        ['gone@refused.example', 'failed', 'failed'],
      ]);
      expect(rows[1]!.last_error).toContain('No such mailbox here');
      expect(rows[1]!.last_error).toContain('550');
      expect(rows[0]!.last_error).toContain('Try again later');
      // A minute after the first attempt, not before.
      expect(new Date(rows[0]!.next_attempt_at).toISOString()).toBe('2010-09-01T09:01:00.000Z');
    });
    expect((await tapestry('mail', 'send')).err).toContain('0 sent, 0 failed, 0 to be retried');
  });

  it('reminds exactly the invitees who have not submitted, and not again within the period', async () => {
    // Person 1 submitted; person 2 only started (still reminded); the failed address is not reminded.
    await withTestStore(async (store) => {
      const ids = await store.db.selectFrom('invitations').select(['id', 'email', 'wave_id']).where('email', 'in', ['person1@example.org', 'person2@example.org']).orderBy('email').execute();
      const wave = await store.db.selectFrom('waves').select('instrument_version_id').where('id', '=', ids[0]!.wave_id).executeTakeFirstOrThrow();
      for (const [i, status] of [[0, 'submitted'], [1, 'in_progress']] as const) {
        await store.db
          .insertInto('responses')
          .values({ wave_id: ids[i]!.wave_id, instrument_version_id: wave.instrument_version_id, invitation_id: ids[i]!.id, resume_code_hash: null, status, current_page: null, submitted_at: status === 'submitted' ? new Date() : null })
          .execute();
      }
    });
    const before = smtp.received.length;
    const remind = await tapestry('remind', 'leadership-individual', '--wave', '2010');
    expect(remind.code).toBe(0);
    expect(remind.err).toContain('49 reminders queued');
    expect((await tapestry('remind', 'leadership-individual', '--wave', '2010', '--not-since', '1d')).err).toContain('0 reminders queued');
    expect((await tapestry('mail', 'send')).err).toContain('49 sent');
    const reminders = smtp.received.slice(before);
    expect(reminders.map(to).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `person${i + 1}@example.org`).filter((a) => a !== 'person1@example.org').sort());
    expect(reminders.every((m) => m.subject?.startsWith('Still time, Person '))).toBe(true);
    // A reminder's link reaches the invitation too.
    await withTestStore(async (store) => {
      const app = await buildServer({ store, now: () => new Date('2010-09-15T10:00:00Z') });
      try {
        expect((await app.inject({ method: 'GET', url: new URL(linkOf(reminders[0]!)!).pathname })).statusCode).toBe(303);
      } finally {
        await app.close();
      }
    });
    expect((await tapestry('remind', 'leadership-individual', '--wave', '2010', '--not-since', 'soon')).err).toContain('--not-since must be a whole number and a unit');
  });

  it('carries a decline link whose confirm form, with its CSRF token, declines the invitation and stops its reminders', async () => {
    const mail = smtp.received.find((m) => to(m) === 'person3@example.org')!;
    const decline = /http:\/\/survey\.example(\/i\/[A-Za-z0-9_-]{43}\/decline)/.exec(mail.text ?? '')?.[1];
    expect(decline).toBeDefined();
    expect(mail.html).toContain(`${decline}`);
    await withTestStore(async (store) => {
      const app = await buildServer({ store, now: () => new Date('2010-09-15T10:00:00Z') });
      try {
        const browser = new Browser(app);
        const page = await browser.get(decline!);
        expect(page.status).toBe(200);
        const form = Browser.formFields(page);
        // A scanner that follows the link, or a post without the form's token, declines nobody.
        expect((await browser.post(decline!, form.fields.filter(([k]) => k !== '_csrf'))).status).toBe(403);
        expect((await store.db.selectFrom('invitations').select('state').where('email', '=', 'person3@example.org').executeTakeFirstOrThrow()).state).toBe('sent');
        const done = await browser.post(form.action, form.fields);
        expect(done.status).toBe(200);
        expect(done.html).toContain('You have declined this invitation');
        expect((await store.db.selectFrom('invitations').select('state').where('email', '=', 'person3@example.org').executeTakeFirstOrThrow()).state).toBe('declined');
      } finally {
        await app.close();
      }
    });
    expect((await tapestry('remind', 'leadership-individual', '--wave', '2010', '--not-since', '0m')).err).toContain('48 reminders queued');
    const before = smtp.received.length;
    expect((await tapestry('mail', 'send')).err).toContain('48 sent');
    expect(smtp.received.slice(before).map(to)).not.toContain('person3@example.org');
  });

  it('sends at once what a killed sender had claimed, and retries when the server cannot be reached', async () => {
    const at = (minutes: number) => new Date(Date.parse('2010-09-01T09:00:00Z') + minutes * 60_000);
    const send = async (minutes: number, extra: NodeJS.ProcessEnv = {}) => {
      const io = captureIo({ cwd: dir, env: { ...env, ...extra }, now: () => at(minutes) });
      expect(await run(['--data-dir', dataDir(), 'mail', 'send'], io)).toBe(0);
      return io.stderr();
    };
    const file = invitees('lease.csv', ['x1@lease.example,X1,public', 'x2@lease.example,X2,public']);
    expect((await tapestry('invite', 'leadership-individual', '--wave', '2010', '--from', file, '--send')).code).toBe(0);
    // A sender claims both and is killed: the number it claimed them under has no lock held any more
    // (held by nobody here at all), so well inside their lease they are free for the next sender.
    expect(await withTestStore(async (s) => (await claimDue(s.db, at(0), 10, 424242)).length)).toBe(2);
    // Nothing listens where the server was: all three (the two and the one refused with 451 above,
    // due again at 09:01) are tried, and will be again later rather than failed.
    const nobody = await send(5, { SMTP_URL: 'smtp://127.0.0.1:1' });
    expect(nobody).toContain('0 sent, 0 failed, 3 to be retried');
    const before = smtp.received.length;
    expect(await send(6)).toContain('0 sent, 0 failed, 0 to be retried');
    // Two minutes after the second attempt of each; the one at later.example is refused with 451 again.
    expect(await send(7)).toContain('2 sent, 0 failed, 1 to be retried');
    expect(smtp.received.slice(before).map(to).sort()).toEqual(['x1@lease.example', 'x2@lease.example']);
  });
});
