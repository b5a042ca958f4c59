// A grid publishes both margins, so a withheld cell of the crossing could be worked out from its
// tier's margin or its sector's margin less the other published cells: disclosure control must
// know those sums.
import { describe, expect, it } from 'vitest';
import { applyDisclosure } from '../../src/pipeline/disclosure-step.ts';
import type { Cell, TableResult } from '../../src/report/model.ts';

const TIERS = ['a', 'b'];
const SECTORS = ['p', 'q'];
// yes and no counts of each crossed cell: tier a in sector p has 2 "yes", under the minimum of 3.
const COUNTS: Record<string, [number, number]> = { 'a;p': [2, 18], 'a;q': [20, 10], 'b;p': [15, 12], 'b;q': [30, 25] };

function cell(domain: string, category: string, base: number, n: number): Cell {
  return { table: 'g', domain, category, base_n: base, cell_n: n, estimate: n / base, se: 0.01, ci_low: 0, ci_high: 1, deff: 1, suppressed: '' };
}

function gridTable(): TableResult {
  const sum = (keys: string[], k: 0 | 1) => keys.reduce((s, key) => s + COUNTS[key]![k], 0);
  const domains: [string, string[]][] = [
    ['all', Object.keys(COUNTS)],
    ...TIERS.map((t): [string, string[]] => [`tier=${t}`, SECTORS.map((s) => `${t};${s}`)]),
    ...SECTORS.map((s): [string, string[]] => [`sector=${s}`, TIERS.map((t) => `${t};${s}`)]),
    ...Object.keys(COUNTS).map((key): [string, string[]] => [`tier=${key.split(';')[0]};sector=${key.split(';')[1]}`, [key]]),
  ];
  const cells = domains.flatMap(([domain, keys]) => {
    const yes = sum(keys, 0);
    const no = sum(keys, 1);
    return [cell(domain, 'yes', yes + no, yes), cell(domain, 'no', yes + no, no)];
  });
  const levels = (ids: string[]) => ids.map((id) => ({ id, label: id.toUpperCase() }));
  return {
    id: 'g',
    title: 'G',
    input: 'i',
    measure: { question: 'q', type: 'single', text: 'Q' },
    kind: 'proportion',
    categories: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }],
    by: [
      { question: 'tier', text: 'Tier', levels: levels(TIERS) },
      { question: 'sector', text: 'Sector', levels: levels(SECTORS) },
    ],
    grid: { rows: 'tier', columns: 'sector', show: 'yes' },
    ci: 'logit',
    cells,
    tests: [],
  };
}

describe('disclosure control on a grid with both margins', () => {
  it('withholds the small cell and enough others that no published sum gives it back', () => {
    const { tables } = applyDisclosure([gridTable()], { minBase: 1, minCell: 3 });
    const published = tables[0]!.cells;
    const withheld = (domain: string, category: string) => published.find((c) => c.domain === domain && c.category === category)!.suppressed !== '';
    expect(withheld('tier=a;sector=p', 'yes')).toBe(true);
    // Every sum a reader sees: a cell's answers add to its base; a tier's cells across sectors add
    // to the tier's margin, a sector's cells down tiers to the sector's margin, margins to all.
    const lines: [string, string][][] = [];
    for (const domain of new Set(published.map((c) => c.domain))) lines.push([[domain, 'yes'], [domain, 'no']]);
    for (const category of ['yes', 'no']) {
      for (const t of TIERS) lines.push([[`tier=${t}`, category], ...SECTORS.map((s): [string, string] => [`tier=${t};sector=${s}`, category])]);
      for (const s of SECTORS) lines.push([[`sector=${s}`, category], ...TIERS.map((t): [string, string] => [`tier=${t};sector=${s}`, category])]);
      lines.push([['all', category], ...TIERS.map((t): [string, string] => [`tier=${t}`, category])]);
      lines.push([['all', category], ...SECTORS.map((s): [string, string] => [`sector=${s}`, category])]);
    }
    const alone = lines.filter((line) => line.filter(([d, c]) => withheld(d, c)).length === 1);
    expect(alone).toEqual([]);
    // The tier margin is published, so the other sector's cell in that tier had to be withheld too.
    expect(withheld('tier=a;sector=q', 'yes')).toBe(true);
  });
});
