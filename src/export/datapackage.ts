/**
 * A Frictionless Data Package (`datapackage.json`) describing the coded CSV beside it with a Table
 * Schema: each column's type, its codes as an `enum` constraint with their labels, the missing
 * codes as `missingValues`, and its question as the description. Frictionless tools, CKAN and
 * Dataverse read the CSV with it as it is meant to be read, without the codebook open beside it.
 *
 * Decisions, and why:
 * - Table Schema 1 (the JSON schemas of the specification, draft-04, against which the tests
 *   validate it), with the value labels also as `categories`, Table Schema 2's property for them,
 *   which version 1 allows as an extra property and version-2 readers understand.
 * - `missingValues` are the four missing codes and the empty cell (a partial response's
 *   `submitted_at`). They apply to every column, which is safe: no option id can be one (a leading
 *   dot or minus is not allowed), and text that is exactly `-99` or `-98` is written guarded
 *   (`'-99`) by the CSV writer.
 * - `submitted_at` holds milliseconds, which Table Schema's default date-time format does not, so
 *   its format is `any` and the description gives the pattern.
 * - Nothing in it depends on the responses or the clock: the same instrument and wave give the
 *   same bytes.
 */
import type { Instrument } from '../instrument/schema.ts';
import { MISSING_CODES, MISSING_REASONS } from './missing.ts';
import type { Variable } from './variables.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const MISSING_VALUES: readonly string[] = [
  ...MISSING_REASONS.map((r) => String(MISSING_CODES[r].numeric)),
  ...MISSING_REASONS.map((r) => MISSING_CODES[r].string),
  '',
];

const GUARD_NOTE =
  "Text cells: a line that begins with =, +, -, @, a tab or a carriage return has an apostrophe put before it, so no spreadsheet runs it as a formula; take one apostrophe off such a line to get the answer back.";

function missingNote(variable: Variable): string {
  const question = variable.question!;
  const numeric = variable.storage === 'numeric';
  const code = (reason: (typeof MISSING_REASONS)[number]) => (numeric ? String(MISSING_CODES[reason].numeric) : MISSING_CODES[reason].string);
  const shown = question.show_if === undefined ? 'always shown' : `shown when ${question.show_if}`;
  return `Missing: ${code('not_shown')} = ${MISSING_CODES.not_shown.label}; ${code('not_answered')} = ${MISSING_CODES.not_answered.label} (${shown}).`;
}

function fieldType(variable: Variable): { type: string; format?: string } {
  switch (variable.storage) {
    case 'datetime':
      return { type: 'datetime', format: 'any' };
    case 'numeric':
      return { type: variable.integer ? 'integer' : 'number' };
    case 'string':
      return { type: 'string' };
  }
}

function field(variable: Variable): Record<string, Json> {
  const { type, format } = fieldType(variable);
  const question = variable.question;
  const description =
    question === undefined
      ? variable.column.name === 'submitted_at'
        ? 'ISO 8601 in UTC with milliseconds (2026-09-01T09:05:07.250Z); empty for a response still in progress.'
        : variable.column.values
      : `${variable.label} (${variable.column.type} question \`${question.id}\`, variable ${variable.name}). ${missingNote(variable)}`;
  const out: Record<string, Json> = { name: variable.column.name, title: variable.label, description, type };
  if (format !== undefined) out.format = format;
  const constraints: Record<string, Json> = {};
  if (variable.values.length > 0) {
    const value = (code: string) => (variable.storage === 'numeric' ? Number(code) : code);
    constraints.enum = variable.values.map((v) => value(v.code));
    out.categories = variable.values.map((v) => ({ value: value(v.code), label: v.label }));
    if (variable.level === 'ordinal') out.categoriesOrdered = true;
  }
  if (question?.type === 'number') {
    if (question.min !== undefined) constraints.minimum = question.min;
    if (question.max !== undefined) constraints.maximum = question.max;
  }
  if (variable.column.name === 'response_id') {
    constraints.required = true;
    constraints.unique = true;
  }
  if (Object.keys(constraints).length > 0) out.constraints = constraints;
  return out;
}

/** The package's name: lower case, digits and `-._`, as the specification allows. */
export function packageName(instrument: Instrument, wave: string): string {
  return `${instrument.id}-${wave}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
}

/** The `datapackage.json` text for the coded CSV `csvFile` (a path relative to the package). */
export function dataPackage(instrument: Instrument, wave: string, variables: readonly Variable[], csvFile: string): string {
  const name = packageName(instrument, wave);
  const descriptor = {
    profile: 'tabular-data-package',
    name,
    title: `${instrument.title}: wave ${wave}`,
    description: `Responses to ${instrument.id} version ${instrument.version}, wave ${wave}, in tapestry's column layout. ${MISSING_CODES.not_shown.numeric} or ${MISSING_CODES.not_shown.string}: ${MISSING_CODES.not_shown.label}; ${MISSING_CODES.not_answered.numeric} or ${MISSING_CODES.not_answered.string}: ${MISSING_CODES.not_answered.label}.`,
    version: instrument.version,
    sources: [{ title: instrument.source }],
    resources: [
      {
        profile: 'tabular-data-resource',
        name: 'responses',
        path: csvFile,
        title: `Responses, wave ${wave}`,
        description: GUARD_NOTE,
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        dialect: { delimiter: ',', lineTerminator: '\n', quoteChar: '"', doubleQuote: true, header: true },
        schema: {
          fields: variables.map(field),
          missingValues: [...MISSING_VALUES],
          primaryKey: ['response_id'],
        },
      },
    ],
  };
  return `${JSON.stringify(descriptor, null, 2)}\n`;
}
