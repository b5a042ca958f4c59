import { describe, expect, it } from 'vitest';
import { reportMarkdown } from '../../src/report/markdown.ts';
import { sampleModel } from './fixtures/sample-model.ts';

describe('reportMarkdown', () => {
  const md = reportMarkdown(sampleModel());

  it('opens with the title, the wave and the headline bullets', () => {
    expect(md.startsWith('# Leadership development in social services\n\nWave: 2010\n\n## Headlines\n\n')).toBe(true);
    expect(md).toContain('- Size of organisation, by sector: mean 143.2 (n = 92).\n');
  });

  it('carries every method note: designs, intervals, disclosure and missing data', () => {
    const model = sampleModel();
    expect(md).toContain('## Method');
    for (const design of model.methods.designs) expect(md).toContain(`- ${design}\n`);
    expect(md).toContain(`### Confidence intervals and tests\n\n${model.methods.intervals}\n`);
    expect(md).toContain(`### Disclosure control\n\n${model.methods.disclosure}\n`);
    expect(md).toContain(`### Missing data\n\n${model.methods.missing}\n`);
  });

  it('prints each table with its question, category columns, intervals and bases', () => {
    expect(md).toContain('## Coaching, by management tier\n\nQuestion: “Which of these development activities have you been offered, or taken part in, in the last two years? — Coaching”');
    expect(md).toContain('| Group | Never offered | Offered, not taken up | Took part | Base |\n| --- | ---: | ---: | ---: | ---: |\n');
    expect(md).toContain('| All respondents | 52.1% (46.4–57.8) | 28.7% (23.8–34.2) | 19.2% (15.0–24.1) | n=412 |\n');
    expect(md).toContain('| Voluntary | 78.3 (59.1–97.6) | n=61 |\n');
  });

  it('marks suppressed cells with ‡ and † and explains both marks under the table', () => {
    expect(md).toContain('| Senior manager or director | ‡ | † | 72.9% (54.2–85.9) | n=37 |\n');
    expect(md).toContain('| Private | ‡ | n=7 |\n');
    const coaching = md.slice(md.indexOf('## Coaching'), md.indexOf('## Size'));
    expect(coaching).toContain('- ‡ suppressed: too few responses (the base or the count is under the minimum)\n');
    expect(coaching).toContain('- † suppressed so that another suppressed figure cannot be worked out from the totals\n');
  });

  it('states the test of association as a sentence', () => {
    expect(md).toContain('Association with “Which of these best describes your job?”:\n\n- Rao–Scott F = 5.53 on 5.87 and 2390 df, p < 0.001\n');
  });

  it('lists every suppression with its reason, one line per run of cells withheld alike', () => {
    expect(md).toContain(
      'Suppressed cells:\n\n' +
        '- † Middle manager, “Never offered” and “Offered, not taken up”: withheld so that the suppressed count in domain tier=senior cannot be worked out from the total in domain all\n' +
        '- ‡ Senior manager or director, “Never offered”: count of 4 is under the minimum of 5\n' +
        "- † Senior manager or director, “Offered, not taken up”: withheld so that the suppressed count for never_offered in domain tier=senior cannot be worked out from that domain's base\n",
    );
    expect(md).toContain('- ‡ Private: base of 7 is under the minimum of 10\n');
  });

  it('says "all answers" for a domain withheld whole in a table of several answers', () => {
    const model = sampleModel();
    const table = model.tables[0]!;
    model.suppressions = table.categories.map((c) => ({ table: table.id, domain: 'tier=senior', category: c.id, reason: 'base' as const, why: 'base of 7 is under the minimum of 10' }));
    expect(reportMarkdown(model)).toContain('- ‡ Senior manager or director, all answers: base of 7 is under the minimum of 10\n');
  });

  it('escapes text that would break a Markdown table or become HTML', () => {
    const model = sampleModel();
    model.tables[0]!.categories[0]!.label = 'Never | <b>offered</b>';
    const escaped = reportMarkdown(model);
    expect(escaped).toContain('| Group | Never \\| \\<b\\>offered\\</b\\> | Offered, not taken up |');
    expect(escaped).not.toContain('<b>');
  });

  it('ends with exactly one newline', () => {
    expect(md.endsWith('\n')).toBe(true);
    expect(md.endsWith('\n\n')).toBe(false);
  });

  it('gives the same string every time', () => {
    expect(reportMarkdown(sampleModel())).toBe(md);
  });
});
