import { describe, expect, it } from 'vitest';
import { chooseFindings } from '../../src/analysis/findings.ts';
import { headlineLines, headlinesNote } from '../../src/report/headlines.ts';
import { reportMarkdown } from '../../src/report/markdown.ts';
import { reportHtml } from '../../src/report/html.ts';
import { load } from 'cheerio';
import { coachingTable, sampleModel, staffTable } from './fixtures/sample-model.ts';

describe('headline sentences', () => {
  it('say both figures with their intervals and the p-value after the correction, passing over an unreliable group', () => {
    const tables = [coachingTable(), staffTable()];
    // Front-line's 5.6% (se 2.0%) has a relative standard error of 36%, so the widest reliable gap is senior against first-line.
    const lines = headlineLines(tables, chooseFindings(tables), '2010');
    expect(lines).toEqual([
      {
        text: 'Coaching, by management tier, “Took part”: 72.9% (54.2–85.9) for Senior manager or director, against 16.1% (9.6–25.7) for First-line manager; Rao–Scott p < 0.001 after Holm correction.',
        table: 'coaching_by_tier',
      },
    ]);
  });

  it('say a change with both waves, the change and its interval', () => {
    const trend = { table: 'coaching_by_tier', domain: 'all', category: 'took_part', wave: '2008', then: 0.12, now: 0.1916, change: 0.0716, se: 0.03, ci_low: 0.0128, ci_high: 0.1304, p_value: 0.0002 };
    const table = { ...coachingTable(), tests: [], trends: [trend] };
    expect(headlineLines([table], chooseFindings([table]), '2010')).toEqual([
      {
        text: 'Coaching, by management tier, “Took part”, All respondents: 19.2% (15.0–24.1) in 2010, against 12.0% in 2008, up 7.2 points (1.3–13.0); test of no change p < 0.001 after Holm correction.',
        table: 'coaching_by_tier',
      },
    ]);
  });

  it('give the p-value before the correction too when it reads differently', () => {
    const trend = { table: 'coaching_by_tier', domain: 'all', category: 'took_part', wave: '2008', then: 0.12, now: 0.1916, change: 0.0716, se: 0.03, ci_low: 0.0128, ci_high: 0.1304, p_value: 0.01 };
    const other = { ...trend, category: 'offered', then: 0.2, now: 0.2871, change: 0.0871, p_value: 0.03 };
    const table = { ...coachingTable(), tests: [], trends: [trend, other] };
    // Holm over the two changes: 0.01 × 2 = 0.02, then the larger of 0.03 × 1 and 0.02.
    const texts = headlineLines([table], chooseFindings([table]), '2010').map((line) => line.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/test of no change p = 0\.020 after Holm correction \(p = 0\.010 before\)\.$/);
    expect(texts[1]).toMatch(/test of no change p = 0\.030 after Holm correction\.$/);
  });

  it('say plainly when no finding met the rules', () => {
    const table = { ...coachingTable(), tests: [{ ...coachingTable().tests[0]!, p_value: 0.2 }] };
    expect(headlineLines([table], chooseFindings([table]), '2010')).toEqual([{ text: expect.stringMatching(/^No difference between groups or change since an earlier wave met the rules/) }]);
  });

  it('are linked to their tables in the HTML and name them in the Markdown', async () => {
    const model = sampleModel();
    model.headline = headlineLines(model.tables, chooseFindings(model.tables), '2010');
    model.methods.headlines = headlinesNote();
    const $ = load(await reportHtml(model));
    const link = $('.headline li a');
    expect(link.attr('href')).toBe(`#${$('section[id^="table-"]').first().attr('id')}`);
    expect(link.text()).toBe('Coaching, by management tier');
    const md = reportMarkdown(model);
    expect(md).toContain('after Holm correction. (table: Coaching, by management tier)\n');
    expect(md).toContain('### Headlines\n\nHeadlines are chosen by rule');
  });
});

describe('the method note on headlines', () => {
  it('states the level, the correction and the reliability thresholds', () => {
    const note = headlinesNote();
    for (const part of ['5% after Holm’s correction', 'under 30', 'over 30%', 'at most 8']) expect(note).toContain(part);
  });
});
