import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countAudit, listAudit } from '../../src/store/audit.ts';
import { findInvitationByToken } from '../../src/store/invitations.ts';
import { pageNumbers } from '../../src/collect/routes/admin/invitations.ts';
import { claimDue, markFailed, markSent } from '../../src/store/outbox.ts';
import { saveProgress, startResponse, submitResponse } from '../../src/store/responses.ts';
import { setWaveMessage } from '../../src/store/wave-messages.ts';
import { closeWave } from '../../src/store/waves.ts';
import { Browser, type Page } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { csrfOf, startWorkspace, type Workspace } from '../support/workspace.ts';

const INSTRUMENT = 'leadership-individual';
const WAVE = `/admin/instruments/${INSTRUMENT}/waves/2010`;
const PAGE = `${WAVE}/invitations`;
/** A refusal as a mail server words it: text from outside, shown escaped and written guarded. */
const REFUSAL = '=HYPERLINK("http://evil.example") <b>550</b> no such mailbox';

type Part = string | { filename: string; text: string | Buffer };

/** A multipart body as a browser sends a form with a file input (the lines of text fields with CRLF). */
function multipart(fields: [string, Part][]): { body: Buffer; type: string } {
  const boundary = '----tapestry-invitations-test';
  const parts = fields.map(([name, value]) => {
    if (typeof value === 'string') return Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\nContent-Type: text/csv\r\n\r\n`;
    return Buffer.concat([Buffer.from(head), Buffer.from(value.text), Buffer.from('\r\n')]);
  });
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

describe(`a wave's invitations in the workspace on ${backend}`, () => {
  let ws: Workspace;
  let editor: Browser;
  let viewer: Browser;
  let editorId: number;

  /** Posts as `browser` and gives the whole answer, headers included. */
  const send = (browser: Browser, url: string, fields: [string, Part][]) => {
    const { body, type } = multipart(fields);
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return ws.app.inject({ method: 'POST', url, payload: body, headers: { cookie, 'content-type': type, host: 'survey.example' } });
  };
  const upload = async (browser: Browser, filename: string, text: string, extra: [string, string][] = []) => {
    const form = await browser.get(PAGE);
    return send(browser, PAGE, [['_csrf', csrfOf(form)], ['file', { filename, text }], ...extra]);
  };
  const count = async (table: 'invitations' | 'mail_outbox' | 'audit_log') =>
    Number((await ws.store.db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()).n);
  /** The counts table as state → number. */
  const countsOf = (page: Page) =>
    Object.fromEntries(
      page
        .$('#states-caption')
        .closest('table')
        .find('tbody tr')
        .toArray()
        .map((row) => [page.$(row).find('th').text().replace(' invitations', '').trim(), Number(page.$(row).find('td').last().text())]),
    );
  /** The invitations table as [e-mail, state] pairs. */
  const listed = (page: Page) =>
    page
      .$('#invitations tbody tr')
      .toArray()
      .map((row) => {
        const cells = page.$(row).find('td').map((_, c) => page.$(c).text().trim()).get();
        return [cells[1], cells[2]];
      });

  beforeAll(async () => {
    ws = await startWorkspace();
    editorId = (await ws.addAccount('ed@example.org', 'editor')).id;
    await ws.addAccount('vi@example.org', 'viewer');
    editor = await ws.signIn('ed@example.org');
    viewer = await ws.signIn('vi@example.org');
    const waveId = ws.waveIds[INSTRUMENT]!;
    await setWaveMessage(ws.store.db, waveId, 'invitation', { subject: 'Take part', body: 'Dear {name}: {link}' });
    await setWaveMessage(ws.store.db, waveId, 'reminder', { subject: 'Reminder', body: 'Please, {name}: {link}' });
  });
  afterAll(() => ws.dispose());

  it('links the page from the wave page for an editor, and shows a viewer neither the link nor the page', async () => {
    const wave = await editor.get(WAVE);
    expect(wave.$(`a[href="${PAGE}"]`).length).toBe(1);
    const viewed = await viewer.get(WAVE);
    expect(viewed.status).toBe(200);
    expect(viewed.$(`a[href="${PAGE}"]`).length).toBe(0);
    expect((await viewer.get(PAGE)).status).toBe(403);
    expect((await viewer.get(`${PAGE}.csv`)).status).toBe(403);
    const page = await editor.get(PAGE);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toContain('Invitations to wave 2010');
    expect(page.$('form[enctype="multipart/form-data"]').attr('action')).toBe(PAGE);
  });

  it('refuses a viewer who posts an upload or reminders with 403, creating and queueing nothing', async () => {
    const before = { invitations: await count('invitations'), outbox: await count('mail_outbox'), audit: await count('audit_log') };
    const csrf = csrfOf(await viewer.get(WAVE));
    expect((await send(viewer, PAGE, [['_csrf', csrf], ['file', { filename: 'a.csv', text: 'email\nx@example.org\n' }]])).statusCode).toBe(403);
    expect((await viewer.post(`${WAVE}/reminders`, [['_csrf', csrf], ['not-since', '0m']])).status).toBe(403);
    expect({ invitations: await count('invitations'), outbox: await count('mail_outbox'), audit: await count('audit_log') }).toEqual(before);
  });

  it('refuses an upload and a reminder without their CSRF token, storing nothing', async () => {
    const before = { invitations: await count('invitations'), outbox: await count('mail_outbox'), audit: await count('audit_log') };
    const missing = await send(editor, PAGE, [['file', { filename: 'a.csv', text: 'email\nx@example.org\n' }], ['send', 'yes']]);
    expect(missing.statusCode).toBe(403);
    const wrong = await send(editor, PAGE, [['_csrf', 'not-the-token'], ['file', { filename: 'a.csv', text: 'email\nx@example.org\n' }]]);
    expect(wrong.statusCode).toBe(403);
    expect((await editor.post(`${WAVE}/reminders`, [['not-since', '0m']])).status).toBe(403);
    expect({ invitations: await count('invitations'), outbox: await count('mail_outbox'), audit: await count('audit_log') }).toEqual(before);
  });

  it('shows every problem of a bad file at its line beside the form, with a 400, and stores nothing', async () => {
    const before = { invitations: await count('invitations'), audit: await count('audit_log') };
    const bad = await upload(editor, 'bad.csv', 'email,name,sector\nann@example.org,Ann,public\nnot-an-address,Bob,public\ncat@example.org,Cat,charity\n', [['send', 'yes']]);
    expect(bad.statusCode).toBe(400);
    const page = { $: (await import('cheerio')).load(bad.body) };
    const problems = page.$('#upload-problems li').map((_, li) => page.$(li).text().trim()).get();
    expect(problems).toEqual([
      'bad.csv:3: column `email` has "not-an-address", which is not an e-mail address',
      "bad.csv:4: column `sector` has 'charity', which is not an answer to question `sector` (options: public, private, voluntary)",
    ]);
    expect(page.$('.govuk-error-summary__list a').map((_, a) => page.$(a).attr('href')).get()).toEqual(['#file', '#file']);
    expect(page.$('input[name=send]').attr('checked')).toBeDefined();

    const noColumn = await upload(editor, 'names.csv', 'name\nAnn\n', [['send', 'yes']]);
    expect(noColumn.statusCode).toBe(400);
    expect(noColumn.body).toContain('names.csv:1: there is no `email` column, which sending needs');
    const empty = await upload(editor, 'empty.csv', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('The file empty.csv is empty');
    expect({ invitations: await count('invitations'), audit: await count('audit_log') }).toEqual(before);
  });

  it('creates the invitations of a good file and answers with their links as a CSV download, queueing their e-mails, with audit rows naming the account', async () => {
    const people = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus'];
    const auditBefore = await countAudit(ws.store.db);
    const made = await upload(editor, 'people.csv', `email,name,sector\n${people.map((p) => `${p}@example.org,${p === 'gus' ? '=1+1' : p},public`).join('\n')}\n`, [['send', 'yes']]);
    expect(made.statusCode).toBe(200);
    expect(made.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(made.headers['content-disposition']).toBe(`attachment; filename="links-${INSTRUMENT}-2010.csv"`);
    expect(made.headers['cache-control']).toBe('no-store');
    const rows = Papa.parse<string[]>(made.body.trim()).data;
    expect(rows[0]).toEqual(['link', 'email', 'name', 'sector']);
    expect(rows).toHaveLength(people.length + 1);
    // A cell a spreadsheet would run is guarded.
    expect(rows[people.length]![2]).toBe("'=1+1");
    for (const [i, row] of rows.slice(1).entries()) {
      const match = /^http:\/\/survey\.example\/i\/([A-Za-z0-9_-]{43})$/.exec(row[0]!);
      expect(match).not.toBeNull();
      expect(await findInvitationByToken(ws.store.db, match![1]!)).toMatchObject({ email: `${people[i]}@example.org`, state: 'queued' });
    }
    expect(await countAudit(ws.store.db)).toBe(auditBefore + 2);
    const [created] = await listAudit(ws.store.db, { action: 'invitations-created' });
    expect(created).toMatchObject({ actor: 'ed@example.org', actorAccountId: editorId, instrumentId: INSTRUMENT, wave: '2010', details: { count: people.length, from: 'people.csv' } });
    const [queued] = await listAudit(ws.store.db, { action: 'invitations-queued' });
    expect(queued).toMatchObject({ actor: 'ed@example.org', details: { count: people.length } });

    // Without sending: links only, no e-mail queued.
    const outboxBefore = await count('mail_outbox');
    const links = await upload(editor, 'links.csv', 'sector\nprivate\nvoluntary\n');
    expect(links.statusCode, links.body.match(/upload-problems[\s\S]{0,600}/)?.[0]).toBe(200);
    expect(Papa.parse<string[]>(links.body.trim()).data).toHaveLength(3);
    expect(await count('mail_outbox')).toBe(outboxBefore);
  });

  it('shows the state of each invitation and the count in each state, filtered by state', async () => {
    const db = ws.store.db;
    const waveId = ws.waveIds[INSTRUMENT]!;
    const invitations = await db.selectFrom('invitations').select(['id', 'email']).where('wave_id', '=', waveId).where('email', 'is not', null).execute();
    const id = (name: string) => invitations.find((i) => i.email === `${name}@example.org`)!.id;
    for (const message of await claimDue(db, ws.clock.now, 100, 1)) {
      if (message.invitation_id === id('ann')) await db.updateTable('mail_outbox').set({ status: 'pending', claimed_by: null }).where('id', '=', message.id).execute();
      else if (message.invitation_id === id('fay')) await markFailed(db, message, REFUSAL);
      else await markSent(db, message, ws.clock.now);
    }
    const start = async (name: string) =>
      (await startResponse(db, { waveId, instrumentVersionId: ws.versionIds[INSTRUMENT]!, invitationId: id(name), startedAt: ws.clock.now }))!;
    await start('cat');
    await saveProgress(db, (await start('dan')).id, { answers: {}, complete: false, currentPage: 'about-you' }, ws.clock.now);
    await submitResponse(db, (await start('eve')).id, ws.clock.now);
    await db.updateTable('invitations').set({ state: 'declined' }).where('id', '=', id('gus')).execute();

    const page = await editor.get(PAGE);
    expect(countsOf(page)).toEqual({ created: 2, queued: 1, sent: 1, opened: 1, started: 1, submitted: 1, failed: 1, declined: 1, All: 9 });
    expect(listed(page)).toEqual([
      ['ann@example.org', 'queued'],
      ['bob@example.org', 'sent'],
      ['cat@example.org', 'opened'],
      ['dan@example.org', 'started'],
      ['eve@example.org', 'submitted'],
      ['fay@example.org', 'failed'],
      ['gus@example.org', 'declined'],
      ['None (a link only)', 'created'],
      ['None (a link only)', 'created'],
    ]);
    // The refusal is shown as text, never as markup.
    expect(page.html).toContain('&lt;b&gt;550&lt;/b&gt;');
    expect(page.$('#invitations b').length).toBe(0);

    const failed = await editor.get(`${PAGE}?state=failed`);
    expect(listed(failed)).toEqual([['fay@example.org', 'failed']]);
    expect(failed.$('#list').text()).toBe('Invitations that are failed');
    // A state that is not one shows every invitation rather than failing.
    expect(listed(await editor.get(`${PAGE}?state=bogus`))).toHaveLength(9);
  });

  it('downloads the wave\'s invitations as a CSV with the failure reason guarded', async () => {
    const csv = await editor.get(`${PAGE}.csv`);
    expect(csv.status).toBe(200);
    const rows = Papa.parse<string[]>(csv.html.trim()).data;
    expect(rows[0]).toEqual(['id', 'email', 'state', 'sent_at', 'reminded_at', 'failure']);
    expect(rows).toHaveLength(10);
    const fay = rows.find((r) => r[1] === 'fay@example.org')!;
    expect(fay[2]).toBe('failed');
    expect(fay[5]).toBe(`'${REFUSAL}`);
    expect(rows.find((r) => r[1] === 'bob@example.org')![3]).toBe(ws.clock.now.toISOString());
  });

  it('queues reminders for those sent an invitation who have not submitted or declined, and not again within the period', async () => {
    const db = ws.store.db;
    const bad = await editor.post(`${WAVE}/reminders`, [['_csrf', csrfOf(await editor.get(PAGE))], ['not-since', 'a week']]);
    expect(bad.status).toBe(400);
    expect(bad.$('#not-since-error').text()).toContain('Enter how long as a whole number and a unit');
    expect(bad.$('#not-since').attr('value')).toBe('a week');

    const auditBefore = await countAudit(db);
    const posted = await editor.post(`${WAVE}/reminders`, [['_csrf', csrfOf(await editor.get(PAGE))], ['not-since', '7d']]);
    expect(posted.status).toBe(303);
    // Sent (bob), opened (cat) and started (dan): not the queued, failed, submitted or declined.
    expect(posted.location).toBe(`${PAGE}?reminded=3`);
    const reminded = await db
      .selectFrom('mail_outbox as o')
      .innerJoin('invitations as i', 'i.id', 'o.invitation_id')
      .select('i.email')
      .where('o.kind', '=', 'reminder')
      .orderBy('i.id')
      .execute();
    expect(reminded.map((r) => r.email)).toEqual(['bob@example.org', 'cat@example.org', 'dan@example.org']);
    const [entry] = await listAudit(db, { action: 'reminders-queued' });
    expect(entry).toMatchObject({ actor: 'ed@example.org', actorAccountId: editorId, details: { count: 3, notSince: '7d' } });
    expect(await countAudit(db)).toBe(auditBefore + 1);
    expect((await editor.follow(posted)).$('.govuk-notification-banner').text()).toContain('3 reminders have been queued');

    const again = await editor.post(`${WAVE}/reminders`, [['_csrf', csrfOf(await editor.get(PAGE))], ['not-since', '7d']]);
    expect(again.location).toBe(`${PAGE}?reminded=0`);
  });
  it('pages the list fifty at a time in the order made, the pages together holding every invitation once', async () => {
    const made = await upload(editor, 'many.csv', `sector\n${Array.from({ length: 60 }, () => 'voluntary').join('\n')}\n`);
    expect(made.statusCode).toBe(200);
    const total = await count('invitations');
    const first = await editor.get(PAGE);
    const pages = first.$('.govuk-pagination__item a').map((_, a) => first.$(a).attr('href')).get();
    expect(pages).toHaveLength(Math.ceil(total / 50));
    const references: number[] = [];
    for (const href of pages) {
      const page = await editor.get(href);
      references.push(...page.$('#invitations tbody tr').map((_, row) => Number(page.$(row).find('td').first().text())).get());
    }
    expect(references).toHaveLength(total);
    expect([...references].sort((a, b) => a - b)).toEqual(references);
    expect(new Set(references).size).toBe(total);
    // A page past the last shows the last.
    const past = await editor.get(`${PAGE}?page=999`);
    expect(past.$('#invitations tbody tr').length).toBe(total - 50 * (pages.length - 1));
    // Filtered, the pages count the state only.
    const created = await editor.get(`${PAGE}?state=created`);
    expect(created.$('#invitations-caption').text()).toContain('62 invitations in state created');
    expect(created.$('.govuk-pagination__item a').first().attr('href')).toBe(`${PAGE}?state=created&page=1`);
  });
  it('takes no invitees and sends no reminders once the wave is closed, and still shows where each invitation stands', async () => {
    const before = { invitations: await count('invitations'), outbox: await count('mail_outbox'), audit: await count('audit_log') };
    await closeWave(ws.store.db, ws.waveIds[INSTRUMENT]!, ws.clock.now);
    const page = await editor.get(PAGE);
    expect(page.status).toBe(200);
    expect(page.$('form[enctype="multipart/form-data"]').length).toBe(0);
    expect(page.$(`form[action="${WAVE}/reminders"]`).length).toBe(0);
    expect(page.$('#invitations tbody tr').length).toBeGreaterThan(0);
    const refused = await upload(editor, 'late.csv', 'email\nlate@example.org\n');
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(`Wave 2010 of ${INSTRUMENT} is closed, so nobody more can be invited to it. Nothing was created.`);
    const reminded = await editor.post(`${WAVE}/reminders`, [['_csrf', csrfOf(page)], ['not-since', '0m']]);
    expect(reminded.status).toBe(409);
    expect(reminded.$('main').text()).toContain('is closed, so nobody is reminded of it');
    expect({ invitations: await count('invitations'), outbox: await count('mail_outbox'), audit: await count('audit_log') }).toEqual(before);
  });
  it('numbers every page of a short list, and of a long one the ends and those around the current, with gaps', () => {
    expect(pageNumbers(1, 1)).toEqual([1]);
    expect(pageNumbers(9, 5)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(pageNumbers(400, 1)).toEqual([1, 2, 3, 'gap', 400]);
    expect(pageNumbers(400, 200)).toEqual([1, 'gap', 198, 199, 200, 201, 202, 'gap', 400]);
    expect(pageNumbers(400, 4)).toEqual([1, 2, 3, 4, 5, 6, 'gap', 400]);
    expect(pageNumbers(400, 399)).toEqual([1, 'gap', 397, 398, 399, 400]);
    // Whatever the page, the current one, the first and the last are there, in order, once each.
    for (let current = 1; current <= 30; current++) {
      const numbers = pageNumbers(30, current).filter((n): n is number => n !== 'gap');
      expect(numbers).toContain(current);
      expect(numbers[0]).toBe(1);
      expect(numbers[numbers.length - 1]).toBe(30);
      expect([...new Set(numbers)].sort((a, b) => a - b)).toEqual(numbers);
    }
  });
});
