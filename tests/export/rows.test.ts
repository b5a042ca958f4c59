/**
 * A response's export cells: values as the layout writes them, and for each question without an
 * answer the reason, decided by the instrument's skip logic over the stored answers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { codedRecord, labelledRecord } from '../../src/export/csv.ts';
import { MISSING_CODES } from '../../src/export/missing.ts';
import { exportCells, type ExportCell } from '../../src/export/rows.ts';
import { variablesOf, type Variable } from '../../src/export/variables.ts';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import type { Instrument } from '../../src/instrument/schema.ts';

let instrument: Instrument;
let variables: Variable[];
beforeAll(async () => {
  ({ instrument } = await loadInstrumentFile('tests/fixtures/export/instrument.yaml'));
  variables = variablesOf(instrument);
});

const meta = { responseId: 'r1', wave: '2026', instrumentVersion: '2.1', submittedAt: '2026-09-01T09:05:07.250Z' };
function cellsBy(answers: Record<string, unknown>, submittedAt = meta.submittedAt): Map<string, ExportCell> {
  const cells = exportCells(instrument, variables, { meta: { ...meta, submittedAt }, answers });
  return new Map(variables.map((v, i) => [v.column.name, cells[i]!]));
}

describe('export cells', () => {
  it('marks a question hidden by its condition as not shown, and one shown but unanswered as not answered', () => {
    const cells = cellsBy({ sector: 'public', tier: 'front_line' });
    expect(cells.get('staff')).toEqual({ kind: 'not_shown' }); // show_if: tier != 'front_line'
    expect(cells.get('hours')).toEqual({ kind: 'not_answered' }); // always shown
    expect(cells.get('support_mentor')).toEqual({ kind: 'not_shown' }); // support includes 'mentor', and support is unanswered
    const senior = cellsBy({ sector: 'public', tier: 'senior' });
    expect(senior.get('staff')).toEqual({ kind: 'not_answered' });
  });

  it('drops an answer stored for a question that its condition now hides', () => {
    const cells = cellsBy({ sector: 'public', tier: 'front_line', staff: 12, support: ['none'], support_mentor: '1' });
    expect(cells.get('staff')).toEqual({ kind: 'not_shown' });
    expect(cells.get('support_mentor')).toEqual({ kind: 'not_shown' });
  });

  it('cascades hiding: a question shown by a hidden question\'s answer is hidden too', () => {
    // coaching_detail is shown when activities.coaching = 'took_part'; nothing hides activities,
    // so it is the unanswered matrix row that hides coaching_detail here.
    const cells = cellsBy({ activities: { action_learning_sets_with_peers_elsewhere: 'offered' } });
    expect(cells.get('activities.coaching')).toEqual({ kind: 'not_answered' });
    expect(cells.get('activities.action_learning_sets_with_peers_elsewhere')).toEqual('offered');
    expect(cells.get('coaching_detail')).toEqual({ kind: 'not_shown' });
  });

  it('writes a multiple-choice answer as 1/0 columns, and every one of them as not answered when nothing was ticked', () => {
    const ticked = cellsBy({ support: ['manager'] });
    expect([ticked.get('support.manager'), ticked.get('support.mentor'), ticked.get('support.none')]).toEqual([
      '1',
      '0',
      '0',
    ]);
    const none = cellsBy({});
    for (const column of ['support.manager', 'support.mentor', 'support.none']) expect(none.get(column)).toEqual({ kind: 'not_answered' });
  });

  it('keeps the meta columns as they are, with an empty submission time for a partial response', () => {
    const cells = cellsBy({ sector: 'private' }, '');
    expect(cells.get('response_id')).toEqual('r1');
    expect(cells.get('submitted_at')).toEqual('');
    expect(cells.get('sector')).toEqual('private');
  });
});

describe('coded and labelled records', () => {
  it('write numeric codes and missing codes in numeric columns, dotted words in text columns', () => {
    const cells = exportCells(instrument, variables, { meta, answers: { sector: 'public', tier: 'front_line', band: '10', hours: 7.5 } });
    const coded = new Map(variables.map((v, i) => [v.column.name, codedRecord(variables, cells)[i]]));
    expect(coded.get('band')).toBe('10');
    expect(coded.get('staff')).toBe(String(MISSING_CODES.not_shown.numeric));
    expect(coded.get('agree')).toBe(String(MISSING_CODES.not_answered.numeric));
    expect(coded.get('confidence')).toBe(MISSING_CODES.not_answered.string);
    expect(coded.get('coaching_detail')).toBe(MISSING_CODES.not_shown.string);
    expect(coded.get('hours')).toBe('7.5');
  });

  it('write option labels, Selected and Not selected, and the reason in words where the labelled file has no answer', () => {
    const cells = exportCells(instrument, variables, { meta, answers: { sector: 'voluntary', tier: 'front_line', support: ['mentor'], support_mentor: '2' } });
    const labelled = new Map(variables.map((v, i) => [v.column.name, labelledRecord(variables, cells)[i]]));
    expect(labelled.get('sector')).toBe('Voluntary ("third") sector');
    expect(labelled.get('support.mentor')).toBe('Selected');
    expect(labelled.get('support.manager')).toBe('Not selected');
    expect(labelled.get('support_mentor')).toBe('No');
    expect(labelled.get('staff')).toBe(MISSING_CODES.not_shown.label);
    expect(labelled.get('hours')).toBe(MISSING_CODES.not_answered.label);
  });
});
