/**
 * A strict parser for application/x-www-form-urlencoded bodies. Browsers percent-encode every
 * non-ASCII byte, so a body with raw non-ASCII, a malformed escape or an escape that decodes to
 * invalid UTF-8 was not sent by our pages: it is refused with a 400 instead of being "repaired"
 * into replacement characters and stored.
 */
import type { FormValues } from '../instrument/answers.ts';

export class FormEncodingError extends Error {
  readonly statusCode = 400;
  readonly code = 'TAPESTRY_BAD_FORM_ENCODING';
  override name = 'FormEncodingError';
}

function decode(part: string, position: number): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new FormEncodingError(`The form data is not valid: field ${position} has a malformed percent-encoding or is not UTF-8.`);
  }
}

/** Repeated names become arrays, in the order sent; a name without a value is the empty string. */
export function parseForm(body: string): Record<string, string | string[]> {
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(body)) throw new FormEncodingError('The form data is not valid: it contains characters that were not percent-encoded.');
  const form: Record<string, string | string[]> = Object.create(null);
  if (body === '') return form;
  body.split('&').forEach((pair, index) => {
    if (pair === '') return;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq), index + 1);
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1), index + 1);
    const existing = form[name];
    if (existing === undefined) form[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else form[name] = [existing, value];
  });
  return form;
}

/** A parsed request body as the form it is; a request with no body has an empty form. */
export function formOf(body: unknown): FormValues {
  if (body === null || typeof body !== 'object') return {};
  return body as FormValues;
}
