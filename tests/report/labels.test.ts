import { describe, expect, it } from 'vitest';
import { tableGrid } from '../../src/report/grid.ts';
import { domainLabel } from '../../src/report/labels.ts';
import { reportMarkdown } from '../../src/report/markdown.ts';
import type { TableResult } from '../../src/report/model.ts';
import { coachingTable, sampleModel } from './fixtures/sample-model.ts';

function withPanel(): TableResult {
  const table = coachingTable();
  table.panel = {
    question: 'sector',
    text: 'Which sector do you work in?',
    levels: [
      { id: 'public', label: 'Public sector' },
      { id: 'voluntary', label: 'Voluntary sector' },
    ],
  };
  return table;
}

describe('domain labels', () => {
  it('names the whole sample, a level, and a crossing within a panel by their labels', () => {
    const table = withPanel();
    expect(domainLabel(table, 'all')).toBe('All respondents');
    expect(domainLabel(table, 'tier=senior')).toBe('Senior manager or director');
    expect(domainLabel(table, 'tier=senior;sector=public')).toBe('Senior manager or director · Public sector');
  });

  it('shows a pair it cannot name as it is written, rather than hiding it', () => {
    expect(domainLabel(coachingTable(), 'tier=unknown;region=north')).toBe('tier=unknown · region=north');
  });
});

describe('tables whose shape differs from the sample', () => {
  it('names the panel of each test when a table is tested within panels', () => {
    const model = sampleModel();
    const table = withPanel();
    table.tests = [
      { table: table.id, panel: 'all', statistic: 'F', ndf: 5.87, ddf: 2390, value: 5.53, p_value: 1e-7 },
      { table: table.id, panel: 'sector=public', statistic: 'F', ndf: 1.9, ddf: 812.4, value: 2.1, p_value: 0.1234 },
    ];
    model.tables = [table];
    const md = reportMarkdown(model);
    expect(md).toContain('- All respondents: Rao–Scott F = 5.53 on 5.87 and 2390 df, p < 0.001\n');
    expect(md).toContain('- Public sector: Rao–Scott F = 2.10 on 1.9 and 812 df, p = 0.123\n');
  });

  it('prints a base in each cell when the bases of a row differ, as the options of a multiple choice do', () => {
    const table = coachingTable();
    table.cells = table.cells.filter((c) => c.domain === 'all').map((c, k) => ({ ...c, base_n: 400 + k }));
    const grid = tableGrid(table);
    expect(grid.rowBases).toBe(false);
    expect(grid.rows[0]!.base).toBe('');
    expect(grid.rows[0]!.cells.map((c) => c.base)).toEqual(['n=400', 'n=401', 'n=402']);
    const model = sampleModel();
    model.tables = [table];
    expect(reportMarkdown(model)).toContain('| Group | Never offered | Offered, not taken up | Took part |\n| --- | ---: | ---: | ---: |\n| All respondents | 52.1% (46.4–57.8) n=400 |');
  });

  it('prints a dash with a legend line for a cell with no estimate that was not suppressed', () => {
    const model = sampleModel();
    const table = model.tables[1]!;
    table.cells[3] = { ...table.cells[3]!, base_n: 0, cell_n: 0, estimate: null, se: null, ci_low: null, ci_high: null, deff: null };
    const md = reportMarkdown(model);
    expect(md).toContain('| Voluntary | – | n=0 |');
    expect(md).toContain('- – no estimate: nobody in this group answered\n');
  });
});
