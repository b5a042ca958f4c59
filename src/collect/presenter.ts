/** View models: turning instruments and answers into what the templates and GOV.UK macros take. */
import nunjucks from 'nunjucks';
import { fieldNames, type FieldError, type FormValues } from '../instrument/answers.ts';
import type { AnswerValue } from '../instrument/evaluate.ts';
import { optionOf, type Option, type Page, type Question } from '../instrument/schema.ts';

export interface QuestionView {
  id: string;
  type: Question['type'];
  text: string;
  hint?: string | undefined;
  /** GOV.UK radio or checkbox items; a divider item (`or`) goes before an exclusive option. */
  items?: ({ value: string; text: string; behaviour?: 'exclusive' } | { divider: string })[];
  rows?: { field: string; label: string }[];
  integer?: boolean;
  unit?: string | undefined;
  max_length?: number;
}

export function questionView(q: Question): QuestionView {
  const base = { id: q.id, type: q.type, text: q.required ? q.text : `${q.text} (optional)`, hint: q.hint };
  switch (q.type) {
    case 'single':
    case 'scale':
      return { ...base, items: choiceItems(q.options) };
    case 'multiple':
      return { ...base, items: checkboxItems(q.options) };
    case 'matrix':
      return {
        ...base,
        items: choiceItems(q.options),
        rows: Object.entries(q.rows).map(([row, { label }]) => ({ field: `${q.id}.${row}`, label })),
      };
    case 'number':
      return { ...base, integer: q.integer, unit: q.unit };
    case 'text':
    case 'longtext':
      return { ...base, max_length: q.max_length };
  }
}

function choiceItems(options: readonly Option[]) {
  return options.map((o) => ({ value: o.id, text: o.label }));
}

/**
 * As GOV.UK's checkboxes show a "none" option: after an "or" divider, with the `exclusive`
 * behaviour that unticks the others where JavaScript runs (the server refuses the mix anyway).
 */
function checkboxItems(options: readonly Option[]): NonNullable<QuestionView['items']> {
  return options.flatMap((o, i): NonNullable<QuestionView['items']> =>
    o.exclusive
      ? [...(i > 0 && !options[i - 1]!.exclusive ? [{ divider: 'or' }] : []), { value: o.id, text: o.label, behaviour: 'exclusive' as const }]
      : [{ value: o.id, text: o.label }],
  );
}

/** Stored answers as form values, to fill a page in again. */
export function formValues(questions: readonly Question[], answers: Readonly<Record<string, unknown>>): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const q of questions) {
    const answer = answers[q.id];
    if (answer === undefined || answer === null) continue;
    if (q.type === 'matrix') {
      for (const [row, option] of Object.entries(answer as Record<string, string>)) values[`${q.id}.${row}`] = option;
    } else if (q.type === 'multiple') {
      values[q.id] = [...(answer as string[])];
    } else {
      values[q.id] = String(answer);
    }
  }
  return values;
}

/** What was posted, as values to show again after an error (only the fields of these questions). */
export function postedValues(questions: readonly Question[], form: FormValues): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const field of questions.flatMap(fieldNames)) {
    const value = form[field];
    if (value !== undefined) values[field] = typeof value === 'string' ? value : [...value];
  }
  return values;
}

/** A question as the start of an error-summary line: "Which sector?" stays as it is, "Your age" gets a colon. */
function summaryLead(question: string): string {
  return /[?.!:]$/.test(question) ? question : `${question}:`;
}

export function errorViews(errors: readonly FieldError[], questions: readonly Question[]) {
  const text = new Map(questions.map((q) => [q.id, q.text]));
  return {
    // The summary names the question: several errors on one page would otherwise read alike.
    errors: errors.map((e) => ({ text: `${summaryLead(text.get(e.question) ?? e.question)} ${e.message}`, href: `#${e.field}` })),
    errorsByField: Object.fromEntries(errors.map((e) => [e.field, e.message])),
  };
}

/** An answer in words, for the check-answers page. */
export function answerText(q: Question, answer: AnswerValue | undefined): string {
  if (answer === undefined) return 'Not answered';
  switch (q.type) {
    case 'single':
    case 'scale':
      return optionOf(q.options, answer as string)?.label ?? String(answer);
    case 'multiple':
      return (answer as string[]).map((o) => optionOf(q.options, o)?.label ?? o).join('\n');
    case 'matrix':
      return Object.entries(q.rows)
        .map(([row, { label }]) => `${label}: ${optionOf(q.options, (answer as Record<string, string>)[row] ?? '')?.label ?? 'Not answered'}`)
        .join('\n');
    case 'number':
      return q.unit ? `${answer} ${q.unit}` : String(answer);
    case 'text':
    case 'longtext':
      return String(answer);
  }
}

export function summaryRows(page: Page, shown: Set<string>, answers: Readonly<Record<string, AnswerValue>>, changeHref: string) {
  return page.questions
    .filter((q) => shown.has(q.id))
    .map((q) => ({
      key: { text: q.text },
      // Lines (several options, a paragraph) as <br>s: `white-space: pre-line` on the cell would
      // also show the newline the summary-list template puts before the value, as a blank line.
      value: { html: escapeHtml(answerText(q, answers[q.id])).replace(/\r?\n/g, '<br>') },
      actions: { items: [{ href: `${changeHref}#${fieldNames(q)[0]}`, text: 'Change', visuallyHiddenText: q.text }] },
    }));
}

/** Text made safe to put in HTML, with the templates' own escaping (they escape `text`; this is for `html` built here). */
export function escapeHtml(text: string): string {
  return (nunjucks as unknown as { lib: { escape(s: string): string } }).lib.escape(text);
}
