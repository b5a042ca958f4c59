import { Instrument } from '../../src/instrument/schema.ts';

type RawQuestion = Record<string, unknown>;

/**
 * A small instrument for a test: pages given as lists of raw questions (page ids one, two, …),
 * everything else filled in. Parsed by the real schema, so defaults apply as in a file.
 */
export function testInstrument(pages: RawQuestion[][], meta: { id?: string; version?: string } = {}): Instrument {
  const names = ['one', 'two', 'three', 'four', 'five', 'six'];
  return Instrument.parse({
    id: meta.id ?? 'demo',
    version: meta.version ?? '1',
    title: 'Demo',
    kind: 'individual',
    source: 'Test',
    pages: pages.map((questions, i) => ({ id: names[i]!, title: names[i]!, questions })),
  });
}
