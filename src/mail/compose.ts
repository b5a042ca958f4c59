/**
 * A message from a wave's wording: `{key}` replaced by the invitee's values, for known keys only.
 * Deliberately no template language: a researcher's text cannot run anything, and a value (an
 * invitee's name from a CSV) is inserted as it is, never read as a placeholder in turn. The HTML
 * part is the plain text with everything escaped.
 */

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

/** The keys every message may use besides the invitee's CSV columns. */
export const BUILT_IN_KEYS = ['link', 'decline_link', 'name', 'email'] as const;

/** The placeholders a wording uses, in order of first appearance. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Placeholders the wording uses that none of `known` fills (e.g. a misspelt column). */
export function unknownPlaceholders(texts: readonly string[], known: Iterable<string>): string[] {
  const keys = new Set<string>([...BUILT_IN_KEYS, ...known]);
  return [...new Set(texts.flatMap(placeholdersOf))].filter((k) => !keys.has(k));
}

/** One pass over the text, so that a value containing `{link}` stays as written. */
export function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, key: string) => (Object.hasOwn(values, key) ? values[key]! : whole));
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Paragraphs at blank lines, line breaks kept; nothing of the text is markup. */
export function htmlFromText(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`);
  return `<!doctype html>\n<html><body>\n${paragraphs.join('\n')}\n</body></html>\n`;
}

export interface Composed {
  subject: string;
  text: string;
  html: string;
}

export function compose(wording: { subject: string; body: string }, values: Readonly<Record<string, string>>): Composed {
  // A subject is one line whatever a value holds.
  const subject = fill(wording.subject, values).replace(/[\r\n]+/g, ' ');
  const text = fill(wording.body, values);
  return { subject, text, html: htmlFromText(text) };
}
