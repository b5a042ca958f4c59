/**
 * The charts of a wave's monitoring page: submissions day by day, and each stratum's submitted
 * responses against its target. They are drawn on the server as the reports' charts are (a
 * Vega-Lite spec drawn to SVG by report/chart.ts, in the reports' fonts and colours), so the
 * page needs no script, and the same counts always give the same bytes. Only counts come in.
 *
 * Each chart is one image with a title and a description; its figures are in a table on the
 * page as well (the day-by-day table here, the strata's in the page's responses table).
 */
import { LRUCache } from 'lru-cache';
import type { TopLevelSpec } from 'vega-lite';
import { specChartSvg } from '../report/chart.ts';
import { BAR_COLOUR, CONFIG, LINE_COLOUR, MUTED, PLOT_WIDTH } from '../report/chart-spec.ts';
import { inlineSvg } from '../report/svg.ts';
import type { DayCount } from '../store/monitoring.ts';
import type { FigureRow } from './routes/admin/wave-figures.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
// `aria: false` on every mark, beyond the reports' config: a mark's container otherwise keeps a
// graphics-symbol role with no name, which a checker (axe's svg-img-alt) counts as an image
// without alternative text inside the chart's image.
/** The day-by-day chart's bars are this wide at most, and the chart no wider than this in all. */
const DAY_STEP = 24;
const DAYS_WIDTH = 2 * PLOT_WIDTH;

/** A UTC day as the database writes it (`submissionsByDay`): YYYY-MM-DD. */
const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/**
 * One entry per UTC day from the wave's opening to its closing or to `now`, whichever is first,
 * with the responses submitted that day (0 for none); a day outside that span that has
 * submissions (a wave reopened in a test, a clock put back) is kept, so no count is hidden.
 * Empty for a wave that has not opened and has no submission.
 */
export function submissionDays(opensAt: Date, closesAt: Date | null, now: Date, counts: readonly DayCount[]): DayCount[] {
  const end = closesAt !== null && closesAt < now ? closesAt : now;
  const byDay = new Map(counts.map((c) => [c.day, c.submitted]));
  const days = [...byDay.keys()].sort();
  let first = opensAt <= end ? utcDay(opensAt) : days[0];
  let last = opensAt <= end ? utcDay(end) : days[days.length - 1];
  if (first === undefined || last === undefined) return [];
  if (days.length > 0) {
    if (days[0]! < first) first = days[0]!;
    if (days[days.length - 1]! > last) last = days[days.length - 1]!;
  }
  const out: DayCount[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += DAY_MS) {
    const day = utcDay(new Date(t));
    out.push({ day, submitted: byDay.get(day) ?? 0 });
  }
  return out;
}

export function submissionsChartSpec(days: readonly DayCount[]): TopLevelSpec {
  const most = Math.max(0, ...days.map((d) => d.submitted));
  return {
    config: CONFIG,
    padding: 8,
    data: { values: days.map((d) => ({ day: d.day, submitted: d.submitted })) },
    width: Math.min(DAYS_WIDTH, Math.max(120, days.length * DAY_STEP)),
    height: 160,
    mark: { type: 'bar', color: BAR_COLOUR, aria: false },
    encoding: {
      // Days as categories, in order, labelled as the table writes them; labels that would
      // overlap on a long wave are left out (the table has every day).
      x: { field: 'day', type: 'ordinal', sort: days.map((d) => d.day), title: 'Day submitted (UTC)', axis: { labelAngle: -90, labelOverlap: true } },
      // Whole responses: no tick between two counts. With none yet the axis still runs to 1.
      y: { field: 'submitted', type: 'quantitative', title: 'Responses submitted', scale: { domain: [0, Math.max(1, most)], nice: true }, axis: { format: 'd', tickMinStep: 1, tickCount: Math.min(5, Math.max(1, most)) } },
    },
  } as unknown as TopLevelSpec;
}

export function submissionsChartDescription(days: readonly DayCount[]): string {
  const total = days.reduce((sum, d) => sum + d.submitted, 0);
  const span = days.length === 0 ? '' : ` from ${days[0]!.day} to ${days[days.length - 1]!.day}`;
  return `A bar for each day${span} (UTC) shows the responses submitted that day, ${total} in all. The same figures are in the table below the chart.`;
}

interface StratumDatum {
  sector: string;
  tier: string;
  submitted: number;
  target: number | null;
  labelAt: number;
  label: string;
}

/** The words beside a stratum's bar: its count and its target. */
export const stratumLabel = (row: Pick<FigureRow, 'submitted' | 'target'>) => (row.target === null ? `${row.submitted} (no target)` : `${row.submitted} of ${row.target}`);

/**
 * The strata as horizontal bars of submitted responses, with a black line across each bar at the
 * stratum's target; by sector in panels, one row per tier, when the instrument asks a tier.
 */
export function targetsChartSpec(rows: readonly FigureRow[], hasTier: boolean): TopLevelSpec {
  const data: StratumDatum[] = rows.map((row) => ({
    sector: row.sectorLabel,
    tier: row.tierLabel,
    submitted: row.submitted,
    target: row.target,
    labelAt: Math.max(row.submitted, row.target ?? 0),
    label: stratumLabel(row),
  }));
  const most = Math.max(1, ...data.map((d) => d.labelAt));
  const unique = (values: string[]) => [...new Set(values)];
  const y = hasTier ? { field: 'tier', type: 'nominal', sort: unique(data.map((d) => d.tier)), title: null } : { field: 'sector', type: 'nominal', sort: unique(data.map((d) => d.sector)), title: null };
  const x = { type: 'quantitative', scale: { domain: [0, most], nice: true }, axis: { format: 'd', tickMinStep: 1, tickCount: Math.min(5, most), title: 'Responses submitted (bar) and target (line)' } };
  const layer = [
    { mark: { type: 'bar', color: BAR_COLOUR, aria: false }, encoding: { y, x: { ...x, field: 'submitted' } } },
    { transform: [{ filter: 'datum.target !== null' }], mark: { type: 'tick', color: LINE_COLOUR, opacity: 1, thickness: 2, orient: 'vertical', aria: false }, encoding: { y, x: { ...x, field: 'target' } } },
    {
      mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, aria: false },
      encoding: { y, x: { ...x, field: 'labelAt' }, text: { field: 'label' }, color: { condition: { test: 'datum.target !== null', value: LINE_COLOUR }, value: MUTED } },
    },
  ];
  const base = { config: CONFIG, padding: 8, data: { values: data } };
  if (!hasTier) return { ...base, width: PLOT_WIDTH, height: { step: 18 }, layer } as unknown as TopLevelSpec;
  return {
    ...base,
    facet: { field: 'sector', type: 'nominal', sort: unique(data.map((d) => d.sector)), header: { title: null, labelAngle: 0, labelAnchor: 'start', labelOrient: 'top', labelPadding: 4 } },
    columns: 1,
    spacing: 10,
    spec: { width: PLOT_WIDTH, height: { step: 18 }, layer },
  } as unknown as TopLevelSpec;
}

export function targetsChartDescription(hasTier: boolean): string {
  const what = hasTier ? 'For each sector, a horizontal bar for each tier' : 'A horizontal bar for each sector';
  return `${what} shows the responses submitted, with a black line at its target where it has one. The same figures are in the table of responses above.`;
}

export interface PageChart {
  /** The SVG, ready to sit in the page (see `inlineSvg`). */
  svg: string;
  title: string;
}

export interface WaveCharts {
  /** null before the wave has opened, with nothing submitted. */
  days: (PageChart & { rows: DayCount[] }) | null;
  /** null for an instrument without strata. */
  targets: PageChart | null;
}

// Drawing a chart costs more than counting the wave it shows, and the same counts always give the
// same bytes, so a page viewed again before any response has moved reuses its drawings. Keyed by
// the whole spec (counts included), an entry is never stale; 64 of them (about 20 kB each) cover
// the waves a team watches.
const drawn = new LRUCache<string, Promise<string>>({ max: 64 });

function drawOnce(spec: TopLevelSpec, prefix: string, title: string, description: string): Promise<string> {
  const key = JSON.stringify([spec, prefix, title, description]);
  let svg = drawn.get(key);
  if (svg === undefined) {
    svg = specChartSvg(spec, prefix, title, description).then(inlineSvg);
    // A drawing that failed is not kept: the next view tries again.
    svg.catch(() => drawn.delete(key));
    drawn.set(key, svg);
  }
  return svg;
}

/** Both charts of a wave's page, drawn one after the other (Vega's text measure is process-wide). */
export async function waveCharts(days: readonly DayCount[], rows: readonly FigureRow[], hasTier: boolean): Promise<WaveCharts> {
  let daysChart: WaveCharts['days'] = null;
  if (days.length > 0) {
    const title = 'Chart: responses submitted each day';
    daysChart = { title, svg: await drawOnce(submissionsChartSpec(days), 'chart-wave-days', title, submissionsChartDescription(days)), rows: [...days] };
  }
  let targets: PageChart | null = null;
  if (rows.length > 0) {
    const title = `Chart: responses submitted by sector${hasTier ? ' and tier' : ''}, against the targets`;
    targets = { title, svg: await drawOnce(targetsChartSpec(rows, hasTier), 'chart-wave-targets', title, targetsChartDescription(hasTier)) };
  }
  return { days: daysChart, targets };
}

/** Forgets every drawing kept, so that the next page draws its charts afresh (for measuring that). */
export function forgetDrawnCharts(): void {
  drawn.clear();
}
