import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseFindings, type FindingCellInput, type FindingTableInput } from '../../src/analysis/findings.ts';
import { holm } from '../../src/analysis/holm.ts';
import { unreliable } from '../../src/analysis/reliability.ts';

const reference = JSON.parse(readFileSync(new URL('../fixtures/holm-reference/reference.json', import.meta.url), 'utf8')) as { p: number[]; holm: number[] }[];

function cell(domain: string, estimate: number, over: Partial<FindingCellInput> = {}): FindingCellInput {
  return { domain, category: 'yes', base_n: 400, estimate, se: 0.02, ci_low: estimate - 0.04, ci_high: estimate + 0.04, suppressed: '', ...over };
}

function table(id: string, p: number, cells: FindingCellInput[], trends: FindingTableInput['trends'] = undefined): FindingTableInput {
  return { id, kind: 'proportion', by: [{ question: 'tier' }], cells: [cell('all', 0.3), ...cells], tests: [{ panel: 'all', p_value: p }], ...(trends ? { trends } : {}) };
}

const trend = (p: number, then = 0.2) => ({ domain: 'all', category: 'yes', wave: '2008', then, now: 0.3, change: 0.3 - then, se: 0.03, ci_low: 0.04, ci_high: 0.16, p_value: p });

describe('Holm correction', () => {
  it("adjusts p-values exactly as R's p.adjust(p, 'holm') does", () => {
    for (const { p, holm: expected } of reference) {
      holm(p).forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 14));
    }
  });
});

describe('reliability', () => {
  it('calls an estimate unreliable when its base is under 30 or its relative standard error over 30%', () => {
    expect(unreliable({ base_n: 29, estimate: 0.5, se: 0.01 })).toMatch(/base of 29/);
    expect(unreliable({ base_n: 500, estimate: 0.05, se: 0.02 })).toMatch(/relative standard error of 40%/);
    expect(unreliable({ base_n: 500, estimate: 0.5, se: 0.02 })).toBeNull();
  });
});

describe('chooseFindings', () => {
  it('chooses the largest difference of a table whose test is significant after the correction', () => {
    const found = chooseFindings([table('coaching', 0.0001, [cell('tier=front', 0.2), cell('tier=middle', 0.3), cell('tier=senior', 0.45)])]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'difference', table: 'coaching', pValue: 0.0001, pHolm: 0.0001 });
    expect(found[0]!.cells.map((c) => c.domain)).toEqual(['tier=senior', 'tier=front']);
    expect(found[0]!.difference).toBeCloseTo(0.25, 12);
  });

  it('does not choose a difference whose test is not significant', () => {
    expect(chooseFindings([table('coaching', 0.2, [cell('tier=front', 0.2), cell('tier=senior', 0.45)])])).toEqual([]);
  });

  it('does not choose a difference significant only before the Holm correction', () => {
    // 0.03 is under 5% alone, but Holm's correction over two tests makes it 0.06 at best.
    const found = chooseFindings([table('a', 0.03, [cell('tier=front', 0.2), cell('tier=senior', 0.45)]), table('b', 0.04, [cell('tier=front', 0.2), cell('tier=senior', 0.45)])]);
    expect(found).toEqual([]);
  });

  it('never compares a suppressed or unreliable cell, however large the gap', () => {
    const found = chooseFindings([
      table('coaching', 0.0001, [cell('tier=front', 0.05, { base_n: 12 }), cell('tier=middle', 0.3), cell('tier=senior', 0.9, { suppressed: 'primary', estimate: null }), cell('tier=first', 0.4)]),
    ]);
    expect(found[0]!.cells.map((c) => c.domain)).toEqual(['tier=first', 'tier=middle']);
    const none = chooseFindings([table('coaching', 0.0001, [cell('tier=front', 0.2, { se: 0.1 }), cell('tier=senior', 0.45, { base_n: 20 })])]);
    expect(none).toEqual([]);
  });

  it('chooses a significant change since an earlier wave and not an insignificant one', () => {
    const significant = chooseFindings([{ ...table('coaching', 0.5, []), trends: [trend(0.0002)] }]);
    expect(significant).toMatchObject([{ kind: 'change', table: 'coaching', against: '2008', pHolm: 0.0002 }]);
    expect(chooseFindings([{ ...table('coaching', 0.5, []), trends: [trend(0.2)] }])).toEqual([]);
  });

  it('does not choose a change significant only before the correction over all trends', () => {
    expect(chooseFindings([{ ...table('coaching', 0.5, []), trends: [trend(0.03), { ...trend(0.04), category: 'no' }] }])).toEqual([]);
  });

  it('does not choose a change whose present or earlier cell is unreliable or suppressed', () => {
    const base = table('coaching', 0.5, []);
    const small = { ...base, cells: [cell('all', 0.3, { base_n: 20 })], trends: [trend(0.0001)] };
    const withheld = { ...base, cells: [cell('all', 0.3, { suppressed: 'secondary' })], trends: [trend(0.0001)] };
    // The earlier estimate of 2% with a standard error near 2.2% has a relative error over 100%.
    const earlier = { ...base, trends: [{ ...trend(0.0001, 0.02), se: 0.03 }] };
    expect(chooseFindings([small])).toEqual([]);
    expect(chooseFindings([withheld])).toEqual([]);
    expect(chooseFindings([earlier])).toEqual([]);
  });

  it('lists the most significant first and stops at the maximum', () => {
    const tables = Array.from({ length: 10 }, (_, i) => table(`t${i}`, 10 ** -(i + 3), [cell('tier=front', 0.2), cell('tier=senior', 0.45)]));
    const found = chooseFindings(tables);
    expect(found.map((f) => f.table)).toEqual(['t9', 't8', 't7', 't6', 't5', 't4', 't3', 't2']);
  });
});
