/**
 * A Stata do-file (`.do`) that imports an export's CSV and labels it: variable labels, value
 * labels, and the two kinds of missing answer as extended missing values.
 *
 * Decisions, and why:
 * - `import delimited … varnames(1)` turns headers such as `support.manager` into names of its own
 *   choosing, so every variable is then renamed by position (`rename (`r(varlist)') (…)`) to the names of
 *   `names.ts`, the same names as SPSS and R use. `bindquote(strict)` reads a quoted line break
 *   as part of its cell; `asdouble` keeps numbers as the CSV writes them.
 * - Stata's value labels attach only to whole numbers, so a column of letter codes is turned into
 *   numbers: each code becomes its position in the instrument's order (1, 2, 3…), labelled with
 *   the option's label; numeric codes keep their own value. -99 and -98 (and `.skip` and `.blank`
 *   in a letter-coded column) become `.a` and `.b`, labelled, so `missing(x)` holds for both.
 * - Free-text columns stay text and keep `.skip` and `.blank` (Stata has no missing values for
 *   strings); a note on each variable says what they mean. The CSV's formula guard (a `'` before
 *   a line that starts with `=`, `+`, `-`, `@`, a tab or a carriage return) is taken off again.
 * - `submitted_at` becomes a `%tc` date-time (milliseconds since 1960, UTC).
 * - Labels are cut to 80 characters, Stata's limit for a variable label; `$` and a backquote are
 *   escaped so Stata expands no macro inside them.
 */
import { MISSING_CODES } from './missing.ts';
import { variablesOf, type Variable } from './variables.ts';
import type { Instrument } from '../instrument/schema.ts';

const VARIABLE_LABEL_CHARS = 80;
/** The guard `unguardCell` takes off, as an ICU regular expression. */
const GUARD = `"(?<=^|[\\n\\r])'(?='*[=+\\-@\\t\\r])"`;

/** A Stata string in compound quotes, with no macro expansion and no line break. */
function quote(text: string): string {
  return `\`"${text.replace(/\r\n?|\n/g, ' ').replace(/[$`]/g, (c) => `\\${c}`)}"'`;
}

function truncateChars(text: string, chars: number): string {
  const all = [...text];
  return all.length <= chars ? text : all.slice(0, chars).join('');
}

/** Column positions (1-based) as a Stata numlist. */
function positions(variables: readonly Variable[], which: (v: Variable) => boolean): string {
  return variables.flatMap((v, i) => (which(v) ? [String(i + 1)] : [])).join(' ');
}

/** Names on continued lines (`///`) of at most about 80 characters. */
function wrap(first: string, names: readonly string[], last: string): string[] {
  const lines = [first];
  for (const name of names) {
    const i = lines.length - 1;
    if (lines[i]!.endsWith('(')) lines[i] += name;
    else if (lines[i]!.length + name.length < 76) lines[i] += ` ${name}`;
    else {
      lines[i] += ' ///';
      lines.push(`    ${name}`);
    }
  }
  lines[lines.length - 1] += last;
  return lines;
}

const lettered = (v: Variable) => v.storage === 'string' && v.values.length > 0;
const freeText = (v: Variable) => v.storage === 'string' && v.question !== undefined && v.values.length === 0;

function importCommand(variables: readonly Variable[], csvFile: string): string[] {
  const strings = positions(variables, (v) => v.storage !== 'numeric');
  const numbers = positions(variables, (v) => v.storage === 'numeric');
  return [
    `import delimited using ${quote(csvFile)}, clear ///`,
    '    encoding("utf-8") varnames(1) delimiters(",") bindquote(strict) asdouble ///',
    `    stringcols(${strings})${numbers === '' ? '' : ' ///'}`,
    ...(numbers === '' ? [] : [`    numericcols(${numbers})`]),
    // The imported names are Stata's own guesses; `ds` lists them in the file's order.
    'quietly ds',
    ...wrap("rename (`r(varlist)') (", variables.map((v) => v.name), ')'),
  ];
}

function missingDefinitions(): string {
  return `${MISSING_CODES.not_shown.stata} ${quote(MISSING_CODES.not_shown.label)} ${MISSING_CODES.not_answered.stata} ${quote(MISSING_CODES.not_answered.label)}`;
}

/** A letter-coded column as numbers 1, 2, 3… in the instrument's order, .a and .b for missing. */
function encodeLetters(variable: Variable): string[] {
  const coded = '`coded\'';
  return [
    'tempvar coded',
    `generate long ${coded} = .`,
    ...variable.values.map((v, i) => `replace ${coded} = ${i + 1} if ${variable.name} == ${quote(v.code)}`),
    `replace ${coded} = ${MISSING_CODES.not_shown.stata} if ${variable.name} == ${quote(MISSING_CODES.not_shown.string)}`,
    `replace ${coded} = ${MISSING_CODES.not_answered.stata} if ${variable.name} == ${quote(MISSING_CODES.not_answered.string)}`,
    `drop ${variable.name}`,
    `rename ${coded} ${variable.name}`,
  ];
}

function valueLabels(variable: Variable): string[] {
  const numberOf = (code: string, i: number) => (variable.storage === 'numeric' ? String(Number(code)) : String(i + 1));
  return [
    `label define ${variable.name} ///`,
    ...variable.values.map((v, i) => `    ${numberOf(v.code, i)} ${quote(v.label)} ///`),
    `    ${missingDefinitions()}, replace`,
    `label values ${variable.name} ${variable.name}`,
  ];
}

function datetime(variable: Variable): string[] {
  const parsed = '`parsed\'';
  return [
    'tempvar parsed',
    `generate double ${parsed} = clock(subinstr(substr(${variable.name}, 1, 23), "T", " ", 1), "YMDhms")`,
    `format ${parsed} %tcCCYY-NN-DD_HH:MM:SS.sss`,
    `drop ${variable.name}`,
    `rename ${parsed} ${variable.name}`,
  ];
}

/** The `.do` text that imports `csvFile` and labels it. */
export function stataSyntax(instrument: Instrument, csvFile: string): string {
  const variables = variablesOf(instrument);
  const numericQuestions = variables.filter((v) => v.storage === 'numeric' && v.question !== undefined);
  const section = (title: string, lines: string[]) => (lines.length === 0 ? [] : ['', `* ${title}`, ...lines]);
  const lines = [
    `* ${instrument.title.replace(/\s+/g, ' ')}: instrument ${instrument.id}, version ${instrument.version}.`,
    '* Written by tapestry: imports the CSV export and labels it (Stata 14 or later: UTF-8).',
    `* Missing answers: ${MISSING_CODES.not_shown.stata} is ${MISSING_CODES.not_shown.label}, ${MISSING_CODES.not_shown.numeric} or ${MISSING_CODES.not_shown.string} in the CSV;`,
    `* ${MISSING_CODES.not_answered.stata} is ${MISSING_CODES.not_answered.label}, ${MISSING_CODES.not_answered.numeric} or ${MISSING_CODES.not_answered.string}. Free text keeps ${MISSING_CODES.not_shown.string} and ${MISSING_CODES.not_answered.string}.`,
    'version 14',
    '',
    ...importCommand(variables, csvFile),
    ...section(
      'The two kinds of missing answer, as extended missing values',
      numericQuestions.length === 0
        ? []
        : wrap(
            'mvdecode',
            numericQuestions.map((v) => v.name),
            `, mv(${MISSING_CODES.not_shown.numeric} = ${MISSING_CODES.not_shown.stata} \\ ${MISSING_CODES.not_answered.numeric} = ${MISSING_CODES.not_answered.stata})`,
          ),
    ),
    ...section('Letter codes as numbers in the instrument\'s order', variables.filter(lettered).flatMap(encodeLetters)),
    ...section('Date-times', variables.filter((v) => v.storage === 'datetime').flatMap(datetime)),
    ...section(
      'Free text: the formula guard taken off, the missing codes noted',
      variables.filter(freeText).flatMap((v) => [
        `replace ${v.name} = ustrregexra(${v.name}, ${GUARD}, "")`,
        // A note is the rest of the line as written, so it takes no quotes.
        `notes ${v.name}: ${MISSING_CODES.not_shown.string} = ${MISSING_CODES.not_shown.label}; ${MISSING_CODES.not_answered.string} = ${MISSING_CODES.not_answered.label}`,
      ]),
    ),
    ...section('Value labels', variables.filter((v) => v.values.length > 0).flatMap(valueLabels)),
    ...section(
      'Labels for the missing codes of numeric columns without options',
      numericQuestions
        .filter((v) => v.values.length === 0)
        .flatMap((v) => [`label define ${v.name} ${missingDefinitions()}, replace`, `label values ${v.name} ${v.name}`]),
    ),
    ...section(
      'Variable labels',
      variables.map((v) => `label variable ${v.name} ${quote(truncateChars(v.label, VARIABLE_LABEL_CHARS))}`),
    ),
    '',
    ...wrap('order', variables.map((v) => v.name), ''),
    '',
  ];
  return lines.join('\n');
}
