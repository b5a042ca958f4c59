import { describe, expect, it } from 'vitest';
import { CodingInputError, unwrap } from '../../src/coding/problems.ts';
import { checkGroups, codableSegments, parseTranscript, type Transcript } from '../../src/coding/transcript.ts';
import { formatProblem } from '../../src/shared/yaml-source.ts';

const FILE = 'transcripts/fg-voluntary-1.md';

const transcript = `---
group: fg-voluntary-1
method: focus group
sector: voluntary
date: 2010-03-12
participants: 8
version: 1.0
---
Facilitator: Welcome, and thank you for coming.

P1: I think leadership is something everyone does,
and it carries on on the next line.

P2: Another turn.

Facilitator: Say more about that?

P2: Well:  it depends.
`;

const problemsOf = (text: string, file = FILE) => parseTranscript(text, file).problems.map(formatProblem);
const read = (text: string, options?: { facilitator?: string[] }) => unwrap(parseTranscript(text, FILE, options), 'transcript');

const front = (body: string, fields = 'group: g1\nmethod: focus group\nsector: public\n') => `---\n${fields}---\n${body}`;

describe('reading a transcript', () => {
  it('reads the group, method, sector and date from the front matter', () => {
    const t = read(transcript);
    expect(t.group).toBe('fg-voluntary-1');
    expect(t.method).toBe('focus group');
    expect(t.sector).toBe('voluntary');
    expect(t.date).toBe('2010-03-12');
    expect(t.file).toBe(FILE);
    expect(t.groupLine).toBe(2);
  });

  it('keeps every front-matter value as the text the file has, so a date stays a date and 1.0 stays 1.0', () => {
    expect(read(transcript).attributes).toEqual({
      group: 'fg-voluntary-1',
      method: 'focus group',
      sector: 'voluntary',
      date: '2010-03-12',
      participants: '8',
      version: '1.0',
    });
  });

  it('makes one segment of each turn, numbering every turn in file order from 1', () => {
    const t = read(transcript);
    expect(t.segments.map((s) => s.id)).toEqual(['fg-voluntary-1#1', 'fg-voluntary-1#2', 'fg-voluntary-1#3', 'fg-voluntary-1#4', 'fg-voluntary-1#5']);
    expect(t.segments.map((s) => s.source)).toEqual([9, 11, 14, 16, 18].map((line) => ({ file: FILE, line })));
  });

  it('joins the lines of a turn that runs over several lines with one space', () => {
    expect(read(transcript).segments[1]!.text).toBe('I think leadership is something everyone does, and it carries on on the next line.');
  });

  it('takes the speaker from before the first colon and keeps the rest of the line as it is', () => {
    const last = read(transcript).segments[4]!;
    expect(last.attributes.speaker).toBe('P2');
    expect(last.text).toBe('Well:  it depends.');
  });

  it('gives each segment the front matter, its speaker and its role as attributes', () => {
    expect(read(transcript).segments[1]!.attributes).toEqual({
      group: 'fg-voluntary-1',
      method: 'focus group',
      sector: 'voluntary',
      date: '2010-03-12',
      participants: '8',
      version: '1.0',
      speaker: 'P1',
      role: 'participant',
    });
  });

  it('keeps the facilitator turns as segments marked as the facilitator', () => {
    const roles = read(transcript).segments.map((s) => [s.attributes.speaker, s.attributes.role]);
    expect(roles).toEqual([
      ['Facilitator', 'facilitator'],
      ['P1', 'participant'],
      ['P2', 'participant'],
      ['Facilitator', 'facilitator'],
      ['P2', 'participant'],
    ]);
  });

  it("offers only the participants' turns for coding", () => {
    expect(codableSegments(read(transcript)).map((s) => s.id)).toEqual(['fg-voluntary-1#2', 'fg-voluntary-1#3', 'fg-voluntary-1#5']);
  });

  it('takes other facilitator names without changing any segment id', () => {
    const text = front('Moderator: Hello.\n\nfacilitator: Not the facilitator this time.\n\nP1: Hi.\n');
    const t = read(text, { facilitator: ['moderator'] });
    expect(t.segments.map((s) => `${s.id} ${s.attributes.role}`)).toEqual(['g1#1 facilitator', 'g1#2 participant', 'g1#3 participant']);
    expect(read(text).segments.map((s) => s.id)).toEqual(['g1#1', 'g1#2', 'g1#3']);
  });

  it('reads Windows line endings and a byte-order mark exactly as it reads plain line endings', () => {
    const windows = `\uFEFF${transcript.replace(/\n/g, '\r\n')}`;
    expect(read(windows)).toEqual(read(transcript));
  });

  it('accepts speaker names with spaces, full stops, hyphens, apostrophes and accents', () => {
    const t = read(front("Dr. Siân O'Neill-Ross: Hello.\n\nMary Smith: Hi.\n"));
    expect(t.segments.map((s) => s.attributes.speaker)).toEqual(["Dr. Siân O'Neill-Ross", 'Mary Smith']);
  });

  it('does not take a time of day for a speaker', () => {
    const t = read(front('P1: We met at\n10:30 and talked.\n'));
    expect(t.segments).toHaveLength(1);
    expect(t.segments[0]!.text).toBe('We met at 10:30 and talked.');
  });

  it('allows blank lines and spaces before the front matter and keeps the line numbers of the file', () => {
    const t = read(`\n\n${front('P1: Hello.\n')}`);
    expect(t.groupLine).toBe(4);
    expect(t.segments[0]!.source).toEqual({ file: FILE, line: 8 });
  });

  it('reads a telephone interview with no date', () => {
    const t = read(front('Interviewer: Hello.\n\nR1: Hello.\n', 'group: tel-7\nmethod: telephone interview\nsector: private\n'));
    expect(t.method).toBe('telephone interview');
    expect(t.date).toBeUndefined();
    expect('date' in t.attributes).toBe(false);
  });
});

describe('problems in a transcript', () => {
  it('reports an empty file at line 1', () => {
    expect(problemsOf('\n  \n')).toEqual([`${FILE}:1: the file is empty; a transcript needs front matter between two \`---\` lines (group, method and sector) and then its turns`]);
  });

  it('reports a file without front matter at its first line and still checks its turns', () => {
    expect(problemsOf('P1: Hello.\n\nno speaker here\n')).toEqual([
      `${FILE}:1: a transcript must start with front matter between two \`---\` lines giving its group, method and sector; this one starts with \`P1: Hello.\``,
      `${FILE}:3: line 3 does not start with a speaker name such as \`P1:\` (it reads \`no speaker here\`); a turn starts with its speaker after a blank line, so add the speaker, or remove the blank line above if the text belongs to the turn before`,
    ]);
  });

  it('reports front matter that is never closed at the line where it opens', () => {
    expect(problemsOf('\n---\ngroup: g1\nmethod: focus group\n\nP1: Hello.\n')).toEqual([
      `${FILE}:2: the front matter that starts here is never closed; end it with a line \`---\` before the first turn`,
    ]);
  });

  it('reports each missing field at the opening line of the front matter', () => {
    expect(problemsOf('---\ndate: 2010-03-12\n---\nP1: Hello.\n')).toEqual([
      `${FILE}:1: the front matter is missing \`group\`; it names the focus group or interview, such as \`fg-voluntary-1\`, and begins the id of every segment`,
      `${FILE}:1: the front matter is missing \`method\`; it is one of focus group, telephone interview, consultation`,
      `${FILE}:1: the front matter is missing \`sector\`; it says which sector the participants work in, such as \`voluntary\``,
    ]);
  });

  it('reports front matter with nothing in it as missing every field', () => {
    expect(problemsOf('---\n---\nP1: Hello.\n')).toHaveLength(3);
  });

  it('reports an empty field at its own line', () => {
    expect(problemsOf(front('P1: Hello.\n', 'group: g1\nmethod: focus group\nsector:\n'))).toEqual([
      `${FILE}:4: \`sector\` is empty; it says which sector the participants work in, such as \`voluntary\``,
    ]);
  });

  it('reports an unknown method at its line and suggests the method that was meant', () => {
    expect(problemsOf(front('P1: Hello.\n', 'group: g1\nmethod: focus-group\nsector: public\n'))).toEqual([
      `${FILE}:3: method \`focus-group\` is not one of focus group, telephone interview, consultation; did you mean \`focus group\`?`,
    ]);
  });

  it('reports a group with spaces in it, since it begins every segment id', () => {
    expect(problemsOf(front('P1: Hello.\n', 'group: fg voluntary 1\nmethod: consultation\nsector: public\n'))).toEqual([
      `${FILE}:2: group \`fg voluntary 1\` must be an id of letters, digits, \`-\`, \`_\` and \`.\`, with no spaces, such as \`fg-voluntary-1\``,
    ]);
  });

  it('reports a date that is not a real year-month-day date', () => {
    const fields = (date: string) => `group: g1\nmethod: consultation\nsector: public\ndate: ${date}\n`;
    expect(problemsOf(front('P1: Hello.\n', fields('12/03/2010')))).toEqual([`${FILE}:5: date \`12/03/2010\` must be a date written year-month-day, such as 2010-03-12`]);
    expect(problemsOf(front('P1: Hello.\n', fields('2010-02-30')))).toEqual([`${FILE}:5: date \`2010-02-30\` must be a date written year-month-day, such as 2010-03-12`]);
  });

  it('reports a front-matter value that is a list, and fields named speaker or role', () => {
    expect(problemsOf(front('P1: Hello.\n', 'group: g1\nmethod: consultation\nsector: public\ntopics: [a, b]\nrole: manager\n'))).toEqual([
      `${FILE}:5: \`topics\` must be a single value, not a list; every field of the front matter describes the whole transcript`,
      `${FILE}:6: \`role\` cannot be a field of the front matter: each turn's segment gets its own \`role\`; choose another name`,
    ]);
  });

  it('reports a YAML mistake in the front matter at its line in the file', () => {
    const problems = problemsOf('\n---\ngroup: g1\nmethod: focus group\nsector: public\nnote: "never closed\n---\nP1: Hello.\n');
    expect(problems).toEqual([`${FILE}:6: the YAML is not valid: Missing closing "quote`]);
  });

  it('reports a line after a blank line that does not start with a speaker, at its line', () => {
    const text = front('P1: I think\nso.\n\nand then I said something else\n\nP2: Yes.\n');
    expect(problemsOf(text)).toEqual([
      `${FILE}:9: line 9 does not start with a speaker name such as \`P1:\` (it reads \`and then I said something else\`); a turn starts with its speaker after a blank line, so add the speaker, or remove the blank line above if the text belongs to the turn before`,
    ]);
  });

  it('reports a speaker name that is a whole sentence as a missing speaker', () => {
    const long = 'This is far too long to be anybody’s name at all, surely';
    expect(problemsOf(front(`${long}: yes.\n`))[0]).toMatch(new RegExp(`^${FILE}:6: line 6 does not start with a speaker name`));
  });

  it('reports a new turn written straight under another without a blank line', () => {
    expect(problemsOf(front('Facilitator: Welcome.\nP1: Hello.\n\nP2: Hi.\nP1: And again.\n'))).toEqual([
      `${FILE}:7: \`P1:\` starts a new turn, but the line above is not blank; put a blank line between turns`,
      `${FILE}:10: \`P1:\` starts a new turn, but the line above is not blank; put a blank line between turns`,
    ]);
  });

  it('reports a turn with a speaker and no text', () => {
    expect(problemsOf(front('P1: Hello.\n\nP2:\n\nP3: Hi.\n'))).toEqual([`${FILE}:8: the turn of \`P2\` has no text`]);
  });

  it('reads a speaker alone on a line with the turn on the lines below', () => {
    expect(read(front('P2:\nHello there.\n')).segments[0]!.text).toBe('Hello there.');
  });

  it('reports a transcript with front matter and no turns at the closing line of the front matter', () => {
    expect(problemsOf(front('\n\n'))).toEqual([`${FILE}:5: the transcript has no turns after its front matter; each turn is a line such as \`P1: what was said\``]);
  });

  it('reports a missing field and the absence of turns together', () => {
    expect(problemsOf('---\ngroup: g1\nmethod: consultation\n---\n')).toEqual([
      `${FILE}:1: the front matter is missing \`sector\`; it says which sector the participants work in, such as \`voluntary\``,
      `${FILE}:4: the transcript has no turns after its front matter; each turn is a line such as \`P1: what was said\``,
    ]);
  });

  it('reports every problem of a file at once, in line order, and returns no transcript', () => {
    const result = parseTranscript(front('P1: Hello.\n\nnobody\n', 'group: g1\nmethod: survey\n'), FILE);
    expect(result.transcript).toBeUndefined();
    expect(result.problems.map((p) => p.line)).toEqual([1, 3, 7]);
  });

  it('throws every problem as one error when the caller cannot go on without the transcript', () => {
    const attempt = () => unwrap(parseTranscript(front('nobody\n', 'group: g1\nmethod: consultation\nsector: public\n'), FILE), 'transcript');
    expect(attempt).toThrow(CodingInputError);
    expect(attempt).toThrow(`${FILE}:6: line 6 does not start with a speaker name`);
  });
});

describe('groups across transcripts', () => {
  const named = (file: string, group: string): Transcript => unwrap(parseTranscript(front('P1: Hello.\n', `method: consultation\ngroup: ${group}\nsector: public\n`), file), 'transcript');

  it('reports a group used by two files at the second, naming the first', () => {
    const problems = checkGroups([named('a.md', 'g1'), named('b.md', 'g2'), named('c.md', 'g1')]);
    expect(problems.map(formatProblem)).toEqual([
      'c.md:3: group `g1` is also the group of a.md (line 3); each transcript needs its own group so that its segment ids are its own',
    ]);
  });

  it('finds nothing wrong with distinct groups', () => {
    expect(checkGroups([named('a.md', 'g1'), named('b.md', 'g2')])).toEqual([]);
  });
});
