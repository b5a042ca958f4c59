/** Reading instrument files from disk: the only part of `instrument/` that touches the file system. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ProblemsError, type Problem } from '../shared/yaml-source.ts';
import { checkInstrumentText } from './check.ts';
import type { Instrument, Option, Row } from './schema.ts';

export interface LoadedInstrument {
  file: string;
  instrument: Instrument;
  /** The file's text as published, kept with every version for provenance. */
  sourceText: string;
  /** sha256 of the instrument's meaning: formatting, comments and short labels do not change it, reordering options does. */
  contentHash: string;
}

export class InstrumentError extends ProblemsError {
  override name = 'InstrumentError';
}

export function contentHash(instrument: Instrument): string {
  return createHash('sha256').update(hashedText(instrument)).digest('hex');
}

/**
 * JSON of the parsed form, which has a fixed field order (the schema's), with each option list
 * written back as the file's `id: label` mapping in the file's order and each matrix row as its
 * label. Versions published while options were held as that mapping keep their hash, so
 * publishing them again is not a conflict.
 *
 * Short labels (`short`) are left out, as comments and formatting are: the hash stands for what a
 * version asks and what its answers mean, which responses already collected depend on, and a
 * short label changes neither: no respondent sees it; only a report's headings do. So short
 * labels can be given to a version already published without making it a new version, and a
 * definition stored without them has the same hash as the file that now has them.
 */
function hashedText(value: unknown, key?: string): string {
  if (key === 'options' && Array.isArray(value)) {
    const pairs = (value as Option[]).map(({ id, short: _short, ...settings }) => {
      const written = Object.keys(settings).length === 1 && 'label' in settings ? settings.label : settings;
      return `${JSON.stringify(id)}:${JSON.stringify(written)}`;
    });
    return `{${pairs.join(',')}}`;
  }
  if (key === 'rows' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const pairs = Object.entries(value as Record<string, Row>).map(([id, row]) => `${JSON.stringify(id)}:${JSON.stringify(row.label)}`);
    return `{${pairs.join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((item) => hashedText(item)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).filter(([k, v]) => v !== undefined && k !== 'short');
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${hashedText(v, k)}`).join(',')}}`;
  }
  return JSON.stringify(value);
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
