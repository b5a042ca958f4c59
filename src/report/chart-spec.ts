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
 * - No label is cut short: a long one is wrapped onto lines (wrap.ts), and the rows grow to fit
 *   it. A reader cannot tell two answers apart by their first words alone.
 * - One text size, drawn no smaller than it is set: the whole chart fits a phone's column, so it
 *   is never scaled down to fit one.
 */
import type { TopLevelSpec } from 'vega-lite';
import { estimateText } from './format.ts';
import { categoriesOf, domainLabel, domainsOf, isUnreliable, MARKS, shownLabel, UNRELIABLE } from './labels.ts';
import type { Labelled, TableResult } from './model.ts';
import { wrapLabel, wrapLines } from './wrap.ts';

/**
 * Helvetica and the fonts made to its measures, whose widths text-width.ts knows; no quotes, so
 * the stack sits in an SVG attribute as it is.
 */
export const CHART_FONT = 'Helvetica, Arial, Liberation Sans, Nimbus Sans, sans-serif';
/**
 * One size for all chart text. The report's charts are drawn no wider than a phone's column (see
 * CHART_WIDTH), so they are never scaled down and this is the size a reader sees.
 */
export const CHART_FONT_SIZE = 12;
/** The admin pages' monitoring charts, which have a wide column to themselves. */
export const PLOT_WIDTH = 260;
/**
 * The report's charts: labels wrapped to LABEL_WIDTH beside a plot of REPORT_PLOT_WIDTH, so that
 * with the padding, the axis and the value labels past the bars' ends the whole SVG stays within
 * CHART_WIDTH, the column of a 390 px phone, and sits beside its table on a desktop screen.
 */
export const CHART_WIDTH = 356;
export const LABEL_WIDTH = 140;
export const REPORT_PLOT_WIDTH = 150;
/**
 * Bars in a mid blue between Okabe and Ito's blue and sky blue, a palette chosen to be told apart
 * with every common colour-vision deficiency. Only its lightness carries meaning: against white it
 * is 3.5:1 and the black interval lines over it 5.9:1, so in greyscale or a photocopy it reads as
 * a mid grey between the white ground and the black marks, and the trend chart's filled circle
 * stays distinct from the open one.
 */
export const BAR_COLOUR = '#3a8fc7';
export const LINE_COLOUR = '#0b0c0c';
/** Bars keep one thickness however many lines their labels take. */
const BAR_SIZE = 12;
export const MUTED = '#505a5f';
/**
 * Draws a label carrying line feeds (see wrap.ts) as that many lines: Vega draws a text whose value
 * is an array of strings one string a line.
 */
export const LINES = "split(datum.value, '\\n')";

/**
 * The height of a row of a chart whose labels are these: `least`, or room for the label with the
 * most lines, so wrapped labels never run into their neighbours.
 */
export function rowStep(labels: Iterable<string>, least = 18): number {
  let lines = 1;
  for (const label of labels) lines = Math.max(lines, label.split('\n').length);
  return Math.max(least, lines * (CHART_FONT_SIZE + 2) + 4);
}

/** A label beside an axis, wrapped to the labels' width. */
export const axisLabel = (text: string): string => wrapLabel(text, LABEL_WIDTH, CHART_FONT_SIZE);
/**
 * A panel's heading, in bold, wrapped to the plot's width: it starts at the plot's left edge, so a
 * wider one would widen the chart.
 */
export const headerLabel = (text: string): string => wrapLabel(text, REPORT_PLOT_WIDTH, CHART_FONT_SIZE, true);
/** An axis title as lines no wider than the plot it names. */
export const axisTitle = (text: string): string[] => wrapLines(text, REPORT_PLOT_WIDTH, CHART_FONT_SIZE);
/** A note under a chart, as lines no wider than the chart. */
export const noteLines = (text: string): string[] => wrapLines(text, CHART_WIDTH - 16, CHART_FONT_SIZE);

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
  /** Drawn hollow, its label marked [u]: an estimate of low reliability (as the table marks it). */
  unreliable: boolean;
}

/**
 * Labels as the table prints them (short labels where there are any), made unique by adding the
 * id in brackets to any label two entries share: the chart joins on labels, and two options
 * called "Other" must stay two rows. Each is wrapped as `wrap` says, and drawn with LINES.
 */
function uniqueLabels<T extends Labelled>(items: T[], wrap: (label: string) => string): Map<string, string> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(shownLabel(item), (counts.get(shownLabel(item)) ?? 0) + 1);
  return new Map(items.map((item) => [item.id, wrap(counts.get(shownLabel(item))! > 1 ? `${shownLabel(item)} (${item.id})` : shownLabel(item))]));
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
    const unreliable = shown && isUnreliable(raw);
    const label = shown ? `${estimateText(cell.estimate, table.kind)}${unreliable ? ` ${UNRELIABLE.mark}` : ''}` : cell.suppressed !== '' ? `${MARKS[cell.suppressed].mark} not shown` : 'no estimate';
    return {
      domain: domainNames.get(cell.domain)!,
      category: categoryNames.get(cell.category)!,
      estimate: shown ? cell.estimate : null,
      low,
      high,
      labelAt: shown ? Math.max(cell.estimate!, high ?? cell.estimate!, 0) : 0,
      label,
      shown,
      unreliable,
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
  // The marks' containers get no role either: each would otherwise keep a graphics-symbol role
  // with no name, an image without alternative text inside the chart's image.
  mark: { aria: false },
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
    // No label is cut short: long ones arrive wrapped (wrap.ts), and Vega's default limit would
    // end them with an ellipsis.
    labelLimit: 0,
    titleLimit: 0,
  },
  header: { labelFontSize: CHART_FONT_SIZE, labelFontWeight: 'bold', labelColor: LINE_COLOUR, labelLimit: 0 },
  title: { fontSize: CHART_FONT_SIZE, fontWeight: 'normal', color: MUTED, anchor: 'start', orient: 'bottom', offset: 8, limit: 0 },
  text: { fontSize: CHART_FONT_SIZE },
} as const;

function layers(y: object, x: object, clip: boolean) {
  const shown = { filter: 'datum.shown' };
  return [
    // An unreliable estimate's bar is hollow: its outline still gives its length, and it reads as
    // less solid than its neighbours in colour, in greyscale and on paper alike.
    { transform: [shown], mark: { type: 'bar', stroke: BAR_COLOUR, strokeWidth: 1.5, clip, size: BAR_SIZE }, encoding: { y, x: { ...x, field: 'estimate' }, fill: { condition: { test: 'datum.unreliable', value: '#ffffff' }, value: BAR_COLOUR } } },
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
  const domainNames = uniqueLabels(domains, headerLabel);
  const categories = categoriesOf(table);
  const categoryNames = uniqueLabels(categories, axisLabel);
  const y = { field: 'category', type: 'nominal', sort: categories.map((c) => categoryNames.get(c.id)!), title: null, axis: { labelExpr: LINES } };
  // Percentages run from 0 to 100 whatever the data, so panels and tables compare at a glance;
  // marks are clipped to that range.
  const title = hasIntervals(table) ? 'Estimate (bar) and confidence interval (line)' : 'Share of the base';
  const x = { type: 'quantitative', scale: { domain: [0, 1], nice: false }, axis: { format: '.0%', title: axisTitle(title), tickCount: 5 } };
  return {
    config: CONFIG,
    padding: 8,
    ...(note ? { title: { text: noteLines(note) } } : {}),
    data: { values: data(table, domainNames, categoryNames) },
    facet: { field: 'domain', type: 'nominal', sort: domains.map((d) => domainNames.get(d.id)!), header: { title: null, labelAngle: 0, labelAnchor: 'start', labelOrient: 'top', labelPadding: 4, labelExpr: LINES } },
    columns: 1,
    spacing: 10,
    spec: { width: REPORT_PLOT_WIDTH, height: { step: rowStep(categoryNames.values(), 16) }, layer: layers(y, x, true) },
  } as unknown as TopLevelSpec;
}

function meanSpec(table: TableResult, note: string): TopLevelSpec {
  const domains = domainsOf(table).map((id) => ({ id, label: domainLabel(table, id) }));
  const domainNames = uniqueLabels(domains, axisLabel);
  const categoryNames = uniqueLabels(categoriesOf(table), (label) => label);
  const rows = data(table, domainNames, categoryNames);
  const y = { field: 'domain', type: 'nominal', sort: domains.map((d) => domainNames.get(d.id)!), title: null, axis: { labelExpr: LINES } };
  // The axis starts at zero, so bar lengths compare; its far end is the largest bound shown.
  const x = { type: 'quantitative', scale: { zero: true, nice: true }, axis: { title: axisTitle('Mean (bar) and confidence interval (line)'), tickCount: 5 } };
  return {
    config: CONFIG,
    padding: 8,
    ...(note ? { title: { text: noteLines(note) } } : {}),
    data: { values: rows },
    width: REPORT_PLOT_WIDTH,
    height: { step: rowStep(domainNames.values()) },
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
