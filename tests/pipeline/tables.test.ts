// A pipeline table computed from a CSV in the column layout agrees with R's svyby on the same
// data (tests/fixtures/survey-reference), for each of the three designs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Instrument } from '../../src/instrument/schema.ts';
import { readResponsesCsv, type Dataset } from '../../src/pipeline/dataset.ts';
import { designFor } from '../../src/pipeline/design-from-data.ts';
import { PipelineTable, type InputDesign } from '../../src/pipeline/schema.ts';
import { computeTable } from '../../src/pipeline/tables.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'survey-reference');
const ref = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8'));
const levels: Record<string, string[]> = ref.meta.factor_levels;
const options = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, id.replace(/_/g, ' ')]));

// An instrument whose column layout is the reference data's.
const instrument = Instrument.parse({
  id: 'reference',
  version: '1',
  title: 'Reference data',
  kind: 'individual',
  source: 'tests/fixtures/survey-reference',
  pages: [
    {
      id: 'all',
      title: 'All',
      questions: [
        { id: 'sector', type: 'single', text: 'Sector', options: options(levels.sector!) },
        { id: 'tier', type: 'single', text: 'Tier', options: options(levels.tier!) },
        { id: 'coaching', type: 'single', text: 'Coaching', options: options(levels.coaching!) },
        { id: 'qual_type', type: 'multiple', text: 'Qualification type', options: { svq: 'SVQ', academic: 'Academic' } },
        { id: 'staff', type: 'number', text: 'Staff' },
        { id: 'benefit', type: 'scale', text: 'Benefit', options: options(levels.benefit!) },
        { id: 'stage', type: 'single', text: 'Stage', options: options(levels.stage!) },
      ],
    },
  ],
});

const designs: Record<string, InputDesign> = {
  unstratified: { weight: 'weight' },
  stratified_fpc: { weight: 'weight', strata: 'sector', fpc: 'population' },
  raked: { weight: 'weight', rake: ref.designs.raked.rake.population_margins },
};

let dir: string;
let dataset: Dataset;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tapestry-tables-'));
  const rows = Papa.parse<Record<string, string>>(readFileSync(join(fixtures, 'data.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data;
  const withMeta = rows.map((r) => ({ wave: '2010', instrument_version: '1', submitted_at: '2010-09-15T10:00:00.000Z', ...r }));
  writeFileSync(join(dir, 'responses.csv'), Papa.unparse(withMeta, { newline: '\n' }));
  const read = await readResponsesCsv(join(dir, 'responses.csv'), instrument, { numeric: ['weight', 'population'], categorical: [] });
  expect(read.problems).toEqual([]);
  dataset = read.dataset!;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const close = (actual: number | null, expected: number, tolerance: number) => expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance);

describe.each(Object.keys(designs))('a table by tier on the %s design', (name) => {
  it('gives svyby’s estimates, SEs and deffs in every domain, and its Rao–Scott test', () => {
    const { design } = designFor('reference', dataset, designs[name]!);
    const table = PipelineTable.parse({ id: 'coaching-by-tier', input: 'reference', measure: 'coaching', by: ['tier'], test: false });
    const result = computeTable(table, instrument, dataset, design);
    for (const row of ref.designs[name].domains_tier.rows as { tier: string; category: string; estimate: number; se: number; deff: number; n: number; n_category: number }[]) {
      const cell = result.cells.find((c) => c.domain === `tier=${row.tier}` && c.category === row.category)!;
      expect(cell.base_n).toBe(row.n);
      expect(cell.cell_n).toBe(row.n_category);
      close(cell.estimate, row.estimate, 1e-6);
      close(cell.se, row.se, 1e-6);
      close(cell.deff, row.deff, 1e-6);
    }
    const all = result.cells.filter((c) => c.domain === 'all');
    ref.designs[name].coaching.categories.forEach((c: { estimate: number }, k: number) => close(all[k]!.estimate, c.estimate, 1e-6));

    const staged = computeTable(PipelineTable.parse({ id: 'stage-by-tier', input: 'reference', measure: 'stage', by: ['tier'], test: true }), instrument, dataset, design);
    expect(staged.tests).toHaveLength(1);
    close(staged.tests[0]!.value, ref.designs[name].chisq_tier_stage.F.statistic, 1e-6);
    close(staged.tests[0]!.p_value, ref.designs[name].chisq_tier_stage.F.p_value, 1e-4);
  });

  // The table's `by` variable is svychisq's row variable, its measure the column variable.
  it.each([
    ['stage', 'coaching', 'chisq_coaching_stage'],
    ['coaching', 'tier', 'chisq_tier_coaching'],
    ['sector', 'tier', 'chisq_tier_sector'],
  ])('tests %s by %s as svychisq does on the rows that answered both, whoever left either unanswered', (measure, by, key) => {
    const { design } = designFor('reference', dataset, designs[name]!);
    const table = PipelineTable.parse({ id: `${measure}-by-${by}`, input: 'reference', measure, by: [by], test: true });
    const { tests } = computeTable(table, instrument, dataset, design);
    const expected = ref.designs[name][key].F;
    expect(tests).toHaveLength(1);
    expect(tests[0]!.statistic).toBe('F');
    close(tests[0]!.value, expected.statistic, 1e-6);
    close(tests[0]!.ndf, expected.ndf, 1e-6);
    close(tests[0]!.ddf! / expected.ddf, 1, 1e-6);
    close(tests[0]!.p_value, expected.p_value, 1e-4);
  });

  it('estimates each option of a multiple-choice question on its own base, and a mean with its interval', () => {
    const { design } = designFor('reference', dataset, designs[name]!);
    const options = computeTable(PipelineTable.parse({ id: 'qual', input: 'reference', measure: 'qual_type' }), instrument, dataset, design);
    const svq = options.cells.find((c) => c.domain === 'all' && c.category === 'svq')!;
    expect(svq.base_n).toBe(ref.designs[name]['qual_type.svq'].n);
    close(svq.estimate, ref.designs[name]['qual_type.svq'].estimate, 1e-6);
    close(svq.se, ref.designs[name]['qual_type.svq'].se, 1e-6);
    const staff = computeTable(PipelineTable.parse({ id: 'staff', input: 'reference', measure: 'staff' }), instrument, dataset, design).cells[0]!;
    expect(staff.category).toBe('mean');
    close(staff.estimate, ref.designs[name].staff.estimate, 1e-6);
    expect(staff.ci_low!).toBeLessThan(staff.estimate!);
  });
});

describe.each(Object.keys(designs))('a grid of tier by sector on the %s design', (name) => {
  it('gives svyby’s estimates in every cell of the crossing, and in the tier margin, and everyone’s in the corner', () => {
    const { design } = designFor('reference', dataset, designs[name]!);
    const table = PipelineTable.parse({ id: 'coaching-grid', input: 'reference', measure: 'coaching', grid: { rows: 'tier', columns: 'sector', show: 'took_part' } });
    const result = computeTable(table, instrument, dataset, design);
    expect(result.grid).toEqual({ rows: 'tier', columns: 'sector', show: 'took_part' });
    expect(result.by.map((b) => b.question)).toEqual(['tier', 'sector']);
    const rows = ref.designs[name].domains_tier_sector.rows as { tier: string; sector: string; category: string; estimate: number; se: number; n: number; n_category: number }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const cell = result.cells.find((c) => c.domain === `tier=${row.tier};sector=${row.sector}` && c.category === row.category)!;
      expect(cell.base_n).toBe(row.n);
      expect(cell.cell_n).toBe(row.n_category);
      close(cell.estimate, row.estimate, 1e-6);
      close(cell.se, row.se, 1e-6);
    }
    for (const row of ref.designs[name].domains_tier.rows as { tier: string; category: string; estimate: number; se: number; n: number }[]) {
      const cell = result.cells.find((c) => c.domain === `tier=${row.tier}` && c.category === row.category)!;
      expect(cell.base_n).toBe(row.n);
      close(cell.estimate, row.estimate, 1e-6);
      close(cell.se, row.se, 1e-6);
    }
    ref.designs[name].coaching.categories.forEach((c: { estimate: number }, k: number) => close(result.cells.filter((cell) => cell.domain === 'all')[k]!.estimate, c.estimate, 1e-6));
  });

  it('gives the sector margin the same figures as a table by sector, and lists everyone, the margins and then the crossing', () => {
    const { design } = designFor('reference', dataset, designs[name]!);
    const grid = computeTable(PipelineTable.parse({ id: 'g', input: 'reference', measure: 'coaching', grid: { rows: 'tier', columns: 'sector', show: 'took_part' } }), instrument, dataset, design);
    const bySector = computeTable(PipelineTable.parse({ id: 'g', input: 'reference', measure: 'coaching', by: ['sector'] }), instrument, dataset, design);
    for (const cell of bySector.cells.filter((c) => c.domain !== 'all')) expect(grid.cells.find((c) => c.domain === cell.domain && c.category === cell.category)).toEqual(cell);
    const domains = [...new Set(grid.cells.map((c) => c.domain))];
    const tiers = levels.tier!.map((t) => `tier=${t}`);
    const sectors = levels.sector!.map((s) => `sector=${s}`);
    expect(domains).toEqual(['all', ...tiers, ...sectors, ...tiers.flatMap((t) => sectors.map((s) => `${t};${s}`))]);
  });
});
