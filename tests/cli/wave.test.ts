import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { parseInstant } from '../../src/cli/wave.ts';
import { waveState } from '../../src/store/waves.ts';
import { buildServer } from '../../src/collect/server.ts';
import { openStore } from '../../src/store/open.ts';
import { captureIo } from '../support/io.ts';
import { backend, commandDatabase } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');
const INSTRUMENT = 'leadership-organisational';
const INDIVIDUAL = 'leadership-individual';

describe(`tapestry wave on ${backend}`, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv = {};
  let database: Awaited<ReturnType<typeof commandDatabase>>;
  let clock = new Date('2026-09-15T10:00:00Z');

  const tapestry = async (...args: string[]) => {
    const io = captureIo({ cwd: root, env, now: () => clock });
    const code = await run(['--data-dir', dataDir, ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const list = async () => JSON.parse((await tapestry('wave', 'list', INSTRUMENT, '--json')).out) as { wave: string; state: string; access: string; listed: boolean; version: string; opens: string; closes: string }[];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tapestry-wave-'));
    database = await commandDatabase('wave');
    env = database.env;
    expect((await tapestry('publish', `surveys/${INSTRUMENT}.yaml`)).code).toBe(0);
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await database.dispose();
  });

  it('opens a wave of the latest published version now, and schedules one over a period ahead', async () => {
    const now = await tapestry('wave', 'open', INSTRUMENT, '2026', '--access', 'invitation');
    expect(now.err).toBe('');
    expect(now.out).toBe(`opened  ${INSTRUMENT} wave 2026: version 1.1, invitation, from 2026-09-15T10:00:00Z\n`);
    const ahead = await tapestry('wave', 'open', INSTRUMENT, '2027', '--opens', '2027-09-01', '--closes', '2027-10-31T17:00+01:00', '--unlisted');
    expect(ahead.out).toBe(`scheduled  ${INSTRUMENT} wave 2027: version 1.1, open, unlisted, from 2027-09-01T00:00:00Z to 2027-10-31T16:00:00Z\n`);
    expect(await list()).toEqual([
      { instrument: INSTRUMENT, wave: '2026', version: '1.1', state: 'open', access: 'invitation', listed: true, opens: '2026-09-15T10:00:00Z', closes: '' },
      { instrument: INSTRUMENT, wave: '2027', version: '1.1', state: 'scheduled', access: 'open', listed: false, opens: '2027-09-01T00:00:00Z', closes: '2027-10-31T16:00:00Z' },
    ]);
    const table = (await tapestry('wave', 'list')).out;
    expect(table.split('\n')[0]).toMatch(/^instrument +wave +version +state +access +opens +closes$/);
  });

  it('refuses, saying why, what cannot be a wave, and changes nothing', async () => {
    const before = await list();
    const cases: [string[], string][] = [
      [['wave', 'open', INSTRUMENT, '2026'], `${INSTRUMENT} already has a wave named 2026`],
      [['wave', 'open', INSTRUMENT, 'spring 2028'], "a wave's name must start with a letter or digit"],
      [['wave', 'open', INSTRUMENT, '2028', '--opens', '2028-02-30'], '--opens must be a date (2026-09-01, meaning midnight UTC) or a time with its offset'],
      [['wave', 'open', INSTRUMENT, '2028', '--opens', '2028-09-01T09:00'], '--opens must be a date'],
      [['wave', 'open', INSTRUMENT, '2028', '--opens', '2028-09-01', '--closes', '2028-08-01'], '--closes (2028-08-01T00:00:00Z) must be after the wave opens (2028-09-01T00:00:00Z)'],
      [['wave', 'open', INSTRUMENT, '2028', '--opens', '2025-01-01', '--closes', '2026-01-01'], '--closes (2026-01-01T00:00:00Z) is already past'],
      [['wave', 'open', INSTRUMENT, '2028', '--version', '9'], `${INSTRUMENT} has no published version 9 (its versions: 1.1)`],
      [['wave', 'open', INSTRUMENT, '2028', '--access', 'secret'], '--access must be open or invitation, not secret'],
      [['wave', 'open', 'nothing', '2028'], 'no version of nothing is published'],
      [['wave', 'close', INSTRUMENT, 'nope'], `${INSTRUMENT} has no wave named nope (its waves: 2026, 2027)`],
    ];
    for (const [args, message] of cases) {
      const result = await tapestry(...args);
      expect([args.join(' '), result.code]).toEqual([args.join(' '), 1]);
      expect(result.err).toContain(message);
    }
    expect(await list()).toEqual(before);
  });

  it('closes a wave now, after which respondents find it closed, and calls off one that has not opened', async () => {
    clock = new Date('2026-10-01T12:00:00Z');
    expect((await tapestry('wave', 'close', INSTRUMENT, '2026')).out).toBe(`closed  ${INSTRUMENT} wave 2026 at 2026-10-01T12:00:00Z\n`);
    const again = await tapestry('wave', 'close', INSTRUMENT, '2026');
    expect(again.code).toBe(1);
    expect(again.err).toContain('is closed already (since 2026-10-01T12:00:00Z)');
    expect((await tapestry('wave', 'close', INSTRUMENT, '2027')).out).toBe(`closed  ${INSTRUMENT} wave 2027 before it opened (it was to open at 2027-09-01T00:00:00Z)\n`);
    expect((await list()).map((w) => w.state)).toEqual(['closed', 'closed']);

    const store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir });
    const app = await buildServer({ store, now: () => clock });
    try {
      expect((await app.inject({ url: `/s/${INSTRUMENT}/2026` })).statusCode).toBe(410);
      expect((await app.inject({ url: `/s/${INSTRUMENT}/2027` })).statusCode).toBe(410);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('tells respondents when a scheduled wave opens, and lets them in from then until it closes by itself', async () => {
    clock = new Date('2026-10-01T12:00:00Z');
    expect((await tapestry('wave', 'open', INSTRUMENT, '2029', '--opens', '2029-03-01T09:00:00Z', '--closes', '2029-04-01')).code).toBe(0);
    const store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir });
    const app = await buildServer({ store, now: () => clock });
    try {
      const early = await app.inject({ url: `/s/${INSTRUMENT}/2029` });
      expect(early.statusCode).toBe(403);
      expect(early.body).toContain('opens on 1 March 2029');
      clock = new Date('2029-03-01T09:00:00Z');
      expect((await app.inject({ url: `/s/${INSTRUMENT}/2029` })).statusCode).toBe(200);
      clock = new Date('2029-04-01T00:00:00Z');
      expect((await app.inject({ url: `/s/${INSTRUMENT}/2029` })).statusCode).toBe(410);
    } finally {
      await app.close();
      await store.close();
    }
    expect(waveState({ status: 'open', opens_at: new Date('2029-03-01T09:00:00Z'), closes_at: '2029-04-01T00:00:00Z' }, clock)).toBe('closed');
  });
  it('opens a wave with targets by sector and tier, then shows, replaces and clears them with tapestry wave targets, each change in the audit log', async () => {
    clock = new Date('2026-09-15T10:00:00Z');
    expect((await tapestry('publish', `surveys/${INDIVIDUAL}.yaml`)).code).toBe(0);
    const opened = await tapestry('wave', 'open', INDIVIDUAL, '2026', '--target', 'public/senior=40', '--target', 'private/front_line=0');
    expect(opened.err).toBe('');
    expect(opened.out).toBe(`opened  ${INDIVIDUAL} wave 2026: version 1.0, open, from 2026-09-15T10:00:00Z, 2 targets\n`);

    const shown = await tapestry('wave', 'targets', INDIVIDUAL, '2026');
    const lines = shown.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^sector +tier +target$/);
    expect(lines).toHaveLength(13);
    expect(lines).toContainEqual(expect.stringMatching(/^public +senior +40$/));
    expect(lines).toContainEqual(expect.stringMatching(/^private +front_line +0$/));
    expect(lines).toContainEqual(expect.stringMatching(/^voluntary +middle +none$/));

    const replaced = await tapestry('wave', 'targets', INDIVIDUAL, '2026', '--target', 'voluntary/middle=5');
    expect(replaced.out.split('\n')[0]).toBe(`set 1 target of ${INDIVIDUAL} wave 2026`);
    expect(replaced.out).toMatch(/^voluntary +middle +5$/m);
    expect(replaced.out).toMatch(/^public +senior +none$/m);
    const cleared = await tapestry('wave', 'targets', INDIVIDUAL, '2026', '--clear');
    expect(cleared.out.split('\n')[0]).toBe(`removed every target of ${INDIVIDUAL} wave 2026`);
    expect(cleared.out.split('\n').slice(2, -1).filter((line) => !line.endsWith(' none'))).toEqual([]);

    const audit = JSON.parse((await tapestry('audit', '--json', '--instrument', INDIVIDUAL)).out) as { action: string; actor: string; summary: string; details: Record<string, unknown> }[];
    expect(audit.map((e) => e.action)).toEqual(['wave-targets-set', 'wave-targets-set', 'wave-opened', 'published']);
    expect(audit[0]).toMatchObject({ actor: 'command line (tester)', summary: `removed every target for wave 2026 of ${INDIVIDUAL}`, details: { before: [{ sector: 'voluntary', tier: 'middle', target: 5 }], after: [] } });
    expect(audit[2]!.details.targets).toEqual([
      { sector: 'private', tier: 'front_line', target: 0 },
      { sector: 'public', tier: 'senior', target: 40 },
    ]);
  });

  it('refuses a target naming a sector or tier the instrument does not have, listing the ones it has, and writes nothing', async () => {
    clock = new Date('2026-09-15T10:00:00Z');
    const before = await tapestry('wave', 'list', '--json');
    const auditBefore = (await tapestry('audit', '--json')).out;
    const cases: [string[], string][] = [
      [['wave', 'open', INDIVIDUAL, '2027', '--target', 'public/boss=3'], `--target public/boss=3: ${INDIVIDUAL} has no tier boss (its tiers: front_line, first_line, middle, senior)`],
      [['wave', 'open', INDIVIDUAL, '2027', '--target', 'council/senior=3'], `--target council/senior=3: ${INDIVIDUAL} has no sector council (its sectors: public, private, voluntary)`],
      [['wave', 'open', INDIVIDUAL, '2027', '--target', 'public=3'], `--target public=3: ${INDIVIDUAL} asks a tier too, so a stratum is a sector and a tier, such as public/front_line (its tiers: front_line, first_line, middle, senior)`],
      [['wave', 'open', INSTRUMENT, '2030', '--target', 'public/senior=3'], `--target public/senior=3: ${INSTRUMENT} asks no tier, so a stratum is a sector alone, such as public (its sectors: public, private, voluntary)`],
      [['wave', 'open', INDIVIDUAL, '2027', '--target', 'public/senior=-1'], '--target public/senior=-1: the target must be a whole number of responses from 0 to 1000000'],
      [['wave', 'open', INDIVIDUAL, '2027', '--target', 'public/senior=lots'], 'the target must be a whole number'],
      [['wave', 'open', INDIVIDUAL, '2027', '--target', 'public/senior=5000000'], 'the target must be a whole number'],
      [['wave', 'open', INDIVIDUAL, '2027', '--target', 'public/senior'], '--target must be <sector>/<tier>=<n>, or <sector>=<n> when the instrument asks no tier, not "public/senior"'],
      [['wave', 'open', INDIVIDUAL, '2027', '--target', 'public/senior=1', '--target', 'public/senior=2'], '--target public/senior is given more than once'],
      [['wave', 'targets', INDIVIDUAL, '2026', '--target', 'public/boss=3'], `${INDIVIDUAL} has no tier boss`],
      [['wave', 'targets', INDIVIDUAL, '2026', '--clear', '--target', 'public/senior=3'], '--clear removes every target: give it without --target'],
      [['wave', 'targets', INDIVIDUAL, 'nope'], `${INDIVIDUAL} has no wave named nope (its waves: 2026)`],
    ];
    for (const [args, message] of cases) {
      const result = await tapestry(...args);
      expect([args.join(' '), result.code]).toEqual([args.join(' '), 1]);
      expect(result.err).toContain(message);
    }
    expect((await tapestry('wave', 'list', '--json')).out).toBe(before.out);
    expect((await tapestry('audit', '--json')).out).toBe(auditBefore);
  });

  it('sets targets by sector alone for an instrument that asks no tier', async () => {
    const set = await tapestry('wave', 'targets', INSTRUMENT, '2026', '--target', 'voluntary=25');
    expect(set.out).toBe(`set 1 target of ${INSTRUMENT} wave 2026\n${['sector     target', 'public       none', 'private      none', 'voluntary      25'].join('\n')}\n`);
  });
});

describe('times given to tapestry wave', () => {
  it('reads a date as midnight UTC and a time with its offset as that instant', () => {
    expect(parseInstant('--opens', '2026-09-01').toISOString()).toBe('2026-09-01T00:00:00.000Z');
    expect(parseInstant('--opens', '2026-09-01T09:30+01:00').toISOString()).toBe('2026-09-01T08:30:00.000Z');
    expect(parseInstant('--opens', ' 2026-09-01T09:30:15.5Z ').toISOString()).toBe('2026-09-01T09:30:15.500Z');
  });

  it('refuses a day the calendar does not have, a time without its offset, and anything else', () => {
    for (const text of ['2026-02-29', '2026-13-01', '2026-09-01T25:00Z', '2026-09-01T09:00', 'tomorrow', '1 September 2026', '']) {
      expect(() => parseInstant('--opens', text)).toThrow(/--opens must be a date/);
    }
  });
});
