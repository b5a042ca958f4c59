/**
 * An instrument in the workspace: its versions and waves, a preview of any version, and the
 * comparison of two. Reading only: nothing here writes to the store, so a viewer may use it all
 * (previews show questions, never a response). The hook has checked `read` on the instrument the
 * address names before any of these run.
 */
import type { FastifyInstance } from 'fastify';
import { diffInstruments } from '../../../instrument/diff.ts';
import { questionsOf, type Instrument } from '../../../instrument/schema.ts';
import { listVersionsOf, type VersionSummary } from '../../../store/instrument-history.ts';
import { listWaves } from '../../../store/waves.ts';
import { allows } from '../../authorisation.ts';
import { HttpError } from '../../http-error.ts';
import { instrumentHref, newWaveHref } from './addresses.ts';
import { problemViews, type FieldProblem } from './forms.ts';
import { signedIn } from './index.ts';
import { diffView, whenText, previewPages, versionRows, waveRows } from './instrument-views.ts';

type InstrumentParams = { instrument: string };

function unknownInstrument(id: string): HttpError {
  return new HttpError(404, 'Instrument not found', `No instrument called ${id} has been published. Check the address, or find it in the list of instruments.`, {
    href: '/admin',
    text: 'Go to the instruments',
  });
}

/** One query value as text: '' when absent, undefined when sent more than once. */
function single(value: unknown): string | undefined {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : undefined;
}

/** The parsed instrument of a published version (parsed once per process, see `InstrumentCache`). */
export async function instrumentOf(fastify: FastifyInstance, version: Pick<VersionSummary, 'id'>): Promise<Instrument> {
  const found = await fastify.instruments.get(fastify.store.db, version.id);
  if (!found) throw new Error(`instrument version ${version.id} vanished while it was being shown`);
  return found.instrument;
}

/** The versions of an instrument that has been published, or the 404 for one that has not. */
async function publishedVersions(fastify: FastifyInstance, id: string): Promise<VersionSummary[]> {
  const versions = await listVersionsOf(fastify.store.db, id);
  if (versions.length === 0) throw unknownInstrument(id);
  return versions;
}

export async function instrumentRoutes(fastify: FastifyInstance) {
  fastify.get<{ Params: InstrumentParams; Querystring: { published?: unknown } }>('/instruments/:instrument', async (request, reply) => {
    const account = signedIn(request);
    const id = request.params.instrument;
    const versions = await publishedVersions(fastify, id);
    const latest = versions[versions.length - 1]!;
    const waves = await listWaves(fastify.store.db, id);
    // Said after publishing (see publish.ts); only of a version that is there, so the address cannot make it say anything else.
    const published = versions.find((v) => v.version === request.query.published)?.version;
    return reply.page('admin/instrument.njk', {
      title: latest.title,
      instrument: { id, kind: latest.kind },
      versions: versionRows(versions),
      waves: waveRows(waves, versions, fastify.now()),
      newWaveHref: allows(account, 'waves', id) ? newWaveHref(id) : undefined,
      mayPublish: allows(account, 'publish', id),
      published,
    });
  });

  fastify.get<{ Params: InstrumentParams & { version: string } }>('/instruments/:instrument/versions/:version', async (request, reply) => {
    const { instrument: id, version } = request.params;
    const versions = await publishedVersions(fastify, id);
    const row = versions.find((v) => v.version === version);
    if (!row) {
      throw new HttpError(404, 'Version not found', `${id} has no published version ${version}. Its versions are ${versions.map((v) => v.version).join(', ')}.`, {
        href: instrumentHref(id),
        text: `Go to ${id}`,
      });
    }
    const instrument = await instrumentOf(fastify, row);
    return reply.page('admin/version.njk', {
      title: `Preview of version ${row.version}`,
      instrument,
      instrumentHref: instrumentHref(id),
      publishedAt: whenText(row.published_at),
      questionCount: questionsOf(instrument).length,
      intro: introParagraphs(instrument),
      pages: previewPages(instrument),
    });
  });

  fastify.get<{ Params: InstrumentParams; Querystring: { from?: unknown; to?: unknown } }>('/instruments/:instrument/diff', async (request, reply) => {
    const id = request.params.instrument;
    const versions = await publishedVersions(fastify, id);
    const latest = versions[versions.length - 1]!;
    const defaults = { from: versions[versions.length - 2]?.version ?? latest.version, to: latest.version };
    const chosen = { from: single(request.query.from), to: single(request.query.to) };

    const problems: FieldProblem[] = [];
    let status = 200;
    const pick = (field: 'from' | 'to'): VersionSummary | undefined => {
      const written = chosen[field];
      const label = field === 'from' ? 'the version to compare from' : 'the version to compare to';
      if (written === undefined) {
        problems.push({ field, message: `Choose one version as ${label}, not several` });
        status = Math.max(status, 400);
        return undefined;
      }
      const version = written === '' ? defaults[field] : written;
      const found = versions.find((v) => v.version === version);
      if (!found) {
        problems.push({ field, message: `${id} has no version ${JSON.stringify(version)}: choose one of ${versions.map((v) => v.version).join(', ')} as ${label}` });
        if (status === 200) status = 404;
      }
      return found;
    };
    const from = pick('from');
    const to = pick('to');
    if (from && to && from.id === to.id && versions.length > 1) {
      problems.push({ field: 'to', message: `Choose a version other than ${from.version} to compare it with` });
      status = 400;
    }

    const items = (selected: string | undefined) =>
      [...versions].reverse().map((v) => ({ value: v.version, text: `${v.version} (published ${whenText(v.published_at)})`, selected: v.version === selected }));
    const context = {
      title: from && to && from.id !== to.id && problems.length === 0 ? `Changes from version ${from.version} to ${to.version}` : 'Compare two versions',
      instrumentId: id,
      instrumentHref: instrumentHref(id),
      action: `${instrumentHref(id)}/diff`,
      fromItems: items(from?.version ?? defaults.from),
      toItems: items(to?.version ?? defaults.to),
      ...problemViews(problems),
    };
    if (problems.length > 0 || !from || !to || from.id === to.id) return reply.code(status).page('admin/diff.njk', context);
    const [before, after] = [await instrumentOf(fastify, from), await instrumentOf(fastify, to)];
    return reply.page('admin/diff.njk', { ...context, diff: diffView(diffInstruments(before, after), before, after) });
  });
}

/** The introduction in paragraphs, as the respondent's start page shows it. */
export function introParagraphs(instrument: Instrument): string[] {
  return instrument.intro.split(/\n\s*\n/).filter((p) => p.trim() !== '');
}
