/** Reading the workspace's forms, and showing what is wrong with them as GOV.UK pages do. */
import type { FormValues } from '../../../instrument/answers.ts';
import { formOf } from '../../form-parser.ts';

export { formOf };

/** A field's value as one string: the first sent, '' when absent. */
export function field(form: FormValues, name: string): string {
  const value = form[name];
  if (Array.isArray(value)) return value[0] ?? '';
  return typeof value === 'string' ? value : '';
}

/** Every value sent for a field, for checkboxes and repeated inputs. */
export function fieldValues(form: FormValues, name: string): string[] {
  const value = form[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

export interface FieldProblem {
  /** The id of the input the summary links to. */
  field: string;
  message: string;
}

/** The error summary's list and each field's message, for the templates. */
export function problemViews(problems: readonly FieldProblem[]) {
  const errorsByField: Record<string, string> = {};
  for (const problem of problems) errorsByField[problem.field] ??= problem.message;
  return { errors: problems.map((p) => ({ text: p.message, href: `#${p.field}` })), errorsByField };
}

/** Only an address inside the workspace may be where sign-in sends someone next. */
export function safeNext(next: string): string {
  return /^\/admin(?:[/?]|$)/.test(next) && !next.startsWith('//') && !/[\\\s]/.test(next) ? next : '/admin';
}
