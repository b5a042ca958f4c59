/**
 * A study's waves in the workspace: opening one (now, or over a period ahead) with its targets,
 * its monitoring page, closing it and changing its targets. The changes go through
 * store/wave-changes.ts, as `tapestry wave` does, so the web and the command line follow the
 * same rules and write the same audit rows. The authorisation hook has checked the route's
 * permission on the instrument in the address before any handler here runs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FormValues } from '../../../instrument/answers.ts';
import type { Instrument } from '../../../instrument/schema.ts';
import { strataOf } from '../../../instrument/strata.ts';
import { accountActor } from '../../../store/audit.ts';
import { WAVE_ACCESS, type InstrumentVersionRow, type WaveRow } from '../../../store/database.ts';
import { listInstrumentVersions } from '../../../store/instrument-versions.ts';
import { countInvitationsByStratum, medianMinutesToSubmit, tallyWave } from '../../../store/monitoring.ts';
import { listWaveTargets } from '../../../store/targets.ts';
import { accessText, closeWaveRecorded, openWaveRecorded, setWaveTargetsRecorded } from '../../../store/wave-changes.ts';
import { waveNameProblem, wavePeriodProblem, waveState, WaveError } from '../../../store/waves.ts';
import { allows } from '../../authorisation.ts';
import { HttpError } from '../../http-error.ts';
import { submissionDays, waveCharts } from '../../monitoring-charts.ts';
import { instrumentHref, newWaveHref, surveyHref, versionHref, waveHref } from './addresses.ts';
import { fieldedWave } from './wave-lookup.ts';
import { field, formOf, problemViews, type FieldProblem } from './forms.ts';
import { signedIn } from './index.ts';
import { sentence } from './sign-in.ts';
import { dateTimeValues, readDateTime, readTargetFields, targetCells, targetFieldId, targetGrid, targetValues, unionOfCells, type TargetCell } from './wave-form.ts';
import { PAGE_PRECISION_POINTS, waveFigures, waveProgress } from './wave-figures.ts';

interface InstrumentParams {
  instrument: string;
}
interface WaveParams extends InstrumentParams {
  wave: string;
}
interface WaveRoute {
  Params: WaveParams;
  Querystring: { done?: string };
}

interface PublishedVersion {
  row: InstrumentVersionRow;
  instrument: Instrument;
  cells: TargetCell[];
}

/** A moment as the workspace shows it: the same on every machine, and plainly UTC. */
export function shownInstant(value: Date | string): string {
  const iso = new Date(value).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const notFound = (message: string) => new HttpError(404, 'Page not found', message, { href: '/admin', text: 'Go to the workspace' });

export async function waveRoutes(fastify: FastifyInstance) {
  const db = () => fastify.store.db;

  /** The instrument's published versions, oldest first, with their strata; 404 when there are none. */
  async function versionsOf(instrumentId: string): Promise<PublishedVersion[]> {
    const rows = (await listInstrumentVersions(db())).filter((v) => v.instrument_id === instrumentId);
    if (rows.length === 0) throw notFound(`No version of ${instrumentId} has been published.`);
    return Promise.all(
      rows.map(async (row) => {
        const { instrument } = (await fastify.instruments.get(db(), row.id))!;
        const strata = strataOf(instrument);
        return { row, instrument, cells: strata ? targetCells(strata) : [] };
      }),
    );
  }

  /** The wave the address names, with its version's instrument; 404 when there is none. */
  async function waveOf(params: WaveParams) {
    const fielded = await fieldedWave(fastify, params);
    const strata = strataOf(fielded.instrument);
    return { ...fielded, cells: strata ? targetCells(strata) : [] };
  }

  // ---- A new wave ----

  function newWavePage(reply: FastifyReply, instrumentId: string, versions: PublishedVersion[], values: Record<string, string>, problems: FieldProblem[] = [], wrongParts: string[] = []) {
    const latest = versions[versions.length - 1]!;
    // Newest first, and the table shows every stratum any version has, labelled as the newest says.
    const cells = unionOfCells([...versions].reverse().map((v) => v.cells));
    return reply.page('admin/wave-new.njk', {
      title: `Open a wave of ${latest.row.title}`,
      instrument: { id: instrumentId, title: latest.row.title, href: instrumentHref(instrumentId) },
      action: `${instrumentHref(instrumentId)}/waves`,
      versions: [...versions].reverse().map((v) => ({
        value: v.row.version,
        text: `Version ${v.row.version}`,
        hint: { text: `${v.row.title}, published ${shownInstant(v.row.published_at)}${v === latest ? ' (the latest)' : ''}` },
      })),
      grid: targetGrid(cells),
      now: shownInstant(fastify.now()),
      values,
      ...problemViews(problems),
      wrongParts,
    });
  }

  fastify.get<{ Params: InstrumentParams }>('/instruments/:instrument/waves/new', async (request, reply) => {
    const versions = await versionsOf(request.params.instrument);
    return newWavePage(reply, request.params.instrument, versions, { version: versions[versions.length - 1]!.row.version, access: 'open', listed: 'yes' });
  });

  fastify.post<{ Params: InstrumentParams }>('/instruments/:instrument/waves', async (request, reply) => {
    const account = signedIn(request);
    const instrumentId = request.params.instrument;
    const versions = await versionsOf(instrumentId);
    const form = formOf(request.body);
    const now = fastify.now();
    const allCells = unionOfCells([...versions].reverse().map((v) => v.cells));
    const values = {
      name: field(form, 'name').trim(),
      version: field(form, 'version'),
      access: field(form, 'access'),
      listed: field(form, 'listed'),
      ...dateTimeValues(form, 'opens'),
      ...dateTimeValues(form, 'closes'),
      ...targetValues(form, allCells),
    };
    const problems: FieldProblem[] = [];
    const nameProblem = values.name === '' ? 'Enter a name for the wave' : waveNameProblem(values.name);
    if (nameProblem) problems.push({ field: 'name', message: sentence(nameProblem) });
    const version = versions.find((v) => v.row.version === values.version);
    if (!version) problems.push({ field: 'version', message: `Choose one of the published versions of ${instrumentId}` });
    const access = WAVE_ACCESS.find((mode) => mode === values.access);
    if (!access) problems.push({ field: 'access', message: 'Choose who may answer: anyone with the address, or only those invited' });
    const opens = readDateTime(form, 'opens', 'opening');
    const closes = readDateTime(form, 'closes', 'closing');
    const wrongParts: string[] = [];
    for (const read of [opens, closes]) {
      if ('problem' in read) {
        problems.push(read.problem);
        wrongParts.push(...read.parts);
      }
    }
    if ('at' in opens && 'at' in closes) {
      const opensAt = opens.at ?? now;
      const period = wavePeriodProblem(opensAt, closes.at, now);
      if (period === 'closes-before-opens') problems.push({ field: 'closes-day', message: `The closing date must be after the wave opens (${shownInstant(opensAt)})` });
      if (period === 'closes-past') problems.push({ field: 'closes-day', message: `The closing date must be in the future (it is ${shownInstant(now)} now)` });
      if (period) wrongParts.push('closes-day', 'closes-month', 'closes-year', 'closes-time');
    }
    const inVersion = (cell: TargetCell) =>
      !version || version.cells.some((c) => c.id === cell.id) ? undefined : `Version ${version.row.version} does not ask for ${cell.name}: leave its target empty, or choose another version`;
    const targets = readTargetFields(form, allCells, inVersion);
    problems.push(...targets.problems);
    if (problems.length > 0 || !version || !access || !('at' in opens) || !('at' in closes)) {
      return newWavePage(reply.code(400), instrumentId, versions, values, problems, wrongParts);
    }
    try {
      await openWaveRecorded(db(), accountActor(account, request.ip), now, {
        instrumentId,
        instrumentVersionId: version.row.id,
        name: values.name,
        opensAt: opens.at ?? now,
        closesAt: closes.at,
        access,
        listed: values.listed === 'yes',
        version: version.row.version,
        targets: targets.targets,
      });
    } catch (error) {
      // The one refusal left once the form is valid: the name is taken (perhaps a moment ago).
      if (error instanceof WaveError) return newWavePage(reply.code(400), instrumentId, versions, values, [{ field: 'name', message: sentence(error.message) }]);
      throw error;
    }
    return reply.redirect(`${waveHref(instrumentId, values.name)}?done=opened`, 303);
  });

  // ---- A wave's page ----

  async function wavePage(request: FastifyRequest<WaveRoute>, reply: FastifyReply, edit?: { values: Record<string, string>; problems: FieldProblem[] }) {
    const account = signedIn(request);
    const { instrument: instrumentId } = request.params;
    const fielded = await waveOf(request.params);
    const { wave, version, cells } = fielded;
    const now = fastify.now();
    const state = waveState(wave, now);
    // Independent counts, sent together: on PostgreSQL each goes on a connection of its own.
    const [targets, tally, invited, medianMinutes] = await Promise.all([
      listWaveTargets(db(), wave.id),
      tallyWave(db(), wave.id),
      countInvitationsByStratum(db(), wave.id, fielded.instrument),
      medianMinutesToSubmit(db(), wave.id),
    ]);
    const figures = waveFigures(cells, tally.strata, targets, invited);
    const progress = waveProgress(figures, medianMinutes, tally.stops, fielded.instrument.pages);
    const hasTier = cells.some((c) => c.tier !== '');
    const days = submissionDays(new Date(wave.opens_at), wave.closes_at === null ? null : new Date(wave.closes_at), now, tally.days);
    const charts = await waveCharts(days, figures.rows, hasTier);
    const { done } = request.query;
    return reply.page('admin/wave.njk', {
      title: `Wave ${wave.name} of ${version.title}`,
      instrument: { id: instrumentId, title: version.title, href: instrumentHref(instrumentId) },
      wave: waveSummary(wave, version, state),
      base: waveHref(instrumentId, wave.name),
      figures,
      // Invitation figures for a wave that has invitations, or takes only the invited.
      hasInvitations: figures.total.invited > 0 || wave.access === 'invitation',
      progress,
      charts,
      precisionPoints: PAGE_PRECISION_POINTS,
      hasStrata: cells.length > 0,
      hasTier,
      mayChange: allows(account, 'waves', instrumentId),
      mayOpen: allows(account, 'waves', instrumentId) ? newWaveHref(instrumentId) : undefined,
      invitationsHref: allows(account, 'invite', instrumentId) ? `${waveHref(instrumentId, wave.name)}/invitations` : undefined,
      exportHref: allows(account, 'responses', instrumentId) ? `${waveHref(instrumentId, wave.name)}/export` : undefined,
      grid: targetGrid(cells),
      values: edit?.values ?? Object.fromEntries(targets.map((t) => [targetFieldId(t), String(t.target)])),
      done: done === 'opened' || done === 'closed' || done === 'targets' ? done : undefined,
      ...problemViews(edit?.problems ?? []),
    });
  }

  function waveSummary(wave: WaveRow, version: InstrumentVersionRow, state: ReturnType<typeof waveState>) {
    return {
      name: wave.name,
      version: version.version,
      versionHref: versionHref(wave.instrument_id, version.version),
      state,
      access: wave.access,
      accessText: accessText(wave),
      listed: wave.listed,
      opens: shownInstant(wave.opens_at),
      closes: wave.closes_at === null ? null : shownInstant(wave.closes_at),
      surveyHref: wave.access === 'open' ? surveyHref(wave.instrument_id, wave.name) : null,
    };
  }

  fastify.get<WaveRoute>('/instruments/:instrument/waves/:wave', (request, reply) => wavePage(request, reply));

  fastify.post<{ Params: WaveParams }>('/instruments/:instrument/waves/:wave/close', async (request, reply) => {
    const account = signedIn(request);
    const { wave } = await waveOf(request.params);
    const back = { href: waveHref(wave.instrument_id, wave.name), text: `Go back to wave ${wave.name}` };
    try {
      await closeWaveRecorded(db(), accountActor(account, request.ip), fastify.now(), wave);
    } catch (error) {
      if (error instanceof WaveError) throw new HttpError(409, 'This wave is closed already', `${sentence(error.message)}. Nothing was changed.`, back);
      throw error;
    }
    return reply.redirect(`${back.href}?done=closed`, 303);
  });

  fastify.post<WaveRoute>('/instruments/:instrument/waves/:wave/targets', async (request, reply) => {
    const account = signedIn(request);
    const { wave, cells } = await waveOf(request.params);
    if (cells.length === 0) {
      throw new HttpError(400, 'This wave takes no targets', `${wave.instrument_id} asks no sector as a single choice, so its waves take no targets. Nothing was changed.`, {
        href: waveHref(wave.instrument_id, wave.name),
        text: `Go back to wave ${wave.name}`,
      });
    }
    const form: FormValues = formOf(request.body);
    const { targets, problems } = readTargetFields(form, cells);
    if (problems.length > 0) return wavePage(request, reply.code(400), { values: targetValues(form, cells), problems });
    await setWaveTargetsRecorded(db(), accountActor(account, request.ip), fastify.now(), wave, targets);
    return reply.redirect(`${waveHref(wave.instrument_id, wave.name)}?done=targets`, 303);
  });
}
