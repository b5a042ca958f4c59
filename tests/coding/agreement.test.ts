// Inter-coder agreement against R, on the coding sheets committed in
// tests/fixtures/agreement-reference/ (made by make-reference.R there): Cohen's kappa from
// psych::cohen.kappa, Krippendorff's alpha from a base-R coincidence-matrix computation checked
// against Krippendorff (2011), percent agreement; statistics to 1e-6, unit counts exactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { agreementTable, cohenKappa, krippendorffAlpha, percentAgreement, type AgreementRow } from '../../src/coding/agreement.ts';
import type { HumanCode } from '../../src/coding/types.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'agreement-reference');
const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));

interface ReferenceRow {
  units: number;
  coders: number;
  agreement: number | null;
  kappa: number | null;
  alpha: number | null;
}

/** A coding sheet: one row per segment a coder saw, with the codes applied (`;`-separated, may be empty). */
function readSheet(file: string) {
  const rows = Papa.parse<{ segment: string; coder: string; codes: string }>(readFileSync(join(dir, file), 'utf8'), { header: true, skipEmptyLines: true }).data;
  const coding: HumanCode[] = rows.flatMap((r) => (r.codes === '' ? [] : r.codes.split(';').map((code) => ({ segmentId: r.segment, coder: r.coder, code }))));
  const seen: Record<string, string[]> = {};
  for (const r of rows) (seen[r.coder] ??= []).push(r.segment);
  return { rows, coding, seen, units: [...new Set(rows.map((r) => r.segment))], coders: [...new Set(rows.map((r) => r.coder))] };
}

const close = (actual: number | null, expected: number | null) => {
  if (expected === null) expect(actual).toBeNull();
  else {
    expect(actual).not.toBeNull();
    expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-6);
  }
};

describe.each(Object.keys(ref.datasets))('agreementTable on the %s sheet agrees with R', (name) => {
  const expected = ref.datasets[name];
  const sheet = readSheet(expected.file);
  const table = agreementTable(sheet.coding, { codes: expected.codes, units: sheet.units, coders: sheet.coders, seen: sheet.seen });
  const pairs: [string, AgreementRow, ReferenceRow][] = [
    ...expected.by_code.map((row: ReferenceRow & { code: string }, k: number): [string, AgreementRow, ReferenceRow] => {
      expect(table.byCode[k]!.code).toBe(row.code);
      return [row.code, table.byCode[k]!, row];
    }),
    ['overall', table.overall, expected.overall],
  ];

  it('lists the same segments and coders as R, in the same order', () => {
    expect(table.units).toEqual(expected.units);
    expect(table.coders).toEqual(expected.coders);
  });

  it('counts the same pairable units and participating coders for each code and overall', () => {
    for (const [, row, reference] of pairs) {
      expect(row.units).toBe(reference.units);
      expect(row.coders).toBe(reference.coders);
    }
  });

  it("gives Cohen's kappa as psych::cohen.kappa does for each code and overall, and none unless there are two coders", () => {
    for (const [, row, reference] of pairs) close(row.kappa, reference.kappa);
  });

  it("gives Krippendorff's alpha as the R coincidence-matrix computation does for each code and overall", () => {
    for (const [, row, reference] of pairs) close(row.alpha, reference.alpha);
  });

  it('gives the same percent agreement (mean share of agreeing coder pairs) for each code and overall', () => {
    for (const [, row, reference] of pairs) close(row.agreement, reference.agreement);
  });

  it('explains every statistic it leaves out', () => {
    for (const [code, row] of pairs) {
      if (row.kappa === null) expect(row.notes.some((n) => n.startsWith('kappa:')), code).toBe(true);
      if (row.alpha === null) expect(row.notes.some((n) => n.startsWith('alpha:')), code).toBe(true);
    }
  });
});

describe("nominal ratings: the worked example of Krippendorff (2011)", () => {
  const expected = ref.nominal['krippendorff-2011'];
  const sheet = readSheet(expected.file);
  const coders: string[] = expected.matrix_rows;
  const units: string[] = expected.matrix_columns;
  const matrix = coders.map((coder) => units.map((unit) => sheet.rows.find((r) => r.coder === coder && r.segment === unit)?.codes ?? null));

  it("Krippendorff's alpha is the published 0.743 and agrees with R to 1e-6, with 11 pairable units and 40 pairable values", () => {
    const result = krippendorffAlpha(matrix);
    expect(result.units).toBe(11);
    expect(result.values).toBe(40);
    expect(result.units).toBe(expected.alpha.units);
    expect(result.values).toBe(expected.alpha.values);
    close(result.alpha, expected.alpha.alpha);
    close(result.observed, expected.alpha.observed);
    close(result.expected, expected.alpha.expected);
    expect(result.alpha!.toFixed(3)).toBe('0.743');
  });

  it("Krippendorff's alpha does not depend on the order of coders or units", () => {
    const shuffled = [...matrix].reverse().map((row) => [...row].reverse());
    close(krippendorffAlpha(shuffled).alpha, expected.alpha.alpha);
  });

  it('percent agreement agrees with R', () => {
    const result = percentAgreement(matrix);
    expect(result.units).toBe(11);
    close(result.agreement, expected.percent_agreement);
  });

  it("Cohen's kappa agrees with psych::cohen.kappa for every pair of coders, dropping units either left unrated", () => {
    for (const pair of expected.cohen_kappa as { coders: [string, string]; kappa: number; agreement: number; units: number }[]) {
      const [a, b] = pair.coders.map((c) => matrix[coders.indexOf(c)]!);
      const result = cohenKappa(a!, b!);
      expect(result.units).toBe(pair.units);
      close(result.kappa, pair.kappa);
      close(result.agreement, pair.agreement);
    }
  });
});

describe('Krippendorff (2011), the two-coder examples', () => {
  it("Krippendorff's alpha is 0.095 on the binary example of section A", () => {
    const result = krippendorffAlpha([
      ['0', '1', '0', '0', '0', '0', '0', '0', '1', '0'],
      ['1', '1', '1', '0', '0', '1', '0', '0', '0', '0'],
    ]);
    close(result.alpha, ref.meta.krippendorff_2011.section_a.computed);
    expect(result.alpha!.toFixed(3)).toBe('0.095');
  });

  it("Krippendorff's alpha is 0.692 on the nominal example of section B", () => {
    const result = krippendorffAlpha(['aabbdcccedda'.split(''), 'babbbccceddd'.split('')]);
    close(result.alpha, ref.meta.krippendorff_2011.section_b.computed);
    expect(result.alpha!.toFixed(3)).toBe('0.692');
  });
});

describe('degenerate ratings give null with a reason instead of dividing by zero', () => {
  it("Cohen's kappa is null when both coders gave every unit the same category, though they agree fully", () => {
    const result = cohenKappa(['no', 'no', 'no'], ['no', 'no', 'no']);
    expect(result).toMatchObject({ kappa: null, agreement: 1, expected: 1, units: 3 });
    expect(result.note).toMatch(/chance agreement is 1/);
  });

  it("Cohen's kappa is 0 rather than null when each coder used a single but different category", () => {
    expect(cohenKappa(['yes', 'yes'], ['no', 'no'])).toMatchObject({ kappa: 0, agreement: 0, expected: 0, units: 2 });
  });

  it("Cohen's kappa is null when no unit was rated by both coders", () => {
    const result = cohenKappa(['a', null, 'b'], [null, 'a', null]);
    expect(result).toMatchObject({ kappa: null, agreement: null, units: 0 });
    expect(result.note).toMatch(/no unit was rated by both coders/);
  });

  it("Cohen's kappa refuses ratings of different lengths", () => {
    expect(() => cohenKappa(['a', 'b'], ['a'])).toThrow(/same units: got 2 and 1 ratings/);
  });

  it("Krippendorff's alpha is null with no coders and with one coder", () => {
    expect(krippendorffAlpha([])).toMatchObject({ alpha: null, units: 0, values: 0 });
    expect(krippendorffAlpha([]).note).toMatch(/no coders/);
    const one = krippendorffAlpha([['a', 'b', 'c']]);
    expect(one).toMatchObject({ alpha: null, units: 0, values: 0 });
    expect(one.note).toMatch(/one coder/);
  });

  it("Krippendorff's alpha is null when no unit has two values, whatever the number of coders", () => {
    const result = krippendorffAlpha([['a', null], [null, 'b'], [null, null]]);
    expect(result).toMatchObject({ alpha: null, units: 0 });
    expect(result.note).toMatch(/no unit has values from two coders/);
  });

  it("Krippendorff's alpha is null when every pairable value is the same, because the expected disagreement is 0", () => {
    // The lone 'b' is in an unpairable unit, so it does not count as variation.
    const result = krippendorffAlpha([['a', 'a', 'b'], ['a', 'a', null]]);
    expect(result).toMatchObject({ alpha: null, units: 2, values: 4, observed: 0, expected: 0 });
    expect(result.note).toMatch(/expected disagreement is 0/);
  });

  it("Krippendorff's alpha refuses coders with different numbers of units", () => {
    expect(() => krippendorffAlpha([['a', 'b'], ['a']])).toThrow(/coder 2 has 1 values, coder 1 has 2/);
  });

  it('percent agreement is null when no unit has two values', () => {
    expect(percentAgreement([['a', null]])).toMatchObject({ agreement: null, units: 0 });
  });

  it('a code nobody applied has full agreement but no kappa or alpha', () => {
    const table = agreementTable([{ segmentId: 's1', coder: 'ann', code: 'trust' }, { segmentId: 's1', coder: 'bob', code: 'trust' }, { segmentId: 's2', coder: 'bob', code: 'trust' }], { codes: ['trust', 'unused'], units: ['s1', 's2', 's3'] });
    const unused = table.byCode[1]!;
    expect(unused).toMatchObject({ code: 'unused', units: 3, coders: 2, agreement: 1, kappa: null, alpha: null });
    expect(unused.notes).toHaveLength(2);
  });

  it('with a single coder every statistic is null and the row says why', () => {
    const table = agreementTable([{ segmentId: 's1', coder: 'ann', code: 'trust' }], { codes: ['trust'], units: ['s1', 's2'] });
    expect(table.overall).toMatchObject({ units: 0, coders: 0, agreement: null, kappa: null, alpha: null });
    expect(table.overall.notes).toHaveLength(3);
  });

  it('an empty coding with no coders gives an empty table rather than an error', () => {
    const table = agreementTable([], { codes: ['trust'] });
    expect(table).toMatchObject({ coders: [], units: [], overall: { units: 0, coders: 0, agreement: null, kappa: null, alpha: null } });
  });
});

describe('what a coder saw is part of the data', () => {
  const coding: HumanCode[] = [
    { segmentId: 's1', coder: 'ann', code: 'trust' },
    { segmentId: 's1', coder: 'bob', code: 'trust' },
    { segmentId: 's2', coder: 'ann', code: 'trust' },
    { segmentId: 's3', coder: 'bob', code: 'workload' },
  ];
  const codes = ['trust', 'workload'];

  it('by default every coder is taken to have seen every coded segment, so a segment without their codes counts as absent', () => {
    const table = agreementTable(coding, { codes });
    expect(table.units).toEqual(['s1', 's2', 's3']);
    expect(table.byCode[0]).toMatchObject({ code: 'trust', units: 3, agreement: 2 / 3 });
  });

  it('a segment missing from a coder’s list of segments seen is left out rather than counted as absent', () => {
    const table = agreementTable(coding, { codes, seen: { bob: ['s1', 's3'] } });
    expect(table.byCode[0]).toMatchObject({ code: 'trust', units: 2, agreement: 1 });
    expect(table.overall.units).toBe(4);
  });

  it('a coder who saw segments but applied no code at all still takes part when named', () => {
    const table = agreementTable([{ segmentId: 's1', coder: 'ann', code: 'trust' }], { codes: ['trust'], units: ['s1', 's2'], coders: ['ann', 'cy'] });
    expect(table.coders).toEqual(['ann', 'cy']);
    expect(table.byCode[0]).toMatchObject({ units: 2, coders: 2, agreement: 0.5 });
  });

  it('applying the same code to a segment twice is one decision', () => {
    const once = agreementTable(coding, { codes });
    const twice = agreementTable([...coding, coding[0]!], { codes });
    expect(twice).toEqual(once);
  });

  it("Cohen's kappa is given for two coders even when a third is named but saw nothing that could be paired", () => {
    const table = agreementTable(coding, { codes, coders: ['ann', 'bob', 'cy'], seen: { cy: [] } });
    expect(table.overall.coders).toBe(2);
    expect(table.overall.kappa).not.toBeNull();
  });
});

describe('bad input is refused with a message naming the segment and code', () => {
  const codes = ['trust', 'workload'];

  it('refuses a code that is not in the code list', () => {
    expect(() => agreementTable([{ segmentId: 'fg1#4', coder: 'ann', code: 'trsut' }], { codes })).toThrow('segment "fg1#4": coder "ann" applied code "trsut", which is not in the code list');
  });

  it('refuses an empty coder name', () => {
    expect(() => agreementTable([{ segmentId: 'fg1#4', coder: ' ', code: 'trust' }], { codes })).toThrow(`segment "fg1#4", code "trust": the coder's name is empty`);
  });

  it('refuses an empty segment id', () => {
    expect(() => agreementTable([{ segmentId: '', coder: 'ann', code: 'trust' }], { codes })).toThrow('a segment with an empty id, code "trust" (coder "ann")');
  });

  it('refuses a segment that is not in the list of units', () => {
    expect(() => agreementTable([{ segmentId: 'fg9#1', coder: 'ann', code: 'trust' }], { codes, units: ['fg1#1'] })).toThrow('segment "fg9#1", code "trust" (coder "ann"): the segment is not in the list of units');
  });

  it('refuses a coder who is not in the list of coders', () => {
    expect(() => agreementTable([{ segmentId: 's1', coder: 'dee', code: 'trust' }], { codes, coders: ['ann', 'bob'] })).toThrow('segment "s1", code "trust": coder "dee" is not in the list of coders');
  });

  it('refuses a code applied to a segment the coder is recorded as not having seen', () => {
    expect(() => agreementTable([{ segmentId: 's2', coder: 'ann', code: 'workload' }], { codes, units: ['s1', 's2'], seen: { ann: ['s1'] } })).toThrow(
      'segment "s2", code "workload": coder "ann" applied a code to a segment missing from their list of segments seen',
    );
  });

  it('refuses a list of segments seen that names a segment outside the units', () => {
    expect(() => agreementTable([], { codes, units: ['s1'], seen: { ann: ['s1', 's7'] } })).toThrow('segment "s7", seen by coder "ann", is not in the list of units');
  });

  it('refuses a code list that names a code twice', () => {
    expect(() => agreementTable([], { codes: ['trust', 'trust'] })).toThrow('the code list names code "trust" twice');
  });
});
