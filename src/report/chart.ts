/**
 * A table's chart as a standalone SVG: the Vega-Lite spec compiled to Vega and drawn by Vega's
 * headless renderer, then given process-independent ids and an accessible name.
 *
 * Asynchronous because Vega's `View.toSVG` is: it runs the dataflow, which may load data, before
 * drawing. Nothing is loaded here (the data is inline), so the result is a function of the table.
 *
 * Text widths come from font metrics, never from the machine (see text-width.ts), so every
 * machine draws the same chart.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { chartDescription, chartSpec } from './chart-spec.ts';
import type { TableResult } from './model.ts';
import { labelSvg, scopeSvgIds } from './svg.ts';
import { vegaTextWidth } from './text-width.ts';

interface TextMetrics {
  width: (item: object, text: unknown) => number;
}

/**
 * Vega's documented hook for a width function of one's own (vl-convert uses it too). It is a
 * process-wide setting of the library, set again before every chart so that nothing else that
 * uses Vega in the process can change what these charts look like.
 */
function useMetricWidths(): void {
  // textMetrics is exported by vega (from vega-scenegraph) but not declared in its types.
  (vega as unknown as { textMetrics: TextMetrics }).textMetrics.width = vegaTextWidth;
}

/** An id prefix from a table id that is safe in an XML id and a CSS selector. */
export function chartIdPrefix(tableId: string): string {
  return `chart-${tableId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function chartTitle(table: TableResult): string {
  return `Chart: ${table.title}`;
}

export async function tableChartSvg(table: TableResult): Promise<string> {
  return specChartSvg(chartSpec(table), chartIdPrefix(table.id), chartTitle(table), chartDescription(table));
}

/** Any Vega-Lite spec drawn the same way: metric text widths, ids scoped by `prefix`, a name. */
export async function specChartSvg(vegaLite: TopLevelSpec, prefix: string, title: string, description: string): Promise<string> {
  useMetricWidths();
  const { spec } = compile(vegaLite);
  const view = new vega.View(vega.parse(spec), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return labelSvg(scopeSvgIds(svg, prefix), title, description);
  } finally {
    view.finalize();
  }
}
