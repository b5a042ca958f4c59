/**
 * A respondent's session in a survey: the survey at the request's address, checked to be taking
 * responses, and the response the browser's signed cookie names, if it is one of that survey's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ResponseRow } from '../../../store/database.ts';
import { findResponseWithWave, ResponseError, saveProgress } from '../../../store/responses.ts';
import type { Fielded } from '../../fielded.ts';
import { HttpError } from '../../http-error.ts';
import { availability, mayStartUninvited } from '../../journey.ts';
import { surveyHref, type SurveyParams } from './addresses.ts';

/** One name for every survey: each survey's cookie is scoped to its own path. */
export const RESPONSE_COOKIE = 'tapestry_response';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "1 September 2027", in UTC, the same on every machine whatever its locale. */
const longDate = (date: Date) => `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;

/** The survey, if its wave is taking responses now; otherwise the page that says when it opens, or that it has closed. */
export function requireOpen(fastify: FastifyInstance, found: Fielded): Fielded {
  const state = availability(found.wave, fastify.now());
  if (state === 'not-yet-open') {
    throw new HttpError(403, 'This survey is not open yet', `“${found.instrument.title}” opens on ${longDate(new Date(found.wave.opens_at))}. Come back then, using the same link.`);
  }
  if (state === 'closed') {
    throw new HttpError(410, 'This survey is closed', `“${found.instrument.title}” is no longer taking responses. Thank you for your interest.`);
  }
  return found;
}

/** The survey at this address, taking responses now. */
export async function fielded(fastify: FastifyInstance, params: SurveyParams): Promise<Fielded> {
  const found = await fastify.instruments.fielded(fastify.store.db, params.instrument, params.wave);
  if (!found) throw new HttpError(404, 'Survey not found', 'There is no survey at this address. Check the link you were sent.');
  return requireOpen(fastify, found);
}

/** A survey that anyone may start a response in, not one by invitation only. */
export function requireOpenToAll(f: Fielded): Fielded {
  if (!mayStartUninvited(f.wave)) {
    throw new HttpError(
      403,
      'You need an invitation to take part',
      `“${f.instrument.title}” is open only to the people invited to it. Use the personal link in your invitation; if you cannot find it, ask the research team who invited you.`,
    );
  }
  return f;
}

/** The id of the response the browser's cookie names, if the cookie is ours and unaltered. */
export function responseIdOf(request: FastifyRequest): string | undefined {
  const raw = request.cookies[RESPONSE_COOKIE];
  const { valid, value } = raw ? request.unsignCookie(raw) : { valid: false, value: null };
  return valid && value && /^[0-9a-f-]{36}$/.test(value) ? value : undefined;
}

export function setResponseCookie(reply: FastifyReply, f: Fielded, responseId: string) {
  reply.setCookie(RESPONSE_COOKIE, responseId, { path: surveyHref(f), httpOnly: true, sameSite: 'lax', signed: true, secure: reply.server.settings.secureCookies });
}

/**
 * The survey at this address and, if the respondent's cookie names one of its responses, that
 * response: read together in one query, since every page view and every POST needs both.
 */
export async function session(request: FastifyRequest<{ Params: SurveyParams }>): Promise<{ f: Fielded; response: ResponseRow | undefined }> {
  const fastify = request.server;
  const { params } = request;
  const id = responseIdOf(request);
  if (id) {
    const found = await findResponseWithWave(fastify.store.db, id);
    if (found && found.wave.instrument_id === params.instrument && found.wave.name === params.wave) {
      const version = await fastify.instruments.get(fastify.store.db, found.wave.instrument_version_id);
      if (version) return { f: requireOpen(fastify, { wave: found.wave, ...version }), response: found.response };
    }
  }
  return { f: await fielded(fastify, params), response: undefined };
}

/** The session of a respondent who must have a response in progress; otherwise a redirect. */
export async function requireResponse(request: FastifyRequest<{ Params: SurveyParams }>, reply: FastifyReply): Promise<{ f: Fielded; response: ResponseRow } | undefined> {
  const { f, response } = await session(request);
  if (!response) {
    void reply.code(303).redirect(surveyHref(f));
    return undefined;
  }
  if (response.status === 'submitted') {
    void reply.code(303).redirect(`${surveyHref(f)}/done`);
    return undefined;
  }
  return { f, response };
}

/**
 * Saves progress, unless the response was sent meanwhile (a second tab, a double click): then
 * resolves to undefined, and the caller answers as a sent response does.
 */
export async function saveUnlessSent(fastify: FastifyInstance, id: string, progress: Parameters<typeof saveProgress>[2]): Promise<ResponseRow | undefined> {
  try {
    return await saveProgress(fastify.store.db, id, progress, fastify.now());
  } catch (error) {
    if (error instanceof ResponseError) return undefined;
    throw error;
  }
}
