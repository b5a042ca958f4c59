import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { createInvitations } from '../../src/store/invitations.ts';
import { openStore, storeOptionsFromEnv } from '../../src/store/open.ts';
import { saveProgress, startResponse, submitResponse } from '../../src/store/responses.ts';
import { findWave } from '../../src/store/waves.ts';
import { captureIo } from '../support/io.ts';
import { backend, commandDatabase } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');
const INSTRUMENT = 'leadership-individual';
// qnorm(0.975), written out so that the expected figures do not come from the code under test.
const Z = 1.959963984540054;
const points = (x: number) => Math.round(x * 10000) / 100;
/** Half-width of a proportion of 50 % from n responses of a simple random sample, in points. */
const srs = (n: number, N = Infinity) => points(Z * Math.sqrt((0.25 / n) * (1 - n / N)));
/** Responses a simple random sample needs for a half-width of e (a proportion). */
const needed = (e: number, N = Infinity) => {
  const n0 = (Z * Z * 0.25) / (e * e);
  return Math.ceil(n0 / (1 + n0 / N));
};

/** A response the test seeds: submitted after `minutes`, or in progress (minutes null) on `page`. */
interface Seeded {
  answers: Record<string, string>;
  minutes: number | null;
  page?: string | null;
}
const RESPONSES: Seeded[] = [
  { answers: { sector: 'public', tier: 'senior' }, minutes: 10 },
  { answers: { sector: 'public', tier: 'senior' }, minutes: 20 },
  { answers: { sector: 'public', tier: 'front_line' }, minutes: 30 },
  { answers: { sector: 'private', tier: 'senior' }, minutes: 12 },
  { answers: { sector: 'private', tier: 'middle' }, minutes: 16 },
  { answers: { sector: 'public', tier: 'senior' }, minutes: null, page: 'qualifications' },
  { answers: { sector: 'private', tier: 'front_line' }, minutes: null, page: 'qualifications' },
  { answers: { sector: 'public' }, minutes: null, page: 'about-you' },
  { answers: {}, minutes: null },
];
/**
 * The invitees' attributes, as an invitations CSV gives them. Voluntary and first-line are
 * invited but nobody in them has answered; "civil" is no sector of the instrument and an empty
 * tier is none, so those invitees are placed in no sector or no tier.
 */
const INVITEES: Record<string, string>[] = [
  ...Array.from({ length: 3 }, () => ({ sector: 'public', tier: 'senior' })),
  ...Array.from({ length: 2 }, () => ({ sector: 'public', tier: 'front_line', email_name: 'x' })),
  { sector: 'private', tier: 'middle' },
  { sector: 'private', tier: 'senior' },
  { sector: 'voluntary', tier: 'first_line' },
  { sector: 'voluntary', tier: '' },
  { sector: 'civil', tier: 'senior' },
  {},
];
const OPTIONS: Record<string, string[]> = { sector: ['public', 'private', 'voluntary'], tier: ['front_line', 'first_line', 'middle', 'senior'] };
/** The domain an invitee is in, by the rule the test expects: an attribute that is an option's id. */
const placed = (attributes: Record<string, string>, question: string) => (OPTIONS[question]!.includes(attributes[question] ?? '') ? attributes[question]! : null);
const invitedIn = (question: string, value: string | null) => INVITEES.filter((a) => placed(a, question) === value).length;
const submittedIn = (question: string, value: string | null) => RESPONSES.filter((r) => r.minutes !== null && (r.answers[question] ?? null) === value).length;
const ratePercent = (submitted: number, invited: number) => (invited === 0 ? null : Math.round((1000 * submitted) / invited) / 10);
/** The invitation figures of a domain, as the test counts them from what it seeded. */
const invitation = (question: string, value: string | null) => ({
  invited: invitedIn(question, value),
  responseRatePercent: value === null ? null : ratePercent(submittedIn(question, value), invitedIn(question, value)),
});

describe(`tapestry status on ${backend}`, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv = {};
  let database: Awaited<ReturnType<typeof commandDatabase>>;

  const tapestry = async (...args: string[]) => {
    const io = captureIo({ cwd: dataDir, env, now: () => new Date('2026-09-20T10:00:00Z') });
    const code = await run(['--data-dir', join(dataDir, 'data'), ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const status = async (...args: string[]) => {
    const result = await tapestry('status', INSTRUMENT, '--wave', '2026', '--json', ...args);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.out);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tapestry-status-'));
    database = await commandDatabase('status');
    env = database.env;
    const io = captureIo({ cwd: root, env });
    expect(await run(['--data-dir', join(dataDir, 'data'), 'publish', `surveys/${INSTRUMENT}.yaml`], io)).toBe(0);
    const open = await tapestry('wave', 'open', INSTRUMENT, '2026', '--target', 'public/senior=4', '--target', 'public/front_line=6', '--target', 'private/senior=3');
    expect(open.err).toBe('');
    await tapestry('wave', 'open', INSTRUMENT, 'empty');
    await tapestry('wave', 'open', INSTRUMENT, 'invited-only');

    // Seeded through the store, as the service would write them: submitted ones with the minutes
    // they took, those in progress with the page they stopped on.
    const store = await openStore({ ...storeOptionsFromEnv(env), dataDir: join(dataDir, 'data') });
    try {
      const wave = (await findWave(store.db, INSTRUMENT, '2026'))!;
      const start = new Date('2026-09-15T09:00:00Z');
      for (const { answers, minutes, page = null } of RESPONSES) {
        const response = (await startResponse(store.db, { waveId: wave.id, instrumentVersionId: wave.instrument_version_id, startedAt: start }))!;
        await saveProgress(store.db, response.id, { answers, complete: minutes !== null, currentPage: page }, start);
        if (minutes !== null) await submitResponse(store.db, response.id, new Date(start.getTime() + minutes * 60_000));
      }
      await createInvitations(store.db, wave.id, INVITEES);
      const invitedOnly = (await findWave(store.db, INSTRUMENT, 'invited-only'))!;
      await createInvitations(store.db, invitedOnly.id, INVITEES);
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await database.dispose();
  });

  it('gives every figure overall and by sector and tier, against the targets and the invitations, with the precision each has now', async () => {
    const need = needed(0.05);
    const submitted = RESPONSES.filter((r) => r.minutes !== null).length;
    const overallRate = ratePercent(submitted, INVITEES.length);
    expect(await status()).toEqual({
      instrument: INSTRUMENT,
      wave: '2026',
      precisionPoints: 5,
      invited: INVITEES.length,
      responseRatePercent: overallRate,
      overall: {
        invited: INVITEES.length,
        responseRatePercent: overallRate,
        started: 9,
        submitted: 5,
        target: 13,
        population: null,
        medianMinutes: 16,
        halfWidthPoints: srs(5),
        needed: need,
        more: need - 5,
        stops: [
          { page: 'about-you', inProgress: 1 },
          { page: 'qualifications', inProgress: 2 },
          { page: null, inProgress: 1 },
        ],
      },
      by: {
        sector: [
          { value: 'public', ...invitation('sector', 'public'), started: 5, submitted: 3, target: 10, population: null, medianMinutes: 20, halfWidthPoints: srs(3), needed: need, more: need - 3, stops: [{ page: 'about-you', inProgress: 1 }, { page: 'qualifications', inProgress: 1 }] },
          { value: 'private', ...invitation('sector', 'private'), started: 3, submitted: 2, target: 3, population: null, medianMinutes: 14, halfWidthPoints: srs(2), needed: need, more: need - 2, stops: [{ page: 'qualifications', inProgress: 1 }] },
          // Invited, and nobody in it has answered yet.
          { value: 'voluntary', ...invitation('sector', 'voluntary'), started: 0, submitted: 0, target: null, population: null, medianMinutes: null, halfWidthPoints: null, needed: need, more: need, stops: [] },
          { value: null, ...invitation('sector', null), started: 1, submitted: 0, target: null, population: null, medianMinutes: null, halfWidthPoints: null, needed: null, more: null, stops: [{ page: null, inProgress: 1 }] },
        ],
        tier: [
          { value: 'front_line', ...invitation('tier', 'front_line'), started: 2, submitted: 1, target: 6, population: null, medianMinutes: 30, halfWidthPoints: srs(1), needed: need, more: need - 1, stops: [{ page: 'qualifications', inProgress: 1 }] },
          { value: 'first_line', ...invitation('tier', 'first_line'), started: 0, submitted: 0, target: null, population: null, medianMinutes: null, halfWidthPoints: null, needed: need, more: need, stops: [] },
          { value: 'middle', ...invitation('tier', 'middle'), started: 1, submitted: 1, target: null, population: null, medianMinutes: 16, halfWidthPoints: srs(1), needed: need, more: need - 1, stops: [] },
          { value: 'senior', ...invitation('tier', 'senior'), started: 4, submitted: 3, target: 7, population: null, medianMinutes: 12, halfWidthPoints: srs(3), needed: need, more: need - 3, stops: [{ page: 'qualifications', inProgress: 1 }] },
          { value: null, ...invitation('tier', null), started: 2, submitted: 0, target: null, population: null, medianMinutes: null, halfWidthPoints: null, needed: null, more: null, stops: [{ page: 'about-you', inProgress: 1 }, { page: null, inProgress: 1 }] },
        ],
      },
    });
  });

  it('uses the population sizes for the fpc and stratifies the whole wave by sector, with the precision wanted', async () => {
    writeFileSync(join(dataDir, 'population.csv'), 'sector,count\npublic,40\nprivate,10\nvoluntary,20\n');
    const result = await status('--by', 'sector', '--precision', '10', '--population', 'population.csv');
    expect(result.precisionPoints).toBe(10);
    // A sector with no response yet leaves the whole population's estimate unknown.
    expect(result.overall).toMatchObject({ population: 70, halfWidthPoints: null, needed: needed(0.1, 70), more: needed(0.1, 70) - 5 });
    expect(Object.keys(result.by)).toEqual(['sector']);
    expect(result.by.sector.map((d: { value: string | null }) => d.value)).toEqual(['public', 'private', 'voluntary', null]);
    expect(result.by.sector[0]).toMatchObject({ population: 40, halfWidthPoints: srs(3, 40), needed: needed(0.1, 40), more: needed(0.1, 40) - 3 });
    expect(result.by.sector[1]).toMatchObject({ population: 10, halfWidthPoints: srs(2, 10), needed: needed(0.1, 10), more: needed(0.1, 10) - 2 });
    expect(result.by.sector[2]).toEqual({ value: 'voluntary', ...invitation('sector', 'voluntary'), started: 0, submitted: 0, target: null, population: 20, medianMinutes: null, halfWidthPoints: null, needed: needed(0.1, 20), more: needed(0.1, 20), stops: [] });

    writeFileSync(join(dataDir, 'two.csv'), 'sector,count\npublic,40\nprivate,10\n');
    const stratified = await status('--by', 'sector', '--population', 'two.csv');
    const variance = (40 / 50) ** 2 * (0.25 / 3) * (1 - 3 / 40) + (10 / 50) ** 2 * (0.25 / 2) * (1 - 2 / 10);
    expect(stratified.overall).toMatchObject({ population: 50, halfWidthPoints: points(Z * Math.sqrt(variance)), needed: needed(0.05, 50), more: needed(0.05, 50) - 5 });
    // The whole wave is stratified by sector whichever questions it is broken down by.
    expect((await status('--by', 'tier', '--population', 'two.csv')).overall).toEqual(stratified.overall);
  });

  it('counts by any single-choice question, and gives no response rate for a wave without invitations', async () => {
    const result = await tapestry('status', INSTRUMENT, '--wave', 'empty', '--by', 'qual_status', '--json');
    expect(result.err).toBe('');
    const parsed = JSON.parse(result.out);
    expect(parsed.invited).toBe(0);
    expect(parsed.responseRatePercent).toBeNull();
    expect(parsed.overall).toEqual({ invited: 0, responseRatePercent: null, started: 0, submitted: 0, target: null, population: null, medianMinutes: null, halfWidthPoints: null, needed: needed(0.05), more: needed(0.05), stops: [] });
    expect(parsed.by).toEqual({ qual_status: [] });
  });

  it('shows the domains the invitees are in before anyone has answered, each with its invitations and a response rate of nothing yet', async () => {
    const result = await tapestry('status', INSTRUMENT, '--wave', 'invited-only', '--json');
    expect(result.err).toBe('');
    const parsed = JSON.parse(result.out);
    expect([parsed.invited, parsed.responseRatePercent]).toEqual([INVITEES.length, 0]);
    for (const question of ['sector', 'tier']) {
      // Every option some invitee is placed in, in the instrument's order, then those placed in none.
      const values = [...OPTIONS[question]!.filter((o) => invitedIn(question, o) > 0), ...(invitedIn(question, null) > 0 ? [null] : [])];
      const shown = parsed.by[question].map((d: { value: string | null; invited: number; responseRatePercent: number | null; started: number }) => [d.value, d.invited, d.responseRatePercent, d.started]);
      expect([question, shown]).toEqual([question, values.map((v) => [v, invitedIn(question, v), v === null ? null : 0, 0])]);
    }
  });

  it('prints a table with a row for the whole wave and for each answer', async () => {
    const { code, out } = await tapestry('status', INSTRUMENT, '--wave', '2026');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    const submitted = RESPONSES.filter((r) => r.minutes !== null).length;
    expect(lines[0]).toBe(`${INSTRUMENT} wave 2026: ${INVITEES.length} invited, response rate ${ratePercent(submitted, INVITEES.length)} %`);
    expect(lines[1]).toMatch(/^domain +invited +response % +started +submitted +target +median min +± points now +needed for ±5 +more +stopped at \(in progress\)$/);
    expect(lines[2]).toMatch(new RegExp(`^all +${INVITEES.length} +${ratePercent(submitted, INVITEES.length)} +9 +5 +13 +16 +${srs(5)} +${needed(0.05)} +${needed(0.05) - 5} +about-you 1, qualifications 2, \\(start\\) 1$`));
    const publicRow = lines.find((l) => l.startsWith('sector=public '))!.split(/ +/);
    expect(publicRow.slice(1, 3)).toEqual([String(invitedIn('sector', 'public')), String(ratePercent(submittedIn('sector', 'public'), invitedIn('sector', 'public')))]);
    // No response rate where the domain's invitees are not known.
    expect(lines.find((l) => l.startsWith('sector=(not yet answered) '))!.split(/ +/).slice(3, 5)).toEqual([String(invitedIn('sector', null)), '–']);
    expect(lines.map((l) => l.split(/ +/)[0])).toEqual(['leadership-individual', 'domain', 'all', 'sector=public', 'sector=private', 'sector=voluntary', 'sector=(not', 'tier=front_line', 'tier=first_line', 'tier=middle', 'tier=senior', 'tier=(not']);
  });

  it('refuses, saying why, a wave, a question or a precision it cannot use', async () => {
    writeFileSync(join(dataDir, 'small.csv'), 'sector,count\npublic,40\nprivate,1\n');
    const cases: [string[], string][] = [
      [['--wave', 'nope'], `${INSTRUMENT} has no wave named nope (its waves: 2026, empty, invited-only)`],
      [['--wave', '2026', '--by', 'sector,colour'], `--by colour: ${INSTRUMENT} has no question colour`],
      [['--wave', '2026', '--by', 'qual_type'], '--by qual_type: qual_type is a multiple question; responses are counted by single-choice or scale questions'],
      [['--wave', '2026', '--by', 'tier,tier'], '--by names tier twice'],
      [['--wave', '2026', '--precision', '0'], '--precision must be a number of percentage points above 0 and under 50'],
      [['--wave', '2026', '--precision', 'five'], '--precision must be a number of percentage points above 0 and under 50 (5 for ±5 points), not "five"'],
      [['--wave', '2026', '--population', 'none.csv'], 'none.csv: cannot read the population file: there is no such file'],
      [['--wave', '2026', '--population', 'small.csv'], 'sector private: 2 responses are more than the population of 1'],
    ];
    for (const [args, message] of cases) {
      const result = await tapestry('status', INSTRUMENT, ...args);
      expect([args.join(' '), result.code]).toEqual([args.join(' '), 1]);
      expect(result.err).toContain(message);
    }
  });
});
