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
