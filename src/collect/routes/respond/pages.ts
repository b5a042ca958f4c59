/**
 * One page of questions per screen: shown with the answers so far, and posted back to be checked
 * and saved (or shown again with its errors or new follow-up questions) by `applyPage`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { MalformedFormError } from '../../../instrument/answers.ts';
import type { Page } from '../../../instrument/schema.ts';
import { recordPageTime } from '../../../store/responses.ts';
import type { Fielded } from '../../fielded.ts';
import { formOf } from '../../form-parser.ts';
import { HttpError } from '../../http-error.ts';
import { answersOf, applyPage, pagePosition, pageTime, shownQuestions, visiblePage, type Answers } from '../../journey.ts';
import { errorViews, formValues, postedValues, questionView } from '../../presenter.ts';
import { pageHref, stepHref, surveyHref, type PageParams } from './addresses.ts';
import { requireResponse, saveUnlessSent } from './session.ts';

type PageQuery = { return?: string };

function findPage(f: Fielded, answers: Answers, pageId: string): Page {
  const page = visiblePage(f.instrument, answers, pageId);
  if (!page) throw new HttpError(404, 'Page not found', 'This page is not part of your survey. Use the link below to carry on.', { href: surveyHref(f), text: 'Go to the start of the survey' });
  return page;
}

export async function pageRoutes(fastify: FastifyInstance) {
  function renderPage(
    reply: FastifyReply,
    f: Fielded,
    page: Page,
    ctx: { askedIds: string[]; values: Record<string, unknown>; csrf: string; errors?: ReturnType<typeof errorViews>; followUp?: boolean; returnTo?: string | undefined; answers: Answers },
  ) {
    const position = pagePosition(f.instrument, ctx.answers, page.id);
    const asked = page.questions.filter((q) => ctx.askedIds.includes(q.id));
    const back = position.previous === undefined ? surveyHref(f) : pageHref(f, position.previous);
    return reply.render('respond/page.njk', {
      title: page.title,
      surveyTitle: f.instrument.title,
      progress: { current: position.number, total: position.total },
      action: pageHref(f, page.id) + (ctx.returnTo === 'check' ? '?return=check' : ''),
      backHref: ctx.returnTo === 'check' ? `${surveyHref(f)}/check` : back,
      questions: asked.map(questionView),
      values: ctx.values,
      csrf: ctx.csrf,
      shownAt: fastify.now().getTime(),
      asked: asked.map((q) => q.id).join(' '),
      followUp: ctx.followUp ?? false,
      ...(ctx.errors ?? {}),
    });
  }

  fastify.get<{ Params: PageParams; Querystring: PageQuery }>('/s/:instrument/:wave/page/:page', async (request, reply) => {
    const current = await requireResponse(request, reply);
    if (!current) return reply;
    const { f, response } = current;
    const answers = answersOf(response);
    const page = findPage(f, answers, request.params.page);
    return renderPage(reply, f, page, {
      askedIds: shownQuestions(f.instrument, answers, page),
      values: formValues(page.questions, answers),
      csrf: await reply.generateCsrf(),
      returnTo: request.query.return,
      answers,
    });
  });

  fastify.post<{ Params: PageParams; Querystring: PageQuery }>('/s/:instrument/:wave/page/:page', { preHandler: fastify.csrfProtection }, async (request, reply) => {
    const current = await requireResponse(request, reply);
    if (!current) return reply;
    const { f, response } = current;
    const before = answersOf(response);
    const page = findPage(f, before, request.params.page);
    const form = formOf(request.body);
    const returnTo = request.query.return;

    let result;
    try {
      result = applyPage(f.instrument, before, page, form, { returnToCheck: returnTo === 'check' });
    } catch (error) {
      if (error instanceof MalformedFormError) throw new HttpError(400, 'There is a problem with the form', `Your answers were not saved: ${error.message}.`);
      throw error;
    }

    if (result.outcome !== 'accepted') {
      return renderPage(reply.code(result.outcome === 'correct' ? 422 : 200), f, page, {
        askedIds: result.asked,
        values: postedValues(page.questions, form),
        csrf: await reply.generateCsrf(),
        errors: errorViews(result.errors, page.questions),
        followUp: result.outcome === 'follow-up',
        returnTo,
        answers: result.after,
      });
    }

    const saved = await saveUnlessSent(fastify, response.id, { answers: result.after, complete: result.complete, currentPage: result.next });
    if (!saved) return reply.code(303).redirect(`${surveyHref(f)}/done`);
    const spent = pageTime(form._shown_at, fastify.now());
    if (spent !== undefined) await recordPageTime(fastify.store.db, response.id, page.id, spent);

    if (result.saving) {
      if (response.invitation_id !== null) {
        return reply.render('error.njk', { title: 'Your answers are saved', message: 'Use the link in your invitation to come back and finish the survey.' });
      }
      return reply.code(303).redirect(`${surveyHref(f)}/code?saved=1`);
    }
    return reply.code(303).redirect(stepHref(f, result.next));
  });
}
