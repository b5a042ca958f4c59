/**
 * An R script (`.R`) that reads an export's CSV into a labelled data frame, `responses`, with
 * nothing but base R, so it runs wherever R does.
 *
 * Decisions, and why:
 * - `read.csv` with `colClasses` for every column, `na.strings = ""` (so a text answer "NA" stays
 *   text) and `encoding = "UTF-8"` (which marks the text as UTF-8 without re-encoding it, right in
 *   any locale); columns are found by their header, so a file with more columns (a simulated
 *   file's `weight`) still reads, and one that lacks some stops with their names. They are then
 *   given the names of `names.ts`, as SPSS and Stata have them.
 * - Choice columns become factors with the options' labels as levels, in the instrument's order;
 *   scales become ordered factors, lowest point first. The 1/0 columns stay numbers.
 * - Both missing codes become `NA`, as R has one kind of missing; which kind each was is kept in
 *   the column's attribute `missing`: a factor as long as the column, with the levels
 *   "not shown (skip logic)" and "shown, not answered", `NA` where there is an answer.
 * - Each column's label is its attribute `label`, the convention haven, labelled and Hmisc read.
 *   Like every attribute, it is lost when a factor is subset; take it from `responses` itself.
 * - The CSV's formula guard is taken off free text again, as tapestry's own readers do.
 * - Strings in the script are written with `\u` escapes for everything outside ASCII, so the
 *   script means the same whatever encoding R reads it in.
 */
import { MISSING_CODES, MISSING_REASONS } from './missing.ts';
import { variablesOf, type Variable } from './variables.ts';
import type { Instrument } from '../instrument/schema.ts';

/** An R string literal, ASCII only. */
export function rString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x80) out += char;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U{${code.toString(16)}}`;
  }
  return `${out}"`;
}

/** `c(…)`, wrapped onto indented lines when it would run past 80 columns. */
function vector(items: readonly string[]): string {
  const flat = `c(${items.join(', ')})`;
  if (flat.length <= 64) return flat;
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + item.length < 74) lines[last] += ` ${item},`;
    else lines.push(`    ${item},`);
  }
  return `c(\n${lines.join('\n').slice(0, -1)}\n  )`;
}

function colClass(variable: Variable): string {
  return variable.storage === 'numeric' ? 'numeric' : 'character';
}

function missingCodes(variable: Variable): string {
  return vector(MISSING_REASONS.map((reason) => (variable.storage === 'numeric' ? String(MISSING_CODES[reason].numeric) : rString(MISSING_CODES[reason].string))));
}

function columnLines(variable: Variable): string[] {
  const column = `responses$${variable.name}`;
  const lines: string[] = [];
  if (variable.storage === 'datetime') {
    lines.push(`${column} <- as.POSIXct(${column}, format = "%Y-%m-%dT%H:%M:%OSZ", tz = "UTC")`);
  }
  if (variable.question !== undefined) {
    if (variable.storage === 'string' && variable.values.length === 0) {
      lines.push(`${column} <- unguard(${column})`);
    }
    lines.push(`${column} <- missing_as_na(${column}, ${missingCodes(variable)})`);
    const choices = variable.question.type !== 'multiple' && variable.values.length > 0;
    if (choices) {
      const codes = variable.values.map((v) => (variable.storage === 'numeric' ? String(Number(v.code)) : rString(v.code)));
      const ordered = variable.level === 'ordinal' ? 'TRUE' : 'FALSE';
      lines.push(
        `${column} <- as_factor(${column},`,
        `  levels = ${vector(codes)},`,
        `  labels = ${vector(variable.values.map((v) => rString(v.label)))},`,
        `  ordered = ${ordered})`,
      );
    }
  }
  lines.push(`attr(${column}, "label") <- ${rString(variable.label)}`);
  return lines;
}

const HELPERS = [
  '# Both missing codes become NA; attr(x, "missing") says which kind each NA was.',
  'missing_as_na <- function(x, codes) {',
  '  kind <- match(x, codes)',
  `  x[!is.na(kind)] <- NA`,
  `  attr(x, "missing") <- factor(kind, levels = 1:2, labels = ${vector(MISSING_REASONS.map((r) => rString(MISSING_CODES[r].label)))})`,
  '  x',
  '}',
  '',
  '# A factor that keeps the attribute "missing" that factor() would drop.',
  'as_factor <- function(x, levels, labels, ordered) {',
  '  f <- factor(x, levels = levels, labels = labels, ordered = ordered)',
  '  attr(f, "missing") <- attr(x, "missing")',
  '  f',
  '}',
  '',
  "# Takes off the apostrophe tapestry's CSV puts before a line a spreadsheet could run.",
  'unguard <- function(x) gsub("(?<=^|[\\n\\r])\'(?=\'*[=+\\\\-@\\t\\r])", "", x, perl = TRUE)',
];

/** The `.R` text that reads `csvFile` into the data frame `responses`. */
export function rScript(instrument: Instrument, csvFile: string): string {
  const variables = variablesOf(instrument);
  const lines = [
    `# ${instrument.title.replace(/\s+/g, ' ')}: instrument ${instrument.id}, version ${instrument.version}.`,
    '# Written by tapestry: reads the CSV export into the data frame `responses`, labelled, in base R.',
    `# Missing answers are NA; attr(x, "missing") tells ${MISSING_CODES.not_shown.label} from ${MISSING_CODES.not_answered.label}.`,
    '',
    ...HELPERS,
    '',
    `csv_file <- ${rString(csvFile)}`,
    `columns <- ${vector(variables.map((v) => rString(v.column.name)))}`,
    'absent <- setdiff(columns, names(read.csv(csv_file, nrows = 0, check.names = FALSE, encoding = "UTF-8")))',
    'if (length(absent) > 0) stop(csv_file, " lacks the columns ", paste(absent, collapse = ", "), call. = FALSE)',
    'responses <- read.csv(',
    '  csv_file,',
    `  colClasses = setNames(${vector(variables.map((v) => rString(colClass(v))))}, columns),`,
    '  na.strings = "", encoding = "UTF-8", check.names = FALSE, strip.white = FALSE',
    ')',
    '# Columns beyond the layout (a simulated file\'s weight) are kept after it, under their own names.',
    'responses <- responses[c(columns, setdiff(names(responses), columns))]',
    `names(responses)[seq_along(columns)] <- ${vector(variables.map((v) => rString(v.name)))}`,
    '',
    ...variables.flatMap((v) => [...columnLines(v), '']),
    'rm(missing_as_na, as_factor, unguard, csv_file, columns, absent)',
    '',
  ];
  return lines.join('\n');
}
