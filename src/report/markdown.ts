/**
 * `report.md`: the whole report as Markdown, readable as plain text and in any Markdown viewer.
 * Everything written from the model (titles, wording, labels, notes, even formatted numbers)
 * passes `mdText`, so a `|` in an option label cannot break a table, a `<` cannot become HTML in
 * a viewer that allows it, and no text can turn into emphasis, a link or a heading.
 */
import { tableGrid, tableNote, type Grid } from './grid.ts';
import { ALL_LEGEND, keyOf, legendFor, UNRELIABLE, suppressionLines, testPanelLabel, testSentence, testSubject, type SuppressionMark } from './labels.ts';
import type { ReportModel, Suppression, SuppressionReason, TableResult } from './model.ts';
import { themeByLabel, themeRows } from './themes.ts';
import { trendBlocks } from './trends.ts';
import { gridKeyTable, twoWay, twoWayNote } from './two-way.ts';
import { whoAnsweredColumns, whoAnsweredViews } from './who-answered.ts';

/**
 * One line of text, with the characters Markdown would act on escaped: inline syntax anywhere
 * (emphasis, code, links, HTML, table pipes, strikethrough, an entity such as `&lt;`), and what
 * would open a block at the start of a line (a heading, a list item). Letters, digits, hyphens
 * inside words and brackets stay as they are, so the file still reads as plain text.
 */
export function mdText(text: string | number): string {
  return String(text)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*~[\]|#]/g, '\\$&')
    // An underscore inside a word (`never_offered`) cannot start emphasis; any other can.
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
    // Only a `<` that could open a tag, a comment or an autolink: "p < 0.001" stays readable.
    .replace(/<(?=[A-Za-z/!?])/g, '\\<')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&')
    .replace(/^([-+=>])(?=\s|$)/, '\\$1')
    .replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
}

function legendLines(legend: SuppressionMark[]): string[] {
  return legend.map((line) => `- ${mdText(line.mark)} ${mdText(line.meaning)}`);
}

function gridMarkdown(grid: Grid): string[] {
  const header = ['Group', ...grid.columns.map((c) => mdText(c.shown)), ...(grid.rowBases ? ['Base'] : [])];
  const align = ['---', ...grid.columns.map(() => '---:'), ...(grid.rowBases ? ['---:'] : [])];
  const body = grid.rows.map((row) => [
    mdText(row.label),
    ...row.cells.map((cell) => mdText([cell.estimate, cell.flag, cell.interval, cell.base].filter((part) => part !== '').join(' '))),
    ...(grid.rowBases ? [mdText(row.base)] : []),
  ]);
  return [header, align, ...body].map((cells) => `| ${cells.join(' | ')} |`);
}

function tableSection(table: TableResult, suppressions: Suppression[]): string[] {
  const grid = tableGrid(table);
  const lines: string[] = [`## ${mdText(table.title)}`, '', `Question: “${mdText(table.measure.text)}”`, '', mdText(tableNote(table)), '', ...gridMarkdown(grid), ''];
  const legend = legendFor(grid.reasons, grid.unreliable);
  if (legend.length > 0 || grid.empty) {
    lines.push(...legendLines(legend));
    if (grid.empty) lines.push('- \u2013 no estimate: nobody in this group answered');
    lines.push('');
  }
  const key = keyOf(table);
  if (key.length > 0) lines.push('Key:', '', ...key.map((line) => `- ${mdText(line.short)}: ${mdText(line.label)}`), '');
  if (table.tests.length > 0) {
    lines.push(`${mdText(testSubject(table))}:`, '');
    const many = table.tests.length > 1;
    for (const test of table.tests) lines.push(`- ${many ? `${mdText(testPanelLabel(table, test))}: ` : ''}${mdText(testSentence(test))}`);
    lines.push('');
  }
  for (const block of trendBlocks(table)) {
    lines.push(`Change since ${mdText(block.wave)}, all respondents (intervals are 95%; waves are independent samples):`, '');
    lines.push(`| Answer | ${mdText(block.wave)} | Now | Change | Test of no change |`, '| --- | ---: | ---: | ---: | --- |');
    for (const line of block.lines) lines.push(`| ${[line.category, line.then, line.now, line.change, line.p].map(mdText).join(' | ')} |`);
    lines.push('');
  }
  const withheld = suppressionLines(table, suppressions);
  if (withheld.length > 0) {
    lines.push('Suppressed cells:', '');
    for (const s of withheld) lines.push(`- ${s.mark} ${mdText(s.domain)}${s.categories ? `, ${mdText(s.categories)}` : ''}: ${mdText(s.why)}`);
    lines.push('');
  }
  return lines;
}

function twoWaySection(table: TableResult, suppressions: Suppression[]): string[] {
  const grid = twoWay(table);
  const lines: string[] = [`## ${mdText(table.title)}`, '', `Question: “${mdText(table.measure.text)}”`, '', mdText(twoWayNote(table, grid)), ''];
  const rows = [
    [mdText(grid.rowsTitle), ...grid.columns.map((c) => mdText(c.label))],
    ['---', ...grid.columns.map(() => '---:')],
    ...grid.rows.map((row) => [mdText(row.label), ...row.cells.map((cell) => mdText([cell.estimate, cell.flag, cell.interval, cell.base].filter((part) => part !== '').join(' ')))]),
  ];
  lines.push(...rows.map((cells) => `| ${cells.join(' | ')} |`), '');
  const legend = legendFor(grid.reasons, grid.unreliable);
  if (legend.length > 0 || grid.empty) {
    lines.push(...legendLines(legend));
    if (grid.empty) lines.push('- \u2013 no estimate: nobody in this group answered');
    lines.push('');
  }
  const key = keyOf(gridKeyTable(table, grid));
  if (key.length > 0) lines.push('Key:', '', ...key.map((line) => `- ${mdText(line.short)}: ${mdText(line.label)}`), '');
  const withheld = suppressionLines(table, suppressions.filter((s) => s.table === table.id && s.category === grid.answer.id));
  if (withheld.length > 0) {
    lines.push('Suppressed cells:', '');
    for (const s of withheld) lines.push(`- ${s.mark} ${mdText(s.domain)}${s.categories ? `, ${mdText(s.categories)}` : ''}: ${mdText(s.why)}`);
    lines.push('');
  }
  return lines;
}

function whoAnsweredSection(model: ReportModel): string[] {
  const lines: string[] = ['## Who answered', '', 'Respondents are counted as they answered, unweighted; the weighted shares are what the estimates in this report stand for. How the figures are worked out is in the method notes.', ''];
  for (const survey of whoAnsweredViews(model.whoAnswered ?? [])) {
    lines.push(`### ${mdText(survey.title)}`, '', mdText(survey.summary), '');
    for (const table of survey.tables) {
      const columns = whoAnsweredColumns(table);
      lines.push(`${mdText(table.title)}:`, '', `| ${columns.map(mdText).join(' | ')} |`, `| --- | ${columns.slice(1).map(() => '---:').join(' | ')} |`);
      for (const row of [...table.rows, table.total]) {
        const cells = [row.label, row.small ? `${row.respondents} (small base)` : row.respondents, row.share, [row.weighted, row.interval].filter((x) => x !== '').join(' '), ...(table.invitations ? [row.invited, row.rate] : [])];
        lines.push(`| ${cells.map(mdText).join(' | ')} |`);
      }
      lines.push('');
      if (table.notes.length > 0) lines.push(...table.notes.map(mdText), '');
      if (table.key.length > 0) lines.push('Key:', '', ...table.key.map((line) => `- ${mdText(line.short)}: ${mdText(line.label)}`), '');
    }
    if (survey.caveats.length > 0) lines.push('Read with care:', '', ...survey.caveats.map((c) => `- ${mdText(c)}`), '');
  }
  return lines;
}

const statistic = (x: number | null) => (x === null ? '\u2013' : x.toFixed(3));

function qualitativeSection(model: ReportModel): string[] {
  const qualitative = model.qualitative!;
  const lines: string[] = [`## Focus groups and free text: ${mdText(qualitative.title)}`, '', ...qualitative.notes.flatMap((note) => [mdText(note), ''])];
  if (qualitative.agreement.length > 0) {
    lines.push('### Agreement between coders', '', "Units are the segments two or more coders read; kappa is Cohen's (two coders), alpha Krippendorff's (nominal).", '');
    lines.push('| Theme | Units | Agreement | Kappa | Alpha |', '| --- | ---: | ---: | ---: | ---: |');
    for (const row of qualitative.agreement) lines.push(`| ${[row.label, row.units, statistic(row.agreement), statistic(row.kappa), statistic(row.alpha)].map(mdText).join(' | ')} |`);
    lines.push('');
  }
  const byLabel = themeByLabel(qualitative);
  qualitative.themes.forEach((theme, t) => {
    lines.push(`## Theme ${t + 1}: ${mdText(theme.label)}`, '');
    if (theme.definition) lines.push(mdText(theme.definition), '');
    lines.push(`| ${mdText(byLabel)} | Groups | Segments |`, '| --- | ---: | ---: |');
    for (const row of themeRows(theme)) lines.push(`| ${[row.label, row.groups.text, row.segments.text].map(mdText).join(' | ')} |`);
    lines.push('');
    const legend = legendFor(theme.counts.flatMap((c) => [c.groupsSuppressed, c.segmentsSuppressed]).filter((r): r is SuppressionReason => r !== ''));
    if (legend.length > 0) lines.push(...legendLines(legend), '');
    for (const quote of theme.quotes) {
      lines.push(`> “${mdText(quote.text)}”`, `> (${mdText(quote.attribution)})${quote.origin === 'auto' ? ' — coded automatically' : ''}`, '');
    }
  });
  for (const table of qualitative.tables) lines.push(...tableSection(table, model.suppressions));
  return lines;
}

export function reportMarkdown(model: ReportModel): string {
  const { pipeline, methods } = model;
  const lines: string[] = [`# ${mdText(pipeline.title)}`, '', `Wave: ${mdText(pipeline.wave)}`, ''];
  if (pipeline.simulated) lines.push(`> ${mdText(pipeline.simulated)}`, '');
  // A heading's text, not an HTML anchor: a Markdown viewer makes its own ids from headings.
  const titles = new Map(model.tables.map((t) => [t.id, t.title]));
  if (model.whoAnswered && model.whoAnswered.length > 0) lines.push(...whoAnsweredSection(model));
  if (model.headline.length > 0) lines.push('## Headlines', '', ...model.headline.map((h) => `- ${mdText(h.text)}${h.table && titles.has(h.table) ? ` (table: ${mdText(titles.get(h.table)!)})` : ''}`), '');
  // Grids lead: they are the comparisons a commissioner reads first; the long tables follow.
  for (const table of model.tables) if (table.grid) lines.push(...twoWaySection(table, model.suppressions));
  for (const table of model.tables) if (!table.grid) lines.push(...tableSection(table, model.suppressions));
  if (model.qualitative) lines.push(...qualitativeSection(model));
  // The method closes the report, as in statistical bulletins: a reader comes to it from a figure.
  lines.push('## Method', '');
  if (methods.whoAnswered) lines.push('### Who answered', '', mdText(methods.whoAnswered), '');
  lines.push('### Survey design', '');
  lines.push(...(methods.designs.length > 0 ? methods.designs.map((d) => `- ${mdText(d)}`) : ['- No design was described.']), '');
  lines.push('### Confidence intervals and tests', '', mdText(methods.intervals), '');
  lines.push('### Disclosure control', '', mdText(methods.disclosure), '', ...legendLines(ALL_LEGEND), '');
  if (methods.reliability) lines.push('### Reliability', '', mdText(methods.reliability), '', ...legendLines([UNRELIABLE]), '');
  lines.push('### Missing data', '', mdText(methods.missing), '');
  if (methods.headlines) lines.push('### Headlines', '', mdText(methods.headlines), '');
  // One newline at the end, however the last section ended.
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
