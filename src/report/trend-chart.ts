/**
 * A trend's chart: for each answer, the earlier wave's figure (an open circle) and the current
 * one (a filled circle) joined by a line, so the direction and size of each change reads at a
 * glance. The same fixed sizes, fonts and scales as the tables' charts; data inline; labels
 * formatted here, so the picture depends on nothing but the figures.
 */
import type { TopLevelSpec } from 'vega-lite';
import { axisLabel, axisTitle, BAR_COLOUR, CONFIG, LINE_COLOUR, LINES, MUTED, REPORT_PLOT_WIDTH, rowStep } from './chart-spec.ts';
import { categoryLabel } from './labels.ts';
import type { TableResult } from './model.ts';

export function trendChartSpec(table: TableResult, wave: string): TopLevelSpec {
  const trends = (table.trends ?? []).filter((t) => t.domain === 'all' && t.wave === wave);
  const categories = trends.map((t) => axisLabel(categoryLabel(table, t.category)));
  const values = trends.flatMap((t, i) => [
    { category: categories[i], when: wave, value: Number(t.then.toFixed(6)), order: 0 },
    { category: categories[i], when: 'now', value: Number(t.now.toFixed(6)), order: 1 },
  ]);
  const proportion = table.kind === 'proportion';
  const y = { field: 'category', type: 'nominal', sort: categories, title: null, axis: { labelExpr: LINES } };
  const x = {
    field: 'value',
    type: 'quantitative',
    scale: proportion ? { domain: [0, 1], nice: false } : { zero: true, nice: true },
    axis: { ...(proportion ? { format: '.0%' } : {}), title: axisTitle(`${wave} (open) and now (filled)`), tickCount: 5 },
  };
  return {
    config: CONFIG,
    padding: 8,
    data: { values },
    width: REPORT_PLOT_WIDTH,
    height: { step: rowStep(categories) },
    layer: [
      { mark: { type: 'line', color: MUTED, strokeWidth: 1.5 }, encoding: { y, x, detail: { field: 'category' }, order: { field: 'order' } } },
      { transform: [{ filter: `datum.when === ${JSON.stringify(wave)}` }], mark: { type: 'point', shape: 'circle', size: 50, filled: false, color: LINE_COLOUR, strokeWidth: 1.5 }, encoding: { y, x } },
      { transform: [{ filter: "datum.when === 'now'" }], mark: { type: 'point', shape: 'circle', size: 50, filled: true, color: BAR_COLOUR, stroke: LINE_COLOUR, strokeWidth: 1 }, encoding: { y, x } },
    ],
  } as unknown as TopLevelSpec;
}

export function trendChartDescription(wave: string): string {
  return `For each answer, an open circle marks the figure in ${wave} and a filled circle the figure now, joined by a line. The same figures are in the table.`;
}
