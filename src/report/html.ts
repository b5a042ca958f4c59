/**
 * `report.html`: one file a commissioner can open offline, read on screen and print. Everything is
 * inside it (the stylesheet, the charts as inline SVG); it has no scripts and requests nothing.
 *
 * This module turns the model into what the template shows (formatted text, marks, labels), so
 * the template only lays out. Autoescaping is on: the only markup let through unescaped is the
 * charts, which Vega wrote and escaped (see chart.ts and svg.ts).
 */
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { chartIdPrefix, chartTitle, specChartSvg, tableChartSvg } from './chart.ts';
import { tableGrid, tableNote, type GridRow } from './grid.ts';
import { ALL_LEGEND, keyOf, legendFor, UNRELIABLE, suppressionLines, testPanelLabel, testSentence, testSubject, type KeyLine, type SuppressionLine, type SuppressionMark } from './labels.ts';
import type { ReportModel, SuppressionReason, TableResult } from './model.ts';
import { inlineSvg } from './svg.ts';
import { themeByLabel, themeChartTable, themeRows } from './themes.ts';
import { trendChartDescription, trendChartSpec } from './trend-chart.ts';
import { trendBlocks, type TrendBlock } from './trends.ts';
import { gridKeyTable, twoWay, twoWayNote, type TwoWayLine } from './two-way.ts';
import { twoWayChartDescription, twoWayChartSpec } from './two-way-chart.ts';
import { whoAnsweredViews } from './who-answered.ts';

export const TEMPLATES_DIR = fileURLToPath(new URL('./templates', import.meta.url));

let environment: nunjucks.Environment | undefined;

/** One environment per process: templates are read and compiled once. */
function templates(): nunjucks.Environment {
  environment ??= new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES_DIR), {
    autoescape: true,
    throwOnUndefined: true,
    trimBlocks: true,
    lstripBlocks: true,
  });
  return environment;
}

interface HtmlTable {
  anchor: string;
  title: string;
  question: string;
  note: string;
  columns: string[];
  /** Each short label the table prints, with the full wording it stands for. */
  key: KeyLine[];
  rowBases: boolean;
  rows: GridRow[];
  legend: SuppressionMark[];
  empty: boolean;
  chart: { svg: string; title: string; caption: string };
  test: { subject: string; lines: { panel: string; sentence: string }[] } | null;
  trends: (TrendBlock & { chart: { svg: string; title: string } })[];
  suppressions: SuppressionLine[];
}

/** Each trend block with its chart, drawn one after another like every other chart. */
async function trendCharts(table: TableResult): Promise<HtmlTable['trends']> {
  const blocks: HtmlTable['trends'] = [];
  for (const block of trendBlocks(table)) {
    const title = `Chart: ${table.title}, ${block.wave} and now`;
    const svg = await specChartSvg(trendChartSpec(table, block.wave), chartIdPrefix(`${table.id}-since-${block.wave}`), title, trendChartDescription(block.wave));
    blocks.push({ ...block, chart: { svg: inlineSvg(svg), title } });
  }
  return blocks;
}

async function htmlTable(table: TableResult, model: ReportModel): Promise<HtmlTable> {
  const grid = tableGrid(table);
  const many = table.tests.length > 1;
  return {
    anchor: chartIdPrefix(table.id).replace(/^chart-/, 'table-'),
    title: table.title,
    question: table.measure.text,
    note: tableNote(table),
    columns: grid.columns.map((c) => c.shown),
    key: keyOf(table),
    rowBases: grid.rowBases,
    rows: grid.rows,
    legend: legendFor(grid.reasons, grid.unreliable),
    empty: grid.empty,
    chart: { svg: inlineSvg(await tableChartSvg(table)), title: chartTitle(table), caption: `${chartCaption(table)}${grid.unreliable ? HOLLOW_BARS : ''}` },
    test:
      table.tests.length === 0
        ? null
        : { subject: testSubject(table), lines: table.tests.map((test) => ({ panel: many ? testPanelLabel(table, test) : '', sentence: testSentence(test) })) },
    suppressions: suppressionLines(table, model.suppressions),
    trends: await trendCharts(table),
  };
}

interface HtmlTwoWay {
  anchor: string;
  title: string;
  question: string;
  note: string;
  rowsTitle: string;
  columns: string[];
  rows: TwoWayLine[];
  key: KeyLine[];
  legend: SuppressionMark[];
  empty: boolean;
  chart: { svg: string; title: string; caption: string };
  suppressions: SuppressionLine[];
}

async function htmlTwoWay(table: TableResult, model: ReportModel): Promise<HtmlTwoWay> {
  const grid = twoWay(table);
  const title = chartTitle(table);
  return {
    anchor: chartIdPrefix(table.id).replace(/^chart-/, 'table-'),
    title: table.title,
    question: table.measure.text,
    note: twoWayNote(table, grid),
    rowsTitle: grid.rowsTitle,
    columns: grid.columns.map((c) => c.label),
    rows: grid.rows,
    key: keyOf(gridKeyTable(table, grid)),
    legend: legendFor(grid.reasons, grid.unreliable),
    empty: grid.empty,
    chart: { svg: inlineSvg(await specChartSvg(twoWayChartSpec(table, grid), chartIdPrefix(table.id), title, twoWayChartDescription(grid))), title, caption: `Dots are estimates; lines are confidence intervals.${grid.unreliable ? HOLLOW_DOTS : ''}` },
    // The grid shows one answer; the others' withheld cells are listed with the table's CSV.
    suppressions: suppressionLines(table, model.suppressions.filter((s) => s.category === grid.answer.id)),
  };
}

const HOLLOW_BARS = ` Hollow bars, marked ${UNRELIABLE.mark}, are estimates of low reliability.`;
const HOLLOW_DOTS = ` Hollow dots, marked ${UNRELIABLE.mark}, are estimates of low reliability.`;

function chartCaption(table: TableResult): string {
  return table.note ? 'Bars are shares of the base; theme counts have no intervals.' : 'Bars are estimates; lines are confidence intervals.';
}

/** Agreement statistics to three decimals, with a dash where one is undefined. */
const statistic = (x: number | null) => (x === null ? '\u2013' : x.toFixed(3));

async function htmlQualitative(model: ReportModel) {
  const qualitative = model.qualitative;
  if (!qualitative) return null;
  const byLabel = themeByLabel(qualitative);
  const themes = [];
  for (const theme of qualitative.themes) {
    const chartTable = themeChartTable(theme);
    themes.push({
      anchor: chartIdPrefix(`theme-${theme.id}`).replace(/^chart-/, 'section-'),
      label: theme.label,
      definition: theme.definition,
      byLabel,
      rows: themeRows(theme),
      legend: legendFor([...new Set(theme.counts.flatMap((c) => [c.groupsSuppressed, c.segmentsSuppressed]).filter((r) => r !== ''))] as SuppressionReason[]),
      chart: { svg: chartTable.categories.length > 0 ? inlineSvg(await tableChartSvg(chartTable)) : '', title: chartTitle(chartTable), caption: `One bar per ${byLabel.toLowerCase()}; marks as in the tables.` },
      quotes: theme.quotes,
    });
  }
  const tables: HtmlTable[] = [];
  for (const table of qualitative.tables) tables.push(await htmlTable(table, model));
  return {
    title: qualitative.title,
    notes: qualitative.notes,
    agreement: qualitative.agreement.map((row) => ({ label: row.label, units: row.units, agreement: statistic(row.agreement), kappa: statistic(row.kappa), alpha: statistic(row.alpha) })),
    themes,
    tables,
  };
}

export async function reportHtml(model: ReportModel): Promise<string> {
  // One table at a time, in order: the charts do not depend on each other, but a fixed order
  // keeps any state Vega holds between renders out of the picture.
  const tables: HtmlTable[] = [];
  const grids: HtmlTwoWay[] = [];
  for (const table of model.tables) {
    if (table.grid) grids.push(await htmlTwoWay(table, model));
    else tables.push(await htmlTable(table, model));
  }
  return templates().render('report.njk', {
    pipeline: { ...model.pipeline, simulated: model.pipeline.simulated ?? null },
    headline: model.headline.map((h) => {
      const table = model.tables.find((t) => t.id === h.table);
      return { text: h.text, link: table ? { anchor: chartIdPrefix(table.id).replace(/^chart-/, 'table-'), title: table.title } : null };
    }),
    whoAnswered: whoAnsweredViews(model.whoAnswered ?? []),
    methods: model.methods,
    legend: ALL_LEGEND,
    unreliable: UNRELIABLE,
    grids,
    tables,
    qualitative: await htmlQualitative(model),
  });
}
