import { describe, expect, it } from 'vitest';
import { prefillAnswers } from '../../src/instrument/prefill.ts';
import { testInstrument } from '../support/instrument.ts';

const instrument = testInstrument([
  [
    {
      id: 'offered',
      type: 'multiple',
      text: 'Offered?',
      options: { coaching: 'Coaching', mentoring: 'Mentoring', none: { label: 'None of these', exclusive: true } },
    },
    { id: 'band', type: 'single', text: 'Band?', options: new Map([['9', 'Band 9'], ['10', 'Band 10']]) },
  ],
]);

describe('prefilling answers from an invitee\u2019s columns', () => {
  it('refuses an exclusive option listed with another, quoting its label as the instrument writes it', () => {
    expect(prefillAnswers(instrument, { offered: 'coaching;none' })).toEqual({
      answers: {},
      problems: [{ column: 'offered', message: "column `offered`: select 'None of these' on its own, or the other options without it" }],
    });
  });

  it('takes an exclusive option on its own and a numeric code as written', () => {
    expect(prefillAnswers(instrument, { offered: 'none', band: '10' })).toEqual({ answers: { offered: ['none'], band: '10' }, problems: [] });
  });

  it('lists numeric codes in the order of the instrument when a value is not one of them', () => {
    expect(prefillAnswers(instrument, { band: '11' }).problems).toEqual([{ column: 'band', message: "column `band` has '11', which is not an answer to question `band` (options: 9, 10)" }]);
  });
});
