/**
 * Declining an invitation, /i/<token>/decline: a page that asks, and a CSRF-protected form that
 * records the answer, so that a link fetched by a mail scanner or a preview declines nobody.
 */
import type { FastifyInstance } from 'fastify';
import { declineInvitation, findInvitationByToken } from '../../../store/invitations.ts';
import { findResponseByInvitation } from '../../../store/responses.ts';
import { HttpError } from '../../http-error.ts';
import { lookupLimit } from './limits.ts';

export async function declineRoutes(fastify: FastifyInstance) {
  const db = fastify.store.db;
  const invitationOf = async (token: string) => {
    const invalid = new HttpError(404, 'This link is not valid', 'Check that you copied the whole link from your invitation.');
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw invalid;
    const invitation = await findInvitationByToken(db, token);
    if (!invitation) throw invalid;
    const response = await findResponseByInvitation(db, invitation.id);
    if (response?.status === 'submitted') {
      throw new HttpError(409, 'This link has already been used', 'A response has already been sent with this invitation. Thank you for taking part.');
    }
    return invitation;
  };

  fastify.get<{ Params: { token: string } }>('/i/:token/decline', { config: lookupLimit(fastify) }, async (request, reply) => {
    const invitation = await invitationOf(request.params.token);
    return reply.render('respond/decline.njk', {
      title: invitation.state === 'declined' ? 'You have declined this invitation' : 'Decline this invitation',
      declined: invitation.state === 'declined',
      action: `/i/${request.params.token}/decline`,
      csrf: await reply.generateCsrf(),
    });
  });

  fastify.post<{ Params: { token: string } }>('/i/:token/decline', { preHandler: fastify.csrfProtection, config: lookupLimit(fastify) }, async (request, reply) => {
    const invitation = await invitationOf(request.params.token);
    await declineInvitation(db, invitation.id);
    return reply.render('respond/decline.njk', { title: 'You have declined this invitation', declined: true });
  });
}
