/**
 * The one error handler and the not-found handler: every error becomes a page that says what
 * happened and what to do, and none shows a stack. An `HttpError` is shown as it is; a database
 * that cannot answer is a 503 with Retry-After; Fastify's and its plugins' coded errors on bad
 * requests get the messages in `KNOWN_ERRORS`; anything else is logged and is a 500.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../../store/unavailable.ts';
import { HttpError } from '../http-error.ts';

/** Messages for the errors Fastify and its plugins raise on bad requests. */
const KNOWN_ERRORS: Record<string, { title: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { title: 'Your answers are too long', message: 'The form you sent is larger than this service accepts. Shorten your answers and try again.' },
  FST_CSRF_INVALID_TOKEN: { title: 'This form has expired', message: 'The form was out of date or did not come from this site. Go back, reload the page and try again.' },
  FST_CSRF_MISSING_SECRET: { title: 'This form has expired', message: 'The form was out of date or did not come from this site. Go back, reload the page and try again.' },
  FST_CSRF_MISSING_TOKEN: { title: 'This form has expired', message: 'The form was out of date or did not come from this site. Go back, reload the page and try again.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { title: 'Unsupported form', message: 'The form was sent in a format this service does not accept.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { title: 'Unsupported form', message: 'The form was sent in a format this service does not accept.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { title: 'Bad request', message: 'The request was not complete.' },
};

/** Seconds a client is asked to wait before trying again when the service cannot answer. */
const RETRY_AFTER_SECONDS = 60;

/** `mayBeUnsaved` drops the layout's "Your answers are saved as you go", which this page cannot promise. */
const DATABASE_UNAVAILABLE = {
  title: 'Sorry, the service is unavailable',
  message: 'The survey cannot reach its database just now, so what you last sent may not have been saved. Try again in a minute.',
  mayBeUnsaved: true,
};

/** Pages of the researchers' workspace show their errors in its layout. */
const inWorkspace = (url: string) => url === '/admin' || url.startsWith('/admin/') || url.startsWith('/admin?');

export const errors = fp(
  async function errorPages(fastify: FastifyInstance) {
    fastify.setNotFoundHandler((request, reply) =>
      reply.code(404).render('error.njk', { title: 'Page not found', message: 'There is nothing at this address. Check the link you were sent.', workspace: inWorkspace(request.url) }),
    );

    fastify.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof HttpError) {
        const unavailable = error.statusCode === 503;
        if (unavailable) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return reply.code(error.statusCode).render('error.njk', { title: error.title, message: error.message, link: error.link, mayBeUnsaved: unavailable, workspace: inWorkspace(request.url) });
      }
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error }, 'database unavailable');
        return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).render('error.njk', DATABASE_UNAVAILABLE);
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        const known = KNOWN_ERRORS[error.code];
        request.log.info({ code: error.code, status }, error.message);
        return reply.code(status).render('error.njk', { ...(known ?? { title: 'There is a problem with the request', message: error.message }), workspace: inWorkspace(request.url) });
      }
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).render('error.njk', { title: 'Internal Server Error', message: 'Something went wrong on our side, so what you last sent may not have been saved. Try again in a few minutes.', mayBeUnsaved: true });
    });
  },
  { name: 'tapestry-errors', fastify: '5.x', dependencies: ['tapestry-views'] },
);
