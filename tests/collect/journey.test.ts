import { describe, expect, it } from 'vitest';
import { MalformedFormError } from '../../src/instrument/answers.ts';
import {
  applyPage,
  availability,
  CHECK,
  invitationAnswers,
  isOpen,
  MAX_PAGE_MS,
  mayStartUninvited,
  offersResumeCode,
  pagePosition,
  pageTime,
  resumeStep,
  shownQuestions,
  visiblePage,
} from '../../src/collect/journey.ts';
import { testInstrument } from '../support/instrument.ts';

// Page two is asked of leads only; `area_other` is a follow-up on page one.
const instrument = testInstrument([
  [
    { id: 'role', type: 'single', text: 'Your role', required: true, options: { lead: 'Lead', staff: 'Staff' } },
    { id: 'team', type: 'number', text: 'Team size', integer: true, min: 1 },
    { id: 'area', type: 'multiple', text: 'Areas', options: { care: 'Care', other: 'Other' } },
    { id: 'area_other', type: 'text', text: 'Which other area?', required: true, show_if: "area includes 'other'" },
  ],
  [{ id: 'lead_years', type: 'number', text: 'Years leading', required: true, show_if: "role = 'lead'" }],
  [{ id: 'comment', type: 'text', text: 'Anything else?' }],
]);
const [one, two, three] = instrument.pages as [(typeof instrument.pages)[0], (typeof instrument.pages)[0], (typeof instrument.pages)[0]];
const onward = { returnToCheck: false };

describe('a posted page applied to the answers so far', () => {
  it('saves valid answers and moves on to the next page the answers show', () => {
    const result = applyPage(instrument, {}, one, { _asked: 'role team area', role: 'lead', team: '4', _action: 'continue' }, onward);
    expect(result).toMatchObject({ outcome: 'accepted', after: { role: 'lead', team: 4 }, errors: [], next: 'two', saving: false, complete: false });
  });

  it('skips a page whose questions the answers hide, and is complete without them', () => {
    const result = applyPage(instrument, {}, one, { _asked: 'role team area', role: 'staff', _action: 'continue' }, onward);
    expect(result.next).toBe('three');
    expect(result.complete).toBe(true);
  });

  it('goes to the check-answers page after the last page, and back to it when the page was changed from there', () => {
    expect(applyPage(instrument, { role: 'staff' }, three, { _asked: 'comment', comment: 'Thanks', _action: 'continue' }, onward).next).toBe(CHECK);
    expect(applyPage(instrument, { role: 'lead', lead_years: 2 }, one, { _asked: 'role team area', role: 'lead', _action: 'continue' }, { returnToCheck: true }).next).toBe(CHECK);
  });

  it('replaces what the page held before, so that an answer taken away is gone', () => {
    const before = { role: 'lead', team: 4, area: ['care'], lead_years: 3 };
    const result = applyPage(instrument, before, one, { _asked: 'role team area', role: 'lead', _action: 'continue' }, onward);
    expect(result.after).toEqual({ role: 'lead', lead_years: 3 });
  });

  it('drops the answers of questions on later pages that the new answers hide', () => {
    const result = applyPage(instrument, { role: 'lead', lead_years: 3, comment: 'Hi' }, one, { _asked: 'role team area', role: 'staff', _action: 'continue' }, onward);
    expect(result.after).toEqual({ role: 'staff', comment: 'Hi' });
  });

  it('shows the page again with a follow-up question that an answer revealed, keeping the answers given', () => {
    const result = applyPage(instrument, {}, one, { _asked: 'role team area', role: 'staff', area: 'other', _action: 'continue' }, onward);
    expect(result.outcome).toBe('follow-up');
    expect(result.asked).toEqual(['role', 'team', 'area', 'area_other']);
    expect(result.after).toEqual({ role: 'staff', area: ['other'] });
  });

  it('accepts the follow-up once it was asked and answered', () => {
    const form = { _asked: 'role team area area_other', role: 'staff', area: 'other', area_other: 'Housing', _action: 'continue' };
    expect(applyPage(instrument, {}, one, form, onward)).toMatchObject({ outcome: 'accepted', after: { role: 'staff', area: ['other'], area_other: 'Housing' } });
  });

  it('shows the page again with an error for a required question left unanswered', () => {
    const result = applyPage(instrument, {}, one, { _asked: 'role team area', team: '4', _action: 'continue' }, onward);
    expect(result.outcome).toBe('correct');
    expect(result.errors).toEqual([{ field: 'role', question: 'role', message: 'Select an answer' }]);
  });

  it('reports no error for a question the new answers hide, though the page had asked it', () => {
    const form = { _asked: 'role team area area_other', role: 'staff', area: 'care', area_other: '', _action: 'continue' };
    const result = applyPage(instrument, { area: ['other'] }, one, form, onward);
    expect(result.outcome).toBe('accepted');
    expect(result.errors).toEqual([]);
    expect(result.asked).toEqual(['role', 'team', 'area']);
  });

  it('saves to come back later without the required answers or the follow-ups, staying on the page', () => {
    const result = applyPage(instrument, {}, one, { _asked: 'role team area', area: 'other', _action: 'save' }, onward);
    expect(result).toMatchObject({ outcome: 'accepted', saving: true, next: 'one', after: { area: ['other'] }, complete: false });
  });

  it('still refuses an answer that is not valid when saving', () => {
    const result = applyPage(instrument, {}, one, { _asked: 'role team area', team: 'many', _action: 'save' }, onward);
    expect(result.outcome).toBe('correct');
    expect(result.errors.map((e) => e.field)).toEqual(['team']);
  });

  it('takes the questions shown before as asked when the form does not say which it asked', () => {
    const result = applyPage(instrument, {}, one, { role: 'staff', area: 'other', _action: 'continue' }, onward);
    expect(result.outcome).toBe('follow-up');
  });

  it('refuses an answer to a question of another page, even one the form claims to have asked', () => {
    expect(() => applyPage(instrument, {}, one, { _asked: 'role lead_years', role: 'lead', lead_years: '3' }, onward)).toThrow(MalformedFormError);
  });

  it('refuses an answer to a question of this page that the page did not ask', () => {
    expect(() => applyPage(instrument, {}, one, { _asked: 'role', role: 'lead', team: '3' }, onward)).toThrow(/which this page does not ask/);
  });
});

describe('where a respondent is in the survey', () => {
  it('finds a page the answers show and not one they hide', () => {
    expect(visiblePage(instrument, { role: 'lead' }, 'two')?.id).toBe('two');
    expect(visiblePage(instrument, { role: 'staff' }, 'two')).toBeUndefined();
    expect(visiblePage(instrument, {}, 'nowhere')).toBeUndefined();
  });

  it('numbers a page among the pages shown, with the one shown before it', () => {
    expect(pagePosition(instrument, { role: 'staff' }, 'three')).toEqual({ number: 2, total: 2, previous: 'one' });
    expect(pagePosition(instrument, { role: 'lead' }, 'three')).toEqual({ number: 3, total: 3, previous: 'two' });
    expect(pagePosition(instrument, { role: 'lead' }, 'one')).toEqual({ number: 1, total: 3, previous: undefined });
  });

  it('asks of a page only the questions the answers show', () => {
    expect(shownQuestions(instrument, {}, one)).toEqual(['role', 'team', 'area']);
    expect(shownQuestions(instrument, { area: ['other'] }, one)).toEqual(['role', 'team', 'area', 'area_other']);
    expect(shownQuestions(instrument, { role: 'staff' }, two)).toEqual([]);
  });

  it('carries on at the current page, the check-answers page, or the first page when the current one is hidden or unset', () => {
    expect(resumeStep(instrument, { role: 'lead' }, 'two')).toBe('two');
    expect(resumeStep(instrument, { role: 'lead' }, CHECK)).toBe(CHECK);
    expect(resumeStep(instrument, { role: 'staff' }, 'two')).toBe('one');
    expect(resumeStep(instrument, {}, null)).toBe('one');
  });
});

describe('whether a wave takes responses', () => {
  const now = new Date('2010-09-15T10:00:00Z');
  const wave = (status: 'open' | 'closed', opens: string, closes: string | null) => ({ status, opens_at: new Date(opens), closes_at: closes === null ? null : new Date(closes) });

  it('is open from its opening time until its end', () => {
    expect(availability(wave('open', '2010-09-15T10:00:00Z', null), now)).toBe('open');
    expect(availability(wave('open', '2010-09-01T00:00:00Z', '2010-09-15T10:00:01Z'), now)).toBe('open');
    expect(isOpen(wave('open', '2010-09-01T00:00:00Z', null), now)).toBe(true);
  });

  it('is not yet open before its opening time, and closed once it has ended or been closed', () => {
    expect(availability(wave('open', '2010-09-15T10:00:01Z', null), now)).toBe('not-yet-open');
    expect(availability(wave('open', '2010-09-01T00:00:00Z', '2010-09-15T10:00:00Z'), now)).toBe('closed');
    expect(availability(wave('closed', '2010-09-01T00:00:00Z', '2010-09-10T00:00:00Z'), now)).toBe('closed');
    expect(isOpen(wave('open', '2010-09-15T10:00:01Z', null), now)).toBe(false);
  });

  it('lets anyone start a response only in a wave open to all, and offers resume codes only there and only to the uninvited', () => {
    expect(mayStartUninvited({ access: 'open' })).toBe(true);
    expect(mayStartUninvited({ access: 'invitation' })).toBe(false);
    expect(offersResumeCode({ access: 'open' }, null)).toBe(true);
    expect(offersResumeCode({ access: 'open' }, 7)).toBe(false);
    expect(offersResumeCode({ access: 'invitation' }, undefined)).toBe(false);
  });
});

describe('time on a page', () => {
  const now = new Date('2010-09-15T10:00:00Z');

  it('is the time since the page was shown, at least 0 and at most two hours', () => {
    expect(pageTime(String(now.getTime() - 42_000), now)).toBe(42_000);
    expect(pageTime(String(now.getTime() + 5_000), now)).toBe(0);
    expect(pageTime(String(now.getTime() - 3 * MAX_PAGE_MS), now)).toBe(MAX_PAGE_MS);
  });

  it('is not recorded when the form did not say when the page was shown', () => {
    expect(pageTime(undefined, now)).toBeUndefined();
    expect(pageTime('yesterday', now)).toBeUndefined();
  });
});

describe('what an invitation fills in', () => {
  it('fills in the valid attributes of a response nobody has answered, leaving out the rest', () => {
    expect(invitationAnswers(instrument, { role: 'staff', team: 'lots', comment: 'From the list' }, {})).toEqual({ answers: { role: 'staff', comment: 'From the list' }, complete: true });
    expect(invitationAnswers(instrument, { role: 'lead' }, {})).toEqual({ answers: { role: 'lead' }, complete: false });
  });

  it('fills in nothing once the respondent has answered, or when no attribute is an answer', () => {
    expect(invitationAnswers(instrument, { role: 'staff' }, { role: 'lead' })).toBeUndefined();
    expect(invitationAnswers(instrument, { role: 'manager', region: 'north' }, {})).toBeUndefined();
  });
});
