// A grid table (one answer, tiers down and sectors across, with both margins) as the report
// prints it: the arrangement, the HTML table and its dot plot, and the Markdown table.
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { reportHtml } from '../../src/report/html.ts';
import { reportMarkdown } from '../../src/report/markdown.ts';
import type { Cell, TableResult } from '../../src/report/model.ts';
import { twoWay } from '../../src/report/two-way.ts';
import { sampleModel } from './fixtures/sample-model.ts';

const TIERS = [{ id: 'front_line', label: 'Front-line practitioner or worker', short: 'Front line' }, { id: 'senior', label: 'Senior <manager>' }];
const SECTORS = [{ id: 'public', label: 'Public sector (for example a council)', short: 'Public' }, { id: 'private', label: 'Private sector', short: 'Private' }];

/** The share answering "took_part" is 0.1 + 0.1 × (tier) + 0.05 × (sector), so each cell is known. */
function gridTable(): TableResult {
  const cells: Cell[] = [];
  const add = (domain: string, estimate: number, base: number, suppressed: Cell['suppressed'] = '') => {
    for (const category of ['took_part', 'never']) {
      const p = category === 'took_part' ? estimate : 1 - estimate;
      cells.push(
        suppressed === ''
          ? { table: 'grid', domain, category, base_n: base, cell_n: Math.round(p * base), estimate: p, se: 0.02, ci_low: p - 0.04, ci_high: p + 0.04, deff: 1, suppressed }
          : { table: 'grid', domain, category, base_n: base, cell_n: null, estimate: null, se: null, ci_low: null, ci_high: null, deff: null, suppressed },
      );
    }
  };
  add('all', 0.2, 400);
  TIERS.forEach((t, i) => add(`tier=${t.id}`, 0.15 + 0.1 * i, 200));
  SECTORS.forEach((s, j) => add(`sector=${s.id}`, 0.17 + 0.05 * j, 200));
  TIERS.forEach((t, i) => SECTORS.forEach((s, j) => add(`tier=${t.id};sector=${s.id}`, 0.1 + 0.1 * i + 0.05 * j, 100, i === 1 && j === 1 ? 'primary' : '')));
  return {
    id: 'grid-coaching',
    title: 'Took part in coaching, by tier and sector',
    input: 'individual',
    measure: { question: 'activities', row: 'coaching', type: 'matrix', text: 'Which did you take part in? — Coaching' },
    kind: 'proportion',
    categories: [{ id: 'never', label: 'Never offered to me', short: 'Never offered' }, { id: 'took_part', label: 'I took part', short: 'Took part' }],
    by: [
      { question: 'tier', text: 'Which best describes your job?', short: 'Job level', levels: TIERS },
      { question: 'sector', text: 'Which sector do you work in?', short: 'Sector', levels: SECTORS },
    ],
    grid: { rows: 'tier', columns: 'sector', show: 'took_part' },
    ci: 'logit',
    cells,
    tests: [],
  };
}

describe('a grid table', () => {
  it('puts the tiers down and the sectors across, each with its margin last, showing only the chosen answer', () => {
    const grid = twoWay(gridTable());
    expect(grid.rowsTitle).toBe('Job level');
    expect(grid.columns.map((c) => c.label)).toEqual(['Public', 'Private', 'All']);
    expect(grid.rows.map((r) => r.label)).toEqual(['Front line', 'Senior <manager>', 'All']);
    expect(grid.rows.map((r) => r.cells.map((c) => c.estimate))).toEqual([
      ['10.0%', '15.0%', '15.0%'],
      ['20.0%', '‡', '25.0%'],
      ['17.0%', '22.0%', '20.0%'],
    ]);
    expect(grid.rows[0]!.cells[0]!.interval).toBe('(6.0–14.0)');
    expect(grid.rows[0]!.cells.map((c) => c.base)).toEqual(['n=100', 'n=100', 'n=200']);
    expect(grid.rows[1]!.cells[1]).toMatchObject({ suppressed: 'primary', spoken: 'suppressed, too few responses', value: null });
    expect(grid.reasons).toEqual(['primary']);
  });

  it('is printed in the HTML report before the long tables, with its margins, its marks, its key and a dot plot with a panel per sector', async () => {
    const model = sampleModel();
    model.tables.push(gridTable());
    const $ = cheerio.load(await reportHtml(model));
    const section = $('#table-grid-coaching');
    expect(section.length).toBe(1);
    expect($('section.report-table').first().attr('id')).toBe('table-grid-coaching');
    expect($('nav.contents li a[href^="#table-"]').first().attr('href')).toBe('#table-grid-coaching');
    expect(section.find('thead th').map((_, th) => $(th).text()).get()).toEqual(['Job level', 'Public', 'Private', 'All']);
    expect(section.find('tbody th').map((_, th) => $(th).text()).get()).toEqual(['Front line', 'Senior <manager>', 'All']);
    expect(section.find('tbody tr').eq(1).find('td').eq(1).find('.visually-hidden').text()).toBe('suppressed, too few responses');
    expect(section.find('caption').text()).toContain('answering “Took part”, job level down and sector across');
    // The key lists the answer shown and the levels, not the answers the grid leaves out.
    const key = section.find('.legend dt').map((_, dt) => $(dt).text()).get();
    expect(key).toContain('Took part');
    expect(key).toContain('Front line');
    expect(key).not.toContain('Never offered');
    const svg = section.find('figure.chart svg');
    expect(svg.attr('role')).toBe('img');
    const texts = svg.find('text').map((_, t) => $(t).text()).get();
    for (const panel of ['Public', 'Private', 'Sector: all']) expect(texts).toContain(panel);
    expect(texts).toContain('‡ not shown');
    expect(texts).toContain('10.0%');
    // The label with markup in it is text, never a tag.
    expect(section.find('manager').length).toBe(0);
  });

  it('is printed in the Markdown report as one table with the margins, before the long tables', () => {
    const model = sampleModel();
    model.tables.push(gridTable());
    const md = reportMarkdown(model);
    const at = md.indexOf('## Took part in coaching, by tier and sector');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(md.indexOf(`## ${sampleModel().tables[0]!.title}`));
    expect(md).toContain('| Job level | Public | Private | All |');
    expect(md).toContain('| Front line | 10.0% (6.0–14.0) n=100 | 15.0% (11.0–19.0) n=100 | 15.0% (11.0–19.0) n=200 |');
    expect(md).toContain('| Senior \\<manager> | 20.0% (16.0–24.0) n=100 | ‡ n=100 | 25.0% (21.0–29.0) n=200 |');
  });
});
