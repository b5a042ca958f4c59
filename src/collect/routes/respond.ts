/**
 * A respondent's journey: start (or follow an invitation, or resume with a code), one page per
 * screen, check answers, submit once, thank you. Every rule is enforced here on the server from
 * the same instrument the pages are rendered from.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MalformedFormError, readAnswers, type FormValues } from '../../instrument/answers.ts';
import { prefillAnswers } from '../../instrument/prefill.ts';
import type { AnswerValue } from '../../instrument/evaluate.ts';
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
import type { RouteDeps } from '../app.ts';
import { isOpen, type Fielded } from '../fielded.ts';
import { HttpError } from '../http-error.ts';
import { errorViews, formValues, postedValues, questionView, summaryRows } from '../presenter.ts';
import { hashResumeCode, normaliseResumeCode, resumeCodeFor } from '../resume-code.ts';

type SurveyParams = { instrument: string; wave: string };
type PageParams = SurveyParams & { page: string };

/** Time on a page above this is someone who walked away: it is recorded as this much. */
const MAX_PAGE_MS = 2 * 60 * 60 * 1000;

const surveyPath = (instrumentId: string, waveName: string) => `/s/${encodeURIComponent(instrumentId)}/${encodeURIComponent(waveName)}`;
const base = (f: Fielded) => surveyPath(f.wave.instrument_id, f.wave.name);
const pageHref = (f: Fielded, pageId: string) => `${base(f)}/page/${encodeURIComponent(pageId)}`;
/** One name for every survey: each survey's cookie is scoped to its own path. */
const RESPONSE_COOKIE = 'tapestry_response';

function asForm(body: unknown): FormValues {
  if (body === null || typeof body !== 'object') return {};
  return body as FormValues;
}

function stored(response: ResponseRow): Record<string, AnswerValue> {
  return (response.answers ?? {}) as Record<string, AnswerValue>;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "1 September 2027", in UTC, the same on every machine whatever its locale. */
const longDate = (date: Date) => `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;

/** What each part of a survey's address may be; anything else is no survey, refused before SQL sees it. */
const PARAM_PATTERNS: Record<string, RegExp> = { instrument: SLUG_PATTERN, wave: WAVE_NAME_PATTERN, page: SLUG_PATTERN };

export async function respondRoutes(fastify: FastifyInstance, deps: RouteDeps) {
  const { store, cache } = deps;
  const db = store.db;
  const lookupLimit = { rateLimit: { max: deps.lookupsPerMinute, timeWindow: '1 minute' } };
  const startLimit = {
    rateLimit: {
      max: deps.startsPerMinute,
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
    const now = deps.now();
    const opensAt = new Date(found.wave.opens_at);
    if (found.wave.status === 'open' && opensAt > now) {
      throw new HttpError(403, 'This survey is not open yet', `“${found.instrument.title}” opens on ${longDate(opensAt)}. Come back then, using the same link.`);
    }
    if (!isOpen(found.wave, now)) {
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
    if (f.wave.access === 'invitation') {
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
      return await saveProgress(db, id, progress, deps.now());
    } catch (error) {
      if (error instanceof ResponseError) return undefined;
      throw error;
    }
  }

  function setResponseCookie(reply: FastifyReply, f: Fielded, responseId: string) {
    reply.setCookie(RESPONSE_COOKIE, responseId, { path: base(f), httpOnly: true, sameSite: 'lax', signed: true, secure: deps.secureCookies });
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
    const pages = visiblePages(f.instrument, stored(response));
    const current = pages.find((p) => p.id === response.current_page);
    if (response.current_page === 'check') return `${base(f)}/check`;
    return pageHref(f, (current ?? pages[0] ?? f.instrument.pages[0]!).id);
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
      offerResume: f.wave.access === 'open' && !inProgress?.invitation_id,
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
      resumeCodeHash: hashResumeCode(resumeCodeFor(deps.secret, id)),
      startedAt: deps.now(),
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
    const code = resumeCodeFor(deps.secret, response.id);
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
      // Attributes were checked when the invitations were made; anything invalid is left out.
      const prefilled = prefillAnswers(f.instrument, invitation.attributes).answers;
      // Two clicks on the same link race here; the unique invitation column lets exactly one in.
      response =
        (await startResponse(db, { waveId: f.wave.id, instrumentVersionId: f.version.id, invitationId: invitation.id, startedAt: deps.now() })) ??
        (await findResponseByInvitation(db, invitation.id));
      if (response && Object.keys(prefilled).length > 0 && Object.keys(stored(response)).length === 0) {
        const complete = missingRequired(f.instrument, prefilled).length === 0;
        response = (await saveUnlessSent(response.id, { answers: prefilled, complete, currentPage: null })) ?? (await findResponseByInvitation(db, invitation.id));
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

  function findPage(f: Fielded, answers: Record<string, AnswerValue>, pageId: string): Page {
    const page = visiblePages(f.instrument, answers).find((p) => p.id === pageId);
    if (!page) throw new HttpError(404, 'Page not found', 'This page is not part of your survey. Use the link below to carry on.', { href: base(f), text: 'Go to the start of the survey' });
    return page;
  }

  function renderPage(
    reply: FastifyReply,
    f: Fielded,
    page: Page,
    ctx: { askedIds: string[]; values: Record<string, unknown>; csrf: string; errors?: ReturnType<typeof errorViews>; followUp?: boolean; returnTo?: string; answers: Record<string, AnswerValue> },
  ) {
    const pages = visiblePages(f.instrument, ctx.answers);
    const index = Math.max(0, pages.findIndex((p) => p.id === page.id));
    const asked = page.questions.filter((q) => ctx.askedIds.includes(q.id));
    const back = index > 0 ? pageHref(f, pages[index - 1]!.id) : base(f);
    return reply.render('page.njk', {
      title: page.title,
      surveyTitle: f.instrument.title,
      progress: { current: index + 1, total: pages.length },
      action: pageHref(f, page.id) + (ctx.returnTo === 'check' ? '?return=check' : ''),
      backHref: ctx.returnTo === 'check' ? `${base(f)}/check` : back,
      questions: asked.map(questionView),
      values: ctx.values,
      csrf: ctx.csrf,
      shownAt: deps.now().getTime(),
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
    const { shown } = visibility(f.instrument, answers);
    const askedIds = page.questions.filter((q) => shown.has(q.id)).map((q) => q.id);
    return renderPage(reply, f, page, {
      askedIds,
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
      const saving = form._action === 'save';

      // The questions this page asked: those shown when it was rendered, as it says in `_asked`
      // (follow-up questions may have been added), limited to what the instrument has here.
      const askedField = typeof form._asked === 'string' ? form._asked.split(' ') : [];
      const shownBefore = visibility(f.instrument, before).shown;
      const asked = page.questions.filter((q) => askedField.includes(q.id) || (askedField.length === 0 && shownBefore.has(q.id)));

      let read;
      try {
        read = readAnswers(asked, form, { requireAnswers: !saving });
      } catch (error) {
        if (error instanceof MalformedFormError) throw new HttpError(400, 'There is a problem with the form', `Your answers were not saved: ${error.message}.`);
        throw error;
      }

      // Merge: this page's answers replace whatever the page held before, then hidden questions go.
      const merged: Record<string, AnswerValue> = { ...before };
      for (const q of page.questions) delete merged[q.id];
      Object.assign(merged, read.answers);
      const after = visibility(f.instrument, merged);
      const errors = read.errors.filter((e) => after.shown.has(e.question));
      const followUps = page.questions.filter((q) => after.shown.has(q.id) && !asked.includes(q));
      const askedNow = page.questions.filter((q) => after.shown.has(q.id)).map((q) => q.id);
      const returnTo = request.query.return;

      if (errors.length > 0 || (!saving && followUps.length > 0)) {
        return renderPage(reply.code(errors.length > 0 ? 422 : 200), f, page, {
          askedIds: askedNow,
          values: postedValues(page.questions, form),
          csrf: await reply.generateCsrf(),
          errors: errorViews(errors, page.questions),
          followUp: errors.length === 0,
          returnTo,
          answers: after.answers,
        });
      }

      const pages = visiblePages(f.instrument, after.answers);
      const next = pages[pages.findIndex((p) => p.id === page.id) + 1];
      const nextPage = saving ? page.id : returnTo === 'check' || !next ? 'check' : next.id;
      const complete = missingRequired(f.instrument, after.answers).length === 0;
      const saved = await saveUnlessSent(response.id, { answers: after.answers, complete, currentPage: nextPage });
      if (!saved) return reply.code(303).redirect(`${base(f)}/done`);
      const shownAt = Number(form._shown_at);
      if (Number.isFinite(shownAt)) {
        await recordPageTime(db, response.id, page.id, Math.min(MAX_PAGE_MS, Math.max(0, deps.now().getTime() - shownAt)));
      }

      if (saving) {
        if (response.invitation_id !== null) {
          return reply.render('error.njk', { title: 'Your answers are saved', message: 'Use the link in your invitation to come back and finish the survey.' });
        }
        return reply.code(303).redirect(`${base(f)}/code?saved=1`);
      }
      return reply.code(303).redirect(nextPage === 'check' ? `${base(f)}/check` : pageHref(f, nextPage));
    },
  );

  // ---- check answers, submit, thank you ----------------------------------------------------------

  /** Required questions that are shown but unanswered, as errors that link to their page. */
  function missingAnswers(f: Fielded, answers: Record<string, AnswerValue>) {
    return missingRequired(f.instrument, answers).map(({ page, question }) => ({
      text: `${question.text}: answer this question before sending`,
      href: `${pageHref(f, page.id)}?return=check`,
    }));
  }

  async function renderCheck(reply: FastifyReply, f: Fielded, answers: Record<string, AnswerValue>, errors: { text: string; href: string }[] = []) {
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
    if (id && (await submitIfReady(db, { responseId: id, instrumentId: request.params.instrument, waveName: request.params.wave, at: deps.now() }))) {
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
      await submitResponse(db, response.id, deps.now());
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
