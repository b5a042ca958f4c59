/**
 * The Vega-Lite specification of a table's chart. Pure data in, a plain object out: the spec
 * carries its data inline (no loading), fixed sizes and fonts, and labels already formatted by
 * format.ts, so the picture depends on nothing but the table.
 *
 * Decisions, and why:
 * - Proportions are faceted, one small panel per domain with a horizontal bar per category,
 *   rather than grouped bars told apart by colour: category names sit on the axis, so the chart
 *   reads in black and white, in print, and without telling colours apart.
 * - The interval is a black line with end ticks over a light bar, so it shows against the bar.
 * - A suppressed cell keeps its row in the panel with the words "not shown" and its mark where
 *   the bar would be: an empty row could be read as zero.
 * - Sort orders are given as explicit lists: the table's order, not the alphabet's.
 */
import type { TopLevelSpec } from 'vega-lite';
import { estimateText } from './format.ts';
import { categoriesOf, domainLabel, domainsOf, MARKS, shownLabel } from './labels.ts';
import type { Labelled, TableResult } from './model.ts';

/**
 * Helvetica and the fonts made to its measures, whose widths text-width.ts knows; no quotes, so
 * the stack sits in an SVG attribute as it is.
 */
export const CHART_FONT = 'Helvetica, Arial, Liberation Sans, Nimbus Sans, sans-serif';
export const CHART_FONT_SIZE = 11;
export const PLOT_WIDTH = 260;
export const BAR_COLOUR = '#9ac0e3';
export const LINE_COLOUR = '#0b0c0c';
export const MUTED = '#505a5f';
/** Vega truncates a label wider than this (by its estimate of the width). */
const LABEL_LIMIT = 260;

interface Datum {
  domain: string;
  category: string;
  /** The bar's end; null for a suppressed cell. */
  estimate: number | null;
  low: number | null;
  high: number | null;
  /** Where the value label starts: past the interval's end, or at zero for a suppressed cell. */
  labelAt: number;
  label: string;
  shown: boolean;
}

/**
 * Labels as the table prints them (short labels where there are any), made unique by adding the
 * id in brackets to any label two entries share: the chart joins on labels, and two options
 * called "Other" must stay two rows.
 */
function uniqueLabels<T extends Labelled>(items: T[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(shownLabel(item), (counts.get(shownLabel(item)) ?? 0) + 1);
  return new Map(items.map((item) => [item.id, counts.get(shownLabel(item))! > 1 ? `${shownLabel(item)} (${item.id})` : shownLabel(item)]));
}

/**
 * Values as the tables publish them (six decimals): a chart drawn from them cannot change when a
 * computation's last bits do, so its bytes move only when a published figure moves.
 */
const published = (x: number | null): number | null => (x === null ? null : Number(x.toFixed(6)));

function data(table: TableResult, domainNames: Map<string, string>, categoryNames: Map<string, string>): Datum[] {
  return table.cells.map((raw) => {
    const cell = { ...raw, estimate: published(raw.estimate), ci_low: published(raw.ci_low), ci_high: published(raw.ci_high) };
    const shown = cell.suppressed === '' && cell.estimate !== null;
    const low = shown ? cell.ci_low : null;
    const high = shown ? cell.ci_high : null;
    const label = shown ? estimateText(cell.estimate, table.kind) : cell.suppressed !== '' ? `${MARKS[cell.suppressed].mark} not shown` : 'no estimate';
    return {
      domain: domainNames.get(cell.domain)!,
      category: categoryNames.get(cell.category)!,
      estimate: shown ? cell.estimate : null,
      low,
      high,
      labelAt: shown ? Math.max(cell.estimate!, high ?? cell.estimate!, 0) : 0,
      label,
      shown,
    };
  });
}

/** The note under a chart that leaves cells out; empty when it leaves none out. */
export function omittedNote(table: TableResult): string {
  const suppressed = table.cells.filter((c) => c.suppressed !== '').length;
  if (suppressed === 0) return '';
  return `${suppressed} suppressed ${suppressed === 1 ? 'cell is' : 'cells are'} not shown; see the table.`;
}

export const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  // The SVG as a whole is one image with a title and a description (see chart.ts); the marks'
  // own ARIA labels would only repeat the table to a screen reader, mark by mark.
  aria: false,
  view: { stroke: null },
  axis: {
    labelFontSize: CHART_FONT_SIZE,
    titleFontSize: CHART_FONT_SIZE,
    titleFontWeight: 'normal',
    labelColor: LINE_COLOUR,
    titleColor: LINE_COLOUR,
    domainColor: MUTED,
    tickColor: MUTED,
    gridColor: '#e5e5e5',
    labelLimit: LABEL_LIMIT,
  },
  header: { labelFontSize: CHART_FONT_SIZE, labelFontWeight: 'bold', labelColor: LINE_COLOUR, labelLimit: PLOT_WIDTH + LABEL_LIMIT },
  title: { fontSize: CHART_FONT_SIZE - 1, fontWeight: 'normal', color: MUTED, anchor: 'start', orient: 'bottom', offset: 8 },
  text: { fontSize: CHART_FONT_SIZE - 1 },
} as const;

function layers(y: object, x: object, clip: boolean) {
  const shown = { filter: 'datum.shown' };
  return [
    { transform: [shown], mark: { type: 'bar', color: BAR_COLOUR, clip }, encoding: { y, x: { ...x, field: 'estimate' } } },
    { transform: [shown], mark: { type: 'rule', color: LINE_COLOUR, clip }, encoding: { y, x: { ...x, field: 'low' }, x2: { field: 'high' } } },
    { transform: [shown], mark: { type: 'tick', color: LINE_COLOUR, opacity: 1, thickness: 1, size: 7, orient: 'vertical', clip }, encoding: { y, x: { ...x, field: 'low' } } },
    { transform: [shown], mark: { type: 'tick', color: LINE_COLOUR, opacity: 1, thickness: 1, size: 7, orient: 'vertical', clip }, encoding: { y, x: { ...x, field: 'high' } } },
    {
      mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4 },
      encoding: { y, x: { ...x, field: 'labelAt' }, text: { field: 'label' }, color: { condition: { test: 'datum.shown', value: LINE_COLOUR }, value: MUTED } },
    },
  ];
}

function proportionSpec(table: TableResult, note: string): TopLevelSpec {
  const domains = domainsOf(table).map((id) => ({ id, label: domainLabel(table, id) }));
  const domainNames = uniqueLabels(domains);
  const categories = categoriesOf(table);
  const categoryNames = uniqueLabels(categories);
  const y = { field: 'category', type: 'nominal', sort: categories.map((c) => categoryNames.get(c.id)!), title: null };
  // Percentages run from 0 to 100 whatever the data, so panels and tables compare at a glance;
  // marks are clipped to that range.
  const title = hasIntervals(table) ? 'Estimate (bar) and confidence interval (line)' : 'Share of the base';
  const x = { type: 'quantitative', scale: { domain: [0, 1], nice: false }, axis: { format: '.0%', title, tickCount: 5 } };
  return {
    config: CONFIG,
    padding: 8,
    ...(note ? { title: { text: note } } : {}),
    data: { values: data(table, domainNames, categoryNames) },
    facet: { field: 'domain', type: 'nominal', sort: domains.map((d) => domainNames.get(d.id)!), header: { title: null, labelAngle: 0, labelAnchor: 'start', labelOrient: 'top', labelPadding: 4 } },
    columns: 1,
    spacing: 10,
    spec: { width: PLOT_WIDTH, height: { step: 16 }, layer: layers(y, x, true) },
  } as unknown as TopLevelSpec;
}

function meanSpec(table: TableResult, note: string): TopLevelSpec {
  const domains = domainsOf(table).map((id) => ({ id, label: domainLabel(table, id) }));
  const domainNames = uniqueLabels(domains);
  const categoryNames = uniqueLabels(categoriesOf(table));
  const rows = data(table, domainNames, categoryNames);
  const y = { field: 'domain', type: 'nominal', sort: domains.map((d) => domainNames.get(d.id)!), title: null };
  // The axis starts at zero, so bar lengths compare; its far end is the largest bound shown.
  const x = { type: 'quantitative', scale: { zero: true, nice: true }, axis: { title: 'Mean (bar) and confidence interval (line)', tickCount: 5 } };
  return {
    config: CONFIG,
    padding: 8,
    ...(note ? { title: { text: note } } : {}),
    data: { values: rows },
    width: PLOT_WIDTH,
    height: { step: 18 },
    layer: layers(y, x, false),
  } as unknown as TopLevelSpec;
}

/** Theme counts describe the material and carry no intervals; survey estimates do. */
function hasIntervals(table: TableResult): boolean {
  return table.cells.some((c) => c.ci_low !== null);
}

export function chartSpec(table: TableResult): TopLevelSpec {
  const note = omittedNote(table);
  return table.kind === 'mean' ? meanSpec(table, note) : proportionSpec(table, note);
}

/** The words a screen reader gives for the chart, and what the SVG's `<desc>` says. */
export function chartDescription(table: TableResult): string {
  const what =
    table.kind === 'mean'
      ? 'Horizontal bars show the estimated mean for each group, with a line for its confidence interval.'
      : hasIntervals(table)
        ? 'Horizontal bars show the estimated percentage giving each answer, one panel per group, with a line for each confidence interval.'
        : 'Horizontal bars show each percentage of its base, one panel per group.';
  const note = omittedNote(table);
  return [what, note, 'The same figures are in the table.'].filter((s) => s !== '').join(' ');
}
