/**
 * The start page and "Start now". The survey's introduction (what it is for, how long it takes,
 * how answers are kept confidential) is shown to everyone, invitees included, before the first
 * question.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { startResponse } from '../../../store/responses.ts';
import { HttpError } from '../../http-error.ts';
import { offersResumeCode } from '../../journey.ts';
import { hashResumeCode, resumeCodeFor } from '../../resume-code.ts';
import { resumeHref, surveyHref, type SurveyParams } from './addresses.ts';
import { startLimit } from './limits.ts';
import { requireOpenToAll, session, setResponseCookie } from './session.ts';

export async function startRoutes(fastify: FastifyInstance) {
  fastify.get<{ Params: SurveyParams }>('/s/:instrument/:wave', async (request, reply) => {
    const { f, response } = await session(request);
    if (response?.status === 'submitted') return reply.code(303).redirect(`${surveyHref(f)}/done`);
    const inProgress = response?.status === 'in_progress' ? response : undefined;
    if (!inProgress) requireOpenToAll(f);
    return reply.render('respond/start.njk', {
      title: f.instrument.title,
      intro: f.instrument.intro.split(/\n\s*\n/).filter((p) => p.trim() !== ''),
      pageCount: f.instrument.pages.length,
      base: surveyHref(f),
      // An invitee who has not answered anything yet starts, rather than continues.
      startHref: inProgress && inProgress.current_page === null ? resumeHref(f, inProgress) : undefined,
      continueHref: inProgress && inProgress.current_page !== null ? resumeHref(f, inProgress) : undefined,
      offerResume: offersResumeCode(f.wave, inProgress?.invitation_id),
      csrf: await reply.generateCsrf(),
    });
  });

  fastify.post<{ Params: SurveyParams }>('/s/:instrument/:wave/start', { preHandler: fastify.csrfProtection, config: startLimit(fastify) }, async (request, reply) => {
    // A second "Start now" (the back button, a resent form) carries on with the response this
    // browser already has rather than starting another.
    const { f, response: existing } = await session(request);
    if (existing?.status === 'in_progress') return reply.code(303).redirect(existing.invitation_id === null ? `${surveyHref(f)}/code` : surveyHref(f));
    requireOpenToAll(f);
    // The id is chosen here so that the resume code, which is derived from it, can be stored (as a
    // hash) in the same statement, and shown again whenever the respondent asks.
    const id = randomUUID();
    const response = await startResponse(fastify.store.db, {
      id,
      waveId: f.wave.id,
      instrumentVersionId: f.version.id,
      resumeCodeHash: hashResumeCode(resumeCodeFor(fastify.settings.secret, id)),
      startedAt: fastify.now(),
    });
    if (!response) throw new HttpError(409, 'Please try again', 'We could not start your response. Go back and select “Start now” again.');
    setResponseCookie(reply, f, response.id);
    // Redirected, so that reloading the code page shows the code again instead of starting again.
    return reply.code(303).redirect(`${surveyHref(f)}/code`);
  });
}
