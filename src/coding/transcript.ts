/**
 * Focus-group and interview transcripts: YAML front matter saying which group it was, then one
 * turn per speaker, each turn becoming a segment to code.
 *
 * ```
 * ---
 * group: fg-voluntary-1
 * method: focus group
 * sector: voluntary
 * date: 2010-03-12
 * ---
 * Facilitator: Welcome, and thank you for coming.
 *
 * P1: I think leadership is something everyone does,
 * and it carries on on the next line.
 * ```
 */
import { suggestion } from '../shared/did-you-mean.ts';
import { YamlSource, type Problem } from '../shared/yaml-source.ts';
import { code, sortProblems } from './problems.ts';
import type { Segment } from './types.ts';

export const METHODS = ['focus group', 'telephone interview', 'consultation'] as const;
export type Method = (typeof METHODS)[number];

export interface Transcript {
  group: string;
  method: Method;
  sector: string;
  /** ISO date (`2010-03-12`), kept as written. */
  date?: string;
  /** Every front-matter field as text, `group`, `method` and `sector` included. */
  attributes: Record<string, string>;
  /** Every turn in file order, the facilitator's included (marked `role: facilitator`). */
  segments: Segment[];
  file: string;
  /** Where `group` is written, so that a clash between files can point at it. */
  groupLine: number;
}

export interface TranscriptOptions {
  /** Speakers whose turns are the facilitator's, not data; compared without regard to case. */
  facilitator?: string[];
}

const DEFAULT_FACILITATOR = ['Facilitator'];
const REQUIRED = ['group', 'method', 'sector'] as const;
/** Set on every segment from its turn, so the front matter may not use them. */
const TURN_ATTRIBUTES = ['speaker', 'role'];
const GROUP = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SPEAKER = /^[\p{L}\p{N}][\p{L}\p{M}\p{N} .'’-]*$/u;
const MAX_SPEAKER = 40;
const NUMBERED = /^\p{L}+ ?\d+$/u;
const FENCE = /^---\s*$/;

const isBlank = (line: string) => line.trim() === '';
const snippet = (line: string) => {
  const text = line.trim();
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
};

/**
 * The speaker name at the start of a line (`P1: text` or `P1:` alone), or undefined. The name
 * ends at the first colon that is followed by a space or the end of the line, so times such as
 * `10:30` never read as speakers.
 */
function speakerOf(line: string): { speaker: string; rest: string } | undefined {
  const match = /^\s*([^:]*?)\s*:(?:\s+(.*))?$/u.exec(line);
  if (!match) return undefined;
  const speaker = match[1]!;
  if (speaker.length === 0 || speaker.length > MAX_SPEAKER || !SPEAKER.test(speaker)) return undefined;
  return { speaker, rest: (match[2] ?? '').trim() };
}

interface Turn {
  speaker: string;
  line: number;
  parts: string[];
}

/** Reads one transcript; either the whole transcript or every problem found in it. */
export function parseTranscript(text: string, file: string, options: TranscriptOptions = {}): { transcript?: Transcript; problems: Problem[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const problems: Problem[] = [];
  const at = (line: number, message: string) => problems.push({ file, line, message });

  let open = 0;
  while (open < lines.length && isBlank(lines[open]!)) open++;
  if (open === lines.length) {
    at(1, 'the file is empty; a transcript needs front matter between two `---` lines (group, method and sector) and then its turns');
    return { problems };
  }

  let front: FrontMatter | undefined;
  let bodyStart: number;
  if (!FENCE.test(lines[open]!)) {
    at(open + 1, `a transcript must start with front matter between two \`---\` lines giving its group, method and sector; this one starts with ${code(snippet(lines[open]!))}`);
    // The turns are still read, so that their problems are reported in the same pass.
    bodyStart = open;
  } else {
    const close = lines.findIndex((line, i) => i > open && FENCE.test(line));
    if (close < 0) {
      at(open + 1, 'the front matter that starts here is never closed; end it with a line `---` before the first turn');
      return { problems };
    }
    // Blank lines stand in for everything above the front matter, so YAML's lines are the file's.
    const yaml = '\n'.repeat(open + 1) + lines.slice(open + 1, close).join('\n');
    front = readFrontMatter(new YamlSource(yaml, file), open + 1, problems);
    bodyStart = close + 1;
  }

  const facilitators = new Set((options.facilitator ?? DEFAULT_FACILITATOR).map((name) => name.trim().toLowerCase()));
  const before = problems.length;
  const turns = readTurns(lines, bodyStart, facilitators, at);
  // Lines that failed to start a turn are reported already; "no turns" would only repeat them.
  if (turns.length === 0 && problems.length === before) {
    at(Math.max(bodyStart, 1), 'the transcript has no turns after its front matter; each turn is a line such as `P1: what was said`');
  }
  if (problems.length > 0 || !front) return { problems: sortProblems(problems) };

  const { group } = front;
  const segments: Segment[] = turns.map((turn, i) => ({
    // Facilitator turns are counted too, so an id never changes with the facilitator setting.
    id: `${group}#${i + 1}`,
    text: turn.parts.join(' '),
    attributes: { ...front.attributes, speaker: turn.speaker, role: facilitators.has(turn.speaker.toLowerCase()) ? 'facilitator' : 'participant' },
    source: { file, line: turn.line },
  }));
  const transcript: Transcript = {
    group: front.group,
    method: front.method,
    sector: front.sector,
    ...(front.date !== undefined ? { date: front.date } : {}),
    attributes: front.attributes,
    segments,
    file,
    groupLine: front.groupLine,
  };
  return { transcript, problems: [] };
}

/** The segments to code: the participants' turns, not the facilitator's. */
export function codableSegments(transcript: Transcript): Segment[] {
  return transcript.segments.filter((segment) => segment.attributes.role === 'participant');
}

/** Problems for a group id used by more than one transcript, since segment ids must be unique. */
export function checkGroups(transcripts: readonly Transcript[]): Problem[] {
  const first = new Map<string, Transcript>();
  const problems: Problem[] = [];
  for (const transcript of transcripts) {
    const earlier = first.get(transcript.group);
    if (!earlier) {
      first.set(transcript.group, transcript);
      continue;
    }
    problems.push({
      file: transcript.file,
      line: transcript.groupLine,
      message: `group ${code(transcript.group)} is also the group of ${earlier.file} (line ${earlier.groupLine}); each transcript needs its own group so that its segment ids are its own`,
    });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

interface FrontMatter {
  group: string;
  groupLine: number;
  method: Method;
  sector: string;
  date?: string;
  attributes: Record<string, string>;
}

function readFrontMatter(source: YamlSource, openLine: number, problems: Problem[]): FrontMatter | undefined {
  if (source.syntaxProblems.length > 0) {
    problems.push(...source.syntaxProblems);
    return undefined;
  }
  const data = source.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push(source.problem([], 'the front matter must be `field: value` lines (group, method, sector and any others)'));
    return undefined;
  }
  const before = problems.length;
  const at = (key: string, message: string) => problems.push(source.problem([key], message));
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (value !== null && typeof value === 'object') {
      at(key, `${code(key)} must be a single value, not ${Array.isArray(value) ? 'a list' : 'a mapping'}; every field of the front matter describes the whole transcript`);
      continue;
    }
    if (TURN_ATTRIBUTES.includes(key)) {
      problems.push(source.problem([key], `${code(key)} cannot be a field of the front matter: each turn's segment gets its own ${code(key)}; choose another name`, { key: true }));
      continue;
    }
    // Numbers and booleans keep the text the file has (`1.0`, not 1), so nothing is reformatted.
    attributes[key] = value === null ? '' : typeof value === 'string' ? value : (source.sourceOf([key]) ?? String(value));
  }

  for (const key of REQUIRED) {
    if (!(key in (data as object))) {
      problems.push({ file: source.file, line: openLine, message: `the front matter is missing ${code(key)}; ${HINTS[key]}` });
    } else if (attributes[key]?.trim() === '') {
      at(key, `${code(key)} is empty; ${HINTS[key]}`);
    }
  }
  const group = attributes.group ?? '';
  if (group !== '' && !GROUP.test(group)) {
    at('group', `group ${code(group)} must be an id of letters, digits, \`-\`, \`_\` and \`.\`, with no spaces, such as \`fg-voluntary-1\``);
  }
  const method = attributes.method ?? '';
  if (method !== '' && !(METHODS as readonly string[]).includes(method)) {
    at('method', `method ${code(method)} is not one of ${METHODS.join(', ')}${suggestion(method, METHODS)}`);
  }
  const date = attributes.date;
  if (date?.trim() === '') at('date', '`date` is empty; write the date as year-month-day, such as 2010-03-12, or leave the field out');
  else if (date !== undefined && !isIsoDate(date)) at('date', `date ${code(date)} must be a date written year-month-day, such as 2010-03-12`);
  if (problems.length > before) return undefined;
  return {
    group,
    groupLine: source.line(['group']),
    method: method as Method,
    sector: attributes.sector!,
    ...(date !== undefined ? { date } : {}),
    attributes,
  };
}

const HINTS: Record<(typeof REQUIRED)[number], string> = {
  group: 'it names the focus group or interview, such as `fg-voluntary-1`, and begins the id of every segment',
  method: `it is one of ${METHODS.join(', ')}`,
  sector: 'it says which sector the participants work in, such as `voluntary`',
};

function isIsoDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Date.UTC rolls 2010-02-30 over into March; a real date comes back unchanged.
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function readTurns(lines: string[], start: number, facilitators: Set<string>, at: (line: number, message: string) => void): Turn[] {
  const turns: Turn[] = [];
  let turn: Turn | undefined;
  let afterBlank = true;
  // A line such as `P2: …` straight under another turn is nearly always a missing blank line, not
  // speech: so is any line opening with a speaker of the file (known only once all are seen) or
  // with a numbered label such as `P2` or `Participant 3`, which speech seldom opens with.
  const suspects: { line: number; speaker: string }[] = [];
  const finish = () => {
    if (turn && turn.parts.length === 0) at(turn.line, `the turn of ${code(turn.speaker)} has no text`);
    if (turn) turns.push(turn);
    turn = undefined;
  };

  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    const number = i + 1;
    if (isBlank(line)) {
      finish();
      afterBlank = true;
      continue;
    }
    const speaker = speakerOf(line);
    if (afterBlank) {
      afterBlank = false;
      if (!speaker) {
        at(number, `line ${number} does not start with a speaker name such as \`P1:\` (it reads ${code(snippet(line))}); a turn starts with its speaker after a blank line, so add the speaker, or remove the blank line above if the text belongs to the turn before`);
        continue;
      }
      turn = { speaker: speaker.speaker, line: number, parts: speaker.rest === '' ? [] : [speaker.rest] };
      continue;
    }
    if (speaker) suspects.push({ line: number, speaker: speaker.speaker });
    turn?.parts.push(line.trim());
  }
  finish();

  const speakers = new Set([...turns.map((t) => t.speaker.toLowerCase()), ...facilitators]);
  for (const suspect of suspects) {
    if (speakers.has(suspect.speaker.toLowerCase()) || NUMBERED.test(suspect.speaker)) {
      at(suspect.line, `${code(`${suspect.speaker}:`)} starts a new turn, but the line above is not blank; put a blank line between turns`);
    }
  }
  return turns;
}
