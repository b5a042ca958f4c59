/**
 * Reading a page's answers from form fields, and checking them against the instrument that the
 * page was rendered from. Form field names follow the column layout: `<qid>` for single, scale,
 * number and text questions, `<qid>` repeated once per ticked option for multiple-choice, and
 * `<qid>.<row>` for each row of a matrix.
 *
 * Two kinds of failure: a *field error* is something a respondent can fix (a required question
 * left blank, a number out of range) and comes back on the page; a *malformed* form is one no
 * rendered page could have sent (a question it does not ask, an option it does not list, a
 * repeated single answer) and is refused whole.
 */
import type { AnswerValue } from './evaluate.ts';
import { optionIds, optionOf, type Option, type Question } from './schema.ts';

export type FormValues = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface FieldError {
  /** The form field to link to from the error summary. */
  field: string;
  question: string;
  message: string;
}

export class MalformedFormError extends Error {
  override name = 'MalformedFormError';
}

/** Field names that belong to the form machinery, not to answers. */
export const CONTROL_FIELDS = ['_csrf', '_shown_at', '_asked', '_action'] as const;

export function fieldNames(question: Question): string[] {
  return question.type === 'matrix' ? Object.keys(question.rows).map((row) => `${question.id}.${row}`) : [question.id];
}

function single(form: FormValues, field: string): string | undefined {
  const value = form[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new MalformedFormError(`the form sent \`${field}\` ${value.length} times, but it takes one answer`);
  }
  return value;
}

function many(form: FormValues, field: string): string[] {
  const value = form[field];
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

function checkOption(question: Question & { options: readonly Option[] }, field: string, value: string): void {
  if (!optionOf(question.options, value)) {
    throw new MalformedFormError(`the form sent \`${field}\` = '${value.slice(0, 50)}', which is not one of its options`);
  }
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;

function readNumber(question: Extract<Question, { type: 'number' }>, text: string): number | string {
  const cleaned = text.replace(/[\s,]/g, '');
  const range =
    question.min !== undefined && question.max !== undefined
      ? ` between ${question.min} and ${question.max}`
      : question.min !== undefined
        ? ` of ${question.min} or more`
        : question.max !== undefined
          ? ` of ${question.max} or less`
          : '';
  const kind = question.integer ? 'a whole number' : 'a number';
  if (!NUMBER.test(cleaned)) return `Enter ${kind}${range}, using digits`;
  // Judged on the text: 1.000…001 with enough zeros parses to exactly 1.
  if (question.integer && /\.\d*[1-9]/.test(cleaned)) return `Enter ${kind}${range}`;
  const value = Number(cleaned);
  // Past about 309 digits a double is Infinity (stored as JSON null), and past about 17
  // significant digits it is another number; either way what was written would not be kept.
  if (!Number.isFinite(value) || digitsOf(cleaned.replace(/^[-+]/, '')) !== digitsOf(String(Math.abs(value)))) {
    return `Enter ${kind}${range} using fewer digits`;
  }
  if ((question.min !== undefined && value < question.min) || (question.max !== undefined && value > question.max)) {
    return `Enter ${kind}${range}`;
  }
  // JSON has no −0; it would come back as 0 anyway.
  return value === 0 ? 0 : value;
}

/** A decimal's significant digits and power of ten (`120.50` → `1205e-1`), however it is written. */
function digitsOf(text: string): string {
  const [, whole = '', fraction = '', exponent = '0'] = /^(\d*)(?:\.(\d*))?(?:e([-+]?\d+))?$/i.exec(text) ?? [];
  const all = (whole + fraction).replace(/^0+/, '');
  const significant = all.replace(/0+$/, '');
  if (significant === '') return '0';
  return `${significant}e${Number(exponent) - fraction.length + (all.length - significant.length)}`;
}

/** Text as stored: line breaks normalised, ends trimmed. */
function normaliseText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

/**
 * Reads the answers to `questions` (those the page asked) from a form. Unanswered questions are
 * absent from `answers`.
 */
export function readAnswers(
  questions: readonly Question[],
  form: FormValues,
  options: { requireAnswers?: boolean } = {},
): { answers: Record<string, AnswerValue>; errors: FieldError[] } {
  // Saving to come back later keeps what was typed without insisting on the required answers.
  const requireAnswers = options.requireAnswers ?? true;
  const allowed = new Set<string>([...CONTROL_FIELDS, ...questions.flatMap(fieldNames)]);
  for (const key of Object.keys(form)) {
    if (!allowed.has(key)) throw new MalformedFormError(`the form sent an answer to \`${key.slice(0, 80)}\`, which this page does not ask`);
  }
  const answers: Record<string, AnswerValue> = {};
  const errors: FieldError[] = [];
  const fail = (question: Question, message: string, field = question.id) => errors.push({ field, question: question.id, message });

  for (const question of questions) {
    switch (question.type) {
      case 'single':
      case 'scale': {
        const value = single(form, question.id);
        if (value === undefined || value === '') {
          if (requireAnswers && question.required) fail(question, 'Select an answer');
          break;
        }
        checkOption(question, question.id, value);
        answers[question.id] = value;
        break;
      }
      case 'multiple': {
        const values = many(form, question.id).filter((v) => v !== '');
        for (const value of values) checkOption(question, question.id, value);
        if (new Set(values).size !== values.length) throw new MalformedFormError(`the form sent the same option of \`${question.id}\` twice`);
        if (values.length === 0) {
          if (requireAnswers && question.required) fail(question, 'Select at least one option');
          break;
        }
        // GOV.UK's checkboxes untick the others when "None of these" is ticked, but only with
        // JavaScript; without it the browser sends both, and only the server can refuse them.
        const exclusive = question.options.find((o) => o.exclusive && values.includes(o.id));
        if (exclusive && values.length > 1) {
          fail(question, `Select '${exclusive.label}' on its own, or the other options without it`);
          break;
        }
        // Stored in the instrument's option order, whatever order the browser sent them in.
        answers[question.id] = optionIds(question.options).filter((o) => values.includes(o));
        break;
      }
      case 'matrix': {
        const rows: Record<string, string> = {};
        let firstMissing: string | undefined;
        for (const row of Object.keys(question.rows)) {
          const field = `${question.id}.${row}`;
          const value = single(form, field);
          if (value === undefined || value === '') {
            firstMissing ??= field;
            continue;
          }
          checkOption(question, field, value);
          rows[row] = value;
        }
        if (requireAnswers && question.required && firstMissing !== undefined) fail(question, 'Select an answer for every row', firstMissing);
        if (Object.keys(rows).length > 0) answers[question.id] = rows;
        break;
      }
      case 'number': {
        const text = single(form, question.id)?.trim() ?? '';
        if (text === '') {
          if (requireAnswers && question.required) fail(question, 'Enter a number');
          break;
        }
        const value = readNumber(question, text);
        if (typeof value === 'string') fail(question, value);
        else answers[question.id] = value;
        break;
      }
      case 'text':
      case 'longtext': {
        const text = normaliseText(single(form, question.id) ?? '');
        if (text === '') {
          if (requireAnswers && question.required) fail(question, 'Enter an answer');
          break;
        }
        if ([...text].length > question.max_length) fail(question, `Answer must be ${question.max_length} characters or fewer`);
        // eslint-disable-next-line no-control-regex
        else if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) fail(question, 'Answer must not contain control characters');
        else answers[question.id] = text;
        break;
      }
    }
  }
  return { answers, errors };
}
