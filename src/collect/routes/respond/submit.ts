/** Check your answers, send them once, thank you. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { missingRequired, visibility, visiblePages } from '../../../instrument/visibility.ts';
import { submitIfReady, submitResponse } from '../../../store/responses.ts';
import type { Fielded } from '../../fielded.ts';
import { HttpError } from '../../http-error.ts';
import { answersOf, type Answers } from '../../journey.ts';
import { summaryRows } from '../../presenter.ts';
import { pageHref, surveyHref, surveyPath, type SurveyParams } from './addresses.ts';
import { requireResponse, RESPONSE_COOKIE, responseIdOf, session } from './session.ts';

/** Required questions that are shown but unanswered, as errors that link to their page. */
function missingAnswers(f: Fielded, answers: Answers) {
  return missingRequired(f.instrument, answers).map(({ page, question }) => ({
    text: `${question.text}: answer this question before sending`,
    href: `${pageHref(f, page.id)}?return=check`,
  }));
}

async function renderCheck(reply: FastifyReply, f: Fielded, answers: Answers, errors: { text: string; href: string }[] = []) {
  const pages = visiblePages(f.instrument, answers);
  const { shown } = visibility(f.instrument, answers);
  return reply.render('respond/check.njk', {
    title: 'Check your answers before sending them',
    base: surveyHref(f),
    backHref: pages.length > 0 ? pageHref(f, pages[pages.length - 1]!.id) : surveyHref(f),
    sections: pages.map((page) => ({ title: page.title, rows: summaryRows(page, shown, answers, `${pageHref(f, page.id)}?return=check`) })),
    csrf: await reply.generateCsrf(),
    errors,
  });
}

export async function submitRoutes(fastify: FastifyInstance) {
  const db = fastify.store.db;

  fastify.get<{ Params: SurveyParams }>('/s/:instrument/:wave/check', async (request, reply) => {
    const current = await requireResponse(request, reply);
    if (!current) return reply;
    return renderCheck(reply, current.f, answersOf(current.response));
  });

  fastify.post<{ Params: SurveyParams }>('/s/:instrument/:wave/submit', { preHandler: fastify.csrfProtection }, async (request, reply) => {
    const path = surveyPath(request.params.instrument, request.params.wave);
    // Nearly every submission is complete and on time: the database checks and records it in one
    // statement. Anything else takes the path below, which says what is wrong.
    const id = responseIdOf(request);
    if (id && (await submitIfReady(db, { responseId: id, instrumentId: request.params.instrument, waveName: request.params.wave, at: fastify.now() }))) {
      reply.clearCookie(RESPONSE_COOKIE, { path });
      return reply.code(303).redirect(`${path}/done`);
    }
    const { f, response } = await session(request);
    if (!response) return reply.code(303).redirect(surveyHref(f));
    if (response.status === 'in_progress') {
      const answers = answersOf(response);
      const missing = missingAnswers(f, answers);
      if (missing.length > 0) return renderCheck(reply.code(422), f, answers, missing);
      // However many of these arrive at once, the database moves the response exactly once.
      await submitResponse(db, response.id, fastify.now());
    }
    reply.clearCookie(RESPONSE_COOKIE, { path: surveyHref(f) });
    return reply.code(303).redirect(`${surveyHref(f)}/done`);
  });

  // Not checked to be open: the thank-you page follows a response sent in the last moments of a wave too.
  fastify.get<{ Params: SurveyParams }>('/s/:instrument/:wave/done', async (request, reply) => {
    const found = await fastify.instruments.fielded(db, request.params.instrument, request.params.wave);
    if (!found) throw new HttpError(404, 'Survey not found', 'There is no survey at this address.');
    return reply.render('respond/done.njk', { title: 'Thank you', surveyTitle: found.instrument.title });
  });
}
