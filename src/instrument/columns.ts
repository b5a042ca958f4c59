/**
 * The flat column layout an instrument defines: every CSV that goes into or comes out of tapestry
 * has these columns in this order, so exports, imports and pipelines agree without a mapping.
 */
import { optionIds, questionsOf, type Instrument, type Question } from './schema.ts';

/** Columns every response file starts with, before the instrument's own. */
export const META_COLUMNS = ['response_id', 'wave', 'instrument_version', 'submitted_at'] as const;

export interface Column {
  name: string;
  /** The question the column belongs to; absent for the meta columns. */
  question?: string;
  type: 'id' | 'text' | 'datetime' | Question['type'];
  /** For `multiple`: the option this 1/0 column stands for. */
  option?: string;
  /** For `matrix`: the row this column holds the answer of. */
  row?: string;
  /** What a cell may hold, in words a codebook reader understands. */
  values: string;
  label: string;
}

const META: Column[] = [
  { name: 'response_id', type: 'id', values: 'identifier', label: 'Response identifier' },
  { name: 'wave', type: 'text', values: 'wave name', label: 'Wave in which the response was collected' },
  { name: 'instrument_version', type: 'text', values: 'version', label: 'Version of the instrument answered' },
  { name: 'submitted_at', type: 'datetime', values: 'ISO 8601 UTC', label: 'When the response was submitted' },
];

function numberValues(q: Extract<Question, { type: 'number' }>): string {
  const kind = q.integer ? 'whole number' : 'number';
  if (q.min !== undefined && q.max !== undefined) return `${kind} ${q.min}–${q.max}`;
  if (q.min !== undefined) return `${kind} ≥ ${q.min}`;
  if (q.max !== undefined) return `${kind} ≤ ${q.max}`;
  return kind;
}

export function questionColumns(q: Question): Column[] {
  switch (q.type) {
    case 'single':
    case 'scale':
      return [{ name: q.id, question: q.id, type: q.type, values: optionIds(q.options).join(' | '), label: q.text }];
    case 'multiple':
      return q.options.map(({ id: option, label }) => ({
        name: `${q.id}.${option}`,
        question: q.id,
        type: q.type,
        option,
        values: '1 | 0',
        label: `${q.text} — ${label}`,
      }));
    case 'matrix':
      return Object.entries(q.rows).map(([row, { label }]) => ({
        name: `${q.id}.${row}`,
        question: q.id,
        type: q.type,
        row,
        values: optionIds(q.options).join(' | '),
        label: `${q.text} — ${label}`,
      }));
    case 'number':
      return [{ name: q.id, question: q.id, type: q.type, values: numberValues(q), label: q.text }];
    case 'text':
    case 'longtext':
      return [{ name: q.id, question: q.id, type: q.type, values: `text, up to ${q.max_length} characters`, label: q.text }];
  }
}

export function columnsOf(instrument: Instrument): Column[] {
  return [...META, ...questionsOf(instrument).flatMap(questionColumns)];
}

export interface ResponseMeta {
  responseId: string;
  wave: string;
  instrumentVersion: string;
  /** ISO 8601 UTC, or empty for a response not submitted. */
  submittedAt: string;
}

/**
 * One response as cells in the column layout: option ids, `1`/`0` for each option of a
 * multiple-choice question that was answered (all empty when it was not), numbers as written by
 * `String` (shortest round-trip form, never locale), and empty cells for anything unanswered.
 */
export function cellsOf(columns: readonly Column[], meta: ResponseMeta, answers: Readonly<Record<string, unknown>>): string[] {
  return columns.map((column) => {
    switch (column.name) {
      case 'response_id':
        return meta.responseId;
      case 'wave':
        return meta.wave;
      case 'instrument_version':
        return meta.instrumentVersion;
      case 'submitted_at':
        return meta.submittedAt;
    }
    const answer = answers[column.question!];
    if (answer === undefined || answer === null) return '';
    if (column.option !== undefined) return (answer as string[]).includes(column.option) ? '1' : '0';
    if (column.row !== undefined) return (answer as Record<string, string>)[column.row] ?? '';
    return String(answer);
  });
}
