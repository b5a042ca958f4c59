import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testInstrument } from '../support/instrument.ts';
import { readResponsesCsv } from '../../src/pipeline/dataset.ts';

const instrument = testInstrument([
  [
    { id: 'tier', type: 'single', text: 'Tier', options: { front_line: 'Front line', senior: 'Senior' } },
    { id: 'types', type: 'multiple', text: 'Types', options: { svq: 'SVQ', other: 'Other' } },
    { id: 'staff', type: 'number', text: 'Staff', min: 1, max: 100, integer: true },
    { id: 'note', type: 'text', text: 'Note' },
  ],
]);
const header = 'response_id,wave,instrument_version,submitted_at,tier,types.svq,types.other,staff,note,weight';
const dir = mkdtempSync(join(tmpdir(), 'tapestry-dataset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const read = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return readResponsesCsv(join(dir, name), instrument, { numeric: ['weight'], categorical: [] });
};

describe('reading responses from a CSV in the column layout', () => {
  it('holds choices as option codes, empty cells as missing, numbers as numbers', async () => {
    const { dataset, problems } = await read('good.csv', `${header}\nr1,2010,1,,senior,1,0,12,"a, b",1.5\nr2,2010,1,,,,,,,2\n`);
    expect(problems).toEqual([]);
    expect(dataset!.n).toBe(2);
    expect(Array.from(dataset!.codes.get('tier')!)).toEqual([1, -1]);
    expect(Array.from(dataset!.codes.get('types.svq')!)).toEqual([1, -1]);
    expect(Array.from(dataset!.numbers.get('staff')!)).toEqual([12, NaN]);
    expect(Array.from(dataset!.numbers.get('weight')!)).toEqual([1.5, 2]);
  });

  it('reports every bad cell with its line and column, and gives no dataset', async () => {
    const file = join(dir, 'bad.csv');
    const { dataset, problems } = await read('bad.csv', `${header}\nr1,2010,1,,ceo,1,0,12,,1\nr2,2010,1,,senior,2,0,0,,1\nr3,2010,1,,senior,1,0,7.5,,x\n`);
    expect(dataset).toBeUndefined();
    expect(problems).toEqual([
      { file, line: 2, message: "column tier has 'ceo', which is not one of its values (front_line, senior)" },
      { file, line: 3, message: "column types.svq has '2', which is not one of its values (0, 1)" },
      { file, line: 3, message: 'column staff has 0, outside 1–100' },
      { file, line: 4, message: 'column staff has 7.5, which is not a whole number' },
      { file, line: 4, message: "column weight has 'x', which is not a number" },
    ]);
  });

  it('names the columns a header lacks, including those the design needs', async () => {
    const { problems } = await read('short.csv', 'response_id,tier\nr1,senior\n');
    expect(problems[0]!.line).toBe(1);
    expect(problems[0]!.message).toMatch(/^the header lacks 7 of demo's columns: wave, instrument_version, submitted_at, types\.svq/);
    expect(problems[1]!.message).toBe("the header lacks the column weight that the pipeline's design names");
  });

  it('reports a row with the wrong number of cells, and a missing file', async () => {
    const { problems } = await read('ragged.csv', `${header}\nr1,2010\n`);
    expect(problems).toContainEqual({ file: join(dir, 'ragged.csv'), line: 2, message: 'the row has 2 cells but the header has 10' });
    const missing = await readResponsesCsv(join(dir, 'nope.csv'), instrument, { numeric: [], categorical: [] });
    expect(missing.problems[0]!.message).toBe('there is no such file');
  });
});

describe('reading a large CSV on two cores', () => {
  const bothWays = async (name: string, text: string, categorical: string[] = []) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    const header = categorical.length > 0 ? { numeric: ['weight'], categorical } : { numeric: ['weight'], categorical: [] };
    const one = await readResponsesCsv(file, instrument, { ...header, parallelFromBytes: Infinity });
    const two = await readResponsesCsv(file, instrument, { ...header, parallelFromBytes: 0 });
    return { one, two };
  };
  const rows = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i)).join('\n');

  it('gives the same dataset as reading on one, with extra levels in first-seen order', async () => {
    // The region column is not a question, so its levels come from the data: the second half
    // meets "north" first, which must still end up after the levels the first half met.
    const text = `${header},region\n${rows(400, (i) => `r${i},2010,1,,${i % 3 ? 'senior' : 'front_line'},${i % 2},0,${(i % 100) + 1},"note, ${i}",${1 + (i % 7) / 10},${i < 200 ? ['south', 'east'][i % 2] : ['north', 'east', 'west'][(i - 200) % 3]}`)}\n`;
    const { one, two } = await bothWays('halves.csv', text, ['region']);
    expect(one.problems).toEqual([]);
    expect(one.dataset!.levels.get('region')).toEqual(['south', 'east', 'north', 'west']);
    expect(two).toEqual(one);
  });

  it('reports problems in the second half at their own lines', async () => {
    const text = `${header}\n${rows(300, (i) => `r${i},2010,1,,${i === 250 ? 'ceo' : 'senior'},1,0,5,,1`)}\n`;
    const { one, two } = await bothWays('late-problem.csv', text);
    expect(one.problems).toEqual([{ file: join(dir, 'late-problem.csv'), line: 252, message: "column tier has 'ceo', which is not one of its values (front_line, senior)" }]);
    expect(two).toEqual(one);
  });

  it('does not cut inside a quoted cell that holds line breaks', async () => {
    // A long quoted note spans the middle of the file, so the first line break after the middle
    // lies inside quotes; cutting there would make two broken halves.
    const note = `"${Array.from({ length: 200 }, (_, k) => `line ${k}`).join('\n')}"`;
    const text = `${header}\n${rows(20, (i) => `r${i},2010,1,,senior,1,0,5,${i === 10 ? note : ''},1`)}\n`;
    const { one, two } = await bothWays('quoted.csv', text);
    expect(one.problems).toEqual([]);
    expect(one.dataset!.n).toBe(20);
    expect(two).toEqual(one);
  });
});
