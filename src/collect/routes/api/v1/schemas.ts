/** The shapes the v1 API answers with: each a zod schema, from which its type and its part of the OpenAPI document come. */
import { z } from 'zod';

export const InstrumentParams = z.object({ instrument: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).describe('an instrument id, e.g. leadership-individual') });
export const WaveParams = InstrumentParams.extend({ wave: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).describe('a wave name, e.g. 2010') });

export const VersionSchema = z
  .object({
    version: z.string(),
    title: z.string(),
    contentHash: z.string().describe('SHA-256 of the instrument file as published'),
    publishedAt: z.string().describe('ISO 8601 UTC'),
  })
  .meta({ id: 'Version' });

export const WaveSchema = z
  .object({
    instrument: z.string(),
    name: z.string(),
    version: z.string().describe('the instrument version the wave fields'),
    state: z.enum(['open', 'scheduled', 'closed']),
    access: z.enum(['open', 'invitation']),
    opensAt: z.string(),
    closesAt: z.string().nullable(),
  })
  .meta({ id: 'Wave' });

export const InstrumentSchema = z
  .object({
    id: z.string(),
    title: z.string().describe("the latest version's title"),
    versions: z.array(VersionSchema),
    waves: z.array(WaveSchema),
  })
  .meta({ id: 'Instrument' });

export const FiguresSchema = z
  .object({
    instrument: z.string(),
    wave: z.string(),
    started: z.number().int().describe('responses started, submitted or not'),
    submitted: z.number().int(),
    medianMinutes: z.number().nullable().describe('median time from start to submission, in minutes; null before any submission'),
  })
  .meta({ id: 'WaveFigures' });

export const ResponseSchema = z
  .object({
    id: z.string().describe('the response id (a UUID)'),
    status: z.enum(['submitted', 'in_progress']),
    submittedAt: z.string().nullable().describe('ISO 8601 UTC; null for a response still in progress'),
    instrumentVersion: z.string().describe('the version of the instrument the response answered'),
    answers: z.record(z.string(), z.unknown()).describe('the answers as stored, by question id'),
    source: z
      .object({ name: z.string().describe('the name given to where it came from'), sha256: z.string().describe("SHA-256 of the imported file") })
      .optional()
      .describe('only for a response imported from a file (`tapestry responses import`)'),
  })
  .meta({ id: 'Response' });

/** `include=partial`: responses in progress too. */
const Include = z.enum(['partial']).optional().describe('`partial` for the responses still in progress too; submitted ones only without it');

export const ResponsesQuery = z.object({
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a cursor this API gave').optional().describe('`nextCursor` of the page before; the first page without it'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('responses a page holds, 1 to 1000'),
  include: Include,
});

export const WholeWaveQuery = z.object({ include: Include });

export const ResponsePageSchema = z
  .object({
    instrument: z.string(),
    wave: z.string(),
    responses: z.array(ResponseSchema).describe('ordered by id'),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'ResponsePage' });

export const InvitationsBody = z
  .object({
    invitees: z
      .array(z.record(z.string().min(1).max(100), z.string().max(1000)))
      .min(1)
      .max(1000)
      .describe('one object an invitee, as the rows of an invitees file: `email`, and attributes; an attribute named after a question prefills it'),
    send: z.boolean().default(false).describe("also queue each invitee the wave's invitation e-mail, to its `email`"),
  })
  .meta({ id: 'NewInvitations' });

export const CreatedInvitationsSchema = z
  .object({
    instrument: z.string(),
    wave: z.string(),
    invitations: z
      .array(z.object({ link: z.string().describe('the personal link; shown only now'), attributes: z.record(z.string(), z.string()) }))
      .describe("in the order of the request's invitees"),
    queued: z.number().int().describe('invitation e-mails queued'),
  })
  .meta({ id: 'CreatedInvitations' });
