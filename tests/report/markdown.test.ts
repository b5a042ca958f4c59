import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/report/model.ts';
import { mdText, reportMarkdown } from '../../src/report/markdown.ts';
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
    expect(escaped).toContain('| Group | Never \\| \\<b>offered\\</b> | Offered, not taken up |');
    expect(escaped).not.toMatch(/(?<!\\)<b>/);
  });

  it('ends with exactly one newline', () => {
    expect(md.endsWith('\n')).toBe(true);
    expect(md.endsWith('\n\n')).toBe(false);
  });

  it('gives the same string every time', () => {
    expect(reportMarkdown(sampleModel())).toBe(md);
  });
});

describe('reportMarkdown with Markdown and HTML in every text it writes', () => {
  const NASTY = 'A *b* _c_ | d <script>alert(1)</script> [x](y) `e` # f ~~g~~ &lt; \\ end';
  const nasty = (what: string) => `${what}: ${NASTY}`;

  /** The sample model with every piece of text a person or an instrument wrote made hostile. */
  function hostileModel(): ReportModel {
    // A copy: the sample model shares its label lists between calls.
    const model = structuredClone(sampleModel());
    model.pipeline.title = nasty('title');
    model.pipeline.wave = nasty('wave');
    model.headline = [{ text: nasty('headline') }];
    model.methods = { designs: [nasty('design')], intervals: nasty('intervals'), disclosure: nasty('disclosure'), missing: nasty('missing') };
    for (const table of model.tables) {
      table.title = nasty('table title');
      table.measure.text = nasty('question');
      table.note = nasty('note');
      for (const category of table.categories) category.label = nasty(`category ${category.id}`);
      for (const by of [...table.by, ...(table.panel ? [table.panel] : [])]) {
        by.text = nasty(`by ${by.question}`);
        for (const level of by.levels) level.label = nasty(`level ${level.id}`);
      }
    }
    const coaching = model.tables[0]!;
    coaching.trends = coaching.categories.map((c) => ({ table: coaching.id, domain: 'all', category: c.id, wave: nasty('earlier wave'), then: 0.5, now: 0.4, change: -0.1, se: 0.02, ci_low: -0.14, ci_high: -0.06, p_value: 0.01 }));
    for (const s of model.suppressions) s.why = nasty('why');
    model.qualitative = {
      title: nasty('qualitative title'),
      notes: [nasty('qualitative note')],
      agreement: [{ code: 'all', label: nasty('agreement'), units: 12, agreement: 0.9, kappa: 0.8, alpha: 0.8 }],
      themes: [
        {
          id: 'theme',
          label: nasty('theme'),
          definition: nasty('definition'),
          counts: [{ domain: 'all', label: nasty('count label'), groups: 2, groupsBase: 4, groupsSuppressed: '', segments: 5, segmentsBase: 20, segmentsSuppressed: '' }],
          quotes: [{ text: nasty('quote'), attribution: nasty('attribution'), segment: 'g#1', origin: 'human' }],
        },
      ],
      tables: [],
    };
    return model;
  }

  const md = reportMarkdown(hostileModel());
  const lines = md.split('\n');
  const unescaped = (line: string) => line.replace(/\\./g, '');

  it('writes every hostile text escaped, the association line included', () => {
    expect(md).toContain(`Association with “${mdText(nasty('by tier'))}”:\n`);
    for (const what of ['title', 'wave', 'headline', 'design', 'intervals', 'disclosure', 'missing', 'table title', 'question', 'note', 'category took_part', 'level senior', 'earlier wave', 'why', 'qualitative title', 'qualitative note', 'agreement', 'theme', 'definition', 'count label', 'quote', 'attribution']) {
      expect(md, what).toContain(mdText(nasty(what)));
    }
    expect(md).not.toContain(NASTY);
  });

  it('leaves no character Markdown would act on outside the report’s own headings, lists, quotes and tables', () => {
    for (const line of lines) {
      const text = unescaped(line).replace(/^#{1,3} /, '').replace(/^> /, '').replace(/^- /, '');
      // A `>` inside a line and an underscore inside a word are plain text to Markdown.
      expect(text, line).not.toMatch(/[*`[\]~#]|<[A-Za-z/!?]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|&[#A-Za-z0-9]+;/);
      if (!line.startsWith('|')) expect(text, line).not.toContain('|');
    }
  });

  it('keeps every table row to its header’s columns', () => {
    let columns = 0;
    for (const [i, line] of lines.entries()) {
      if (!line.startsWith('|')) {
        columns = 0;
        continue;
      }
      const pipes = (unescaped(line).match(/\|/g) ?? []).length;
      if (columns === 0) columns = pipes;
      expect(pipes, `line ${i + 1}: ${line}`).toBe(columns);
    }
  });
});
