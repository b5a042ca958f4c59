/** The report's files, by name, from the model: every table's CSVs, then report.md and report.html. */
import { tableCsv, testsCsv, trendsCsv, whoAnsweredCsv } from '../report/csv.ts';
import { reportHtml } from '../report/html.ts';
import { reportMarkdown } from '../report/markdown.ts';
import type { ReportModel } from '../report/model.ts';

export async function renderReport(model: ReportModel): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const table of [...model.tables, ...(model.qualitative?.tables ?? [])]) {
    files[`tables/${table.id}.csv`] = tableCsv(table);
    if (table.tests.length > 0) files[`tables/${table.id}.tests.csv`] = testsCsv(table);
    if (table.trends && table.trends.length > 0) files[`tables/${table.id}.trends.csv`] = trendsCsv(table);
  }
  if (model.whoAnswered) files['tables/who-answered.csv'] = whoAnsweredCsv(model.whoAnswered);
  files['report.md'] = reportMarkdown(model);
  files['report.html'] = await reportHtml(model);
  return files;
}
