/**
 * A respondent's journey: start (or follow an invitation, or resume with a code), one page per
 * screen, check answers, submit once, thank you. Every rule is enforced here on the server from
 * the same instrument the pages are rendered from.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MalformedFormError, type FormValues } from '../../instrument/answers.ts';
import { SLUG_PATTERN, type Page } from '../../instrument/schema.ts';
import { missingRequired, visibility, visiblePages } from '../../instrument/visibility.ts';
import type { ResponseRow } from '../../store/database.ts';
import { findInvitationByToken } from '../../store/invitations.ts';
import {
  findResponseByInvitation,
  findResponseByResumeCode,
  findResponseWithWave,
  recordPageTime,
  ResponseError,
  saveProgress,
  setResumeCode,
  startResponse,
  submitIfReady,
  submitResponse,
} from '../../store/responses.ts';
import { WAVE_NAME_PATTERN } from '../../store/waves.ts';
import type { Fielded } from '../fielded.ts';
import { HttpError } from '../http-error.ts';
import {
  applyPage,
  availability,
  CHECK,
  invitationAnswers,
  mayStartUninvited,
  offersResumeCode,
  pagePosition,
  pageTime,
  resumeStep,
  shownQuestions,
  visiblePage,
  type Answers,
} from '../journey.ts';
import { errorViews, formValues, postedValues, questionView, summaryRows } from '../presenter.ts';
import { hashResumeCode, normaliseResumeCode, resumeCodeFor } from '../resume-code.ts';

type SurveyParams = { instrument: string; wave: string };
type PageParams = SurveyParams & { page: string };

const surveyPath = (instrumentId: string, waveName: string) => `/s/${encodeURIComponent(instrumentId)}/${encodeURIComponent(waveName)}`;
const base = (f: Fielded) => surveyPath(f.wave.instrument_id, f.wave.name);
const pageHref = (f: Fielded, pageId: string) => `${base(f)}/page/${encodeURIComponent(pageId)}`;
/** One name for every survey: each survey's cookie is scoped to its own path. */
const RESPONSE_COOKIE = 'tapestry_response';

function asForm(body: unknown): FormValues {
  if (body === null || typeof body !== 'object') return {};
  return body as FormValues;
}

function stored(response: ResponseRow): Answers {
  return (response.answers ?? {}) as Answers;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "1 September 2027", in UTC, the same on every machine whatever its locale. */
const longDate = (date: Date) => `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;

/** What each part of a survey's address may be; anything else is no survey, refused before SQL sees it. */
const PARAM_PATTERNS: Record<string, RegExp> = { instrument: SLUG_PATTERN, wave: WAVE_NAME_PATTERN, page: SLUG_PATTERN };

export async function respondRoutes(fastify: FastifyInstance) {
  const { settings, instruments: cache } = fastify;
  const db = fastify.store.db;
  const lookupLimit = { rateLimit: { max: settings.lookupsPerMinute, timeWindow: '1 minute' } };
  const startLimit = {
    rateLimit: {
      max: settings.startsPerMinute,
      timeWindow: '1 minute',
      errorResponseBuilder: () =>
        new HttpError(429, 'Please wait a minute', 'Many surveys have been started from your network in the last minute. Wait a minute, then select “Start now” again.'),
    },
  };

  // A NUL byte or a stray character in an address is not a survey: say so with a 404 here, rather
  // than let the database refuse the text with an error that would surface as a 500.
  fastify.addHook('preValidation', async (request) => {
    for (const [name, value] of Object.entries((request.params ?? {}) as Record<string, string>)) {
      const pattern = PARAM_PATTERNS[name];
      if (pattern && !pattern.test(value)) throw new HttpError(404, 'Page not found', 'There is nothing at this address. Check the link you were sent.');
    }
  });

  function requireOpen(found: Fielded): Fielded {
    const state = availability(found.wave, fastify.now());
    if (state === 'not-yet-open') {
      throw new HttpError(403, 'This survey is not open yet', `“${found.instrument.title}” opens on ${longDate(new Date(found.wave.opens_at))}. Come back then, using the same link.`);
    }
    if (state === 'closed') {
      throw new HttpError(410, 'This survey is closed', `“${found.instrument.title}” is no longer taking responses. Thank you for your interest.`);
    }
    return found;
  }

  async function fielded(params: SurveyParams): Promise<Fielded> {
    const found = await cache.fielded(db, params.instrument, params.wave);
    if (!found) throw new HttpError(404, 'Survey not found', 'There is no survey at this address. Check the link you were sent.');
    return requireOpen(found);
  }

  /** A survey that anyone may start a response in, not one by invitation only. */
  function requireOpenToAll(f: Fielded): Fielded {
    if (!mayStartUninvited(f.wave)) {
      throw new HttpError(
        403,
        'You need an invitation to take part',
        `“${f.instrument.title}” is open only to the people invited to it. Use the personal link in your invitation; if you cannot find it, ask the research team who invited you.`,
      );
    }
    return f;
  }

  /**
   * Saves progress, unless the response was sent meanwhile (a second tab, a double click): then
   * resolves to undefined, and the caller answers as a sent response does.
   */
  async function saveUnlessSent(id: string, progress: Parameters<typeof saveProgress>[2]): Promise<ResponseRow | undefined> {
    try {
      return await saveProgress(db, id, progress, fastify.now());
    } catch (error) {
      if (error instanceof ResponseError) return undefined;
      throw error;
    }
  }

  function setResponseCookie(reply: FastifyReply, f: Fielded, responseId: string) {
    reply.setCookie(RESPONSE_COOKIE, responseId, { path: base(f), httpOnly: true, sameSite: 'lax', signed: true, secure: settings.secureCookies });
  }

  /**
   * The survey at this address and, if the respondent's cookie names one of its responses, that
   * response: read together in one query, since every page view and every POST needs both.
   */
  function responseIdOf(request: FastifyRequest): string | undefined {
    const raw = request.cookies[RESPONSE_COOKIE];
    const { valid, value } = raw ? request.unsignCookie(raw) : { valid: false, value: null };
    return valid && value && /^[0-9a-f-]{36}$/.test(value) ? value : undefined;
  }

  async function session(request: FastifyRequest, params: SurveyParams): Promise<{ f: Fielded; response: ResponseRow | undefined }> {
    const id = responseIdOf(request);
    if (id) {
      const found = await findResponseWithWave(db, id);
      if (found && found.wave.instrument_id === params.instrument && found.wave.name === params.wave) {
        const version = await cache.get(db, found.wave.instrument_version_id);
        if (version) return { f: requireOpen({ wave: found.wave, ...version }), response: found.response };
      }
    }
    return { f: await fielded(params), response: undefined };
  }

  /** The session of a respondent who must have a response in progress; otherwise a redirect. */
  async function requireResponse(request: FastifyRequest<{ Params: SurveyParams }>, reply: FastifyReply): Promise<{ f: Fielded; response: ResponseRow } | undefined> {
    const { f, response } = await session(request, request.params);
    if (!response) {
      void reply.code(303).redirect(base(f));
      return undefined;
    }
    if (response.status === 'submitted') {
      void reply.code(303).redirect(`${base(f)}/done`);
      return undefined;
    }
    return { f, response };
  }

  /** Where a respondent carries on: their current page if it is still shown, else the first. */
  function resumeHref(f: Fielded, response: ResponseRow): string {
    const step = resumeStep(f.instrument, stored(response), response.current_page);
    return step === CHECK ? `${base(f)}/check` : pageHref(f, step);
  }

  // ---- start, resume and invitation links ---------------------------------------------------

  // The start page: the survey's introduction (what it is for, how long it takes, how answers are
  // kept confidential) is shown to everyone, invitees included, before the first question.
  fastify.get<{ Params: SurveyParams }>('/s/:instrument/:wave', async (request, reply) => {
    const { f, response } = await session(request, request.params);
    if (response?.status === 'submitted') return reply.code(303).redirect(`${base(f)}/done`);
    const inProgress = response?.status === 'in_progress' ? response : undefined;
    if (!inProgress) requireOpenToAll(f);
    return reply.render('start.njk', {
      title: f.instrument.title,
      intro: f.instrument.intro.split(/\n\s*\n/).filter((p) => p.trim() !== ''),
      pageCount: f.instrument.pages.length,
      base: base(f),
      // An invitee who has not answered anything yet starts, rather than continues.
      startHref: inProgress && inProgress.current_page === null ? resumeHref(f, inProgress) : undefined,
      continueHref: inProgress && inProgress.current_page !== null ? resumeHref(f, inProgress) : undefined,
      offerResume: offersResumeCode(f.wave, inProgress?.invitation_id),
      csrf: await reply.generateCsrf(),
    });
  });

  fastify.post<{ Params: SurveyParams }>('/s/:instrument/:wave/start', { preHandler: fastify.csrfProtection, config: startLimit }, async (request, reply) => {
    // A second "Start now" (the back button, a resent form) carries on with the response this
    // browser already has rather than starting another.
    const { f, response: existing } = await session(request, request.params);
    if (existing?.status === 'in_progress') return reply.code(303).redirect(existing.invitation_id === null ? `${base(f)}/code` : base(f));
    requireOpenToAll(f);
    // The id is chosen here so that the resume code, which is derived from it, can be stored (as a
    // hash) in the same statement, and shown again whenever the respondent asks.
    const id = randomUUID();
    const response = await startResponse(db, {
      id,
      waveId: f.wave.id,
      instrumentVersionId: f.version.id,
      resumeCodeHash: hashResumeCode(resumeCodeFor(settings.secret, id)),
      startedAt: fastify.now(),
    });
    if (!response) throw new HttpError(409, 'Please try again', 'We could not start your response. Go back and select “Start now” again.');
    setResponseCookie(reply, f, response.id);
    // Redirected, so that reloading the code page shows the code again instead of starting again.
    return reply.code(303).redirect(`${base(f)}/code`);
  });

  // The resume code of this browser's response: always the same code for the same response.
  fastify.get<{ Params: SurveyParams; Querystring: { saved?: string } }>('/s/:instrument/:wave/code', async (request, reply) => {
    const current = await requireResponse(request, reply);
    if (!current) return reply;
    const { f, response } = current;
    if (response.invitation_id !== null) return reply.code(303).redirect(resumeHref(f, response));
    const code = resumeCodeFor(settings.secret, response.id);
    const hash = hashResumeCode(code);
    // A response started before codes were derived has another code; this one replaces it.
    const replaced = response.resume_code_hash !== hash;
    if (replaced) {
      try {
        await setResumeCode(db, response.id, hash);
      } catch (error) {
        // Sent from another tab meanwhile: there is nothing left to resume.
        if (error instanceof ResponseError) return reply.code(303).redirect(`${base(f)}/done`);
        throw error;
      }
    }
    const saved = request.query.saved === '1';
    return reply.render('resume-code.njk', { title: saved ? 'Your answers are saved' : 'Your resume code', code, saved, replaced, nextHref: resumeHref(f, response) });
  });

  fastify.get<{ Params: SurveyParams }>('/s/:instrument/:wave/resume', async (request, reply) => {
    const f = await fielded(request.params);
    return reply.render('resume.njk', { title: 'Continue with a resume code', base: base(f), code: '', csrf: await reply.generateCsrf() });
  });

  fastify.post<{ Params: SurveyParams }>(
    '/s/:instrument/:wave/resume',
    { preHandler: fastify.csrfProtection, config: lookupLimit },
    async (request, reply) => {
      const f = await fielded(request.params);
      const form = asForm(request.body);
      const typed = typeof form.code === 'string' ? form.code : '';
      const again = async (status: number, message: string) =>
        reply.code(status).render('resume.njk', {
          title: 'Continue with a resume code',
          base: base(f),
          code: typed,
          csrf: await reply.generateCsrf(),
          errors: [{ text: message, href: '#code' }],
        });
      const code = normaliseResumeCode(typed);
      if (!code) return again(400, 'Enter your resume code: 16 letters and numbers, for example K7M2-QX9P-4D8R-T6WA');
      const response = await findResponseByResumeCode(db, f.wave.id, hashResumeCode(code));
      if (!response) return again(404, 'There is no response with that resume code in this survey. Check the code and try again.');
      if (response.status === 'submitted') return again(409, 'The answers for this code have already been sent. Thank you.');
      setResponseCookie(reply, f, response.id);
      return reply.code(303).redirect(resumeHref(f, response));
    },
  );

  fastify.get<{ Params: { token: string } }>('/i/:token', { config: lookupLimit }, async (request, reply) => {
    const invalid = new HttpError(404, 'This link is not valid', 'Check that you copied the whole link from your invitation.');
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(request.params.token)) throw invalid;
    const invitation = await findInvitationByToken(db, request.params.token);
    if (!invitation) throw invalid;
    const wave = await cache.fieldedById(db, invitation.wave_id);
    if (!wave) throw invalid;
    const f = await fielded({ instrument: wave.wave.instrument_id, wave: wave.wave.name });
    let response = await findResponseByInvitation(db, invitation.id);
    if (!response) {
      // Two clicks on the same link race here; the unique invitation column lets exactly one in.
      response =
        (await startResponse(db, { waveId: f.wave.id, instrumentVersionId: f.version.id, invitationId: invitation.id, startedAt: fastify.now() })) ??
        (await findResponseByInvitation(db, invitation.id));
      const prefilled = response && invitationAnswers(f.instrument, invitation.attributes, stored(response));
      if (response && prefilled) {
        response = (await saveUnlessSent(response.id, { ...prefilled, currentPage: null })) ?? (await findResponseByInvitation(db, invitation.id));
      }
    }
    if (!response) throw invalid;
    if (response.status === 'submitted') {
      throw new HttpError(409, 'This link has already been used', 'A response has already been sent with this invitation. Thank you for taking part.');
    }
    setResponseCookie(reply, f, response.id);
    // To the start page, so that invitees read the introduction too; it carries them on from there.
    return reply.code(303).redirect(base(f));
  });

  // ---- pages --------------------------------------------------------------------------------

  function findPage(f: Fielded, answers: Answers, pageId: string): Page {
    const page = visiblePage(f.instrument, answers, pageId);
    if (!page) throw new HttpError(404, 'Page not found', 'This page is not part of your survey. Use the link below to carry on.', { href: base(f), text: 'Go to the start of the survey' });
    return page;
  }

  function renderPage(
    reply: FastifyReply,
    f: Fielded,
    page: Page,
    ctx: { askedIds: string[]; values: Record<string, unknown>; csrf: string; errors?: ReturnType<typeof errorViews>; followUp?: boolean; returnTo?: string; answers: Answers },
  ) {
    const position = pagePosition(f.instrument, ctx.answers, page.id);
    const asked = page.questions.filter((q) => ctx.askedIds.includes(q.id));
    const back = position.previous === undefined ? base(f) : pageHref(f, position.previous);
    return reply.render('page.njk', {
      title: page.title,
      surveyTitle: f.instrument.title,
      progress: { current: position.number, total: position.total },
      action: pageHref(f, page.id) + (ctx.returnTo === 'check' ? '?return=check' : ''),
      backHref: ctx.returnTo === 'check' ? `${base(f)}/check` : back,
      questions: asked.map(questionView),
      values: ctx.values,
      csrf: ctx.csrf,
      shownAt: fastify.now().getTime(),
      asked: asked.map((q) => q.id).join(' '),
      followUp: ctx.followUp ?? false,
      ...(ctx.errors ?? {}),
    });
  }

  fastify.get<{ Params: PageParams; Querystring: { return?: string } }>('/s/:instrument/:wave/page/:page', async (request, reply) => {
    const current = await requireResponse(request, reply);
    if (!current) return reply;
    const { f, response } = current;
    const answers = stored(response);
    const page = findPage(f, answers, request.params.page);
    return renderPage(reply, f, page, {
      askedIds: shownQuestions(f.instrument, answers, page),
      values: formValues(page.questions, answers),
      csrf: await reply.generateCsrf(),
      returnTo: request.query.return,
      answers,
    });
  });

  fastify.post<{ Params: PageParams; Querystring: { return?: string } }>(
    '/s/:instrument/:wave/page/:page',
    { preHandler: fastify.csrfProtection },
    async (request, reply) => {
      const current = await requireResponse(request, reply);
      if (!current) return reply;
      const { f, response } = current;
      const before = stored(response);
      const page = findPage(f, before, request.params.page);
      const form = asForm(request.body);
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

      const saved = await saveUnlessSent(response.id, { answers: result.after, complete: result.complete, currentPage: result.next });
      if (!saved) return reply.code(303).redirect(`${base(f)}/done`);
      const spent = pageTime(form._shown_at, fastify.now());
      if (spent !== undefined) await recordPageTime(db, response.id, page.id, spent);

      if (result.saving) {
        if (response.invitation_id !== null) {
          return reply.render('error.njk', { title: 'Your answers are saved', message: 'Use the link in your invitation to come back and finish the survey.' });
        }
        return reply.code(303).redirect(`${base(f)}/code?saved=1`);
      }
      return reply.code(303).redirect(result.next === CHECK ? `${base(f)}/check` : pageHref(f, result.next));
    },
  );

  // ---- check answers, submit, thank you ----------------------------------------------------------

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
    return reply.render('check.njk', {
      title: 'Check your answers before sending them',
      base: base(f),
      backHref: pages.length > 0 ? pageHref(f, pages[pages.length - 1]!.id) : base(f),
      sections: pages.map((page) => ({ title: page.title, rows: summaryRows(page, shown, answers, `${pageHref(f, page.id)}?return=check`) })),
      csrf: await reply.generateCsrf(),
      errors,
    });
  }

  fastify.get<{ Params: SurveyParams }>('/s/:instrument/:wave/check', async (request, reply) => {
    const current = await requireResponse(request, reply);
    if (!current) return reply;
    return renderCheck(reply, current.f, stored(current.response));
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
    const { f, response } = await session(request, request.params);
    if (!response) return reply.code(303).redirect(base(f));
    if (response.status === 'in_progress') {
      const answers = stored(response);
      const missing = missingAnswers(f, answers);
      if (missing.length > 0) return renderCheck(reply.code(422), f, answers, missing);
      // However many of these arrive at once, the database moves the response exactly once.
      await submitResponse(db, response.id, fastify.now());
    }
    reply.clearCookie(RESPONSE_COOKIE, { path: base(f) });
    return reply.code(303).redirect(`${base(f)}/done`);
  });

  fastify.get<{ Params: SurveyParams }>('/s/:instrument/:wave/done', async (request, reply) => {
    const found = await cache.fielded(db, request.params.instrument, request.params.wave);
    if (!found) throw new HttpError(404, 'Survey not found', 'There is no survey at this address.');
    return reply.render('done.njk', { title: 'Thank you', surveyTitle: found.instrument.title });
  });
}
