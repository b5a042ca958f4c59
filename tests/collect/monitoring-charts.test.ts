import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { forgetDrawnCharts, submissionDays, waveCharts } from '../../src/collect/monitoring-charts.ts';
import type { FigureRow } from '../../src/collect/routes/admin/wave-figures.ts';
import { tableChartSvg } from '../../src/report/chart.ts';
import { BAR_COLOUR } from '../../src/report/chart-spec.ts';
import { staffTable } from '../report/fixtures/sample-model.ts';

const row = (sectorLabel: string, tierLabel: string, submitted: number, target: number | null): FigureRow => ({
  sectorLabel,
  tierLabel,
  invited: 0,
  responseRate: null,
  started: submitted,
  submitted,
  target,
  percent: null,
});

describe('the days of a wave\'s submissions chart', () => {
  const counts = [
    { day: '2026-09-11', submitted: 3 },
    { day: '2026-09-13', submitted: 1 },
  ];

  it('runs from the UTC day the wave opened to today, with a zero for each day without a submission', () => {
    const days = submissionDays(new Date('2026-09-10T23:30:00Z'), null, new Date('2026-09-14T00:10:00Z'), counts);
    expect(days).toEqual([
      { day: '2026-09-10', submitted: 0 },
      { day: '2026-09-11', submitted: 3 },
      { day: '2026-09-12', submitted: 0 },
      { day: '2026-09-13', submitted: 1 },
      { day: '2026-09-14', submitted: 0 },
    ]);
  });

  it('stops at the closing of a closed wave', () => {
    const days = submissionDays(new Date('2026-09-10T08:00:00Z'), new Date('2026-09-13T12:00:00Z'), new Date('2026-10-01T00:00:00Z'), counts);
    expect(days.map((d) => d.day)).toEqual(['2026-09-10', '2026-09-11', '2026-09-12', '2026-09-13']);
  });

  it('has no days for a wave that has not opened, and keeps a day with submissions outside the wave\'s period', () => {
    expect(submissionDays(new Date('2026-10-01T08:00:00Z'), null, new Date('2026-09-14T00:00:00Z'), [])).toEqual([]);
    const days = submissionDays(new Date('2026-09-12T08:00:00Z'), null, new Date('2026-09-13T00:00:00Z'), counts);
    expect(days).toEqual([
      { day: '2026-09-11', submitted: 3 },
      { day: '2026-09-12', submitted: 0 },
      { day: '2026-09-13', submitted: 1 },
    ]);
  });
});

describe('the charts of a wave\'s page', () => {
  const days = [
    { day: '2026-09-10', submitted: 2 },
    { day: '2026-09-11', submitted: 0 },
    { day: '2026-09-12', submitted: 5 },
  ];
  const rows = [row('Public', 'Senior', 3, 4), row('Public', 'Front line', 1, null), row('Private & <Co>', 'Senior', 6, 2), row('Private & <Co>', 'Front line', 0, 0)];

  it('draws the same bytes for the same counts, whatever was drawn before', async () => {
    const first = await waveCharts(days, rows, true);
    await tableChartSvg(staffTable());
    await waveCharts([{ day: '2026-01-01', submitted: 9 }], [row('Other', 'Tier', 1, 1)], true);
    expect(await waveCharts(days, rows, true)).toEqual(first);
    // Drawn afresh, not taken from the drawings kept for the page's next view.
    forgetDrawnCharts();
    expect(await waveCharts(days, rows, true)).toEqual(first);
  });

  it('draws the new counts when one count moves, not the drawing kept for the old ones', async () => {
    const before = await waveCharts(days, rows, true);
    const moved = [...days.slice(0, -1), { day: '2026-09-12', submitted: 6 }];
    const after = await waveCharts(moved, [row('Public', 'Senior', 4, 4), ...rows.slice(1)], true);
    expect(after.days!.svg).not.toBe(before.days!.svg);
    expect(after.targets!.svg).not.toBe(before.targets!.svg);
    forgetDrawnCharts();
    expect(await waveCharts(moved, [row('Public', 'Senior', 4, 4), ...rows.slice(1)], true)).toEqual(after);
  });

  it('labels each stratum with its count and its target, escaped, and draws a bar for each one', async () => {
    const { targets } = await waveCharts(days, rows, true);
    const $ = cheerio.load(targets!.svg, { xml: true });
    const texts = $('text').map((_, t) => $(t).text()).get();
    for (const r of rows) expect(texts).toContain(r.target === null ? `${r.submitted} (no target)` : `${r.submitted} of ${r.target}`);
    expect(texts).toContain('Private & <Co>');
    expect(targets!.svg).not.toContain('<Co>');
    expect($(`path[fill="${BAR_COLOUR}"]`)).toHaveLength(rows.length);
  });

  it('draws one panel-less bar per sector for an instrument that asks no tier, and no strata chart without strata', async () => {
    const sectors = [row('Public', '', 2, 3), row('Private', '', 4, null)];
    const { targets } = await waveCharts(days, sectors, false);
    const $ = cheerio.load(targets!.svg, { xml: true });
    expect(targets!.title).toBe('Chart: responses submitted by sector, against the targets');
    expect($(`path[fill="${BAR_COLOUR}"]`)).toHaveLength(2);
    expect($('text').map((_, t) => $(t).text()).get()).toEqual(expect.arrayContaining(['Public', 'Private', '2 of 3', '4 (no target)']));
    expect((await waveCharts(days, [], false)).targets).toBeNull();
    expect((await waveCharts([], [], false)).days).toBeNull();
  });

  it('says in the day chart\'s description which days it covers and how many were submitted', async () => {
    const { days: chart } = await waveCharts(days, rows, true);
    const $ = cheerio.load(chart!.svg, { xml: true });
    expect($('desc').text()).toBe(`A bar for each day from 2026-09-10 to 2026-09-12 (UTC) shows the responses submitted that day, ${days.reduce((s, d) => s + d.submitted, 0)} in all. The same figures are in the table below the chart.`);
    expect(chart!.rows).toEqual(days);
  });
});
