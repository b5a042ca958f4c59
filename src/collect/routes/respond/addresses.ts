/** The addresses of a survey's pages: everything under /s/<instrument>/<wave>. */
import type { ResponseRow } from '../../../store/database.ts';
import type { Fielded } from '../../fielded.ts';
import { answersOf, CHECK, resumeStep } from '../../journey.ts';

export type SurveyParams = { instrument: string; wave: string };
export type PageParams = SurveyParams & { page: string };

export const surveyPath = (instrumentId: string, waveName: string) => `/s/${encodeURIComponent(instrumentId)}/${encodeURIComponent(waveName)}`;
/** The survey's start page; every other page's address begins with it. */
export const surveyHref = (f: Fielded) => surveyPath(f.wave.instrument_id, f.wave.name);
export const pageHref = (f: Fielded, pageId: string) => `${surveyHref(f)}/page/${encodeURIComponent(pageId)}`;
/** A step of the journey as `current_page` names it: a page, or the check-answers page. */
export const stepHref = (f: Fielded, step: string) => (step === CHECK ? `${surveyHref(f)}/check` : pageHref(f, step));

/** Where a respondent carries on: their current page if it is still shown, else the first. */
export function resumeHref(f: Fielded, response: ResponseRow): string {
  return stepHref(f, resumeStep(f.instrument, answersOf(response), response.current_page));
}
