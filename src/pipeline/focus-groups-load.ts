/**
 * Reading a pipeline's qualitative sources from disk: the codebook, the transcripts its glob
 * matches, the human coding and the redaction list. Every file is checked in full and every
 * problem reported with its file and line before anything is used; the parsing itself is the
 * pure code in `coding/`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { globSync } from 'tinyglobby';
import { checkCodebookText } from '../coding/check-codebook.ts';
import type { Codebook } from '../coding/codebook.ts';
import { allCodes } from '../coding/codebook.ts';
import { checkCodesKnown, readHumanCodingCsv, readSegmentsCsv, type HumanCoding } from '../coding/csv-inputs.ts';
import type { Segment } from '../coding/types.ts';
import { parseRedactions, redactor } from '../coding/redact.ts';
import { checkGroups, parseTranscript, type Transcript } from '../coding/transcript.ts';
import type { Problem } from '../shared/yaml-source.ts';
import { portable, sourceFile, type SourceFile } from './provenance.ts';
import type { FocusGroups } from './schema.ts';

export interface LoadedFocusGroups {
  codebook: Codebook;
  transcripts: Transcript[];
  /** Segments read from other tools' CSV exports. */
  exported: Segment[];
  coding: HumanCoding | undefined;
  redact: (text: string) => string;
  /** Every file read, with its hash, for the manifest. */
  files: SourceFile[];
}

/**
 * Where the pipeline file names each source: its file, and the line of a `focus_groups` field, so
 * that a missing file is reported where it is named.
 */
export interface PipelineLocation {
  file: string;
  /** The line of `focus_groups.<field>[.<index>]`. */
  line(field: keyof FocusGroups, index?: number): number;
}

export function loadFocusGroups(spec: FocusGroups, cwd: string, pipeline: PipelineLocation): { loaded?: LoadedFocusGroups; problems: Problem[] } {
  const problems: Problem[] = [];
  const files: SourceFile[] = [];
  const at = (field: keyof FocusGroups, message: string) => problems.push({ file: pipeline.file, line: pipeline.line(field), message });
  const read = (file: string, what: string, field: keyof FocusGroups): string | undefined => {
    const name = portable(cwd, file);
    try {
      const bytes = readFileSync(resolve(cwd, file));
      files.push(sourceFile(cwd, file, bytes));
      return bytes.toString('utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
      at(field, `focus_groups: cannot read the ${what} ${name}: ${reason}`);
      return undefined;
    }
  };

  const codebookText = read(spec.codebook, 'codebook', 'codebook');
  const checkedBook = codebookText === undefined ? undefined : checkCodebookText(codebookText, portable(cwd, spec.codebook));
  if (checkedBook) problems.push(...checkedBook.problems);

  const transcripts: Transcript[] = [];
  if (spec.transcripts) {
    // Sorted, so that the segments' order (and every output) does not depend on the file system.
    const matched = globSync(spec.transcripts, { cwd, onlyFiles: true }).sort();
    if (matched.length === 0) at('transcripts', `focus_groups: no transcript matches ${spec.transcripts}`);
    for (const file of matched) {
      const text = read(file, 'transcript', 'transcripts');
      if (text === undefined) continue;
      const parsed = parseTranscript(text, portable(cwd, file), { facilitator: spec.facilitator });
      problems.push(...parsed.problems);
      if (parsed.transcript) transcripts.push(parsed.transcript);
    }
    problems.push(...checkGroups(transcripts));
  }

  const exported: Segment[] = [];
  spec.segments.forEach((file) => {
    const text = read(file, 'segments file', 'segments');
    if (text === undefined) return;
    const parsed = readSegmentsCsv(text, portable(cwd, file));
    problems.push(...parsed.problems);
    exported.push(...(parsed.segments ?? []));
  });
  const ids = new Map<string, string>();
  for (const segment of [...transcripts.flatMap((t) => t.segments), ...exported]) {
    const where = segment.source ? `${segment.source.file}:${segment.source.line}` : '';
    const first = ids.get(segment.id);
    if (first !== undefined && segment.source) problems.push({ file: segment.source.file, line: segment.source.line, message: `segment id ${segment.id} is used already (at ${first}); segment ids must be unique across all sources` });
    else ids.set(segment.id, where);
  }

  let coding: HumanCoding | undefined;
  if (spec.coding) {
    const text = read(spec.coding, 'coding file', 'coding');
    if (text !== undefined) {
      const name = portable(cwd, spec.coding);
      const parsed = readHumanCodingCsv(text, name);
      problems.push(...parsed.problems);
      coding = parsed.coding;
      if (coding && checkedBook?.codebook) problems.push(...checkCodesKnown(coding.codes.filter((c) => c.code !== ''), checkedBook.codebook, name));
    }
  }

  let redact = (text: string) => text;
  if (spec.redact) {
    const text = read(spec.redact, 'redaction list', 'redact');
    if (text !== undefined) {
      const parsed = parseRedactions(text, portable(cwd, spec.redact));
      problems.push(...parsed.problems);
      if (parsed.list) redact = redactor(parsed.list);
    }
  }

  if (problems.length > 0 || !checkedBook?.codebook) return { problems };
  if (allCodes(checkedBook.codebook).length === 0) return { problems: [{ file: portable(cwd, spec.codebook), line: 1, message: 'the codebook has no codes' }] };
  return { loaded: { codebook: checkedBook.codebook, transcripts, exported, coding, redact, files }, problems: [] };
}
