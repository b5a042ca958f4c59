import { describe, expect, it } from 'vitest';
import { checkCodebookText } from '../../src/coding/check-codebook.ts';
import { allCodes } from '../../src/coding/codebook.ts';
import { formatProblem } from '../../src/shared/yaml-source.ts';

const FILE = 'pipelines/codebooks/leadership.yaml';
const problemsOf = (text: string) => checkCodebookText(text, FILE).problems.map(formatProblem);

const good = `id: leadership
title: Leadership in social services
codes:
  - id: authority
    label: Leadership as authority
    definition: Leadership seen as what people in senior posts do.
    include: [talk of managers deciding]
    keywords: [manager, boss, senior]
    children:
      - id: command
        label: Command and control
        keywords: [orders]
  - id: sharing
    label: Shared leadership
    examples:
      - "I think leadership is something everyone does."
`;

describe('checking a codebook file', () => {
  it('accepts a well-formed codebook and fills in the fields left out', () => {
    const { codebook, problems } = checkCodebookText(good, FILE);
    expect(problems).toEqual([]);
    expect(allCodes(codebook!).map((c) => c.id)).toEqual(['authority', 'command', 'sharing']);
    expect(codebook!.codes[1]!.keywords).toEqual([]);
    expect(codebook!.codes[0]!.children[0]!.definition).toBe('');
  });

  it('reads a byte-order mark and Windows line endings', () => {
    expect(checkCodebookText(`\uFEFF${good.replace(/\n/g, '\r\n')}`, FILE).codebook).toEqual(checkCodebookText(good, FILE).codebook);
  });

  it('reports an empty file at line 1 and says which fields a codebook needs', () => {
    expect(problemsOf('# nothing yet\n')).toEqual([`${FILE}:1: the file is empty; a codebook needs id, title, codes`]);
  });

  it('reports a file that is a list instead of a mapping', () => {
    expect(problemsOf('\n- id: authority\n')).toEqual([`${FILE}:2: the file must be a mapping of codebook fields (id, title, codes)`]);
  });

  it('reports a YAML syntax error at its line', () => {
    expect(problemsOf('id: leadership\ntitle: "Leadership\ncodes: []\n')).toEqual([`${FILE}:2: the YAML is not valid: Missing closing "quote`]);
  });

  it('reports a code without a label at the line where the code starts', () => {
    expect(problemsOf('id: leadership\ntitle: T\ncodes:\n  - id: sharing\n    label: Shared\n  - id: authority\n    definition: What senior staff do.\n')).toEqual([
      `${FILE}:6: code \`authority\` is missing \`label\``,
    ]);
  });

  it('reports a child code without a label, naming the child', () => {
    expect(problemsOf('id: leadership\ntitle: T\ncodes:\n  - id: authority\n    label: A\n    children:\n      - id: command\n')).toEqual([
      `${FILE}:7: code \`command\` is missing \`label\``,
    ]);
  });

  it('names a code without an id by its place in the codebook', () => {
    expect(problemsOf('id: leadership\ntitle: T\ncodes:\n  - id: authority\n    label: A\n    children:\n      - label: Command\n')).toEqual([
      `${FILE}:7: child 1 of code \`authority\` is missing \`id\``,
    ]);
  });

  it('reports an unknown field at its line and suggests the field that was meant', () => {
    expect(problemsOf('id: leadership\ntitle: T\ncodes:\n  - id: authority\n    label: A\n    keywrds: [boss]\n    colour: red\ndescription: x\n')).toEqual([
      `${FILE}:6: code \`authority\` has an unknown field \`keywrds\`; did you mean \`keywords\`?`,
      `${FILE}:7: code \`authority\` has an unknown field \`colour\`; the fields are id, label, definition, include, exclude, examples, keywords, children`,
      `${FILE}:8: the codebook has an unknown field \`description\`; the fields are id, title, codes`,
    ]);
  });

  it('reports a code id used twice anywhere in the hierarchy at the second, naming the line of the first', () => {
    const text = `id: leadership
title: T
codes:
  - id: authority
    label: A
    children:
      - id: sharing
        label: Shared within authority
  - id: sharing
    label: Shared
    children:
      - id: authority
        label: Again
`;
    expect(problemsOf(text)).toEqual([
      `${FILE}:9: code id \`sharing\` is used twice (first on line 7); each code needs its own id across the whole codebook, children included`,
      `${FILE}:12: code id \`authority\` is used twice (first on line 4); each code needs its own id across the whole codebook, children included`,
    ]);
  });

  it('reports empty keywords, whether empty, blank or left without a value', () => {
    const text = 'id: leadership\ntitle: T\ncodes:\n  - id: authority\n    label: A\n    keywords:\n      - boss\n      - ""\n      - "   "\n      -\n';
    expect(problemsOf(text)).toEqual([
      `${FILE}:8: keyword 2 of code \`authority\` is empty`,
      `${FILE}:9: keyword 3 of code \`authority\` is empty`,
      `${FILE}:10: keyword 4 of code \`authority\` is empty`,
    ]);
  });

  it('reports a list field with nothing after it, and a keyword written as a number', () => {
    expect(problemsOf('id: leadership\ntitle: T\ncodes:\n  - id: authority\n    label: A\n    include:\n    keywords: [2010]\n')).toEqual([
      `${FILE}:6: \`include\` of code \`authority\` has nothing after it; give a list, or leave the field out`,
      `${FILE}:7: keyword 1 of code \`authority\` must be text, not the number 2010; put it in quotes`,
    ]);
  });

  it('reports ids that break the id rule and an empty label', () => {
    expect(problemsOf('id: Leadership Codes\ntitle: T\ncodes:\n  - id: Authority\n    label: ""\n')).toEqual([
      `${FILE}:1: codebook id \`Leadership Codes\` must start with a lower-case letter and use only a-z, 0-9 and -`,
      `${FILE}:4: code id \`Authority\` must start with a lower-case letter and use only a-z, 0-9 and -`,
      `${FILE}:5: \`label\` of code \`Authority\` is empty`,
    ]);
  });

  it('reports a codebook with no codes, and codes that are not mappings', () => {
    expect(problemsOf('id: leadership\ntitle: T\ncodes: []\n')).toEqual([`${FILE}:3: a codebook needs at least one code`]);
    expect(problemsOf('id: leadership\ntitle: T\ncodes:\n  - authority\n  -\n')).toEqual([
      `${FILE}:4: code 1 of the codebook must be a mapping of fields (id, label, …), not the text 'authority'`,
      `${FILE}:5: code 2 of the codebook is empty`,
    ]);
  });

  it('reports a missing title at the start of the file and returns no codebook', () => {
    const result = checkCodebookText('id: leadership\ncodes:\n  - id: a\n    label: A\n', FILE);
    expect(result.codebook).toBeUndefined();
    expect(result.problems.map(formatProblem)).toEqual([`${FILE}:1: the codebook is missing \`title\``]);
  });
});
