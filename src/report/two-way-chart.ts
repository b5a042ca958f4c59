/**
 * A grid's chart: a dot plot with intervals, one panel per column level (sector) and a last panel
 * for the margin, each with the row levels (tiers) down the side. Same fonts, sizes and scale as
 * the tables' charts, data inline, labels formatted here.
 *
 * Decisions, and why:
 * - Dots, not bars: a grid compares one answer across cells, and a dot with its interval shows
 *   where two cells' intervals overlap without the bars' areas pulling the eye to the largest.
 * - Panels stack in one column, on one 0–100 % scale: the same tier sits at the same height in
 *   every sector's panel, so reading down compares sectors, and the chart fits a phone.
 * - A withheld cell keeps its row with its mark and "not shown", as in the bar charts: an empty
 *   row could be read as zero.
 */
import type { TopLevelSpec } from 'vega-lite';
import { axisLabel, axisTitle, CONFIG, headerLabel, LINE_COLOUR, LINES, MUTED, REPORT_PLOT_WIDTH, rowStep } from './chart-spec.ts';
import { estimateText } from './format.ts';
import { MARKS } from './labels.ts';
import type { TableResult } from './model.ts';
import type { TwoWay } from './two-way.ts';

const published = (x: number | null): number | null => (x === null ? null : Number(x.toFixed(6)));

export function twoWayChartSpec(table: TableResult, grid: TwoWay): TopLevelSpec {
  const values = grid.columns.flatMap((column, c) =>
    grid.rows.map((row) => {
      const cell = row.cells[c]!;
      const shown = cell.value !== null;
      const estimate = shown ? published(cell.value!.estimate) : null;
      const low = shown ? published(cell.value!.low) : null;
      const high = shown ? published(cell.value!.high) : null;
      return {
        panel: headerLabel(column.id === 'all' ? `${grid.columnsTitle}: all` : column.label),
        row: axisLabel(row.label),
        estimate,
        low,
        high,
        labelAt: shown ? Math.max(estimate!, high ?? estimate!) : 0,
        label: shown ? `${estimateText(cell.value!.estimate, table.kind)}${cell.flag ? ` ${cell.flag}` : ''}` : cell.suppressed !== '' ? `${MARKS[cell.suppressed].mark} not shown` : 'no estimate',
        shown,
        unreliable: shown && cell.value!.unreliable,
      };
    }),
  );
  const panels = grid.columns.map((column) => headerLabel(column.id === 'all' ? `${grid.columnsTitle}: all` : column.label));
  const rows = grid.rows.map((r) => axisLabel(r.label));
  const y = { field: 'row', type: 'nominal', sort: rows, title: null, axis: { labelExpr: LINES } };
  const proportion = table.kind === 'proportion';
  const x = {
    type: 'quantitative',
    scale: proportion ? { domain: [0, 1], nice: false } : { zero: true, nice: true },
    axis: { ...(proportion ? { format: '.0%' } : {}), title: axisTitle(`${grid.answer.shown}: estimate (dot) and confidence interval (line)`), tickCount: 5 },
  };
  const shown = { filter: 'datum.shown' };
  return {
    config: CONFIG,
    padding: 8,
    data: { values },
    facet: { field: 'panel', type: 'nominal', sort: panels, header: { title: null, labelAngle: 0, labelAnchor: 'start', labelOrient: 'top', labelPadding: 4, labelExpr: LINES } },
    columns: 1,
    spacing: 10,
    spec: {
      width: REPORT_PLOT_WIDTH,
      height: { step: rowStep(rows) },
      layer: [
        { transform: [shown], mark: { type: 'rule', color: LINE_COLOUR, clip: proportion }, encoding: { y, x: { ...x, field: 'low' }, x2: { field: 'high' } } },
        // An unreliable estimate's dot is hollow, as its bar would be in the other charts.
        {
          transform: [shown],
          mark: { type: 'point', shape: 'circle', size: 45, filled: true, stroke: LINE_COLOUR, strokeWidth: 1.5, opacity: 1, clip: proportion },
          encoding: { y, x: { ...x, field: 'estimate' }, fill: { condition: { test: 'datum.unreliable', value: '#ffffff' }, value: LINE_COLOUR } },
        },
        {
          mark: { type: 'text', align: 'left', baseline: 'middle', dx: 5 },
          encoding: { y, x: { ...x, field: 'labelAt' }, text: { field: 'label' }, color: { condition: { test: 'datum.shown', value: LINE_COLOUR }, value: MUTED } },
        },
      ],
    },
  } as unknown as TopLevelSpec;
}

export function twoWayChartDescription(grid: TwoWay): string {
  return `Dots show the estimated share answering “${grid.answer.shown}” for each ${grid.rowsTitle.toLowerCase()}, one panel per ${grid.columnsTitle.toLowerCase()} and a last panel for all, with a line for each confidence interval. The same figures are in the table.`;
}
