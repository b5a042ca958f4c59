/**
 * `POST …/waves/{wave}/invitations`: personal invitations for the invitees in the body, for roles
 * that may invite, through the store function `tapestry invite` and the workspace use (which writes
 * the audit rows: how many and which columns, never who).
 *
 * Decisions, and why:
 * - The invitees are checked as the rows of an invitees file are (`parseInvitees`): each attribute
 *   named after a question must be an answer it can take, and with `send` each needs an e-mail
 *   address. Every problem is answered at once, as a 422 that names the invitee by its index
 *   (`body.invitees.3.sector`), and nothing is stored unless there are none.
 * - The links are `<address>/i/<token>`, the address being the one the request reached the API at
 *   (behind a trusted proxy, the one the client used), which is the service that answers them.
 *   Only the tokens' hashes are stored: the links are in this answer and never again.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { prefillAnswers } from '../../../../instrument/prefill.ts';
import type { Instrument } from '../../../../instrument/schema.ts';
import { isEmailAddress } from '../../../../mail/config.ts';
import { inviteRecorded, InviteError } from '../../../../store/wave-invitations.ts';
import { waveState } from '../../../../store/waves.ts';
import { needs } from '../guard.ts';
import { ApiProblem, ProblemSchema, problemResponses } from '../problem.ts';
import { CreatedInvitationsSchema, InvitationsBody, WaveParams } from './schemas.ts';
import { tokenActor, waveWithInstrument } from './wave-data.ts';
import { publicOrigin } from '../../../plugins/settings.ts';

type Located = { location: string; message: string };

/** Every problem of the invitees, each at `body.invitees.<index>[.<column>]`. */
export function inviteeProblems(instrument: Instrument, invitees: readonly Record<string, string>[], send: boolean): Located[] {
  const problems: Located[] = [];
  invitees.forEach((invitee, index) => {
    const at = `body.invitees.${index}`;
    for (const problem of prefillAnswers(instrument, invitee).problems) problems.push({ location: `${at}.${problem.column}`, message: problem.message });
    if (send) {
      const email = (invitee.email ?? '').trim();
      if (email === '') problems.push({ location: `${at}.email`, message: 'there is no `email`; sending needs an address for every invitee' });
      else if (!isEmailAddress(email)) problems.push({ location: `${at}.email`, message: `${JSON.stringify(email)} is not an e-mail address` });
    }
  });
  return problems;
}

export async function invitationRoutes(root: FastifyInstance) {
  const fastify = root.withTypeProvider<ZodTypeProvider>();
  const db = () => fastify.store.db;

  fastify.post(
    '/instruments/:instrument/waves/:wave/invitations',
    {
      config: needs('invite'),
      schema: {
        tags: ['invitations'],
        summary: 'Creates a personal invitation for each invitee, and with `send` queues its e-mail',
        description: 'All or none: a 422 lists every problem of the invitees, and stores nothing. The links are shown only in this answer.',
        params: WaveParams,
        body: InvitationsBody,
        response: { 201: CreatedInvitationsSchema, 409: ProblemSchema, 413: ProblemSchema, 422: ProblemSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { wave, instrument } = await waveWithInstrument(db(), request.params);
      if (waveState(wave, fastify.now()) === 'closed') throw new ApiProblem(409, 'The wave is closed', `Wave ${wave.name} of ${wave.instrument_id} takes no more invitations.`);
      const { send } = request.body;
      // Empty values are left out, as an empty cell of an invitees file is.
      const invitees = request.body.invitees.map((invitee) => Object.fromEntries(Object.entries(invitee).filter(([, v]) => v !== '')));
      const problems = inviteeProblems(instrument, invitees, send);
      if (problems.length > 0) {
        throw new ApiProblem(422, 'No invitations were created', problems.map((p) => `${p.location}: ${p.message}`).join('; '), problems);
      }
      try {
        const { created, queued } = await inviteRecorded(db(), tokenActor(request), fastify.now(), wave, invitees, { send });
        const address = publicOrigin(request);
        return reply.code(201).send({
          instrument: wave.instrument_id,
          wave: wave.name,
          invitations: created.map((c) => ({ link: `${address}/i/${c.token}`, attributes: c.attributes })),
          queued,
        });
      } catch (error) {
        if (error instanceof InviteError) throw new ApiProblem(422, 'No invitations were created', `${error.message}.`);
        throw error;
      }
    },
  );
}
