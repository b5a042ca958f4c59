import { describe, expect, it } from 'vitest';
import { unwrap } from '../../src/coding/problems.ts';
import { parseRedactions, redactSegment, redactor } from '../../src/coding/redact.ts';
import { formatProblem } from '../../src/shared/yaml-source.ts';

const FILE = 'redactions.txt';
const listOf = (text: string) => unwrap(parseRedactions(text, FILE), 'list');
const redact = (names: string, text: string) => redactor(listOf(names))(text);

describe('reading a redaction list', () => {
  it('reads one name a line, skipping comments and blank lines, with [name] as the default replacement', () => {
    const list = listOf('# people in the Perth group\n\nMary Smith\n  Dunfermline   =>   [town]  \n# the end\n');
    expect(list).toEqual({
      file: FILE,
      redactions: [
        { name: 'Mary Smith', replacement: '[name]', line: 3 },
        { name: 'Dunfermline', replacement: '[town]', line: 4 },
      ],
    });
  });

  it('reads Windows line endings and a byte-order mark', () => {
    expect(listOf('\uFEFFMary\r\nJohn => [manager]\r\n').redactions.map((r) => [r.name, r.replacement, r.line])).toEqual([
      ['Mary', '[name]', 1],
      ['John', '[manager]', 2],
    ]);
  });

  it('accepts an empty list, which redacts nothing', () => {
    expect(redactor(listOf('# nobody yet\n'))('Mary said so.')).toBe('Mary said so.');
  });

  it('reports a line with no name before the arrow, and one with nothing after it, at their lines', () => {
    const { list, problems } = parseRedactions('Mary\n => [name]\nJohn =>\n', FILE);
    expect(list).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      `${FILE}:2: there is no name before \`=>\`; write the name to redact, then \`=>\` and what to put in its place`,
      `${FILE}:3: there is nothing after \`=>\`; write what replaces \`John\`, or remove \`=>\` to use [name]`,
    ]);
  });

  it('reports a name listed twice, whatever its case or spacing, at the second line naming the first', () => {
    const { problems } = parseRedactions('Mary  Smith\nJohn\nmary smith => [manager]\n', FILE);
    expect(problems.map(formatProblem)).toEqual([
      `${FILE}:3: \`mary smith\` is listed twice (first on line 1); names are matched without regard to case, so list each once`,
    ]);
  });

  it('reports a line with no letters or digits, which could never match a name', () => {
    expect(parseRedactions("Mary\n'' => [x]\n", FILE).problems.map(formatProblem)).toEqual([`${FILE}:2: \`''\` has no letters or digits, so it cannot be a name`]);
  });
});

describe('redacting text', () => {
  it('replaces a listed name wherever it appears, without regard to case', () => {
    expect(redact('Mary', 'Mary said that MARY and mary agreed.')).toBe('[name] said that [name] and [name] agreed.');
  });

  it('replaces only whole words, never part of a longer word', () => {
    expect(redact('Ann\nEd', 'Ann, Anne and Joanna planned; Ed edited it.')).toBe('[name], Anne and Joanna planned; [name] edited it.');
  });

  it('tries the longest name first, so a full name is replaced whole', () => {
    expect(redact('Mary\nMary Smith => [manager]\nSmith', 'Mary Smith told Mary and Mr Smith.')).toBe('[manager] told [name] and Mr [name].');
  });

  it('gives the same result whatever order the names are listed in', () => {
    const text = 'Mary Smith told Mary and Mr Smith.';
    expect(redact('Smith\nMary\nMary Smith', text)).toBe(redact('Mary Smith\nSmith\nMary', text));
  });

  it('keeps the ending of a possessive, with a straight or a curly apostrophe', () => {
    expect(redact('Mary\nJames', "Mary's idea, MARY’S team and James' car.")).toBe("[name]'s idea, [name]’S team and [name]' car.");
  });

  it('matches a name with an apostrophe whichever apostrophe the text uses', () => {
    expect(redact("O'Neill", 'Mrs O’Neill and mrs o\'neill came.')).toBe('Mrs [name] and mrs [name] came.');
  });

  it('does not take a listed name out of a longer name joined by an apostrophe', () => {
    expect(redact('Neill\nO', "O'Neill spoke; then Neill and O.")).toBe("O'Neill spoke; then [name] and [name].");
  });

  it('matches names with accents, whether the accent is one character or two', () => {
    const composed = 'Zo\u00eb';
    const decomposed = 'Zoe\u0308';
    expect(redact(composed, `${composed} and ${decomposed} but not Zoe or ${composed}y.`)).toBe('[name] and [name] but not Zoe or Zoëy.');
    expect(redact('Siân', 'SIÂN and Siân’s group')).toBe('[name] and [name]’s group');
  });

  it('matches a name split over a line break or several spaces', () => {
    expect(redact('Mary Smith', 'Mary\nSmith and Mary   Smith')).toBe('[name] and [name]');
  });

  it('treats the characters of a name literally', () => {
    expect(redact('A.B. Jones (Ward 7)\nC+', 'A.B. Jones (Ward 7) met C+ and AxB. Jones')).toBe('[name] met [name] and AxB. Jones');
  });

  it('never redacts a replacement again, and takes dollar signs in a replacement literally', () => {
    expect(redact('name => $1 [name]\nMary', 'Mary gave her name.')).toBe('[name] gave her $1 [name].');
  });
});

describe('redacting a segment', () => {
  it('redacts the text and the speaker and keeps the id, other attributes and source', () => {
    const segment = {
      id: 'g1#2',
      text: "I asked Mary's manager.",
      attributes: { group: 'g1', speaker: 'Mary', role: 'participant', sector: 'Mary' },
      source: { file: 't.md', line: 7 },
    };
    expect(redactSegment(segment, redactor(listOf('Mary')))).toEqual({
      id: 'g1#2',
      text: "I asked [name]'s manager.",
      attributes: { group: 'g1', speaker: '[name]', role: 'participant', sector: 'Mary' },
      source: { file: 't.md', line: 7 },
    });
    expect(segment.text).toBe("I asked Mary's manager.");
  });
});
