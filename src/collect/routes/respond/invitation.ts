/**
 * A personal invitation link, /i/<token>: starts the invitee's response (filled in from their
 * invitation's attributes) or finds the one they started, and takes them to the start page.
 */
import type { FastifyInstance } from 'fastify';
import { findInvitationByToken } from '../../../store/invitations.ts';
import { findResponseByInvitation, startResponse } from '../../../store/responses.ts';
import { HttpError } from '../../http-error.ts';
import { answersOf, invitationAnswers } from '../../journey.ts';
import { surveyHref } from './addresses.ts';
import { lookupLimit } from './limits.ts';
import { fielded, saveUnlessSent, setResponseCookie } from './session.ts';

export async function invitationRoutes(fastify: FastifyInstance) {
  const db = fastify.store.db;

  fastify.get<{ Params: { token: string } }>('/i/:token', { config: lookupLimit(fastify) }, async (request, reply) => {
    const invalid = new HttpError(404, 'This link is not valid', 'Check that you copied the whole link from your invitation.');
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(request.params.token)) throw invalid;
    const invitation = await findInvitationByToken(db, request.params.token);
    if (!invitation) throw invalid;
    const wave = await fastify.instruments.fieldedById(db, invitation.wave_id);
    if (!wave) throw invalid;
    const f = await fielded(fastify, { instrument: wave.wave.instrument_id, wave: wave.wave.name });
    let response = await findResponseByInvitation(db, invitation.id);
    if (!response) {
      // Two clicks on the same link race here; the unique invitation column lets exactly one in.
      response =
        (await startResponse(db, { waveId: f.wave.id, instrumentVersionId: f.version.id, invitationId: invitation.id, startedAt: fastify.now() })) ??
        (await findResponseByInvitation(db, invitation.id));
      const prefilled = response && invitationAnswers(f.instrument, invitation.attributes, answersOf(response));
      if (response && prefilled) {
        response = (await saveUnlessSent(fastify, response.id, { ...prefilled, currentPage: null })) ?? (await findResponseByInvitation(db, invitation.id));
      }
    }
    if (!response) throw invalid;
    if (response.status === 'submitted') {
      throw new HttpError(409, 'This link has already been used', 'A response has already been sent with this invitation. Thank you for taking part.');
    }
    setResponseCookie(reply, f, response.id);
    // To the start page, so that invitees read the introduction too; it carries them on from there.
    return reply.code(303).redirect(surveyHref(f));
  });
}
