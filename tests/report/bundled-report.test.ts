// What a commissioner finds in the committed example report (made by `npm run report:example`,
// kept byte-identical by the golden test): who answered, first, then the grids they compare
// sectors with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cheerio from 'cheerio';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import { questionsOf } from '../../src/instrument/schema.ts';

const root = join(import.meta.dirname, '..', '..');
let $: cheerio.CheerioAPI;
let activityRows: { id: string; label: string }[];

beforeAll(async () => {
  $ = cheerio.load(readFileSync(join(root, 'reports', 'leading-together', '2010', 'report.html'), 'utf8'));
  const { instrument } = await loadInstrumentFile(join(root, 'surveys', 'leadership-individual.yaml'));
  const activities = questionsOf(instrument).find((q) => q.id === 'activities')!;
  if (activities.type !== 'matrix') throw new Error('activities is not a matrix');
  activityRows = Object.entries(activities.rows).map(([id, row]) => ({ id, label: row.label }));
});

describe('the bundled report', () => {
  it('has a grid by job level and sector, with both margins, for holding a qualification and for every development activity', () => {
    const grids = $('section.two-way');
    const questions = grids.map((_, g) => $(g).find('.question').text()).get();
    expect(questions.some((q) => q.includes('leadership or management qualification'))).toBe(true);
    expect(activityRows.length).toBe(8);
    for (const row of activityRows) expect(questions.filter((q) => q.endsWith(`— ${row.label}”`)), row.id).toHaveLength(1);
    grids.each((_, g) => {
      expect($(g).find('thead th').map((_, th) => $(th).text()).get()).toEqual(['Job level', 'Public', 'Private', 'Voluntary', 'All']);
      expect($(g).find('tbody th').map((_, th) => $(th).text()).get()).toEqual(['Front line', 'First line', 'Middle', 'Senior', 'All']);
      expect($(g).find('figure.chart svg').length).toBe(1);
    });
  });

  it('lists the grids before the tables by one variable, in its contents and on the page', () => {
    const sections = $('section.report-table').map((_, s) => $(s).hasClass('two-way')).get();
    const firstTable = sections.indexOf(false);
    expect(sections.slice(0, firstTable).every(Boolean)).toBe(true);
    expect(sections.slice(firstTable).some(Boolean)).toBe(false);
    const gridIds = $('section.two-way').map((_, s) => `#${$(s).attr('id')}`).get();
    const contents = $('nav.contents a').map((_, a) => $(a).attr('href')).get();
    const tableLinks = contents.filter((href) => href.startsWith('#table-'));
    expect(tableLinks.slice(0, gridIds.length)).toEqual(gridIds);
  });

  it('opens with who answered: each survey’s unweighted respondents by sector, and the individual survey’s by job level, summing to its total', () => {
    const contents = $('nav.contents a').map((_, a) => $(a).attr('href')).get();
    expect(contents[0]).toBe('#who-answered-heading');
    // The section comes straight after the contents, before the headlines and the grids.
    expect($('main > section').first().attr('id')).toBe('who-answered');
    const manifest = JSON.parse(readFileSync(join(root, 'reports', 'leading-together', '2010', 'manifest.json'), 'utf8'));
    const surveys = $('#who-answered > section');
    expect(surveys.length).toBe(2);
    const tables = $('#who-answered table');
    const heads = tables.map((_, t) => $(t).find('thead th').first().text()).get();
    expect(heads).toEqual(['Sector', 'Job level', 'Sector']);
    tables.each((_, t) => {
      const input = $(t).closest('section').attr('id')!.replace('who-answered-', '');
      const counts = $(t).find('tbody tr').map((_, tr) => Number($(tr).find('td').first().text().replace(/[^\d]/g, ''))).get();
      const total = counts.pop()!;
      expect(counts.reduce((a, b) => a + b, 0), input).toBe(total);
      expect(total, input).toBe(manifest.inputs[input].responses.rows);
      expect($(t).find('thead th').map((_, th) => $(th).text()).get().slice(1, 3)).toEqual(['Respondents', 'Share of respondents']);
    });
    // The organisations' survey has sectors under the bundled rule of 100 respondents: they are flagged, with a caveat saying why.
    const organisations = $('#who-answered-organisational');
    expect(organisations.find('.flag').length).toBeGreaterThan(0);
    expect(organisations.find('.caveats li').first().text()).toMatch(/^\w+: only \d+ respondents\. Estimates for this group rest on a small base/);
    expect($('.methods').text()).toContain('A group with fewer than 100 respondents is named in a caveat');
  });
});
