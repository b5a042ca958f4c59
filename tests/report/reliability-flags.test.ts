// Estimates of low reliability (a base under 30, or a relative standard error over 30%) are
// published with the mark [u] beside them, in tables, grids and Markdown, with a legend line;
// withheld cells and reliable ones carry no mark.
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { BAR_COLOUR } from '../../src/report/chart-spec.ts';
import { tableGrid } from '../../src/report/grid.ts';
import { reportHtml } from '../../src/report/html.ts';
import { UNRELIABLE } from '../../src/report/labels.ts';
import { reportMarkdown } from '../../src/report/markdown.ts';
import type { Cell, TableResult } from '../../src/report/model.ts';
import { twoWay } from '../../src/report/two-way.ts';
import { sampleModel } from './fixtures/sample-model.ts';

const cell = (domain: string, estimate: number | null, se: number | null, base: number, suppressed: Cell['suppressed'] = ''): Cell => ({
  table: 't',
  domain,
  category: 'yes',
  base_n: base,
  cell_n: estimate === null ? null : Math.round(estimate * base),
  estimate,
  se,
  ci_low: estimate === null ? null : Math.max(0, estimate - 2 * se!),
  ci_high: estimate === null ? null : estimate + 2 * se!,
  deff: 1,
  suppressed,
});

const TIERS = ['front_line', 'first_line', 'middle', 'senior'];

/** Front line reliable; first line on a base of 25; middle with an RSE of 40%; senior withheld. */
function table(): TableResult {
  return {
    id: 't',
    title: 'Took part in coaching, by tier',
    input: 'individual',
    measure: { question: 'coaching', type: 'single', text: 'Did you take part in coaching?' },
    kind: 'proportion',
    categories: [{ id: 'yes', label: 'Yes' }],
    by: [{ question: 'tier', text: 'Tier', levels: TIERS.map((id) => ({ id, label: id })) }],
    ci: 'logit',
    cells: [cell('all', 0.3, 0.02, 400), cell('tier=front_line', 0.3, 0.03, 200), cell('tier=first_line', 0.4, 0.05, 25), cell('tier=middle', 0.05, 0.02, 150), cell('tier=senior', null, null, 5, 'base')],
    tests: [],
  };
}

describe('the low-reliability mark', () => {
  it('goes beside an estimate on a small base or with a large relative error, never beside a withheld or a reliable one', () => {
    const grid = tableGrid(table());
    expect(grid.unreliable).toBe(true);
    const flags = Object.fromEntries(grid.rows.map((row) => [row.domain, row.cells[0]!.flag]));
    expect(flags).toEqual({ all: '', 'tier=front_line': '', 'tier=first_line': '[u]', 'tier=middle': '[u]', 'tier=senior': '' });
    // The estimate itself stays: the mark qualifies it rather than replacing it.
    expect(grid.rows.find((r) => r.domain === 'tier=first_line')!.cells[0]).toMatchObject({ estimate: '40.0%', flagSpoken: 'low reliability', spoken: '' });
    const reliable = { ...table(), cells: table().cells.filter((c) => c.domain === 'all' || c.domain === 'tier=front_line') };
    expect(tableGrid(reliable).unreliable).toBe(false);
  });

  it('is printed in report.md beside the figure, with its legend line, and its rule is stated once in the method notes', () => {
    const model = { ...sampleModel(), tables: [table()], suppressions: [], methods: { ...sampleModel().methods, reliability: 'An estimate marked [u] is of low reliability.' } };
    const md = reportMarkdown(model);
    expect(md).toContain('| first_line | 40.0% \\[u\\] (30.0–50.0) | n=25 |');
    expect(md).toContain('| middle | 5.0% \\[u\\] (1.0–9.0) | n=150 |');
    expect(md).toContain('| front_line | 30.0% (24.0–36.0) | n=200 |');
    expect(md).toContain(`- \\[u\\] ${UNRELIABLE.meaning}`);
    expect(md).toContain('### Reliability\n\nAn estimate marked \\[u\\] is of low reliability.');
    expect(UNRELIABLE.meaning).toBe('low reliability: the base is under 30 or the relative standard error is over 30%; read with care');
  });

  it('marks a grid’s cells the same way, and tells the dot plot which estimates are unreliable', () => {
    const t = table();
    const grid: TableResult = {
      ...t,
      by: [t.by[0]!, { question: 'sector', text: 'Sector', levels: [{ id: 'public', label: 'Public' }] }],
      grid: { rows: 'tier', columns: 'sector', show: 'yes' },
      cells: [cell('all', 0.3, 0.02, 400), cell('sector=public', 0.3, 0.02, 400), ...t.cells.filter((c) => c.domain !== 'all').flatMap((c) => [c, { ...c, domain: `${c.domain};sector=public` }])],
    };
    const two = twoWay(grid);
    expect(two.unreliable).toBe(true);
    const byRow = Object.fromEntries(two.rows.map((row) => [row.id, row.cells.map((c) => c.flag)]));
    expect(byRow).toEqual({ front_line: ['', ''], first_line: ['[u]', '[u]'], middle: ['[u]', '[u]'], senior: ['', ''], all: ['', ''] });
    expect(two.rows.find((r) => r.id === 'first_line')!.cells[0]!.value).toMatchObject({ estimate: 0.4, unreliable: true });
    expect(two.rows.find((r) => r.id === 'front_line')!.cells[0]!.value).toMatchObject({ unreliable: false });
  });

  it('is printed in report.html beside the figure with words for a screen reader, in the legend, and as a hollow bar in the chart', async () => {
    const model = { ...sampleModel(), tables: [table()], suppressions: [], methods: { ...sampleModel().methods, reliability: 'An estimate marked [u] is of low reliability.' } };
    const $ = cheerio.load(await reportHtml(model));
    const section = $('#table-t');
    const cellOf = (label: string) => section.find('tbody tr').filter((_, tr) => $(tr).find('th').text() === label).find('td').first();
    expect(cellOf('first_line').find('.flag-u').text()).toBe('[u]');
    expect(cellOf('first_line').find('.flag-u').attr('aria-hidden')).toBe('true');
    expect(cellOf('first_line').find('.visually-hidden').text()).toBe(', low reliability');
    expect(cellOf('front_line').find('.flag-u').length).toBe(0);
    expect(cellOf('senior').find('.flag-u').length).toBe(0);
    expect(section.find('.legend dt').map((_, dt) => $(dt).text()).get()).toContain('[u]');
    expect(section.find('figcaption').text()).toContain('Hollow bars, marked [u], are estimates of low reliability.');
    const chart = cheerio.load(section.find('figure.chart').html()!, { xml: true });
    expect(chart(`path[stroke="${BAR_COLOUR}"][fill="#ffffff"]`).length).toBe(2);
    expect(chart(`path[fill="${BAR_COLOUR}"]`).length).toBe(2);
    expect($('.methods h3').map((_, h) => $(h).text()).get()).toContain('Reliability');
  });
});
