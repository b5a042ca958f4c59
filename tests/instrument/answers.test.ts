import { describe, expect, it } from 'vitest';
import { MalformedFormError, readAnswers } from '../../src/instrument/answers.ts';
import { Question } from '../../src/instrument/schema.ts';

const q = (raw: Record<string, unknown>) => Question.parse({ text: 'Question', ...raw });
const tier = q({ id: 'tier', type: 'single', required: true, options: { front_line: 'Front line', senior: 'Senior' } });
const types = q({ id: 'qual_type', type: 'multiple', options: { svq: 'SVQ', academic: 'Academic', plq: 'PLQ' } });
const acts = q({ id: 'acts', type: 'matrix', required: true, rows: { coaching: 'Coaching', mentoring: 'Mentoring' }, options: { never: 'Never', took_part: 'Took part' } });
const staff = q({ id: 'staff', type: 'number', min: 1, max: 500, integer: true });
const share = q({ id: 'share', type: 'number', min: 0, max: 1 });
const note = q({ id: 'note', type: 'text', max_length: 10 });

describe('reading answers from a form', () => {
  it('reads a single choice, a multiple choice in option order, matrix rows, numbers and text', () => {
    const { answers, errors } = readAnswers([tier, types, acts, staff, share, note], {
      tier: 'senior',
      qual_type: ['plq', 'svq'],
      'acts.coaching': 'took_part',
      'acts.mentoring': 'never',
      staff: ' 120 ',
      share: '0.25',
      note: '  hi\r\nthere ',
    });
    expect(errors).toEqual([]);
    expect(answers).toEqual({ tier: 'senior', qual_type: ['svq', 'plq'], acts: { coaching: 'took_part', mentoring: 'never' }, staff: 120, share: 0.25, note: 'hi\nthere' });
  });

  it('leaves unanswered questions out and reports the required ones', () => {
    const { answers, errors } = readAnswers([tier, types, acts], { tier: '', 'acts.coaching': 'never' });
    expect(answers).toEqual({ acts: { coaching: 'never' } });
    expect(errors).toEqual([
      { field: 'tier', question: 'tier', message: 'Select an answer' },
      { field: 'acts.mentoring', question: 'acts', message: 'Select an answer for every row' },
    ]);
  });

  it('does not insist on required answers when the respondent saves to come back later', () => {
    expect(readAnswers([tier, acts], {}, { requireAnswers: false }).errors).toEqual([]);
  });

  it.each([
    ['abc', 'Enter a whole number between 1 and 500, using digits'],
    ['0', 'Enter a whole number between 1 and 500'],
    ['501', 'Enter a whole number between 1 and 500'],
    ['2.5', 'Enter a whole number between 1 and 500'],
    ['1e3', 'Enter a whole number between 1 and 500, using digits'],
    ['Infinity', 'Enter a whole number between 1 and 500, using digits'],
  ])('refuses %j for a whole number from 1 to 500 with "%s"', (value, message) => {
    expect(readAnswers([staff], { staff: value }).errors).toEqual([{ field: 'staff', question: 'staff', message }]);
  });

  it('accepts thousands separators and spaces in numbers', () => {
    expect(readAnswers([staff], { staff: ' 3 00 ' }).answers).toEqual({ staff: 300 });
    expect(readAnswers([q({ id: 'n', type: 'number' })], { n: '1,250.5' }).answers).toEqual({ n: 1250.5 });
  });

  it('refuses text over the length limit, counting characters rather than bytes', () => {
    expect(readAnswers([note], { note: 'éééééééééé' }).answers).toEqual({ note: 'éééééééééé' });
    expect(readAnswers([note], { note: 'x'.repeat(11) }).errors[0]!.message).toBe('Answer must be 10 characters or fewer');
  });

  it('refuses control characters in text', () => {
    expect(readAnswers([note], { note: 'a\u0000b' }).errors[0]!.message).toBe('Answer must not contain control characters');
  });

  it.each([
    [{ tier: ['senior', 'front_line'] }, 'the form sent `tier` 2 times, but it takes one answer'],
    [{ tier: 'ceo' }, "the form sent `tier` = 'ceo', which is not one of its options"],
    [{ qual_type: ['svq', 'svq'] }, 'the form sent the same option of `qual_type` twice'],
    [{ qual_type: 'toString' }, "the form sent `qual_type` = 'toString', which is not one of its options"],
    [{ 'acts.coaching': 'sometimes' }, "the form sent `acts.coaching` = 'sometimes', which is not one of its options"],
    [{ 'acts.unknown': 'never' }, 'the form sent an answer to `acts.unknown`, which this page does not ask'],
    [{ salary: '1' }, 'the form sent an answer to `salary`, which this page does not ask'],
    [{ __proto__: 'x' } as Record<string, string>, undefined],
  ])('refuses a form that no page could have sent: %j', (form, message) => {
    if (message === undefined) {
      // An object literal's __proto__ sets the prototype rather than a key: nothing is sent.
      expect(readAnswers([tier, types, acts], form, { requireAnswers: false }).errors).toEqual([]);
      return;
    }
    expect(() => readAnswers([tier, types, acts], form)).toThrow(new MalformedFormError(message));
  });
});
