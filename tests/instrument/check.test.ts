/**
 * `tapestry survey check` on broken instruments: every fixture in tests/fixtures/instruments/broken
 * has one intended problem (a few have several), and the expected lines below were worked out by
 * hand from the fixture (the line a person has to edit, and a plain sentence saying what is wrong),
 * not copied from the checker's output.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { captureIo } from '../support/io.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = 'tests/fixtures/instruments/broken';

interface Case {
  /** A whole sentence: the test's name. */
  name: string;
  /** `line: message` pairs in line order. */
  problems: [number, string][];
}

const NAME_RULE = 'must start with a lower-case letter and use only a-z, 0-9 and _';
const OPTION_RULE = 'must be digits, or start with a lower-case letter and use only a-z, 0-9 and _';

const cases: Record<string, Case> = {
  'yaml-syntax-error.yaml': {
    name: 'reports a YAML syntax error at the line of the unquoted text that contains a colon',
    problems: [[13, 'the YAML is not valid: Nested mappings are not allowed in compact mappings (put text that contains ": " in quotes)']],
  },
  'yaml-unclosed-quote.yaml': {
    name: 'reports a quote that is never closed at the line where it opens, not at the end of the file',
    problems: [[3, 'the YAML is not valid: Missing closing "quote']],
  },
  'duplicate-option-id.yaml': {
    name: 'reports an option id written twice in one question at the line of the second one',
    problems: [[17, 'the key `senior` is repeated here; a key may appear only once in a mapping']],
  },
  'empty-file.yaml': {
    name: 'reports an empty file at line 1 and says which fields an instrument needs',
    problems: [[1, 'the file is empty; an instrument needs id, version, title, kind, source and pages']],
  },
  'top-level-list.yaml': {
    name: 'reports a file that is a list instead of a mapping at the line where the list starts',
    problems: [[2, 'the file must be a mapping of instrument fields (id, version, title, kind, source, pages)']],
  },
  'missing-source.yaml': {
    name: 'reports a missing source at the line where the instrument starts',
    problems: [[2, 'the instrument is missing `source`']],
  },
  'version-number.yaml': {
    name: 'reports a version written as a number and shows the number as it was written',
    problems: [[3, 'version must be a quoted string such as "1.0", not the number 1.0']],
  },
  'version-empty.yaml': {
    name: 'reports an empty version as empty rather than as not being a quoted string',
    problems: [[3, 'version must not be empty; write a quoted string such as "1.0"']],
  },
  'unknown-kind.yaml': {
    name: 'reports an unknown kind at the line of the kind and says which kinds there are',
    problems: [[5, "kind must be individual or organisational, not the text 'team'"]],
  },
  'unknown-field-requried.yaml': {
    name: 'reports an unknown field at its own line and suggests the field that was meant',
    problems: [[14, 'question `tier` has an unknown field `requried`; did you mean `required`?']],
  },
  'unknown-question-type.yaml': {
    name: 'reports an unknown question type at the line of the type and lists the types there are',
    problems: [[12, 'question `tier` has type `dropdown`, which is not a question type; the types are single, multiple, scale, matrix, number, text, longtext']],
  },
  'duplicate-question-id.yaml': {
    name: 'reports a question id used on two pages at the line of the second one, with the line of the first',
    problems: [[20, 'question id `tier` is used twice (first on line 11); every question needs its own id']],
  },
  'duplicate-page-id.yaml': {
    name: 'reports a page id used twice at the line of the second page, with the line of the first',
    problems: [[17, 'page id `about-you` is used twice (first on line 8)']],
  },
  'matrix-without-rows.yaml': {
    name: 'reports a matrix without rows at the line where the question starts',
    problems: [[11, 'question `activities` is a matrix and has no `rows`; list its rows as id: label pairs']],
  },
  'number-min-greater-than-max.yaml': {
    name: 'reports a min greater than the max at the line of the min',
    problems: [[14, 'question `team_size` has min 100 greater than max 10']],
  },
  'integer-fractional-bound.yaml': {
    name: 'reports a fractional bound of a whole-number question at the line of that bound',
    problems: [[16, 'question `team_size` takes whole numbers, but its max 10.5 is not one']],
  },
  'option-without-label.yaml': {
    name: 'reports an option without a label as a missing label of that option, at the line of the option',
    problems: [[16, 'option `senior` of question `tier` has no label']],
  },
  'option-id-not-digits.yaml': {
    name: 'reports a decimal and a signed option id each at its own line, while plain digits pass',
    problems: [
      [16, `option id \`1.5\` of question \`confidence\` ${OPTION_RULE}`],
      [18, `option id \`-9\` of question \`confidence\` ${OPTION_RULE}`],
    ],
  },
  'option-id-twice.yaml': {
    name: 'reports an option code written once as a number and once quoted as the same id written twice',
    problems: [[17, 'option id `1` of question `confidence` is written twice (first on line 15)']],
  },
  'exclusive-on-single-choice.yaml': {
    name: 'reports an exclusive option on a single-choice question, where it would mean nothing',
    problems: [[18, 'option `no` of question `manages_staff` is marked exclusive, but a single-choice question takes one option anyway; `exclusive` is for the options of a multiple-choice question']],
  },
  'option-settings-misspelt.yaml': {
    name: "reports a quoted exclusive, an option mapping without a label and a misspelt option key, each at its line",
    problems: [
      [16, "`exclusive` of option `mentoring` of question `offered` must be true or false, not the text 'true'"],
      [17, 'option `shadowing` of question `offered` has no label'],
      [20, 'option `none` of question `offered` has an unknown field `exlusive`; did you mean `exclusive`?'],
    ],
  },
  'question-id-with-hyphen.yaml': {
    name: 'reports a question id with a hyphen at the line of the id and names the id once',
    problems: [[11, `question id \`team-size\` ${NAME_RULE}`]],
  },
  'question-id-reserved-column.yaml': {
    name: 'reports a question id that clashes with a column every response file has at the line of the id',
    problems: [[11, 'question id `wave` clashes with the `wave` column that every response file has; choose another id']],
  },
  'question-id-keyword.yaml': {
    name: 'reports a question id that is a word of the show_if language at the line of the id',
    problems: [[11, 'question id `in` is a word of the show_if language (and, or, not, in, includes); choose another id']],
  },
  'show-if-unknown-question.yaml': {
    name: 'reports a show_if that names a question that does not exist and suggests the one that was meant',
    problems: [[20, 'show_if names question `tiers`, which does not exist; did you mean `tier`?']],
  },
  'show-if-later-question.yaml': {
    name: 'reports a show_if that names a later question at the line of the show_if',
    problems: [[14, 'show_if names question `tier`, which comes later; show_if may only name earlier questions']],
  },
  'show-if-names-itself.yaml': {
    name: 'reports a show_if that names its own question at the line of the show_if',
    problems: [[14, 'show_if of question `tier` names the question itself; it may only name earlier questions']],
  },
  'show-if-unknown-option.yaml': {
    name: 'reports a show_if that compares a question with an option it does not have and suggests the one that was meant',
    problems: [[20, "show_if compares `tier` with 'senoir', which is not one of its options (front_line, senior); did you mean 'senior'?"]],
  },
  'show-if-double-equals.yaml': {
    name: 'reports a show_if written with == as not valid, at the character of the ==, and says to use =',
    problems: [[20, "show_if `tier == 'senior'` is not valid: use = to compare, not == (at character 6)"]],
  },
  'show-if-unclosed-quote.yaml': {
    name: 'reports a show_if with an unclosed quote at the character where the text starts',
    problems: [[20, "show_if `tier = 'senior` is not valid: text starting here has no closing ' (at character 8)"]],
  },
  'show-if-double-ampersand.yaml': {
    name: 'reports a show_if written with && as not valid, at the character of the &&, and says to use and',
    problems: [[20, "show_if `tier = 'senior' && tier != 'front_line'` is not valid: use `and`, not && (at character 17)"]],
  },
  'includes-on-single-choice.yaml': {
    name: 'reports includes used on a single-choice question and says to use = or in',
    problems: [[20, 'show_if uses `includes` on `tier`, which is a single-choice question; `includes` is for multiple-choice questions (use = or in)']],
  },
  'equals-on-multiple-choice.yaml': {
    name: 'reports = used on a multiple-choice question and says to use includes',
    problems: [[20, "show_if uses `=` on `qual_type`, which is a multiple-choice question; write `qual_type includes '<option>'`"]],
  },
  'show-if-matrix-without-row.yaml': {
    name: 'reports a show_if that names a matrix without a row and gives an example with a real row',
    problems: [[23, 'show_if names matrix `activities` without a row; write `activities.<row>`, for example `activities.coaching`']],
  },
  'show-if-matrix-unknown-row.yaml': {
    name: 'reports a show_if that names a matrix row that does not exist and suggests the row that was meant',
    problems: [[23, 'show_if names row `coachng` of matrix `activities`, which does not exist; did you mean `coaching`?']],
  },
  'show-if-number-compared-with-text.yaml': {
    name: 'reports a show_if that compares a number question with a quoted string',
    problems: [[18, "show_if compares number question `team_size` with '50'; compare it with a number"]],
  },
  'several-problems-at-once.yaml': {
    name: 'reports every problem of a file that has several, in line order',
    problems: [
      [14, 'question `tier` has an unknown field `requried`; did you mean `required`?'],
      [21, 'question `team_size` has min 100 greater than max 10'],
      [23, 'show_if names question `tiers`, which does not exist; did you mean `tier`?'],
    ],
  },
};

/** The fixtures in the order `survey check` reads a directory: file names sorted. */
const fixtures = Object.keys(cases).sort();
const expectedLines = (file: string) => cases[file]!.problems.map(([line, message]) => `${dir}/${file}:${line}: ${message}`);
const summary = (problems: number, files: number) =>
  `${problems} ${problems === 1 ? 'problem' : 'problems'} in ${files} ${files === 1 ? 'file' : 'files'}\n`;

async function check(...args: string[]) {
  const io = captureIo({ cwd: root });
  const status = await run(['survey', 'check', ...args], io);
  return { status, lines: io.stdout().split('\n').filter((l) => l !== ''), stdout: io.stdout(), stderr: io.stderr() };
}

describe('survey check on broken instruments', () => {
  it('has an expectation for every broken fixture, and a fixture for every expectation', () => {
    const files = readdirSync(join(root, dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
    expect(files).toEqual(fixtures);
    expect(files.length).toBeGreaterThanOrEqual(18);
  });

  for (const file of fixtures) {
    it(cases[file]!.name, async () => {
      const result = await check(`${dir}/${file}`);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(summary(cases[file]!.problems.length, 1));
      expect(result.lines).toEqual(expectedLines(file));
    });
  }

  it('reports every problem of every broken file when they are all checked in one call', async () => {
    const result = await check(dir);
    const total = fixtures.reduce((n, file) => n + cases[file]!.problems.length, 0);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(summary(total, fixtures.length));
    expect(result.lines).toEqual(fixtures.flatMap(expectedLines));
  });
});

describe('survey check on good and missing instruments', () => {
  it('passes the three bundled instruments in surveys/ with exit status 0', async () => {
    const bundled = ['leadership-individual', 'leadership-organisational', 'capabilities-self-assessment'];
    const result = await check(...bundled.map((id) => `surveys/${id}.yaml`));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.lines).toHaveLength(3);
    bundled.forEach((id, i) => expect(result.lines[i]).toMatch(new RegExp(`^surveys/${id}\\.yaml: ok — ${id} 1\\.\\d, \\d+ pages, \\d+ questions$`)));
  });

  it('reports a file that does not exist with its name', async () => {
    const result = await check('tests/fixtures/instruments/no-such-instrument.yaml');
    expect(result.stdout).toBe('tests/fixtures/instruments/no-such-instrument.yaml:1: cannot read the instrument: there is no such file\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(summary(1, 1));
  });
});
