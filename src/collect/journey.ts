/**
 * The rules of a respondent's journey, with no I/O: whether a wave takes responses now, which
 * page a respondent is on and where they go next, what a posted page does to their answers, and
 * what an invitation fills in. The routes in routes/respond/ read the database and the clock and
 * pass what they read in here, so each rule can be tested on its own.
 */
import { readAnswers, type FieldError, type FormValues } from '../instrument/answers.ts';
import type { AnswerValue } from '../instrument/evaluate.ts';
import { prefillAnswers } from '../instrument/prefill.ts';
import type { Instrument, Page } from '../instrument/schema.ts';
import { missingRequired, visibility, visiblePages } from '../instrument/visibility.ts';
import type { ResponseRow, WaveRow } from '../store/database.ts';

export type Answers = Record<string, AnswerValue>;

/** The answers stored with a response (checked against its instrument when they were saved). */
export function answersOf(response: Pick<ResponseRow, 'answers'>): Answers {
  return (response.answers ?? {}) as Answers;
}

/** The step after the last page, as `current_page` stores it: the check-answers page. */
export const CHECK = 'check';

/** Time on a page above this is someone who walked away: it is recorded as this much. */
export const MAX_PAGE_MS = 2 * 60 * 60 * 1000;

type WaveTimes = Pick<WaveRow, 'status' | 'opens_at' | 'closes_at'>;

/** Open means open now: status open, and inside the period if it has an end. */
export function isOpen(wave: WaveTimes, now: Date): boolean {
  return wave.status === 'open' && new Date(wave.opens_at) <= now && (wave.closes_at === null || new Date(wave.closes_at) > now);
}

/**
 * Whether a wave takes responses now. A wave opened for a period ahead is `not-yet-open` (its
 * respondents are told the day); one closed, called off or past its end is `closed`.
 */
export function availability(wave: WaveTimes, now: Date): 'open' | 'not-yet-open' | 'closed' {
  if (wave.status === 'open' && new Date(wave.opens_at) > now) return 'not-yet-open';
  return isOpen(wave, now) ? 'open' : 'closed';
}

/** Whether someone without an invitation may start a response in this wave. */
export function mayStartUninvited(wave: Pick<WaveRow, 'access'>): boolean {
  return wave.access !== 'invitation';
}

/** Whether a resume code is any use here: only anonymous responses in an open-to-all wave have one. */
export function offersResumeCode(wave: Pick<WaveRow, 'access'>, invitationId: number | null | undefined): boolean {
  return wave.access === 'open' && !invitationId;
}

/** The page with this id, if these answers show it; a page they hide is not part of this survey. */
export function visiblePage(instrument: Instrument, answers: Answers, pageId: string): Page | undefined {
  return visiblePages(instrument, answers).find((p) => p.id === pageId);
}

/** Where a page stands among those these answers show: its number, how many there are, the one before. */
export function pagePosition(instrument: Instrument, answers: Answers, pageId: string): { number: number; total: number; previous: string | undefined } {
  const pages = visiblePages(instrument, answers);
  const index = pages.findIndex((p) => p.id === pageId);
  return { number: Math.max(0, index) + 1, total: pages.length, previous: index > 0 ? pages[index - 1]!.id : undefined };
}

/** The questions of a page that these answers show, by id. */
export function shownQuestions(instrument: Instrument, answers: Answers, page: Page): string[] {
  const { shown } = visibility(instrument, answers);
  return page.questions.filter((q) => shown.has(q.id)).map((q) => q.id);
}

/**
 * Where a respondent carries on: the check-answers page if that is where they were, else their
 * current page if their answers still show it, else the first page shown.
 */
export function resumeStep(instrument: Instrument, answers: Answers, currentPage: string | null): string {
  if (currentPage === CHECK) return CHECK;
  const pages = visiblePages(instrument, answers);
  return (pages.find((p) => p.id === currentPage) ?? pages[0] ?? instrument.pages[0]!).id;
}

export interface PageResult {
  /**
   * What happens next: `correct`, the page is shown again with its errors; `follow-up`, shown
   * again because its answers revealed questions the respondent has not seen; `accepted`, the
   * answers are saved and the respondent moves to `next`.
   */
  outcome: 'correct' | 'follow-up' | 'accepted';
  /** Every answer after this page: its earlier answers replaced by the posted ones, hidden questions' dropped. */
  after: Answers;
  /** Problems with the posted answers to questions that are still shown. */
  errors: FieldError[];
  /** The page's questions shown now, by id: those asked, and any follow-ups. */
  asked: string[];
  /** The respondent chose "Save and come back later". */
  saving: boolean;
  /** The step to go to when accepted: this page when saving, else the next page shown or `CHECK`. */
  next: string;
  /** Every required question that is shown has an answer. */
  complete: boolean;
}

/**
 * A posted page applied to the answers `before` it. The questions it asked are those listed in
 * `_asked` (the page may have shown follow-ups since it was first rendered), limited to this page's
 * questions; with no `_asked`, those shown before. Throws `MalformedFormError` for a form the page
 * cannot have sent (an answer to a question it does not ask, an option the question does not list).
 */
export function applyPage(instrument: Instrument, before: Answers, page: Page, form: FormValues, options: { returnToCheck: boolean }): PageResult {
  const saving = form._action === 'save';
  const askedField = typeof form._asked === 'string' ? form._asked.split(' ') : [];
  const shownBefore = visibility(instrument, before).shown;
  const asked = page.questions.filter((q) => askedField.includes(q.id) || (askedField.length === 0 && shownBefore.has(q.id)));
  // Saving to come back later keeps what was typed without insisting on the required answers.
  const read = readAnswers(asked, form, { requireAnswers: !saving });

  const merged: Answers = { ...before };
  for (const q of page.questions) delete merged[q.id];
  Object.assign(merged, read.answers);
  const after = visibility(instrument, merged);
  const errors = read.errors.filter((e) => after.shown.has(e.question));
  const followUps = page.questions.filter((q) => after.shown.has(q.id) && !asked.includes(q));

  const pages = visiblePages(instrument, after.answers);
  const following = pages[pages.findIndex((p) => p.id === page.id) + 1];
  return {
    outcome: errors.length > 0 ? 'correct' : !saving && followUps.length > 0 ? 'follow-up' : 'accepted',
    after: after.answers,
    errors,
    asked: page.questions.filter((q) => after.shown.has(q.id)).map((q) => q.id),
    saving,
    next: saving ? page.id : options.returnToCheck || !following ? CHECK : following.id,
    complete: missingRequired(instrument, after.answers).length === 0,
  };
}

/**
 * Milliseconds spent on a page, from the `_shown_at` the page was rendered with, or undefined when
 * the form did not carry one. A clock that disagrees gives 0; a page left open for hours, `MAX_PAGE_MS`.
 */
export function pageTime(shownAtField: FormValues[string], now: Date): number | undefined {
  const shownAt = Number(shownAtField);
  if (!Number.isFinite(shownAt)) return undefined;
  return Math.min(MAX_PAGE_MS, Math.max(0, now.getTime() - shownAt));
}

/**
 * The answers an invitation fills in for a response nobody has answered yet, or undefined when
 * there is nothing to fill in. Attributes were checked when the invitations were made; any that
 * are not a valid answer are left out.
 */
export function invitationAnswers(instrument: Instrument, attributes: Readonly<Record<string, string>>, existing: Answers): { answers: Answers; complete: boolean } | undefined {
  if (Object.keys(existing).length > 0) return undefined;
  const { answers } = prefillAnswers(instrument, attributes);
  if (Object.keys(answers).length === 0) return undefined;
  return { answers, complete: missingRequired(instrument, answers).length === 0 };
}
