/**
 * Resume codes: the page that shows this browser's code (always the same code for the same
 * response), and the form that takes a code typed in on another visit or device.
 */
import type { FastifyInstance } from 'fastify';
import { findResponseByResumeCode, ResponseError, setResumeCode } from '../../../store/responses.ts';
import { formOf } from '../../form-parser.ts';
import { hashResumeCode, normaliseResumeCode, resumeCodeFor } from '../../resume-code.ts';
import { resumeHref, surveyHref, type SurveyParams } from './addresses.ts';
import { lookupLimit } from './limits.ts';
import { fielded, requireResponse, setResponseCookie } from './session.ts';

export async function resumeRoutes(fastify: FastifyInstance) {
  const db = fastify.store.db;

  fastify.get<{ Params: SurveyParams; Querystring: { saved?: string } }>('/s/:instrument/:wave/code', async (request, reply) => {
    const current = await requireResponse(request, reply);
    if (!current) return reply;
    const { f, response } = current;
    if (response.invitation_id !== null) return reply.code(303).redirect(resumeHref(f, response));
    const code = resumeCodeFor(fastify.settings.secret, response.id);
    const hash = hashResumeCode(code);
    // A response started before codes were derived has another code; this one replaces it.
    const replaced = response.resume_code_hash !== hash;
    if (replaced) {
      try {
        await setResumeCode(db, response.id, hash);
      } catch (error) {
        // Sent from another tab meanwhile: there is nothing left to resume.
        if (error instanceof ResponseError) return reply.code(303).redirect(`${surveyHref(f)}/done`);
        throw error;
      }
    }
    const saved = request.query.saved === '1';
    return reply.render('respond/resume-code.njk', { title: saved ? 'Your answers are saved' : 'Your resume code', code, saved, replaced, nextHref: resumeHref(f, response) });
  });

  fastify.get<{ Params: SurveyParams }>('/s/:instrument/:wave/resume', async (request, reply) => {
    const f = await fielded(fastify, request.params);
    return reply.render('respond/resume.njk', { title: 'Continue with a resume code', base: surveyHref(f), code: '', csrf: await reply.generateCsrf() });
  });

  fastify.post<{ Params: SurveyParams }>(
    '/s/:instrument/:wave/resume',
    { preHandler: fastify.csrfProtection, config: lookupLimit(fastify) },
    async (request, reply) => {
      const f = await fielded(fastify, request.params);
      const form = formOf(request.body);
      const typed = typeof form.code === 'string' ? form.code : '';
      const again = async (status: number, message: string) =>
        reply.code(status).render('respond/resume.njk', {
          title: 'Continue with a resume code',
          base: surveyHref(f),
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
}
