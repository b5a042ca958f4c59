import { describe, expect, it } from 'vitest';
import { visibility, visiblePages } from '../../src/instrument/visibility.ts';
import { testInstrument } from '../support/instrument.ts';

const instrument = testInstrument([
  [
    { id: 'status', type: 'single', text: 'Status', options: { holds: 'Holds', none: 'None' } },
    { id: 'types', type: 'multiple', text: 'Types', options: { svq: 'SVQ', other: 'Other' }, show_if: "status = 'holds'" },
  ],
  [{ id: 'svq_level', type: 'single', text: 'Level', options: { three: '3', four: '4' }, show_if: "types includes 'svq'" }],
  [{ id: 'comment', type: 'text', text: 'Comment' }],
]);

describe('which questions a respondent sees', () => {
  it('shows a question whose condition holds and keeps its answer', () => {
    const v = visibility(instrument, { status: 'holds', types: ['svq'], svq_level: 'four' });
    expect([...v.shown]).toEqual(['status', 'types', 'svq_level', 'comment']);
    expect(v.answers).toEqual({ status: 'holds', types: ['svq'], svq_level: 'four' });
  });

  it('drops the answers of questions an earlier answer hides, and of those that depended on them', () => {
    const v = visibility(instrument, { status: 'none', types: ['svq'], svq_level: 'four', comment: 'hi' });
    expect([...v.shown]).toEqual(['status', 'comment']);
    expect(v.answers).toEqual({ status: 'none', comment: 'hi' });
  });

  it('skips a page whose questions are all hidden', () => {
    expect(visiblePages(instrument, { status: 'none' }).map((p) => p.id)).toEqual(['one', 'three']);
    expect(visiblePages(instrument, { status: 'holds', types: ['svq'] }).map((p) => p.id)).toEqual(['one', 'two', 'three']);
  });
});
