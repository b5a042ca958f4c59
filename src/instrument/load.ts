/** Reading instrument files from disk: the only part of `instrument/` that touches the file system. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ProblemsError, type Problem } from '../shared/yaml-source.ts';
import { checkInstrumentText } from './check.ts';
import type { Instrument } from './schema.ts';

export interface LoadedInstrument {
  file: string;
  instrument: Instrument;
  /** The file's text as published, kept with every version for provenance. */
  sourceText: string;
  /** sha256 of the instrument's meaning: formatting and comments do not change it, reordering options does. */
  contentHash: string;
}

export class InstrumentError extends ProblemsError {
  override name = 'InstrumentError';
}

export function contentHash(instrument: Instrument): string {
  // The parsed form has a fixed field order (the schema's) and keeps option order (the file's).
  return createHash('sha256').update(JSON.stringify(instrument)).digest('hex');
}

async function readText(file: string): Promise<string | Problem> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    return { file, line: 1, message: `cannot read the instrument: ${reason}` };
  }
}

/** Checks one file; problems are returned, not thrown, so that many files can be reported at once. */
export async function checkInstrumentFile(file: string): Promise<{ loaded?: LoadedInstrument; problems: Problem[] }> {
  const text = await readText(file);
  if (typeof text !== 'string') return { problems: [text] };
  const { instrument, problems } = checkInstrumentText(text, file);
  if (!instrument) return { problems };
  return { loaded: { file, instrument, sourceText: text, contentHash: contentHash(instrument) }, problems: [] };
}

/** Loads one file or throws an `InstrumentError` listing every problem in it. */
export async function loadInstrumentFile(file: string): Promise<LoadedInstrument> {
  const { loaded, problems } = await checkInstrumentFile(file);
  if (!loaded) throw new InstrumentError(problems);
  return loaded;
}
