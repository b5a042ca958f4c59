import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDateTime } from '../../src/collect/routes/admin/wave-form.ts';
import { BAR_COLOUR, LINE_COLOUR } from '../../src/report/chart-spec.ts';
import { countAudit, listAudit } from '../../src/store/audit.ts';
import { createInvitations } from '../../src/store/invitations.ts';
import { saveProgress, startResponse, submitResponse } from '../../src/store/responses.ts';
import { listWaveTargets, setWaveTargets } from '../../src/store/targets.ts';
import { findWave, listWaves, openWave } from '../../src/store/waves.ts';
import type { Browser, Page } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { csrfOf, startWorkspace, type Workspace } from '../support/workspace.ts';

const INSTRUMENT = 'leadership-individual';
const BASE = `/admin/instruments/${INSTRUMENT}/waves`;
/** Written into a seeded response's free-text answer: the wave page must never show it. */
const SECRET = 'my manager Hamish never listens';

/** The fields of the new-wave form, with `fields` in place of the defaults. */
function waveForm(page: Page, fields: Record<string, string>): [string, string][] {
  const defaults: Record<string, string> = { name: '', version: '1.0', access: 'open', listed: 'yes' };
  return [['_csrf', csrfOf(page)], ...Object.entries({ ...defaults, ...fields })];
}

const summaryLinks = (page: Page) => page.$('.govuk-error-summary__list a').map((_, a) => page.$(a).attr('href')).get();

/** The figures row of the wave page whose heading cells read `heading` (sector, then tier). */
function figuresRow(page: Page, ...heading: string[]): string[] | undefined {
  const rows = page.$('table').first().find('tbody tr').toArray();
  for (const row of rows) {
    const cells = page.$(row).children('th, td').map((_, c) => page.$(c).text().trim()).get();
    if (heading.every((h, i) => cells[i] === h)) return cells.slice(heading.length);
  }
  return undefined;
}

/** The row of the table captioned `captionId` whose heading cells read `heading`. */
function tableRow(page: Page, captionId: string, ...heading: string[]): string[] | undefined {
  const rows = page.$(`#${captionId}`).closest('table').find('tbody tr').toArray();
  for (const row of rows) {
    const cells = page.$(row).children('th, td').map((_, c) => page.$(c).text().trim()).get();
    if (heading.every((h, i) => cells[i] === h)) return cells.slice(heading.length);
  }
  return undefined;
}

/** The numbers in a bar's or tick's path as Vega writes it, `M x,y h w v h h -w Z`. */
function rectOf(d: string): { x: number; y: number; width: number; height: number } {
  const m = /^M(-?[\d.]+),(-?[\d.]+)h(-?[\d.]+)v(-?[\d.]+)h/.exec(d);
  if (!m) throw new Error(`not a rectangle: ${d}`);
  return { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
}

describe(`waves in the workspace on ${backend}`, () => {
  let ws: Workspace;
  let editor: Browser;
  let viewer: Browser;
  let editorId: number;

  beforeAll(async () => {
    ws = await startWorkspace();
    editorId = (await ws.addAccount('ed@example.org', 'editor')).id;
    await ws.addAccount('vi@example.org', 'viewer');
    editor = await ws.signIn('ed@example.org');
    viewer = await ws.signIn('vi@example.org');
  });
  afterAll(() => ws.dispose());

  it('labels every target input of the new-wave form with its sector and its tier', async () => {
    const page = await editor.get(`${BASE}/new`);
    expect(page.status).toBe(200);
    const inputs = page.$('table input').toArray();
    expect(inputs).toHaveLength(12);
    const label = page.$('label[for="target-public-senior"]').text().trim();
    expect(label).toBe('Target for Public sector, Senior manager or director');
    for (const input of inputs) expect(page.$(`label[for="${page.$(input).attr('id')}"]`).text().trim()).toMatch(/^Target for .+, .+$/);
    expect(page.$('input[name=version][value="1.0"]').attr('checked')).toBeDefined();
    expect(page.$('#opens-time').length).toBe(1);
    expect(page.$('#opens-hint').text()).toContain('UTC');
  });

  it('opens a wave by invitation with targets from the form, storing the wave, its targets and one audit row naming the account', async () => {
    const form = await editor.get(`${BASE}/new`);
    const auditBefore = await countAudit(ws.store.db);
    const posted = await editor.post(
      BASE,
      waveForm(form, {
        name: '2011',
        access: 'invitation',
        'opens-day': '1',
        'opens-month': '10',
        'opens-year': '2010',
        'opens-time': '09:00',
        'closes-day': '30',
        'closes-month': '11',
        'closes-year': '2010',
        'target-public-senior': '40',
        'target-private-front_line': '0',
        'target-voluntary-middle': '',
      }),
    );
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(`${BASE}/2011?done=opened`);

    const wave = (await findWave(ws.store.db, INSTRUMENT, '2011'))!;
    expect(wave).toMatchObject({ access: 'invitation', status: 'open', instrument_version_id: ws.versionIds[INSTRUMENT] });
    expect(new Date(wave.opens_at).toISOString()).toBe('2010-10-01T09:00:00.000Z');
    expect(new Date(wave.closes_at!).toISOString()).toBe('2010-11-30T00:00:00.000Z');
    expect(await listWaveTargets(ws.store.db, wave.id)).toEqual([
      { wave_id: wave.id, sector: 'private', tier: 'front_line', target: 0 },
      { wave_id: wave.id, sector: 'public', tier: 'senior', target: 40 },
    ]);

    expect(await countAudit(ws.store.db)).toBe(auditBefore + 1);
    const [entry] = await listAudit(ws.store.db, { action: 'wave-opened' });
    expect(entry).toMatchObject({
      actor: 'ed@example.org',
      actorAccountId: editorId,
      address: '127.0.0.1',
      instrumentId: INSTRUMENT,
      wave: '2011',
      summary: `scheduled wave 2011 of ${INSTRUMENT} (version 1.0, invitation), from 2010-10-01T09:00:00Z to 2010-11-30T00:00:00Z`,
    });
    expect(entry!.details).toMatchObject({
      version: '1.0',
      access: 'invitation',
      targets: [
        { sector: 'private', tier: 'front_line', target: 0 },
        { sector: 'public', tier: 'senior', target: 40 },
      ],
    });

    const page = await editor.follow(posted);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toContain('scheduled');
    expect(page.$('.govuk-summary-list').text()).toContain('Only people invited');
    expect(page.$('.govuk-summary-list').text()).not.toContain('/s/');
    expect(page.$('a[href="/admin/instruments/leadership-individual/versions/1.0"]').length).toBe(1);
    expect(page.$('#target-public-senior').attr('value')).toBe('40');
  });

  it('refuses a bad name, a closing before the opening, a negative target and an unknown version with 400, linking each to its field and keeping what was typed, and writes nothing', async () => {
    const form = await editor.get(`${BASE}/new`);
    const wavesBefore = await listWaves(ws.store.db, INSTRUMENT);
    const auditBefore = await countAudit(ws.store.db);
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ name: 'spring 2012' }, '#name', /must start with a letter or digit/],
      [{ name: '' }, '#name', /Enter a name for the wave/],
      [{ name: '2012', 'opens-day': '1', 'opens-month': '9', 'opens-year': '2011', 'closes-day': '1', 'closes-month': '8', 'closes-year': '2011' }, '#closes-day', /must be after the wave opens \(2011-09-01 00:00 UTC\)/],
      [{ name: '2012', 'opens-day': '1', 'opens-month': '8', 'opens-year': '2010', 'closes-day': '1', 'closes-month': '9', 'closes-year': '2010' }, '#closes-day', /must be in the future \(it is 2010-09-15 10:00 UTC now\)/],
      [{ name: '2012', 'target-public-senior': '-3' }, '#target-public-senior', /The target for Public sector, Senior manager or director must be a whole number/],
      [{ name: '2012', 'target-public-senior': '2.5' }, '#target-public-senior', /whole number/],
      [{ name: '2012', version: '9.9' }, '#version', /Choose one of the published versions/],
      [{ name: '2012', access: 'everyone' }, '#access', /Choose who may answer/],
      [{ name: '2012', 'opens-day': '30', 'opens-month': '2', 'opens-year': '2011' }, '#opens-day', /must be a real date/],
      [{ name: '2012', 'opens-day': '1', 'opens-year': '2011' }, '#opens-month', /must include a month/],
      [{ name: '2012', 'opens-day': '1', 'opens-month': '9', 'opens-year': '2011', 'opens-time': '9am' }, '#opens-time', /in UTC as hours and minutes/],
      [{ name: '2010' }, '#name', /already has a wave named 2010/],
    ];
    for (const [fields, href, message] of cases) {
      const page = await editor.post(BASE, waveForm(form, fields));
      expect([JSON.stringify(fields), page.status]).toEqual([JSON.stringify(fields), 400]);
      expect(summaryLinks(page)).toEqual([href]);
      expect(page.$('.govuk-error-summary__list').text()).toMatch(message);
      // The field itself says what is wrong, and every value typed is still there.
      expect(page.$(`${href}`).length).toBe(1);
      for (const [name, value] of Object.entries(fields)) {
        if (name === 'version' || name === 'access') continue;
        expect([name, page.$(`input[name="${name}"]`).attr('value') ?? '']).toEqual([name, value]);
      }
    }

    // Every part that is wrong is marked, and only those.
    const partial = await editor.post(BASE, waveForm(form, { name: '2012', 'opens-day': '1' }));
    expect(summaryLinks(partial)).toEqual(['#opens-month']);
    expect(partial.$('#opens-error').text()).toContain('The opening date must include a month and a year');
    const marked = ['day', 'month', 'year', 'time'].filter((part) => partial.$(`#opens-${part}`).hasClass('govuk-input--error'));
    expect(marked).toEqual(['month', 'year']);

    const all = await editor.post(BASE, waveForm(form, { name: 'bad name', version: '0', 'closes-day': '1', 'closes-month': '1', 'closes-year': '2000', 'target-public-senior': '-1', 'target-private-middle': '7' }));
    expect(all.status).toBe(400);
    expect(summaryLinks(all)).toEqual(['#name', '#version', '#closes-day', '#target-public-senior']);
    expect(all.$('#target-private-middle').attr('value')).toBe('7');
    expect(all.$('title').text()).toMatch(/^Error: /);

    expect(await listWaves(ws.store.db, INSTRUMENT)).toEqual(wavesBefore);
    expect(await countAudit(ws.store.db)).toBe(auditBefore);
  });

  it('shows counts of started and submitted responses by sector and tier against the targets, the precision each has now, the median time to complete and where people stopped, and never an answer', async () => {
    const waveId = ws.waveIds[INSTRUMENT]!;
    const versionId = ws.versionIds[INSTRUMENT]!;
    await setWaveTargets(ws.store.db, waveId, [
      { sector: 'public', tier: 'senior', target: 4 },
      { sector: 'private', tier: 'middle', target: 0 },
    ]);
    // A submitted response took `minutes`; one in progress stopped on `page`.
    const seed = async (answers: Record<string, unknown>, submit: boolean, minutes = 0, page: string | null = null) => {
      const startedAt = new Date(ws.clock.now.getTime() - minutes * 60_000);
      const response = (await startResponse(ws.store.db, { waveId, instrumentVersionId: versionId, startedAt }))!;
      await saveProgress(ws.store.db, response.id, { answers, complete: submit, currentPage: page }, ws.clock.now);
      if (submit) await submitResponse(ws.store.db, response.id, ws.clock.now);
    };
    await seed({ sector: 'public', tier: 'senior', service_area_other: SECRET }, true, 10);
    await seed({ sector: 'public', tier: 'senior' }, true, 25);
    await seed({ sector: 'public', tier: 'senior' }, false, 0, 'qualifications');
    await seed({ sector: 'private', tier: 'middle', qual_benefit_text: SECRET }, false, 0, 'qualifications');
    await seed({}, false);

    const page = await viewer.get(`${BASE}/2010`);
    expect(page.status).toBe(200);
    expect(page.$('table caption').first().text()).toBe("Responses by sector and tier, against the wave's targets");
    expect(figuresRow(page, 'Public sector', 'Senior manager or director')).toEqual(['3', '2', '4', '50%']);
    expect(figuresRow(page, 'Private sector', 'Middle manager')).toEqual(['1', '0', '0', '']);
    expect(figuresRow(page, 'Voluntary sector', 'Front-line practitioner or worker')).toEqual(['0', '0', 'None', '']);
    expect(figuresRow(page, 'Not yet known (the sector or tier is not answered yet)')).toEqual(['1', '0', '', '']);
    expect(figuresRow(page, 'All responses')).toEqual(['5', '2', '4', '']);

    // Precision now: z·sqrt(0.25/n) with z = qnorm(0.975), and 385 responses for ±5 points.
    const twoSubmitted = `±${(100 * 1.959963984540054 * Math.sqrt(0.25 / 2)).toFixed(1)}`;
    expect(page.$('#precision-caption').text()).toBe('Precision now by sector and tier, for a percentage of 50 %');
    expect(tableRow(page, 'precision-caption', 'Public sector', 'Senior manager or director')).toEqual(['2', twoSubmitted, '385', '383']);
    expect(tableRow(page, 'precision-caption', 'Voluntary sector', 'Middle manager')).toEqual(['0', 'None submitted', '385', '385']);
    expect(tableRow(page, 'precision-caption', 'All responses')).toEqual(['2', twoSubmitted, '385', '383']);
    expect(page.$('#median-time').text()).toBe('Median time from starting to submitting: 17.5 minutes.');
    expect(tableRow(page, 'stops-caption', 'Before the first page was saved')).toEqual(['1']);
    expect(tableRow(page, 'stops-caption', 'Leadership and management qualifications (qualifications)')).toEqual(['2']);
    expect(page.$('#stops-caption').closest('table').find('tbody tr')).toHaveLength(2);
    expect(page.$('#stops-caption').closest('table').find('thead th[scope=col]').map((_, th) => page.$(th).text()).get()).toEqual(['Page', 'In progress']);
    expect(page.html).not.toContain(SECRET);
    expect(page.html).not.toContain('Hamish');
    expect(page.$('.govuk-summary-list').text()).toContain('/s/leadership-individual/2010');
  });

  it('shows the invited and the response rate of each stratum from the invitees\' attributes, and charts the submissions by day and against the targets, with their figures in tables', async () => {
    const versionId = ws.versionIds[INSTRUMENT]!;
    const now = ws.clock.now;
    const opensAt = new Date(now.getTime() - 3 * 24 * 3600_000 + 8 * 3600_000);
    const wave = await openWave(ws.store.db, { instrumentId: INSTRUMENT, instrumentVersionId: versionId, name: 'invited-2010', opensAt, access: 'invitation' });
    await setWaveTargets(ws.store.db, wave.id, [
      { sector: 'public', tier: 'senior', target: 4 },
      { sector: 'private', tier: 'middle', target: 1 },
    ]);
    // Voluntary front-line is invited and nobody there has answered; the last three are placed in
    // no stratum: no tier, a sector the instrument does not have, nothing at all.
    const invitees: Record<string, string>[] = [
      ...Array.from({ length: 4 }, () => ({ sector: 'public', tier: 'senior' })),
      ...Array.from({ length: 2 }, () => ({ sector: 'private', tier: 'middle' })),
      { sector: 'voluntary', tier: 'front_line' },
      { sector: 'public', tier: '' },
      { sector: 'nope', tier: 'senior' },
      {},
    ];
    await createInvitations(ws.store.db, wave.id, invitees);
    const hour = (h: number) => new Date(opensAt.getTime() + h * 3600_000);
    const responses: { answers: Record<string, string>; submittedAt: Date | null }[] = [
      { answers: { sector: 'public', tier: 'senior' }, submittedAt: hour(1) },
      { answers: { sector: 'public', tier: 'senior' }, submittedAt: hour(30) },
      { answers: { sector: 'public', tier: 'senior' }, submittedAt: hour(31) },
      { answers: { sector: 'private', tier: 'middle' }, submittedAt: hour(54) },
      { answers: { sector: 'public', tier: 'senior' }, submittedAt: null },
    ];
    for (const { answers, submittedAt } of responses) {
      const response = (await startResponse(ws.store.db, { waveId: wave.id, instrumentVersionId: versionId, startedAt: opensAt }))!;
      await saveProgress(ws.store.db, response.id, { answers, complete: submittedAt !== null, currentPage: null }, opensAt);
      if (submittedAt) await submitResponse(ws.store.db, response.id, submittedAt);
    }

    const page = await viewer.get(`${BASE}/invited-2010`);
    expect(page.status).toBe(200);
    const headers = page.$('table').first().find('thead th').map((_, th) => page.$(th).text().trim()).get();
    expect(headers).toEqual(['Sector', 'Tier', 'Invited', 'Started', 'Submitted', 'Response rate', 'Target', 'Submitted of target']);
    const strata: [string, string, string, string, number | null][] = [
      ['public', 'senior', 'Public sector', 'Senior manager or director', 4],
      ['private', 'middle', 'Private sector', 'Middle manager', 1],
      ['voluntary', 'front_line', 'Voluntary sector', 'Front-line practitioner or worker', null],
    ];
    const percent = (part: number, whole: number | null) => (whole ? `${Math.floor((100 * part) / whole)}%` : '');
    const inStratum = (answers: Record<string, string>, sector: string, tier: string) => answers.sector === sector && answers.tier === tier;
    let placed = 0;
    for (const [sector, tier, sectorLabel, tierLabel, target] of strata) {
      const invited = invitees.filter((a) => inStratum(a, sector, tier)).length;
      const started = responses.filter((r) => inStratum(r.answers, sector, tier)).length;
      const submitted = responses.filter((r) => r.submittedAt && inStratum(r.answers, sector, tier)).length;
      placed += invited;
      expect([sector, tier, figuresRow(page, sectorLabel, tierLabel)]).toEqual([
        sector,
        tier,
        [String(invited), String(started), String(submitted), percent(submitted, invited), target === null ? 'None' : String(target), percent(submitted, target)],
      ]);
    }
    const submittedAll = responses.filter((r) => r.submittedAt).length;
    expect(figuresRow(page, 'Not yet known (the sector or tier is not answered yet, or not given with the invitation)')).toEqual([String(invitees.length - placed), '0', '0', '', '', '']);
    expect(figuresRow(page, 'All responses')).toEqual([String(invitees.length), String(responses.length), String(submittedAll), percent(submittedAll, invitees.length), '5', '']);

    // Submissions by day: every UTC day from the opening to today, in the chart's table and as bars.
    const days: string[] = [];
    for (let t = Date.parse(opensAt.toISOString().slice(0, 10)); t <= now.getTime(); t += 24 * 3600_000) days.push(new Date(t).toISOString().slice(0, 10));
    const perDay = days.map((day) => responses.filter((r) => r.submittedAt?.toISOString().slice(0, 10) === day).length);
    expect(days).toHaveLength(4);
    expect(days.map((day) => tableRow(page, 'days-caption', day))).toEqual(perDay.map((n) => [String(n)]));
    const daySvg = page.$('#days-chart svg');
    expect(daySvg.attr('role')).toBe('img');
    expect(daySvg.attr('aria-label')).toBe('Chart: responses submitted each day');
    expect(daySvg.find('desc').text()).toContain(`${submittedAll} in all`);
    const bars = daySvg.find(`path[fill="${BAR_COLOUR}"]`).map((_, p) => rectOf(page.$(p).attr('d')!)).get();
    expect(bars).toHaveLength(days.length);
    // Left to right by day, each as tall as its count on one scale.
    expect(bars.map((b) => b.x)).toEqual([...bars.map((b) => b.x)].sort((a, b) => a - b));
    const perResponse = Math.max(...bars.map((b) => b.height)) / Math.max(...perDay);
    bars.forEach((bar, i) => expect(bar.height).toBeCloseTo(perDay[i]! * perResponse, 6));
    const dayLabels = daySvg.find('text').map((_, t) => page.$(t).text()).get();
    for (const day of days) expect(dayLabels).toContain(day);

    // Submitted against target: a bar per stratum, a line at each target, and the words beside each bar.
    const targetSvg = page.$('#targets-chart svg');
    expect(targetSvg.attr('aria-label')).toBe('Chart: responses submitted by sector and tier, against the targets');
    const labels = targetSvg.find('text').map((_, t) => page.$(t).text()).get();
    for (const [sector, tier, , , target] of strata) {
      const submitted = responses.filter((r) => r.submittedAt && inStratum(r.answers, sector, tier)).length;
      expect(labels).toContain(target === null ? `${submitted} (no target)` : `${submitted} of ${target}`);
    }
    const widths = targetSvg.find(`path[fill="${BAR_COLOUR}"]`).map((_, p) => rectOf(page.$(p).attr('d')!).width).get();
    expect(widths).toHaveLength(12);
    const mostSubmitted = Math.max(...strata.map(([sector, tier]) => responses.filter((r) => r.submittedAt && inStratum(r.answers, sector, tier)).length));
    const perUnit = Math.max(...widths) / mostSubmitted;
    const ticks = targetSvg.find(`path[fill="${LINE_COLOUR}"]`).map((_, p) => rectOf(page.$(p).attr('d')!)).get();
    expect(ticks.map((t) => Math.round((t.x + t.width / 2) / perUnit)).sort()).toEqual(strata.flatMap(([, , , , t]) => (t === null ? [] : [t])).sort());

    // The same counts draw the same bytes, and the two charts' ids do not clash.
    const again = await viewer.get(`${BASE}/invited-2010`);
    expect(again.$('#days-chart').html()).toBe(page.$('#days-chart').html());
    expect(again.$('#targets-chart').html()).toBe(page.$('#targets-chart').html());
    const ids = page.$('[id]').map((_, e) => page.$(e).attr('id')).get();
    expect(ids.length).toBe(new Set(ids).size);
  });

  it('replaces the targets from the wave page with an audit row, and refuses a negative one keeping the set it had', async () => {
    const page = await editor.get(`${BASE}/2010`);
    const csrf = csrfOf(page);
    const refused = await editor.post(`${BASE}/2010/targets`, [['_csrf', csrf], ['target-public-senior', '-5'], ['target-public-middle', '3']]);
    expect(refused.status).toBe(400);
    expect(summaryLinks(refused)).toEqual(['#target-public-senior']);
    expect(refused.$('#target-public-middle').attr('value')).toBe('3');
    const waveId = ws.waveIds[INSTRUMENT]!;
    expect(await listWaveTargets(ws.store.db, waveId)).toHaveLength(2);

    const saved = await editor.post(`${BASE}/2010/targets`, [['_csrf', csrf], ['target-public-middle', '3'], ['target-voluntary-senior', '12']]);
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`${BASE}/2010?done=targets`);
    expect(await listWaveTargets(ws.store.db, waveId)).toEqual([
      { wave_id: waveId, sector: 'public', tier: 'middle', target: 3 },
      { wave_id: waveId, sector: 'voluntary', tier: 'senior', target: 12 },
    ]);
    const [entry] = await listAudit(ws.store.db, { action: 'wave-targets-set' });
    expect(entry).toMatchObject({ actor: 'ed@example.org', wave: '2010', summary: `set 2 targets (15 responses in all) for wave 2010 of ${INSTRUMENT}` });
    expect(entry!.details).toEqual({
      before: [
        { sector: 'private', tier: 'middle', target: 0 },
        { sector: 'public', tier: 'senior', target: 4 },
      ],
      after: [
        { sector: 'public', tier: 'middle', target: 3 },
        { sector: 'voluntary', tier: 'senior', target: 12 },
      ],
    });
  });

  it('closes a wave, after which a respondent finds its address gone (410), with an audit row; closing it again is refused and writes nothing', async () => {
    const form = await editor.get(`${BASE}/new`);
    expect((await editor.post(BASE, waveForm(form, { name: 'autumn' }))).status).toBe(303);
    expect((await ws.app.inject({ url: `/s/${INSTRUMENT}/autumn` })).statusCode).toBe(200);

    const page = await editor.get(`${BASE}/autumn`);
    const close = page.$(`form[action="${BASE}/autumn/close"]`);
    expect(close.find('button').text().trim()).toBe('Close wave autumn now');
    const closed = await editor.post(`${BASE}/autumn/close`, [['_csrf', csrfOf(page)]]);
    expect(closed.status).toBe(303);
    expect((await ws.app.inject({ url: `/s/${INSTRUMENT}/autumn` })).statusCode).toBe(410);
    expect((await findWave(ws.store.db, INSTRUMENT, 'autumn'))!.status).toBe('closed');
    const [entry] = await listAudit(ws.store.db, { action: 'wave-closed' });
    expect(entry).toMatchObject({ actor: 'ed@example.org', actorAccountId: editorId, wave: 'autumn', summary: `closed wave autumn of ${INSTRUMENT}`, details: { before_opening: false } });

    const after = await editor.follow(closed);
    expect(after.$(`form[action="${BASE}/autumn/close"]`).length).toBe(0);
    const auditBefore = await countAudit(ws.store.db);
    const again = await editor.post(`${BASE}/autumn/close`, [['_csrf', csrfOf(after)]]);
    expect(again.status).toBe(409);
    expect(again.$('h1').text()).toBe('This wave is closed already');
    expect(await countAudit(ws.store.db)).toBe(auditBefore);
  });

  it('calls off a scheduled wave before it opens', async () => {
    const page = await editor.get(`${BASE}/2011`);
    expect(page.$(`form[action="${BASE}/2011/close"] button`).text().trim()).toBe('Call off wave 2011');
    expect((await editor.post(`${BASE}/2011/close`, [['_csrf', csrfOf(page)]])).status).toBe(303);
    const wave = (await findWave(ws.store.db, INSTRUMENT, '2011'))!;
    expect(wave.status).toBe('closed');
    expect(new Date(wave.closes_at!).toISOString()).toBe('2010-10-01T09:00:00.000Z');
    const [entry] = await listAudit(ws.store.db, { action: 'wave-closed' });
    expect(entry).toMatchObject({ wave: '2011', summary: `called off wave 2011 of ${INSTRUMENT} before it opened` });
  });

  it('shows a viewer the wave page without its forms, and refuses a viewer who posts a close with 403, leaving the wave open', async () => {
    const page = await viewer.get(`${BASE}/2010`);
    expect(page.status).toBe(200);
    expect(page.$(`form[action="${BASE}/2010/close"]`).length).toBe(0);
    expect(page.$(`form[action="${BASE}/2010/targets"]`).length).toBe(0);
    expect(page.$('table input').length).toBe(0);
    expect((await viewer.get(`${BASE}/new`)).status).toBe(403);

    const auditBefore = await countAudit(ws.store.db);
    const csrf = csrfOf(page); // the sign-out form's: a real token, so only the role can refuse it
    expect((await viewer.post(`${BASE}/2010/close`, [['_csrf', csrf]])).status).toBe(403);
    expect((await viewer.post(`${BASE}/2010/targets`, [['_csrf', csrf], ['target-public-senior', '1']])).status).toBe(403);
    expect((await viewer.post(BASE, [['_csrf', csrf], ['name', 'sneaky'], ['version', '1.0'], ['access', 'open']])).status).toBe(403);
    expect((await findWave(ws.store.db, INSTRUMENT, '2010'))!.status).toBe('open');
    expect(await findWave(ws.store.db, INSTRUMENT, 'sneaky')).toBeUndefined();
    expect(await countAudit(ws.store.db)).toBe(auditBefore);
  });

  it('refuses an editor limited to another instrument, on this one', async () => {
    await ws.addAccount('other@example.org', 'editor', ['leadership-organisational']);
    const other = await ws.signIn('other@example.org');
    expect((await other.get(`${BASE}/new`)).status).toBe(403);
    expect((await other.get(`${BASE}/2010`)).status).toBe(403);
    expect((await other.get('/admin/instruments/leadership-organisational/waves/new')).status).toBe(200);
  });

  it('takes targets by sector alone for an instrument that asks no tier', async () => {
    const base = '/admin/instruments/leadership-organisational/waves';
    const form = await editor.get(`${base}/new`);
    expect(form.$('table thead th').map((_, th) => form.$(th).text().trim()).get()).toEqual(['Sector', 'Target']);
    expect(form.$('label[for="target-voluntary"]').text().trim()).toBe('Target for Voluntary sector');
    const posted = await editor.post(base, [['_csrf', csrfOf(form)], ['name', '2011'], ['version', '1.1'], ['access', 'open'], ['target-voluntary', '25']]);
    expect(posted.status).toBe(303);
    const wave = (await findWave(ws.store.db, 'leadership-organisational', '2011'))!;
    expect(wave.listed).toBe(false);
    expect(await listWaveTargets(ws.store.db, wave.id)).toEqual([{ wave_id: wave.id, sector: 'voluntary', tier: '', target: 25 }]);
    const page = await editor.follow(posted);
    expect(figuresRow(page, 'Voluntary sector')).toEqual(['0', '0', '25', '0%']);
  });

  it('answers 404 for a wave or an instrument that does not exist', async () => {
    expect((await editor.get(`${BASE}/nope`)).status).toBe(404);
    expect((await editor.get('/admin/instruments/no-such-thing/waves/new')).status).toBe(404);
  });
});

describe('reading a moment from the new-wave form', () => {
  const read = (fields: Record<string, string>) => readDateTime(fields, 'opens', 'opening');

  it('reads the day, month, year and time as UTC, an empty time as midnight, and nothing at all as no moment', () => {
    expect(read({ 'opens-day': '1', 'opens-month': '9', 'opens-year': '2026', 'opens-time': '9:30' })).toEqual({ at: new Date('2026-09-01T09:30:00Z') });
    expect(read({ 'opens-day': '01', 'opens-month': '09', 'opens-year': '2026', 'opens-time': '' })).toEqual({ at: new Date('2026-09-01T00:00:00Z') });
    expect(read({ 'opens-day': ' ', 'opens-month': '', 'opens-year': '' })).toEqual({ at: null });
  });

  it('names the part that is wrong', () => {
    const field = (fields: Record<string, string>) => {
      const result = read(fields);
      return 'problem' in result ? result.problem.field : undefined;
    };
    expect(field({ 'opens-time': '09:00' })).toBe('opens-day');
    expect(field({ 'opens-day': '1', 'opens-month': '9' })).toBe('opens-year');
    expect(field({ 'opens-day': '29', 'opens-month': '2', 'opens-year': '2027' })).toBe('opens-day');
    expect(field({ 'opens-day': '1', 'opens-month': '9', 'opens-year': '26' })).toBe('opens-year');
    expect(field({ 'opens-day': '1', 'opens-month': '9', 'opens-year': '2026', 'opens-time': '24:00' })).toBe('opens-time');
  });
});
