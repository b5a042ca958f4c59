import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { tableCsv, testsCsv } from '../../src/report/csv.ts';
import { coachingTable, staffTable } from './fixtures/sample-model.ts';

describe('tableCsv', () => {
  const csv = tableCsv(coachingTable());
  const lines = csv.split('\n');

  it('starts with exactly the agreed header', () => {
    expect(lines[0]).toBe('table,domain,category,base_n,cell_n,estimate,se,ci_low,ci_high,deff,suppressed');
  });

  it('writes one row per cell in the order the model gives them, with a trailing newline', () => {
    expect(csv.endsWith('\n')).toBe(true);
    expect(csv).not.toContain('\r');
    expect(lines).toHaveLength(1 + 15 + 1);
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(1, -1).map((line) => line.split(',').slice(1, 3).join(' '))).toEqual(coachingTable().cells.map((c) => `${c.domain} ${c.category}`));
  });

  it('writes a published cell with its figures at fixed precision', () => {
    expect(lines[1]).toBe('coaching_by_tier,all,never_offered,412,215,0.521300,0.028911,0.464436,0.577618,1.3800,');
    expect(lines[6]).toBe('coaching_by_tier,tier=front_line,took_part,180,10,0.056100,0.020020,0.027489,0.111088,1.3624,');
  });

  it('writes a suppressed cell with its base, empty figures and the reason', () => {
    expect(lines[13]).toBe('coaching_by_tier,tier=senior,never_offered,37,,,,,,,primary');
    expect(lines[14]).toBe('coaching_by_tier,tier=senior,offered,37,,,,,,,secondary');
  });

  it('writes a mean table the same way, with a domain withheld whole marked base', () => {
    const mean = tableCsv(staffTable()).split('\n');
    expect(mean[1]).toBe('staff_by_sector,all,mean,92,92,143.200000,18.400000,106.635800,179.764200,1.8400,');
    expect(mean[3]).toBe('staff_by_sector,sector=private,mean,7,,,,,,,base');
  });

  it('quotes a field with a comma or a quote as RFC 4180 says, and reads back to the same values', () => {
    const table = coachingTable();
    table.cells = [{ ...table.cells[0]!, domain: 'region=north,east', category: 'say "no"' }];
    const quoted = tableCsv(table);
    expect(quoted.split('\n')[1]).toBe('coaching_by_tier,"region=north,east","say ""no""",412,215,0.521300,0.028911,0.464436,0.577618,1.3800,');
    const parsed = Papa.parse<string[]>(quoted.trimEnd()).data;
    expect(parsed[1]!.slice(1, 3)).toEqual(['region=north,east', 'say "no"']);
  });
});

describe('testsCsv', () => {
  it('writes the header and one row per test, with the p-value to four significant digits', () => {
    expect(testsCsv(coachingTable())).toBe('table,panel,statistic,ndf,ddf,value,p_value\ncoaching_by_tier,all,F,5.8734,2390.4700,5.5312,4.014e-7\n');
  });

  it('writes only the header, once, for a table without tests', () => {
    expect(testsCsv(staffTable())).toBe('table,panel,statistic,ndf,ddf,value,p_value\n');
  });

  it('leaves the denominator degrees of freedom empty for a chi-squared test', () => {
    const table = coachingTable();
    table.tests = [{ table: table.id, panel: 'sector=public', statistic: 'Chisq', ndf: 6, ddf: null, value: 14.2, p_value: 0.0274 }];
    expect(testsCsv(table).split('\n')[1]).toBe('coaching_by_tier,sector=public,Chisq,6.0000,,14.2000,0.02740');
  });
});
