/**
 * The instrument an earlier wave's report was made with, so that a trend can be judged against
 * the version that wave really asked rather than the file as it is now.
 *
 * Every report keeps a byte-for-byte copy of each input's instrument (`instruments/<input>.yaml`,
 * named by `copy` in its manifest): the copy is the file the run read, so its SHA-256 is the one
 * the manifest already records, and it is trusted only when that still holds. A report made
 * before reports kept the copy records the instrument's id, version and content hash alone. Its
 * definition cannot be recovered from those, so such a report is compared only when the pipeline's
 * instrument has the same content hash now (the same meaning, whatever its formatting): then the
 * earlier definition is known to be this one. Otherwise the wave must be run again, with the
 * instrument it used, so that its report keeps the copy; guessing the old definition from the
 * present file, or from whatever version control holds, would compare figures nobody can check.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { checkInstrumentText } from '../instrument/check.ts';
import type { LoadedInstrument } from '../instrument/load.ts';
import type { Instrument } from '../instrument/schema.ts';
import { portable, sha256, sourceFile, type SourceFile } from './provenance.ts';

/** Where a report keeps the instrument an input was read with. */
export const keptInstrumentFile = (input: string): string => `instruments/${input}.yaml`;

/** What a manifest records of each input's instrument; other fields are not needed here. */
const RecordedInstrument = z.object({
  id: z.string(),
  version: z.string(),
  sha256: z.string(),
  content_hash: z.string().optional(),
  copy: z.string().optional(),
});
const EarlierManifest = z.object({ inputs: z.record(z.string(), z.object({ instrument: RecordedInstrument })) });
export type EarlierManifest = z.infer<typeof EarlierManifest>;

/** The manifest of an earlier wave's report, or a sentence saying why it cannot be used. */
export function readEarlierManifest(file: string, shown: string): { manifest: EarlierManifest } | { problem: string } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { problem: `${shown} is not readable JSON` };
  }
  const parsed = EarlierManifest.safeParse(data);
  if (!parsed.success) return { problem: `${shown} does not record the instruments its inputs were read with` };
  return { manifest: parsed.data };
}

export type EarlierInstrument = { instrument: Instrument; version: string; file?: SourceFile } | { problem: string };

/**
 * The instrument input `input` of an earlier report (in `dir`, of wave `wave`) was read with.
 * `current` is the instrument the pipeline reads now, used only where the report predates the copy.
 */
export function earlierInstrument(manifest: EarlierManifest, dir: string, wave: string, input: string, current: LoadedInstrument, cwd: string): EarlierInstrument {
  const report = `the report of wave ${wave}`;
  const recorded = manifest.inputs[input]?.instrument;
  if (!recorded) return { problem: `${report} has no input ${input}, so what its tables of that input asked is not known; run the pipeline for wave ${wave} again` };
  const was = `${recorded.id} ${recorded.version}`;
  if (recorded.copy === undefined) {
    // The manifest's hashes are of the same meaning (content hash) or the same bytes (sha256).
    const same = recorded.id === current.instrument.id && (recorded.content_hash === current.contentHash || recorded.sha256 === sha256(current.sourceText));
    if (same) return { instrument: current.instrument, version: recorded.version };
    return {
      problem: `${report} was made with ${was}, whose definition it does not keep (it was written before reports kept their instruments), and the pipeline now reads ${current.instrument.id} ${current.instrument.version}, which is not the same; run the pipeline for wave ${wave} again with the instrument it used, so that its report keeps a copy`,
    };
  }
  const file = resolve(dir, recorded.copy);
  const shown = portable(cwd, file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { problem: `${report} names ${shown} as its copy of ${was}, but there is no such file; run the pipeline for wave ${wave} again` };
  }
  if (sha256(text) !== recorded.sha256) return { problem: `${shown} is not the ${was} that ${report} was made with (its SHA-256 differs from the manifest's; edited after the run?)` };
  const { instrument, problems } = checkInstrumentText(text, shown);
  if (!instrument) return { problem: `${shown}, the copy of ${was} kept with ${report}, is no longer a valid instrument (line ${problems[0]?.line}: ${problems[0]?.message})` };
  return { instrument, version: instrument.version, file: sourceFile(cwd, file, text) };
}
