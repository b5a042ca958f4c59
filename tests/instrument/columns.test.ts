import { describe, expect, it } from 'vitest';
import { formatColumns } from '../../src/cli/survey.ts';
import { columnsOf, META_COLUMNS, questionColumns } from '../../src/instrument/columns.ts';
import { Question } from '../../src/instrument/schema.ts';
import { testInstrument } from '../support/instrument.ts';

const q = (raw: Record<string, unknown>) => Question.parse({ text: 'A question', ...raw });
const names = (raw: Record<string, unknown>) => questionColumns(q(raw)).map((c) => c.name);

describe('the column layout of each question type', () => {
  it('gives a single-choice question one column holding an option id', () => {
    const [column] = questionColumns(q({ id: 'tier', type: 'single', options: { front_line: 'Front line', senior: 'Senior' } }));
    expect(column).toMatchObject({ name: 'tier', question: 'tier', type: 'single', values: 'front_line | senior' });
  });

  it('gives a scale question one column holding a point id, points in order', () => {
    const columns = questionColumns(q({ id: 'benefit', type: 'scale', options: { none: 'None', some: 'Some', lot: 'A lot' } }));
    expect(columns.map((c) => [c.name, c.values])).toEqual([['benefit', 'none | some | lot']]);
  });

  it('gives a multiple-choice question a 1/0 column per option, in option order', () => {
    const columns = questionColumns(q({ id: 'qual_type', type: 'multiple', options: { svq: 'SVQ', academic: 'Academic', plq: 'PLQ' } }));
    expect(columns.map((c) => [c.name, c.option, c.values])).toEqual([
      ['qual_type.svq', 'svq', '1 | 0'],
      ['qual_type.academic', 'academic', '1 | 0'],
      ['qual_type.plq', 'plq', '1 | 0'],
    ]);
    expect(columns[1]!.label).toBe('A question — Academic');
  });

  it('gives a matrix a column per row, each holding an option id', () => {
    const columns = questionColumns(
      q({ id: 'activities', type: 'matrix', rows: { coaching: 'Coaching', mentoring: 'Mentoring' }, options: { never_offered: 'Never', took_part: 'Took part' } }),
    );
    expect(columns.map((c) => [c.name, c.row, c.values])).toEqual([
      ['activities.coaching', 'coaching', 'never_offered | took_part'],
      ['activities.mentoring', 'mentoring', 'never_offered | took_part'],
    ]);
  });

  it('gives a number question one column and describes its range', () => {
    expect(questionColumns(q({ id: 'staff', type: 'number', min: 1, max: 500, integer: true }))[0]!.values).toBe('whole number 1–500');
    expect(questionColumns(q({ id: 'hours', type: 'number', min: 0 }))[0]!.values).toBe('number ≥ 0');
    expect(questionColumns(q({ id: 'hours', type: 'number' }))[0]!.values).toBe('number');
  });

  it('gives text and long text questions one column each with their length limit', () => {
    expect(names({ id: 'role', type: 'text' })).toEqual(['role']);
    expect(questionColumns(q({ id: 'role', type: 'text' }))[0]!.values).toBe('text, up to 500 characters');
    expect(questionColumns(q({ id: 'story', type: 'longtext', max_length: 2000 }))[0]!.values).toBe('text, up to 2000 characters');
  });
});

describe('the column layout of an instrument', () => {
  const instrument = testInstrument([
    [{ id: 'sector', type: 'single', text: 'Sector', options: { public: 'Public', private: 'Private' } }],
    [
      { id: 'qual_type', type: 'multiple', text: 'Type', options: { svq: 'SVQ', other: 'Other' } },
      { id: 'staff', type: 'number', text: 'Staff' },
      { id: 'acts', type: 'matrix', text: 'Acts', rows: { coaching: 'Coaching' }, options: { no: 'No', yes: 'Yes' } },
    ],
  ]);

  it('starts with the four meta columns and follows the instrument order across pages', () => {
    expect(columnsOf(instrument).map((c) => c.name)).toEqual([...META_COLUMNS, 'sector', 'qual_type.svq', 'qual_type.other', 'staff', 'acts.coaching']);
  });

  it('prints the layout as a CSV header line', () => {
    expect(formatColumns(columnsOf(instrument), 'header')).toBe('response_id,wave,instrument_version,submitted_at,sector,qual_type.svq,qual_type.other,staff,acts.coaching\n');
  });

  it('prints the layout as a data dictionary in CSV', () => {
    const lines = formatColumns(columnsOf(instrument), 'csv').split('\n');
    expect(lines[0]).toBe('column,question,type,option,row,values,label');
    expect(lines[6]).toBe('qual_type.svq,qual_type,multiple,svq,,1 | 0,Type — SVQ');
    expect(lines[9]).toBe('acts.coaching,acts,matrix,,coaching,no | yes,Acts — Coaching');
  });
});
