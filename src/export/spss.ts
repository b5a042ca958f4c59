/**
 * An SPSS syntax file (`.sps`) that reads an export's CSV, declares its dictionary and saves a
 * `.sav`: the file an SPSS or PSPP user runs instead of typing the dictionary in by hand.
 *
 * Decisions, and why:
 * - Only commands that SPSS and GNU PSPP both know (`SUBSTR`, not `CHAR.SUBSTR`; no
 *   `SET UNICODE`), so the file is tested with PSPP and runs in SPSS. The file starts with a UTF-8
 *   byte-order mark, which SPSS needs to read the syntax itself as UTF-8; `/ENCODING='UTF8'` does
 *   the same for the CSV.
 * - `submitted_at` is ISO 8601 (`2026-09-01T09:05:07.250Z`), which no SPSS input format reads, so
 *   it is read as text into a working variable (`@submitted_at`, a name no column can have) and
 *   turned into an SPSS date-time from its parts; `MATCH FILES /KEEP` puts it back in its place.
 * - Missing codes are declared with `MISSING VALUES` on numeric columns and on text columns of at
 *   most 8 bytes. A `.sav` with missing values on a longer string cannot be opened by ReadStat
 *   (R's haven, Python's pyreadstat), so on those columns the codes get value labels only.
 * - Labels are cut to SPSS's limits (255 bytes for a variable label, 120 for a value label) at a
 *   character boundary, and long quoted strings are split with `+` into lines under 80 columns.
 * - GET DATA reads one case per line: a text cell holding a line break cannot be read by SPSS or
 *   PSPP. The file says so at the top; R and Stata read such cells. So a text cell is one line,
 *   and taking the CSV's formula guard off it means looking at its start only: a `'` before
 *   `=`, `+`, `-` or `@` (after any further apostrophes) is dropped, as `unguardCell` does.
 */
import { MISSING_CODES, MISSING_REASONS } from './missing.ts';
import { multipleSetsOf, SHORT_STRING, variablesOf, type Variable } from './variables.ts';
import type { Instrument } from '../instrument/schema.ts';

const VARIABLE_LABEL_BYTES = 255;
const VALUE_LABEL_BYTES = 120;
const DATETIME_WORKING = '@submitted_at';

/** The text cut to at most `bytes` UTF-8 bytes without splitting a character. */
export function truncateBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (used + size > bytes) break;
    out += char;
    used += size;
  }
  return out;
}

/** A quoted SPSS string, split with `+` into pieces of at most 60 characters. */
function quote(text: string, indent = '  '): string {
  const chars = [...text.replace(/\r\n?|\n/g, ' ')];
  const pieces: string[] = [];
  for (let i = 0; i < chars.length || pieces.length === 0; i += 60) pieces.push(`'${chars.slice(i, i + 60).join('').replaceAll("'", "''")}'`);
  return pieces.join(` +\n${indent}  `);
}

function inputFormat(variable: Variable): string {
  switch (variable.storage) {
    case 'string':
      return `A${variable.width}`;
    case 'datetime':
      return 'A24';
    case 'numeric':
      // In delimited data a decimal point in the cell overrides the format's decimals.
      return variable.integer ? 'F40.0' : 'F40.6';
  }
}

function displayFormat(variable: Variable): string | undefined {
  if (variable.storage === 'datetime') return 'DATETIME24.3';
  if (variable.storage !== 'numeric') return undefined;
  if (variable.values.length > 0) return `F${Math.max(3, ...variable.values.map((v) => String(Number(v.code)).length))}.0`;
  return variable.integer ? 'F12.0' : 'F16.6';
}

function valueCode(variable: Variable, code: string | number): string {
  return variable.storage === 'numeric' ? String(Number(code)) : quote(String(code));
}

function missingCodes(variable: Variable): string[] {
  return MISSING_REASONS.map((reason) => (variable.storage === 'numeric' ? String(MISSING_CODES[reason].numeric) : quote(MISSING_CODES[reason].string)));
}

function getData(variables: readonly Variable[], csvFile: string): string[] {
  return [
    'GET DATA',
    '  /TYPE=TXT',
    `  /FILE=${quote(csvFile)}`,
    "  /ENCODING='UTF8'",
    '  /ARRANGEMENT=DELIMITED',
    '  /DELCASE=LINE',
    '  /FIRSTCASE=2',
    "  /DELIMITERS=','",
    `  /QUALIFIER='"'`,
    '  /VARIABLES=',
    ...variables.map((v) => `    ${v.storage === 'datetime' ? DATETIME_WORKING : v.name} ${inputFormat(v)}`),
    '.',
  ];
}

/** Turns the ISO 8601 text in the working variable into an SPSS date-time (seconds since 1582). */
function datetimes(variables: readonly Variable[]): string[] {
  return variables
    .filter((v) => v.storage === 'datetime')
    .flatMap((v) => {
      const part = (from: number, length: number, format: string) => `NUMBER(SUBSTR(${DATETIME_WORKING},${from},${length}),${format})`;
      return [
        `IF (${DATETIME_WORKING} <> '') ${v.name} =`,
        `  DATE.MDY(${part(6, 2, 'F2.0')},`,
        `    ${part(9, 2, 'F2.0')},`,
        `    ${part(1, 4, 'F4.0')})`,
        `  + TIME.HMS(${part(12, 2, 'F2.0')},`,
        `    ${part(15, 2, 'F2.0')},`,
        `    ${part(18, 6, 'F6.3')}).`,
      ];
    });
}

/** Names on indented lines of at most 72 characters. */
function wrap(names: readonly string[]): string[] {
  const lines: string[] = [];
  for (const name of names) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + name.length < 72) lines[last] += ` ${name}`;
    else lines.push(`    ${name}`);
  }
  return lines;
}

/** A command whose entries are separated by `/`; `subcommands` when each entry needs its own. */
/** Takes off the apostrophe the CSV writer puts before text a spreadsheet could run. */
function unguard(variables: readonly Variable[]): string[] {
  return variables
    .filter((v) => v.storage === 'string' && v.question !== undefined && v.values.length === 0)
    .map((v) => `IF (SUBSTR(${v.name},1,1) = "'" AND ANY(SUBSTR(LTRIM(${v.name},"'"),1,1),'=','+','-','@')) ${v.name} = SUBSTR(${v.name},2).`);
}

function command(name: string, entries: string[], subcommands = false): string[] {
  if (entries.length === 0) return [];
  return [`${name}`, ...entries.map((entry, i) => `  ${i === 0 && !subcommands ? ' ' : '/'}${entry}`), '.'];
}

function valueLabels(variable: Variable): string | undefined {
  const labels = variable.values.map((v) => `${valueCode(variable, v.code)} ${quote(truncateBytes(v.label, VALUE_LABEL_BYTES), '    ')}`);
  if (variable.question !== undefined) {
    MISSING_REASONS.forEach((reason, i) => labels.push(`${missingCodes(variable)[i]} ${quote(MISSING_CODES[reason].label)}`));
  }
  if (labels.length === 0) return undefined;
  return `${variable.name}\n${labels.map((label) => `    ${label}`).join('\n')}`;
}

const LEVELS = { nominal: 'NOMINAL', ordinal: 'ORDINAL', scale: 'SCALE' } as const;

/**
 * The `.sps` text for an instrument's CSV: reads `csvFile`, declares every variable and saves
 * `savFile`. Paths are written as given; SPSS resolves relative ones against its working folder.
 */
export function spssSyntax(instrument: Instrument, csvFile: string, savFile: string): string {
  const variables = variablesOf(instrument);
  const questions = variables.filter((v) => v.question !== undefined);
  const declared = questions.filter((v) => v.storage === 'numeric' || v.width <= SHORT_STRING);
  const formats = variables.flatMap((v) => {
    const format = displayFormat(v);
    return format === undefined ? [] : [`${v.name} (${format})`];
  });
  const lines = [
    `* Encoding: UTF-8.`,
    `* ${instrument.title.replace(/\s+/g, ' ')}: instrument ${instrument.id}, version ${instrument.version}.`,
    '* Written by tapestry: reads the CSV export, declares its dictionary and saves a .sav file.',
    `* Missing answers: ${MISSING_CODES.not_shown.numeric} or ${MISSING_CODES.not_shown.string} = ${MISSING_CODES.not_shown.label};`,
    `* ${MISSING_CODES.not_answered.numeric} or ${MISSING_CODES.not_answered.string} = ${MISSING_CODES.not_answered.label}.`,
    '* Text longer than 8 bytes has its codes labelled but not declared missing: R haven and',
    '* pyreadstat cannot open a .sav with missing values on long strings.',
    '* GET DATA reads one case per line, so a text answer holding a line break breaks its case.',
    '',
    ...getData(variables, csvFile),
    '',
    ...datetimes(variables),
    ...unguard(variables),
    ...(variables.some((v) => v.storage === 'datetime') ? ['MATCH FILES /FILE=* /KEEP=', ...wrap(variables.map((v) => v.name)), '.'] : []),
    '',
    ...command('FORMATS', formats),
    '',
    ...command(
      'VARIABLE LABELS',
      variables.map((v) => `${v.name} ${quote(truncateBytes(v.label, VARIABLE_LABEL_BYTES), '    ')}`),
    ),
    '',
    ...command('VALUE LABELS', variables.flatMap((v) => valueLabels(v) ?? [])),
    '',
    ...command('MISSING VALUES', declared.map((v) => `${v.name} (${missingCodes(v).join(', ')})`)),
    '',
    ...command('VARIABLE LEVEL', variables.map((v) => `${v.name} (${LEVELS[v.level]})`)),
    '',
    ...command(
      'MRSETS',
      multipleSetsOf(variables).map(
        (set) =>
          `MDGROUP NAME=$${set.name} LABEL=${quote(truncateBytes(set.label, VARIABLE_LABEL_BYTES), '    ')}\n` +
          `    CATEGORYLABELS=VARLABELS VALUE=1\n    VARIABLES=${set.variables.map((v) => v.name).join(' ')}`,
      ),
      true,
    ),
    '',
    `SAVE OUTFILE=${quote(savFile)}.`,
    '',
  ];
  return `\uFEFF${lines.join('\n').replace(/\n{3,}/g, '\n\n')}`;
}
