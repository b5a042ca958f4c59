/**
 * Coded examples from a study's own material: the participants' turns of its transcripts with the
 * codes its coders applied to them, in the shape `trainCoder` and cross-validation take. A code
 * counts where any coder applied it, as the pipeline's default consensus does; a turn coders saw
 * and left without a code is an example of "no code applies", and a turn nobody saw is left out.
 */
import type { CodedSegment, HumanCoding } from './csv-inputs.ts';
import type { Problem } from '../shared/yaml-source.ts';
import { codableSegments, type Transcript } from './transcript.ts';

export function codedTranscriptSegments(transcripts: readonly Transcript[], coding: HumanCoding, codingFile: string): { segments?: CodedSegment[]; problems: Problem[] } {
  const turns = new Map(transcripts.flatMap(codableSegments).map((segment) => [segment.id, segment]));
  const problems: Problem[] = [];
  for (const { segmentId, line } of coding.seen) {
    if (!turns.has(segmentId)) problems.push({ file: codingFile, line, message: `segment ${segmentId} is not a participant's turn in any of the transcripts` });
  }
  if (problems.length > 0) return { problems };
  const coded = new Map<string, CodedSegment>();
  for (const { segmentId } of coding.seen) {
    if (!coded.has(segmentId)) coded.set(segmentId, { ...turns.get(segmentId)!, codes: [], codeLines: [] });
  }
  for (const { segmentId, code, line } of coding.codes) {
    const segment = coded.get(segmentId)!;
    if (code === '' || segment.codes.includes(code)) continue;
    segment.codes.push(code);
    segment.codeLines.push(line);
  }
  return { segments: [...coded.values()], problems: [] };
}
