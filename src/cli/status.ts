/**
 * `tapestry status <instrument> --wave W [--by sector,tier] [--precision N] [--population FILE]
 * [--json]`: how a wave in the field is doing, overall and by the answers to each `--by`
 * question, against its targets: responses started and submitted, invitations and the response
 * rate (by domain too, from the invitees' attributes), the median time to complete, where responses in progress stopped, and the precision the
 * responses so far give (see src/analysis/precision.ts). Every figure is counted by the
 * database (store/monitoring.ts); no response is read.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { domainPrecision, PrecisionError, stratifiedPrecision, type DomainPrecision } from '../analysis/precision.ts';
import { Instrument, questionsOf } from '../instrument/schema.ts';
import { SECTOR_QUESTION, TIER_QUESTION } from '../instrument/strata.ts';
import { marginOf, populationFromCsv, type Population } from '../pipeline/population.ts';
import { getInstrumentVersion } from '../store/instrument-versions.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { countInvitations, countInvitationsByAnswer, stopsByPage, waveFigures, waveFiguresByAnswer, type DomainFigures, type StopFigures } from '../store/monitoring.ts';
import type { Store } from '../store/open.ts';
import { listWaveTargets } from '../store/targets.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';
import { textTable } from './text-table.ts';
import { requireWave } from './wave.ts';

interface StatusOptions {
  wave: string;
  by?: string;
  precision: string;
  population?: string;
  json?: boolean;
}

export interface Stop {
  /** null: stopped before the first page was saved. */
  page: string | null;
  inProgress: number;
}

export interface DomainStatus {
  /**
   * Invitations in the domain: those whose invitee's attribute named after the question gives
   * that answer, as it is prefilled into their response. For the domain null, those whose
   * attributes give none; for the whole wave, every invitation.
   */
  invited: number;
  /** Submitted per invitation in the domain, in per cent; null without invitations in it, and for the domain null. */
  responseRatePercent: number | null;
  started: number;
  submitted: number;
  /** The responses aimed for, summed over the targets' strata; null when none is set. */
  target: number | null;
  /** The domain's population size, when the population file gives it (the fpc). */
  population: number | null;
  medianMinutes: number | null;
  /** Half-width now of a proportion of 50 %, in percentage points; null with no response. */
  halfWidthPoints: number | null;
  /** Responses needed in all for the precision wanted, and how many more than are submitted. */
  needed: number | null;
  more: number | null;
  stops: Stop[];
}

export interface Status {
  instrument: string;
  wave: string;
  precisionPoints: number;
  invited: number;
  /** Submitted per invitation, in per cent; null without invitations. */
  responseRatePercent: number | null;
  overall: DomainStatus;
  /**
   * For each `--by` question, one row per answer found in the responses or the invitees'
   * attributes (value null: not answered yet, or not among the attributes).
   */
  by: Record<string, ({ value: string | null } & DomainStatus)[]>;
}

// Rounded so that the output is the same on every machine and database.
const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const points = (p: number | null) => (p === null ? null : round(p * 100, 2));
const minutes = (m: number | null) => (m === null ? null : round(m, 2));
const rateOf = (submitted: number, invited: number) => (invited === 0 ? null : round((100 * submitted) / invited, 1));

/** `--precision`: the half-width wanted in percentage points, above 0 and under 50. */
export function readPrecision(text: string): number {
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
  if (!(value > 0 && value < 50)) throw new UserError(`--precision must be a number of percentage points above 0 and under 50 (5 for ±5 points), not ${JSON.stringify(text)}`);
  return value;
}

/** `--by`: question ids, comma-separated, each a single-choice or scale question of the instrument. */
export function readBy(text: string, instrument: Instrument): string[] {
  const ids = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const questions = new Map(questionsOf(instrument).map((q) => [q.id, q]));
  const seen = new Set<string>();
  for (const id of ids) {
    const question = questions.get(id);
    if (!question) throw new UserError(`--by ${id}: ${instrument.id} has no question ${id}`);
    if (question.type !== 'single' && question.type !== 'scale') {
      throw new UserError(`--by ${id}: ${id} is a ${question.type} question; responses are counted by single-choice or scale questions`);
    }
    if (seen.has(id)) throw new UserError(`--by names ${id} twice`);
    seen.add(id);
  }
  return ids;
}

async function readPopulation(io: Io, file: string): Promise<Population> {
  const path = resolve(io.cwd, file);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${file}: cannot read the population file: ${error.code === 'ENOENT' ? 'there is no such file' : error.message}`);
  });
  const { population, problems } = populationFromCsv(text, file);
  if (!population) throw new UserError(`the population file has problems:\n${problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n')}`);
  return population;
}

function precisionOf(where: string, compute: () => DomainPrecision): Pick<DomainStatus, 'halfWidthPoints' | 'needed' | 'more'> {
  try {
    const result = compute();
    return { halfWidthPoints: points(result.halfWidth), needed: result.needed, more: result.more };
  } catch (error) {
    if (error instanceof PrecisionError) throw new UserError(`${where}: ${error.message}`);
    throw error;
  }
}

const stopsOf = (stops: readonly StopFigures[], value: string | null) => stops.filter((s) => s.value === value).map(({ page, inProgress }) => ({ page, inProgress }));

/** Every figure of `status`, from the store's counts. */
export async function waveStatus(store: Store, instrumentId: string, waveName: string, by: (instrument: Instrument) => string[], precisionPoints: number, population?: Population): Promise<Status> {
  const wave = await requireWave(store, instrumentId, waveName);
  const version = await getInstrumentVersion(store.db, wave.instrument_version_id);
  const instrument = Instrument.parse(version!.definition);
  const questions = by(instrument);
  const target = precisionPoints / 100;
  const targets = await listWaveTargets(store.db, wave.id);
  const targetOf = (question: string | null, value: string | null): number | null => {
    const cells = targets.filter((t) => (question === null ? true : question === SECTOR_QUESTION ? t.sector === value : question === TIER_QUESTION ? t.tier === value : false));
    return cells.length === 0 ? null : cells.reduce((sum, t) => sum + t.target, 0);
  };

  const whole = await waveFigures(store.db, wave.id);
  const invited = await countInvitations(store.db, wave.id);
  // The whole sample is stratified by sector when the population counts the sectors, as the
  // pipelines' designs are; otherwise it is one simple random sample of the population's total.
  const sectorSizes = population && marginOf(population, [SECTOR_QUESTION]);
  const total = population?.tables[0] ? [...population.tables[0].cells.values()].reduce((a, b) => a + b, 0) : null;
  let overallPrecision: Pick<DomainStatus, 'halfWidthPoints' | 'needed' | 'more'>;
  if (sectorSizes) {
    const bySector = new Map((await waveFiguresByAnswer(store.db, wave.id, SECTOR_QUESTION)).map((f) => [f.value, f.submitted]));
    const unknown = [...bySector.keys()].filter((s): s is string => s !== null && !sectorSizes.has(s) && bySector.get(s)! > 0);
    if (unknown.length > 0) throw new UserError(`the population file has no count for sector ${unknown.join(', ')}, which has submitted responses`);
    // Each sector checked on its own first, so that a problem names the sector.
    for (const [sector, N] of sectorSizes) precisionOf(`${SECTOR_QUESTION} ${sector}`, () => domainPrecision(bySector.get(sector) ?? 0, N, target));
    overallPrecision = precisionOf('the whole wave', () => stratifiedPrecision([...sectorSizes].map(([sector, N]) => ({ submitted: bySector.get(sector) ?? 0, population: N })), target));
  } else {
    overallPrecision = precisionOf('the whole wave', () => domainPrecision(whole.submitted, total, target));
  }

  const overall: DomainStatus = {
    invited,
    responseRatePercent: rateOf(whole.submitted, invited),
    started: whole.started,
    submitted: whole.submitted,
    target: targetOf(null, null),
    population: total,
    medianMinutes: minutes(whole.medianMinutes),
    ...overallPrecision,
    stops: stopsOf(await stopsByPage(store.db, wave.id), null),
  };

  const byQuestion: Status['by'] = {};
  for (const question of questions) {
    const found = new Map<string | null, DomainFigures>((await waveFiguresByAnswer(store.db, wave.id, question)).map((f) => [f.value, f]));
    const stops = await stopsByPage(store.db, wave.id, question);
    const invitedIn = new Map((await countInvitationsByAnswer(store.db, wave.id, instrument, question)).map((c) => [c.value, c.invited]));
    const sizes = population ? marginOf(population, [question]) : undefined;
    // The options answered, invited, or with a target or a population, in the instrument's order
    // (so a domain is there before anyone in it has answered); an answer that is none of them
    // (from an older version) after them; those not answered yet, or not placed by their
    // invitation, last. Invitees are placed only by an option's id, so they add no other value.
    const options = (questionsOf(instrument).find((q) => q.id === question) as { options: { id: string }[] }).options.map((o) => o.id);
    const expected = (value: string) => targetOf(question, value) !== null || sizes?.has(value) || invitedIn.has(value);
    const values: (string | null)[] = [
      ...options.filter((o) => found.has(o) || expected(o)),
      ...[...found.keys()].filter((v): v is string => v !== null && !options.includes(v)),
      ...(found.has(null) || invitedIn.has(null) ? [null] : []),
    ];
    byQuestion[question] = values.map((value) => {
      const figures = found.get(value) ?? { value, started: 0, submitted: 0, medianMinutes: null };
      const domainInvited = invitedIn.get(value) ?? 0;
      const N = value === null ? null : (sizes?.get(value) ?? null);
      const precision =
        value === null ? { halfWidthPoints: null, needed: null, more: null } : precisionOf(`${question} ${value}`, () => domainPrecision(figures.submitted, N, target));
      return {
        value,
        invited: domainInvited,
        responseRatePercent: value === null ? null : rateOf(figures.submitted, domainInvited),
        started: figures.started,
        submitted: figures.submitted,
        target: value === null ? null : targetOf(question, value),
        population: N,
        medianMinutes: minutes(figures.medianMinutes),
        ...precision,
        stops: stopsOf(stops, value),
      };
    });
  }
  return {
    instrument: instrumentId,
    wave: waveName,
    precisionPoints,
    invited,
    responseRatePercent: rateOf(whole.submitted, invited),
    overall,
    by: byQuestion,
  };
}

const show = (x: number | null, suffix = '') => (x === null ? '–' : `${x}${suffix}`);
const stopsText = (stops: readonly Stop[]) => (stops.length === 0 ? '–' : stops.map((s) => `${s.page ?? '(start)'} ${s.inProgress}`).join(', '));

function statusText(status: Status): string {
  const header = ['domain', 'invited', 'response %', 'started', 'submitted', 'target', 'median min', `± points now`, `needed for ±${status.precisionPoints}`, 'more', 'stopped at (in progress)'];
  const row = (name: string, d: DomainStatus) => [
    name,
    String(d.invited),
    show(d.responseRatePercent),
    String(d.started),
    String(d.submitted),
    show(d.target),
    show(d.medianMinutes),
    show(d.halfWidthPoints),
    show(d.needed),
    show(d.more),
    stopsText(d.stops),
  ];
  const rows = [header, row('all', status.overall)];
  for (const [question, domains] of Object.entries(status.by)) {
    for (const d of domains) rows.push(row(`${question}=${d.value ?? '(not yet answered)'}`, d));
  }
  const rate = status.responseRatePercent === null ? 'no invitations' : `${status.invited} invited, response rate ${status.responseRatePercent} %`;
  // The last column is text of varying length: left-aligned, after the right-aligned figures.
  const table = textTable(rows.map((r) => [r[0]!, ...r.slice(1, -1), ''])).split('\n');
  const lines = table.slice(0, rows.length).map((line, i) => `${line.trimEnd()}  ${rows[i]![rows[i]!.length - 1]}`);
  return `${status.instrument} wave ${status.wave}: ${rate}\n${lines.join('\n')}\n`;
}

export function statusCommand(program: Command, io: Io): void {
  program
    .command('status')
    .description('how a wave in the field is doing: responses, targets, invitations, time to complete, where people stop and precision now')
    .argument('<instrument>', 'instrument id')
    .requiredOption('--wave <wave>', 'the wave’s name')
    .option('--by <questions>', 'single-choice or scale questions to break the figures down by, comma-separated (default sector and tier, those the instrument asks)')
    .option('--precision <points>', 'the 95 % half-width wanted, in percentage points', '5')
    .option('--population <file.csv>', 'population counts (a `count` column and one column per question, as a pipeline’s), for the finite population correction')
    .option('--json', 'print the figures as JSON')
    .action(async (instrumentId: string, opts: StatusOptions) => {
      const precision = readPrecision(opts.precision);
      const population = opts.population === undefined ? undefined : await readPopulation(io, opts.population);
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        // Without --by, the strata the instrument has (an organisational survey asks no tier);
        // a question named must be there.
        const by = (instrument: Instrument) => {
          if (opts.by !== undefined) return readBy(opts.by, instrument);
          const ids = new Set(questionsOf(instrument).map((q) => q.id));
          return [SECTOR_QUESTION, TIER_QUESTION].filter((id) => ids.has(id));
        };
        const status = await waveStatus(store, instrumentId, opts.wave, by, precision, population);
        io.out(opts.json ? `${JSON.stringify(status, null, 2)}\n` : statusText(status));
      });
    });
}
