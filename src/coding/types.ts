/**
 * The units of qualitative coding, shared by every part of `coding/`: a segment of text with its
 * attributes, a code applied to it by a person, and a code suggested for it by the machine. Human
 * and automatic codes are different types so that they can never be mixed up.
 */

/** One unit of text that codes are applied to: a transcript turn, a CSV row, a free-text answer. */
export interface Segment {
  /** Stable id: `<group>#<n>` for transcript turns, the CSV's own id otherwise. */
  id: string;
  text: string;
  /** Everything known about where the text came from: group, method, sector, speaker, … */
  attributes: Record<string, string>;
  /** Where the text is, for messages and for the reader: file and first line. */
  source?: { file: string; line: number };
}

/** A code a person applied to a segment. */
export interface HumanCode {
  segmentId: string;
  coder: string;
  code: string;
}

/** A code the machine suggests for a segment; always marked `auto`, with how sure it is (0..1). */
export interface AutoCode {
  segmentId: string;
  code: string;
  confidence: number;
  origin: 'auto';
}
