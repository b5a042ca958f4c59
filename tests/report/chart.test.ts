import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { tableChartSvg } from '../../src/report/chart.ts';
import { BAR_COLOUR, CHART_FONT, CHART_FONT_SIZE, CHART_WIDTH } from '../../src/report/chart-spec.ts';
import { isUnreliable } from '../../src/report/labels.ts';
import { scopeSvgIds } from '../../src/report/svg.ts';
import { textWidth } from '../../src/report/text-width.ts';
import { coachingTable, staffTable } from './fixtures/sample-model.ts';

const xml = (svg: string) => cheerio.load(svg, { xml: true });

describe('tableChartSvg', () => {
  it('draws a standalone SVG with role img, an aria-label, and a title and description first inside it', async () => {
    const svg = await tableChartSvg(coachingTable());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const $ = xml(svg);
    const root = $('svg').first();
    expect(root.attr('role')).toBe('img');
    expect(root.attr('aria-label')).toBe('Chart: Coaching, by management tier');
    expect(root.children().first().is('title')).toBe(true);
    expect(root.children().first().text()).toBe('Chart: Coaching, by management tier');
    expect(root.children().eq(1).is('desc')).toBe(true);
    expect(root.children().eq(1).text()).toContain('4 suppressed cells are not shown; see the table.');
  });

  it('sets every text in one fixed font family and a fixed size', async () => {
    const $ = xml(await tableChartSvg(coachingTable()));
    const texts = $('text');
    expect(texts.length).toBeGreaterThan(20);
    const families = new Set(texts.map((_, t) => $(t).attr('font-family')).get());
    expect([...families]).toEqual([CHART_FONT]);
    const sizes = new Set(texts.map((_, t) => $(t).attr('font-size')).get());
    expect([...sizes]).toEqual([`${CHART_FONT_SIZE}px`]);
  });

  it('draws a long label whole, on as many lines as it needs, and the chart no wider than a phone\'s column', async () => {
    const long = 'Took part in it, and finished every part of the programme with a qualification at the end';
    const table = coachingTable();
    table.categories = table.categories.map((c, i) => (i === 0 ? { ...c, label: long } : c));
    table.by[0]!.levels = table.by[0]!.levels.map((level, i) => (i === 0 ? { ...level, label: `${long}, in a tier of its own` } : level));
    const $ = xml(await tableChartSvg(table));
    expect(Number($('svg').first().attr('width'))).toBeLessThanOrEqual(CHART_WIDTH);
    expect($('text').filter((_, t) => $(t).text().endsWith('…')).length).toBe(0);
    // A wrapped label is one text with a tspan a line; its lines read as the label.
    const labels = $('text').map((_, t) => [$(t).find('tspan').map((_, span) => $(span).text()).get()]).get() as string[][];
    const category = labels.find((lines) => lines.join(' ') === long);
    expect(category, 'the long answer is not on the chart whole').toBeDefined();
    expect(category!.length).toBeGreaterThan(2);
    expect(labels.some((lines) => lines.join(' ') === `${long}, in a tier of its own`), 'the long panel heading is not on the chart whole').toBe(true);
  });

  it('labels each published estimate and leaves suppressed cells out, saying so in their place', async () => {
    const svg = await tableChartSvg(coachingTable());
    const $ = xml(svg);
    const labels = $('text').map((_, t) => $(t).text()).get();
    for (const shown of ['52.1%', '28.7%', '19.2%', '65.4%', '27.0%', '72.9%']) expect(labels).toContain(shown);
    expect(labels.filter((l) => l === '‡ not shown')).toHaveLength(1);
    expect(labels.filter((l) => l === '† not shown')).toHaveLength(3);
    expect(labels).toContain('4 suppressed cells are not shown; see the table.');
    // Eleven published cells: one bar each, hollow for the one of low reliability.
    expect($(`path[stroke="${BAR_COLOUR}"]`).length).toBe(11);
    const unreliable = coachingTable().cells.filter(isUnreliable);
    expect(unreliable.map((c) => `${c.domain} ${c.category}`)).toEqual(['tier=front_line took_part']);
    expect($(`path[stroke="${BAR_COLOUR}"][fill="#ffffff"]`).length).toBe(1);
    expect($(`path[fill="${BAR_COLOUR}"]`).length).toBe(10);
    expect(labels.filter((l) => l.endsWith(' [u]'))).toHaveLength(1);
  });

  it('draws a mean table with one bar per published domain', async () => {
    const $ = xml(await tableChartSvg(staffTable()));
    expect($(`path[fill="${BAR_COLOUR}"]`).length).toBe(2);
    const labels = $('text').map((_, t) => $(t).text()).get();
    expect(labels).toEqual(expect.arrayContaining(['All respondents', 'Public', 'Private', 'Voluntary', '143.2', '78.3', '† not shown', '‡ not shown']));
  });

  it('escapes text from the model inside the SVG', async () => {
    const table = staffTable();
    table.title = 'Staff <b> & "volunteers"';
    table.by[0]!.levels[0]!.label = 'Public & <other>';
    const svg = await tableChartSvg(table);
    expect(svg).not.toContain('<b>');
    expect(svg).not.toContain('<other>');
    expect(svg).toContain('aria-label="Chart: Staff &lt;b&gt; &amp; &quot;volunteers&quot;"');
    expect(xml(svg)('text').map((_, t) => xml(svg)(t).text()).get()).toContain('Public & <other>');
  });

  it('gives ids that name the table and do not depend on how many charts the process drew before', async () => {
    const first = await tableChartSvg(coachingTable());
    await tableChartSvg(staffTable());
    await tableChartSvg(staffTable());
    const again = await tableChartSvg(coachingTable());
    expect(again).toBe(first);
    const ids = xml(first)('[id]').map((_, e) => xml(first)(e).attr('id')).get();
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatch(/^chart-coaching_by_tier-\d+$/);
    expect(first).toContain('clip-path="url(#chart-coaching_by_tier-1)"');
  });
});

describe('scopeSvgIds', () => {
  it('renumbers ids in document order and rewrites every reference to them', () => {
    const svg = '<svg><defs><clipPath id="clip7"><rect/></clipPath><linearGradient id="gradient_3"/></defs><g clip-path="url(#clip7)"><path fill="url(#gradient_3)"/><use href="#clip7"/><a href="#elsewhere"/></g></svg>';
    expect(scopeSvgIds(svg, 'c')).toBe(
      '<svg><defs><clipPath id="c-1"><rect/></clipPath><linearGradient id="c-2"/></defs><g clip-path="url(#c-1)"><path fill="url(#c-2)"/><use href="#c-1"/><a href="#elsewhere"/></g></svg>',
    );
  });
});

describe('textWidth', () => {
  it('measures text by Helvetica metrics, wider for bold and for wide letters', () => {
    expect(textWidth('iiii', 10)).toBeLessThan(textWidth('MMMM', 10));
    expect(textWidth('Took part', 11, true)).toBeGreaterThan(textWidth('Took part', 11));
    // 0-9 are 556 thousandths of an em; four of them at 10px, with 4% room.
    expect(textWidth('2010', 10)).toBe(23.13);
  });
});
