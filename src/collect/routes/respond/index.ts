/**
 * The respondent's area: start (or follow an invitation, or resume with a code), one page per
 * screen, check answers, submit once, thank you. The rules are journey.ts's; these routes read
 * and write the store around them, and every rule is enforced on the server from the same
 * instrument the pages are rendered from.
 */
import type { FastifyInstance } from 'fastify';
import { SLUG_PATTERN } from '../../../instrument/schema.ts';
import { WAVE_NAME_PATTERN } from '../../../store/waves.ts';
import { HttpError } from '../../http-error.ts';
import { declineRoutes } from './decline.ts';
import { invitationRoutes } from './invitation.ts';
import { pageRoutes } from './pages.ts';
import { resumeRoutes } from './resume.ts';
import { startRoutes } from './start.ts';
import { submitRoutes } from './submit.ts';

/** What each part of a survey's address may be; anything else is no survey, refused before SQL sees it. */
const PARAM_PATTERNS: Record<string, RegExp> = { instrument: SLUG_PATTERN, wave: WAVE_NAME_PATTERN, page: SLUG_PATTERN };

export async function respondRoutes(fastify: FastifyInstance) {
  // A NUL byte or a stray character in an address is not a survey: say so with a 404 here, rather
  // than let the database refuse the text with an error that would surface as a 500.
  fastify.addHook('preValidation', async (request) => {
    for (const [name, value] of Object.entries((request.params ?? {}) as Record<string, string>)) {
      const pattern = PARAM_PATTERNS[name];
      if (pattern && !pattern.test(value)) throw new HttpError(404, 'Page not found', 'There is nothing at this address. Check the link you were sent.');
    }
  });

  await fastify.register(startRoutes);
  await fastify.register(resumeRoutes);
  await fastify.register(invitationRoutes);
  await fastify.register(declineRoutes);
  await fastify.register(pageRoutes);
  await fastify.register(submitRoutes);
}
