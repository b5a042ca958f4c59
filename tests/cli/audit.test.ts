import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { Instrument } from '../../src/instrument/schema.ts';
import { planSimulation, seededRandom, simulateAnswers } from '../../src/pipeline/simulate.ts';
import { getInstrumentVersion } from '../../src/store/instrument-versions.ts';
import { openStore } from '../../src/store/open.ts';
import { saveProgress, startResponse, submitResponse } from '../../src/store/responses.ts';
import { findWave } from '../../src/store/waves.ts';
import { captureIo } from '../support/io.ts';
import { backend, commandDatabase } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');
const INSTRUMENT = 'leadership-individual';

const PIPELINE = `id: small
title: Who answered
wave: "2026"
inputs:
  individual:
    instrument: surveys/leadership-individual.yaml
    responses: database
tables:
  - { id: responses-by-sector, title: Respondents by sector, input: individual, measure: sector }
`;

interface Listed {
  id: number;
  at: string;
  actor: string;
  actor_account_id: number | null;
  address: string | null;
  action: string;
  instrument_id: string | null;
  wave: string | null;
  summary: string;
  details: Record<string, unknown>;
}

describe(`tapestry audit on ${backend}`, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv = {};
  let database: Awaited<ReturnType<typeof commandDatabase>>;
  let clock = new Date('2026-09-01T08:00:00Z');

  const tapestry = async (...args: string[]) => {
    const io = captureIo({ cwd: dir, env, now: () => clock, username: () => 'lea' });
    const code = await run(['--data-dir', join(dir, 'data'), ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const audit = async (...args: string[]) => {
    const result = await tapestry('audit', '--json', ...args);
    expect(result.code).toBe(0);
    return JSON.parse(result.out) as Listed[];
  };

  /** Twelve submitted responses to the wave, as the service would store them. */
  async function collect(wave: string): Promise<void> {
    const store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir: join(dir, 'data') });
    try {
      const opened = (await findWave(store.db, INSTRUMENT, wave))!;
      const version = (await getInstrumentVersion(store.db, opened.instrument_version_id))!;
      const plan = planSimulation(Instrument.parse(version.definition));
      const random = seededRandom(2026);
      for (let i = 0; i < 12; i++) {
        const at = new Date(Date.UTC(2026, 8, 2, 9, 0, i));
        const response = (await startResponse(store.db, { waveId: opened.id, instrumentVersionId: version.id, startedAt: at }))!;
        await saveProgress(store.db, response.id, { answers: simulateAnswers(plan, random.split()), complete: true, currentPage: null }, at);
        await submitResponse(store.db, response.id, at);
      }
    } finally {
      await store.close();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-audit-'));
    cpSync(join(root, 'surveys'), join(dir, 'surveys'), { recursive: true });
    mkdirSync(join(dir, 'pipelines'));
    writeFileSync(join(dir, 'pipelines', 'small.yaml'), PIPELINE);
    database = await commandDatabase('audit');
    env = database.env;
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database.dispose();
  });

  it('records publishing, and the wave it opened, as the command line and its user', async () => {
    expect((await tapestry('publish', `surveys/${INSTRUMENT}.yaml`, '--open-wave', '2026')).code).toBe(0);
    expect(await audit()).toEqual([
      {
        id: expect.any(Number),
        at: '2026-09-01T08:00:00Z',
        actor: 'command line (lea)',
        actor_account_id: null,
        address: null,
        action: 'wave-opened',
        instrument_id: INSTRUMENT,
        wave: '2026',
        summary: `opened wave 2026 of ${INSTRUMENT} (version 1.0, open), from 2026-09-01T08:00:00Z`,
        details: expect.objectContaining({ version: '1.0', access: 'open', listed: true }),
      },
      {
        id: expect.any(Number),
        at: '2026-09-01T08:00:00Z',
        actor: 'command line (lea)',
        actor_account_id: null,
        address: null,
        action: 'published',
        instrument_id: INSTRUMENT,
        wave: null,
        summary: `published ${INSTRUMENT} 1.0`,
        details: expect.objectContaining({ version: '1.0', file: `surveys/${INSTRUMENT}.yaml` }),
      },
    ]);
    // Publishing the same content again changes nothing, and records nothing; nor does a refusal.
    expect((await tapestry('publish', `surveys/${INSTRUMENT}.yaml`)).out).toContain('unchanged');
    const source = readFileSync(join(dir, 'surveys', `${INSTRUMENT}.yaml`), 'utf8');
    writeFileSync(join(dir, 'changed.yaml'), source.replace(/^title: .*$/m, 'title: Another title'));
    expect((await tapestry('publish', 'changed.yaml')).err).toContain('is already published with different content');
    expect(await audit()).toHaveLength(2);
  });

  it('records invitations without the invitees, and writes neither when the invitees are refused', async () => {
    clock = new Date('2026-09-01T09:00:00Z');
    writeFileSync(join(dir, 'invitees.csv'), 'email,sector\na@example.org,public\nb@example.org,voluntary\n');
    expect((await tapestry('invite', INSTRUMENT, '--wave', '2026', '--from', 'invitees.csv')).code).toBe(0);
    const [entry] = await audit('--action', 'invitations-created');
    expect(entry).toMatchObject({ wave: '2026', summary: `created 2 invitations to wave 2026 of ${INSTRUMENT} from invitees.csv`, details: { count: 2, columns: ['email', 'sector'] } });
    expect(JSON.stringify(entry)).not.toContain('a@example.org');
    writeFileSync(join(dir, 'bad.csv'), 'sector\ncharity\n');
    expect((await tapestry('invite', INSTRUMENT, '--wave', '2026', '--from', 'bad.csv')).code).toBe(1);
    expect(await audit('--action', 'invitations-created')).toHaveLength(1);
  });

  it('records a pipeline run on the database, and not one on a CSV file', async () => {
    await collect('2026');
    clock = new Date('2026-09-10T09:00:00Z');
    const ran = await tapestry('run', 'pipelines/small.yaml', '--out', 'reports/small');
    expect(ran.code).toBe(0);
    expect(await audit('--action', 'pipeline-run')).toMatchObject([
      {
        instrument_id: INSTRUMENT,
        wave: '2026',
        summary: `ran pipeline small on 12 responses to wave 2026 of ${INSTRUMENT}, writing reports/small`,
        details: { pipeline: 'small', file: 'pipelines/small.yaml', inputs: ['individual'], rows: 12, report: 'reports/small' },
      },
    ]);
    expect((await tapestry('simulate', `surveys/${INSTRUMENT}.yaml`, '--n', '20', '--seed', '1', '--wave', '2026', '--out', 'simulated.csv')).code).toBe(0);
    expect((await tapestry('run', 'pipelines/small.yaml', '--input', 'individual=simulated.csv', '--out', 'reports/simulated')).code).toBe(0);
    expect(await audit('--action', 'pipeline-run')).toHaveLength(1);
  });

  it('records closing a wave, and nothing for a wave that cannot be opened', async () => {
    clock = new Date('2026-10-01T12:00:00Z');
    expect((await tapestry('wave', 'open', INSTRUMENT, '2026')).code).toBe(1);
    expect((await tapestry('wave', 'close', INSTRUMENT, '2026')).code).toBe(0);
    expect((await tapestry('wave', 'open', INSTRUMENT, '2027', '--opens', '2027-09-01')).code).toBe(0);
    expect((await audit('--since', '2026-10-01')).map((e) => [e.action, e.summary])).toEqual([
      ['wave-opened', `scheduled wave 2027 of ${INSTRUMENT} (version 1.0, open), from 2027-09-01T00:00:00Z`],
      ['wave-closed', `closed wave 2026 of ${INSTRUMENT}`],
    ]);
  });

  it('prints the log newest first as a table, filtered by instrument, time and action', async () => {
    const table = await tapestry('audit');
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^at +actor +action +instrument +wave +summary$/);
    expect(lines.slice(1).map((l) => l.split(/ {2,}/)[2])).toEqual(['wave-opened', 'wave-closed', 'pipeline-run', 'invitations-created', 'wave-opened', 'published']);
    expect(lines[1]).toMatch(/^2026-10-01T12:00:00Z +command line \(lea\) +wave-opened +leadership-individual +2027 +scheduled wave 2027/);
    expect((await audit('--instrument', 'leadership-organisational'))).toEqual([]);
    expect((await tapestry('audit', '--instrument', 'leadership-organisational')).out).toBe('no entries\n');
    expect((await audit('--since', '2026-09-01T09:30:00+01:00')).map((e) => e.action)).toEqual(['wave-opened', 'wave-closed', 'pipeline-run', 'invitations-created']);
    expect((await audit('--actor', 'command line (lea)', '--action', 'published')).map((e) => e.summary)).toEqual([`published ${INSTRUMENT} 1.0`]);
  });

  it('shows at most --limit entries and says how many there are', async () => {
    const result = await tapestry('audit', '--limit', '2', '--json');
    expect((JSON.parse(result.out) as Listed[]).map((e) => e.action)).toEqual(['wave-opened', 'wave-closed']);
    expect(result.err).toBe('showing the newest 2 of 6 entries (use --limit, up to 1000)\n');
  });

  it('refuses a filter it cannot read, saying which', async () => {
    const cases: [string[], string][] = [
      [['audit', '--since', 'last week'], '--since must be a date (2026-09-01, meaning midnight UTC) or a time with its offset'],
      [['audit', '--action', 'deleted'], '--action must be one of sign-in, sign-in-failed, sign-out,'],
      [['audit', '--limit', '0'], '--limit must be a whole number from 1 to 1000, not 0'],
      [['audit', '--limit', '5000'], '--limit must be a whole number from 1 to 1000, not 5000'],
    ];
    for (const [args, message] of cases) {
      const result = await tapestry(...args);
      expect([args.join(' '), result.code]).toEqual([args.join(' '), 1]);
      expect(result.err).toContain(message);
    }
  });
});
