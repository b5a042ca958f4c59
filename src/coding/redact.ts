/**
 * Redaction of the names of people and places in qualitative text before it is coded, quoted or
 * shown. The list is a plain text file, one name a line:
 *
 * ```
 * # comments and blank lines are ignored
 * Mary Smith
 * Mary
 * Dunfermline => [town]
 * ```
 *
 * A name without `=>` becomes `[name]`. A `#` starts a comment only at the start of a line, so a
 * replacement may contain one.
 */
import type { Problem } from '../shared/yaml-source.ts';
import { code, sortProblems } from './problems.ts';
import type { Segment } from './types.ts';

export const DEFAULT_REPLACEMENT = '[name]';

export interface Redaction {
  name: string;
  replacement: string;
  line: number;
}

export interface RedactionList {
  file: string;
  redactions: Redaction[];
}

/** A letter or digit of any script, or a combining mark that belongs to the one before it. */
const WORD_CHAR = '[\\p{L}\\p{M}\\p{N}_]';
const APOSTROPHES = "'\u2019";

/** How two spellings of a name are recognised as the same entry, whatever their case or apostrophe. */
function keyOf(name: string): string {
  return name.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').replace(/\u2019/g, "'");
}

/** Reads a redaction list; either the whole list or every problem found in it. */
export function parseRedactions(text: string, file: string): { list?: RedactionList; problems: Problem[] } {
  const problems: Problem[] = [];
  const redactions: Redaction[] = [];
  const firstLine = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    const arrow = content.indexOf('=>');
    const name = (arrow < 0 ? content : content.slice(0, arrow)).trim().replace(/\s+/g, ' ');
    const replacement = arrow < 0 ? DEFAULT_REPLACEMENT : content.slice(arrow + 2).trim();
    if (name === '') {
      problems.push({ file, line, message: 'there is no name before `=>`; write the name to redact, then `=>` and what to put in its place' });
      return;
    }
    if (!new RegExp(WORD_CHAR, 'u').test(name)) {
      problems.push({ file, line, message: `${code(name)} has no letters or digits, so it cannot be a name` });
      return;
    }
    if (replacement === '') {
      problems.push({ file, line, message: `there is nothing after \`=>\`; write what replaces ${code(name)}, or remove \`=>\` to use ${DEFAULT_REPLACEMENT}` });
      return;
    }
    const key = keyOf(name);
    const first = firstLine.get(key);
    if (first !== undefined) {
      problems.push({ file, line, message: `${code(name)} is listed twice (first on line ${first}); names are matched without regard to case, so list each once` });
      return;
    }
    firstLine.set(key, line);
    redactions.push({ name, replacement, line });
  });
  if (problems.length > 0) return { problems: sortProblems(problems) };
  return { list: { file, redactions }, problems: [] };
}

function escape(text: string): string {
  // Only the characters that are syntax: the `u` flag refuses needless escapes such as `\-`.
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The pattern of one name: any run of spaces between its words, either apostrophe inside it. */
function namePattern(name: string): string {
  return [...name]
    .map((char) => (/\s/.test(char) ? '\\s+' : APOSTROPHES.includes(char) ? `[${APOSTROPHES}]` : escape(char)))
    .join('')
    .replace(/(\\s\+)+/g, '\\s+');
}

/**
 * A function that replaces every listed name in a text, as a whole word and without regard to
 * case. Longer names are tried first, so `Mary Smith` is replaced whole rather than leaving
 * `[name] Smith`; a possessive keeps its ending (`Mary's` → `[name]'s`). Text is matched in one
 * pass, so a replacement is never itself redacted.
 */
export function redactor(list: RedactionList | readonly Redaction[]): (text: string) => string {
  const redactions = [...('redactions' in list ? list.redactions : list)].sort(
    (a, b) => b.name.length - a.name.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  if (redactions.length === 0) return (text) => text;
  const alternatives = redactions.map((r) => {
    // Both Unicode forms, since an accented letter may arrive as one character or as two.
    const forms = [...new Set([r.name.normalize('NFC'), r.name.normalize('NFD')])];
    return `(${forms.map(namePattern).join('|')})`;
  });
  // Not inside a word, nor after a word and an apostrophe (`Neill` in `O'Neill`); not followed by
  // more of the word, nor by an apostrophe and letters other than a possessive `s`.
  const before = `(?<!${WORD_CHAR})(?<!${WORD_CHAR}[${APOSTROPHES}])`;
  const after = `(?!${WORD_CHAR})(?![${APOSTROPHES}](?!s(?!${WORD_CHAR}))${WORD_CHAR})`;
  const pattern = new RegExp(`${before}(?:${alternatives.join('|')})${after}`, 'giu');
  return (text) =>
    text.replace(pattern, (...args: unknown[]) => {
      const index = args.slice(1, 1 + redactions.length).findIndex((group) => group !== undefined);
      return redactions[index]!.replacement;
    });
}

/** The segment with its text and its speaker redacted; its id, other attributes and source kept. */
export function redactSegment(segment: Segment, redact: (text: string) => string): Segment {
  const attributes = { ...segment.attributes };
  if (attributes.speaker !== undefined) attributes.speaker = redact(attributes.speaker);
  return { ...segment, text: redact(segment.text), attributes };
}
