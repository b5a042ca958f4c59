/**
 * A wave's invitations in the workspace: how many are in each state, a page of them at a time
 * (filtered by state), a CSV of them, creating invitations from an uploaded invitees file and
 * queueing reminders. Reading the file is `parseInvitees`'s and the writing `inviteRecorded`'s and
 * `remindRecorded`'s, as for `tapestry invite` and `tapestry remind`, so both follow one set of
 * rules and write the same audit rows. Every route here needs `invite`, which the hook checks on
 * the instrument in the address: a viewer never sees an invitee.
 *
 * Decisions, and why:
 * - Only a hash of each link's token is stored, so a link can be had only when it is made. The
 *   upload's answer is therefore the CSV of the new links itself, as a download, and the page
 *   says that it is the only chance; the wave's CSV afterwards lists the invitations without links.
 * - The upload is refused whole, with every problem at its line, before anything is written; and
 *   `inviteRecorded` writes the invitations, their messages and their audit rows in one transaction.
 * - Multipart forms are taken in this scope only (see multipart-form.ts), as on the publishing pages.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseInvitees } from '../../../mail/invitees.ts';
import { csvRecords, csvText } from '../../../shared/csv.ts';
import { durationMs } from '../../../shared/duration.ts';
import { accountActor } from '../../../store/audit.ts';
import {
  allInvitationStatuses,
  countInvitationStates,
  INVITATION_STATE_MEANINGS,
  INVITATION_LIST_COLUMNS,
  INVITATION_STATES,
  invitationListRecord,
  isInvitationState,
  listInvitationStatuses,
  type InvitationState,
  type InvitationStatus,
} from '../../../store/invitation-status.ts';
import { inviteRecorded, InviteError, remindRecorded } from '../../../store/wave-invitations.ts';
import { waveState } from '../../../store/waves.ts';
import type { Fielded } from '../../fielded.ts';
import { HttpError } from '../../http-error.ts';
import { acceptMultipart, isUploadedFile, utf8Text } from '../../multipart-form.ts';
import { downloadName, instrumentHref, waveHref } from './addresses.ts';
import { fieldedWave } from './wave-lookup.ts';
import { field, formOf, problemViews, type FieldProblem } from './forms.ts';
import { signedIn } from './index.ts';
import { displayName } from './publish.ts';
import { sentence } from './sign-in.ts';
import { shownInstant } from './waves.ts';
import { publicOrigin } from '../../plugins/settings.ts';

/** The largest invitees file taken: some hundred thousand invitees of a few columns. */
export const MAX_INVITEES_BYTES = 10 * 1024 * 1024;
export const INVITATIONS_PAGE_SIZE = 50;
const MAX_PROBLEMS_SHOWN = 100;
const DEFAULT_NOT_SINCE = '7d';

interface WaveParams {
  instrument: string;
  wave: string;
}
interface PageQuery {
  state?: string;
  page?: string;
  reminded?: string;
}

export const invitationsHref = (instrumentId: string, wave: string) => `${waveHref(instrumentId, wave)}/invitations`;


/**
 * The numbered links of a list `pages` long at page `current`: every page when there are few,
 * else the first, the last and the two either side of the current, with gaps between, so that a
 * wave of twenty thousand is not four hundred links.
 */
export function pageNumbers(pages: number, current: number): (number | 'gap')[] {
  if (pages <= 9) return Array.from({ length: pages }, (_, i) => i + 1);
  const shown = [...new Set([1, current - 2, current - 1, current, current + 1, current + 2, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  return shown.flatMap((n, i) => (i > 0 && n - shown[i - 1]! > 1 ? ['gap' as const, n] : [n]));
}

interface Problems {
  upload?: FieldProblem[];
  remind?: FieldProblem[];
  values?: { send?: boolean; notSince?: string };
}

export async function invitationRoutes(fastify: FastifyInstance) {
  const db = () => fastify.store.db;
  acceptMultipart(
    fastify,
    { fileFields: ['file'], fileBytes: MAX_INVITEES_BYTES, fieldBytes: 1024, parts: 4, back: { href: '/admin', text: 'Go to the workspace' } },
    (request) => request.account !== null,
  );

  const waveOf = (params: WaveParams) => fieldedWave(fastify, params);

  /** The page shows no forms for a closed wave; a post to one anyway (from a page open since) is refused. */
  function refuseIfClosed(wave: Fielded['wave'], what: string): void {
    if (waveState(wave, fastify.now()) !== 'closed') return;
    throw new HttpError(409, 'This wave is closed', `Wave ${wave.name} of ${wave.instrument_id} is closed, so ${what}`, {
      href: invitationsHref(wave.instrument_id, wave.name),
      text: `Go back to the invitations of wave ${wave.name}`,
    });
  }

  async function invitationsPage(request: FastifyRequest<{ Params: WaveParams; Querystring: PageQuery }>, reply: FastifyReply, problems: Problems = {}) {
    signedIn(request);
    const { wave, version } = await waveOf(request.params);
    const base = invitationsHref(wave.instrument_id, wave.name);
    const query = request.query ?? {};
    const counts = await countInvitationStates(db(), wave.id);
    const stateText = query.state ?? '';
    const state: InvitationState | undefined = isInvitationState(stateText) ? stateText : undefined;
    const shown = state ? counts[state] : counts.total;
    const pages = Math.max(1, Math.ceil(shown / INVITATIONS_PAGE_SIZE));
    const pageText = query.page ?? '1';
    const pageNumber = /^[1-9]\d{0,6}$/.test(pageText) ? Math.min(Number(pageText), pages) : 1;
    const invitations = await listInvitationStatuses(db(), wave.id, { state, limit: INVITATIONS_PAGE_SIZE, offset: (pageNumber - 1) * INVITATIONS_PAGE_SIZE });
    const link = (page: number) => `${base}?${new URLSearchParams({ ...(state ? { state } : {}), page: String(page) }).toString()}`;
    const reminded = /^\d{1,7}$/.test(query.reminded ?? '') ? Number(query.reminded) : undefined;
    const upload = problemViews(problems.upload ?? []);
    const remind = problemViews(problems.remind ?? []);
    return reply.page('admin/invitations.njk', {
      title: `Invitations to wave ${wave.name} of ${version.title}`,
      instrument: { id: wave.instrument_id, title: version.title, href: instrumentHref(wave.instrument_id) },
      wave: { name: wave.name, href: waveHref(wave.instrument_id, wave.name), closed: waveState(wave, fastify.now()) === 'closed' },
      base,
      counts: INVITATION_STATES.map((s) => ({ state: s, meaning: INVITATION_STATE_MEANINGS[s], count: counts[s], href: `${base}?state=${s}`, current: s === state })),
      total: counts.total,
      state,
      allHref: base,
      shown,
      invitations: invitations.map((s) => ({
        id: s.id,
        email: s.email,
        state: s.state,
        sent: s.sentAt ? shownInstant(s.sentAt) : '',
        reminded: s.remindedAt ? shownInstant(s.remindedAt) : '',
        failure: s.failure ?? '',
      })),
      pagination:
        pages > 1
          ? {
              previous: pageNumber > 1 ? { href: link(pageNumber - 1) } : undefined,
              next: pageNumber < pages ? { href: link(pageNumber + 1) } : undefined,
              items: pageNumbers(pages, pageNumber).map((n) => (n === 'gap' ? { ellipsis: true } : { number: n, href: link(n), current: n === pageNumber })),
            }
          : undefined,
      csvHref: `${base}.csv`,
      maxSize: '10 MB',
      reminded,
      values: { send: problems.values?.send ?? false, notSince: problems.values?.notSince ?? DEFAULT_NOT_SINCE },
      errors: [...upload.errors, ...remind.errors],
      errorsByField: { ...upload.errorsByField, ...remind.errorsByField },
      uploadProblems: (problems.upload ?? []).map((p) => p.message),
    });
  }

  fastify.get<{ Params: WaveParams; Querystring: PageQuery }>('/instruments/:instrument/waves/:wave/invitations', (request, reply) => invitationsPage(request, reply));

  fastify.get<{ Params: WaveParams }>('/instruments/:instrument/waves/:wave/invitations.csv', async (request, reply) => {
    const { wave } = await waveOf(request.params);
    const store = db();
    // Written a page of the database at a time, so a large wave is never held whole.
    async function* lines() {
      yield csvRecords([INVITATION_LIST_COLUMNS]);
      let page: InvitationStatus[] = [];
      for await (const s of allInvitationStatuses(store, wave.id)) {
        page.push(s);
        if (page.length === 1000) {
          yield csvRecords(page.map(invitationListRecord));
          page = [];
        }
      }
      yield csvRecords(page.map(invitationListRecord));
    }
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${downloadName('csv', 'invitations', wave.instrument_id, wave.name)}"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(lines()));
  });

  fastify.post<{ Params: WaveParams; Querystring: PageQuery }>('/instruments/:instrument/waves/:wave/invitations', async (request, reply) => {
    const account = signedIn(request);
    const fielded = await waveOf(request.params);
    const { wave, instrument } = fielded;
    const body = request.body as Record<string, unknown> | null;
    const form = formOf(body);
    const send = field(form, 'send') === 'yes';
    const refuse = (problems: FieldProblem[]) => invitationsPage(request, reply.code(400), { upload: problems, values: { send } });
    refuseIfClosed(wave, 'nobody more can be invited to it. Nothing was created.');
    const upload = body?.file;
    const chosen = isUploadedFile(upload) && (upload.filename !== '' || upload.bytes.length > 0) ? upload : undefined;
    if (!chosen) return refuse([{ field: 'file', message: 'Choose a CSV file of invitees to upload' }]);
    const file = displayName(chosen.filename) || 'invitees.csv';
    if (chosen.bytes.length === 0) return refuse([{ field: 'file', message: `The file ${file} is empty` }]);
    const text = utf8Text(chosen.bytes);
    if (text === undefined) return refuse([{ field: 'file', message: `The file ${file} is not UTF-8 text: save it as CSV UTF-8 and upload it again` }]);
    const parsed = parseInvitees(text, file, instrument, send);
    if (parsed.problems.length > 0) {
      // A file wrong on every line would make a page too long to read: the first ones say what to fix.
      const shown = parsed.problems.slice(0, MAX_PROBLEMS_SHOWN).map((message) => ({ field: 'file', message }));
      const more = parsed.problems.length - shown.length;
      if (more > 0) shown.push({ field: 'file', message: `${file}: and ${more} more problem${more === 1 ? '' : 's'} of the same kinds` });
      return refuse(shown);
    }
    let result;
    try {
      result = await inviteRecorded(db(), accountActor(account, request.ip), fastify.now(), wave, parsed.invitees, { send, source: file });
    } catch (error) {
      if (error instanceof InviteError) return refuse([{ field: send ? 'send' : 'file', message: sentence(error.message) }]);
      throw error;
    }
    const { created, columns } = result;
    const origin = publicOrigin(request);
    const rows = created.map((c) => [`${origin}/i/${c.token}`, ...columns.map((k) => (Object.hasOwn(c.attributes, k) ? c.attributes[k] : ''))]);
    // The links exist only in this answer: never kept by a cache on the way.
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${downloadName('csv', 'links', wave.instrument_id, wave.name)}"`)
      .header('cache-control', 'no-store')
      .send(csvText(['link', ...columns], rows));
  });

  fastify.post<{ Params: WaveParams; Querystring: PageQuery }>('/instruments/:instrument/waves/:wave/reminders', async (request, reply) => {
    const account = signedIn(request);
    const { wave } = await waveOf(request.params);
    const notSince = field(formOf(request.body), 'not-since').trim();
    const refuse = (message: string) => invitationsPage(request, reply.code(400), { remind: [{ field: 'not-since', message }], values: { notSince } });
    refuseIfClosed(wave, 'nobody is reminded of it. Nothing was queued.');
    const window = durationMs(notSince);
    if (window === undefined) return refuse('Enter how long as a whole number and a unit, m, h, d or w: for example 7d');
    const now = fastify.now();
    let queued;
    try {
      queued = await remindRecorded(db(), accountActor(account, request.ip), now, wave, new Date(now.getTime() - window), notSince);
    } catch (error) {
      if (error instanceof InviteError) return refuse(sentence(error.message));
      throw error;
    }
    return reply.redirect(`${invitationsHref(wave.instrument_id, wave.name)}?reminded=${queued}`, 303);
  });
}
