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

describe('numbers are kept only as they were written', () => {
  const count = q({ id: 'count', type: 'number', integer: true });
  const amount = q({ id: 'amount', type: 'number' });
  const huge = '9'.repeat(400);
  const tiny = `0.${'0'.repeat(400)}1`;

  it.each([
    [count, huge, 'Enter a whole number using fewer digits'],
    [amount, huge, 'Enter a number using fewer digits'],
    [amount, `1${'0'.repeat(309)}`, 'Enter a number using fewer digits'],
    [count, tiny, 'Enter a whole number'],
    [count, `7.${'0'.repeat(30)}1`, 'Enter a whole number'],
    [amount, tiny, 'Enter a number using fewer digits'],
    [count, '12345678901234567890', 'Enter a whole number using fewer digits'],
    [amount, '0.1000000000000000000001', 'Enter a number using fewer digits'],
    [staff, huge, 'Enter a whole number between 1 and 500 using fewer digits'],
  ])('refuses %# (%s…) with "%s", since its value would not be the number written', (question, text, message) => {
    const { answers, errors } = readAnswers([question], { [question.id]: text });
    expect(answers).toEqual({});
    expect(errors).toEqual([{ field: question.id, question: question.id, message }]);
  });

  it('refuses a required question answered with 400 digits rather than storing an empty answer', () => {
    const required = q({ id: 'staff_total', type: 'number', required: true });
    const { answers, errors } = readAnswers([required], { staff_total: huge });
    expect(answers).toEqual({});
    expect(errors.map((e) => e.message)).toEqual(['Enter a number using fewer digits']);
  });

  it.each([
    [count, '5.000', 5],
    [count, '-0', 0],
    [count, '9007199254740991', 9007199254740991],
    [amount, '0.1', 0.1],
    [amount, '1,000,000,000,000,000,000,000', 1e21],
    [amount, '0.0000001', 1e-7],
    [amount, '123456789012345.6', 123456789012345.6],
  ])('keeps %# (%s) as %d, which comes back unchanged through JSON', (question, text, expected) => {
    const { answers, errors } = readAnswers([question], { [question.id]: text });
    expect(errors).toEqual([]);
    expect(answers).toEqual({ [question.id]: expected });
    expect(JSON.parse(JSON.stringify(answers))).toStrictEqual(answers);
  });
});

describe('an exclusive option in a multiple-choice question', () => {
  const offered = q({
    id: 'offered',
    type: 'multiple',
    required: true,
    options: { coaching: 'Coaching', mentoring: 'Mentoring', none: { label: 'None of these', exclusive: true } },
  });

  it('is accepted on its own', () => {
    expect(readAnswers([offered], { offered: 'none' })).toEqual({ answers: { offered: ['none'] }, errors: [] });
  });

  it('refuses it with the other options, naming the exclusive option, and stores nothing for the question', () => {
    const { answers, errors } = readAnswers([offered], { offered: ['coaching', 'none'] });
    expect(answers).toEqual({});
    expect(errors).toEqual([{ field: 'offered', question: 'offered', message: "Select 'None of these' on its own, or the other options without it" }]);
  });

  it('refuses it with the others even when the respondent only saves to come back later', () => {
    expect(readAnswers([offered], { offered: ['none', 'mentoring'] }, { requireAnswers: false }).errors).toHaveLength(1);
  });

  it('leaves an option called none that is not marked exclusive free to be combined', () => {
    const plain = q({ id: 'plain', type: 'multiple', options: { coaching: 'Coaching', none: 'None of these' } });
    expect(readAnswers([plain], { plain: ['none', 'coaching'] })).toEqual({ answers: { plain: ['coaching', 'none'] }, errors: [] });
  });
});

describe('option ids made of digits', () => {
  const agree = q({ id: 'agree', type: 'scale', options: new Map([['5', 'Strongly agree'], ['4', 'Agree'], ['3', 'Neither'], ['2', 'Disagree'], ['1', 'Strongly disagree']]) });
  const codes = q({ id: 'codes', type: 'multiple', options: new Map([['9', 'Nine'], ['10', 'Ten'], ['01', 'Zero one']]) });

  it('reads a digit option id as the text sent, so 01 stays 01 and is not 1', () => {
    expect(readAnswers([codes], { codes: ['01', '10'] }).answers).toEqual({ codes: ['10', '01'] });
    expect(() => readAnswers([codes], { codes: '1' })).toThrow(new MalformedFormError("the form sent `codes` = '1', which is not one of its options"));
  });

  it('stores a multiple-choice answer in the order the options are written, not in numeric order', () => {
    expect(readAnswers([codes], { codes: ['01', '9', '10'] }).answers).toEqual({ codes: ['9', '10', '01'] });
  });

  it('reads a scale point written as digits', () => {
    expect(readAnswers([agree], { agree: '4' }).answers).toEqual({ agree: '4' });
  });
});
