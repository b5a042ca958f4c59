// A table whose options have short labels prints them in its header, its row labels and its chart,
// and lists each with its full wording in a key beneath the table; every label, short or full,
// passes the Markdown and HTML escaping like the rest of the report.
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { tableChartSvg } from '../../src/report/chart.ts';
import { chartSpec } from '../../src/report/chart-spec.ts';
import { reportHtml } from '../../src/report/html.ts';
import { keyOf } from '../../src/report/labels.ts';
import { reportMarkdown } from '../../src/report/markdown.ts';
import type { ReportModel, TableResult } from '../../src/report/model.ts';
import { coachingTable, sampleModel } from './fixtures/sample-model.ts';

const FRONT_FULL = 'Front-line practitioner or worker (for example a care worker, support worker or social worker)';
const TOOK_FULL = 'I took part, and <b>finished</b> it | all of it';

/** The sample's coaching table with short labels on a category and on two tiers, one of them with markup. */
function shortened(): TableResult {
  const table = coachingTable();
  table.categories = table.categories.map((c) => (c.id === 'took_part' ? { ...c, label: TOOK_FULL, short: 'Took *part*' } : c));
  table.by[0]!.levels = table.by[0]!.levels.map((level) =>
    level.id === 'front_line' ? { ...level, label: FRONT_FULL, short: 'Front line' } : level.id === 'senior' ? { ...level, short: '<Senior> & co' } : level,
  );
  return table;
}

function model(table: TableResult): ReportModel {
  const sample = sampleModel();
  return { ...sample, tables: [table], suppressions: sample.suppressions.filter((s) => s.table === table.id) };
}

describe('a table with short labels', () => {
  it('keys each short label to its full wording, categories first, and leaves a table without them keyless', () => {
    expect(keyOf(shortened())).toEqual([
      { short: 'Took *part*', label: TOOK_FULL },
      { short: 'Front line', label: FRONT_FULL },
      { short: '<Senior> & co', label: 'Senior manager or director' },
    ]);
    expect(keyOf(coachingTable())).toEqual([]);
  });

  it('prints the short labels in the Markdown table and the full wording, escaped, in the key beneath it', () => {
    const md = reportMarkdown(model(shortened()));
    const lines = md.split('\n');
    expect(lines).toContain('| Group | Never offered | Offered, not taken up | Took \\*part\\* | Base |');
    expect(lines.some((line) => line.startsWith('| Front line | '))).toBe(true);
    expect(lines.some((line) => line.startsWith('| \\<Senior> & co | '))).toBe(true);
    // The long wording appears only in the key, never as a row of the table.
    expect(lines.filter((line) => line.includes('Front-line practitioner'))).toEqual([`- Front line: ${FRONT_FULL}`]);
    const key = lines.indexOf('Key:');
    expect(key).toBeGreaterThan(lines.findIndex((line) => line.startsWith('| Front line')));
    expect(lines.slice(key + 2, key + 5)).toEqual([
      '- Took \\*part\\*: I took part, and \\<b>finished\\</b> it \\| all of it',
      `- Front line: ${FRONT_FULL}`,
      '- \\<Senior> & co: Senior manager or director',
    ]);
    // Suppression lines name groups as the table does.
    expect(md).toContain('- ‡ \\<Senior> & co, “Never offered”: count of 4 is under the minimum of 5');
    expect(reportMarkdown(model(coachingTable()))).not.toContain('Key:');
  });

  it('prints the short labels in the HTML table headers and a key of the full wording, escaped', async () => {
    const html = await reportHtml(model(shortened()));
    const $ = cheerio.load(html);
    const section = $('section.report-table').first();
    expect(section.find('thead th').map((_, th) => $(th).text()).get()).toEqual(['Group', 'Never offered', 'Offered, not taken up', 'Took *part*', 'Base']);
    expect(section.find('tbody th').map((_, th) => $(th).text()).get()).toEqual(['All respondents', 'Front line', 'First-line manager', 'Middle manager', '<Senior> & co']);
    const key = section.find('dl.legend').last();
    expect(key.prev().text()).toBe('Key');
    expect(key.find('div').map((_, d) => `${$(d).find('dt').text()} = ${$(d).find('dd').text()}`).get()).toEqual([
      `Took *part* = ${TOOK_FULL}`,
      `Front line = ${FRONT_FULL}`,
      '<Senior> & co = Senior manager or director',
    ]);
    // The markup in the labels is text, not elements.
    expect(section.find('b').length).toBe(0);
    expect(html).toContain('&lt;Senior&gt; &amp; co');
    expect(html).toContain('I took part, and &lt;b&gt;finished&lt;/b&gt; it | all of it');
    expect(cheerio.load(await reportHtml(model(coachingTable())))('section.report-table').first().text()).not.toContain('Key');
  });

  it('draws the chart with the short labels on its axis and panel headers, and not the full wording', async () => {
    const spec = chartSpec(shortened()) as unknown as { data: { values: { domain: string; category: string }[] }; facet: { sort: string[] } };
    // Labels arrive wrapped onto lines (a line feed between them), and read whole when joined again.
    const whole = (label: string) => label.replace(/(?<=[-/])\n/g, '').replace(/\n/g, ' ');
    expect(new Set(spec.data.values.map((d) => whole(d.category)))).toEqual(new Set(['Never offered', 'Offered, not taken up', 'Took *part*']));
    expect(spec.facet.sort.map(whole)).toEqual(['All respondents', 'Front line', 'First-line manager', 'Middle manager', '<Senior> & co']);
    const svg = await tableChartSvg(shortened());
    expect(svg).toContain('>Front line<');
    expect(svg).toContain('&lt;Senior&gt; &amp; co');
    expect(svg).not.toContain('Front-line practitioner');
    expect(svg).not.toContain('finished');
  });
});
