/**
 * Instants as people type them: an ISO 8601 date, meaning midnight UTC, or a date and time with
 * its offset. A time without an offset is refused, since it would mean different moments on
 * different machines.
 */

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** Whether year-month-day is a day the calendar has (Date would roll 2026-02-30 into March). */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  const calendar = new Date(Date.UTC(year, month - 1, day));
  return calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
}

/** The instant `text` names, or undefined when it is not one of the forms above. */
export function readInstant(text: string): Date | undefined {
  const written = text.trim();
  const match = INSTANT.exec(written);
  if (!match) return undefined;
  const date = new Date(match[4] === undefined ? `${written}T00:00:00Z` : written);
  if (Number.isNaN(date.getTime()) || !isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3]))) return undefined;
  return date;
}

/** An instant as tapestry prints it: ISO 8601 in UTC, without milliseconds when there are none. */
export function isoInstant(value: Date | string): string {
  return new Date(value).toISOString().replace('.000Z', 'Z');
}
