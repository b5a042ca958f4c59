import * as cheerio from 'cheerio';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportHtml } from '../../src/report/html.ts';
import { sampleModel } from './fixtures/sample-model.ts';

let html: string;
let $: cheerio.CheerioAPI;
beforeAll(async () => {
  html = await reportHtml(sampleModel());
  $ = cheerio.load(html);
});

describe('reportHtml', () => {
  it('makes one self-contained page: no scripts, no addresses, nothing to fetch', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en-GB">')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect($('link, img, iframe, object, embed, video, audio, source').length).toBe(0);
    expect($('[src]').length).toBe(0);
    expect($('[href]').map((_, a) => $(a).attr('href')).get().every((href) => href.startsWith('#'))).toBe(true);
    expect(html).not.toMatch(/@import|url\((?!#)/);
    expect($('[style]').length).toBe(0);
  });

  it('has every in-page link land on an id, and no id twice', () => {
    const ids = $('[id]').map((_, e) => $(e).attr('id')).get();
    expect(new Set(ids).size).toBe(ids.length);
    for (const href of $('a[href]').map((_, a) => $(a).attr('href')).get()) expect(ids).toContain(href.slice(1));
  });

  it('inlines its stylesheet with a system font stack and a print stylesheet that keeps tables whole', () => {
    const css = $('style').text();
    expect(css).toContain('font-family: system-ui, -apple-system');
    expect(css).toContain('@media print');
    expect(css).toMatch(/table, figure[^{]*\{[^}]*break-inside: avoid/);
    expect(css).toMatch(/tr \{[^}]*break-inside: avoid/);
  });

  it('shows the title, the wave, the headline and the method notes', () => {
    const model = sampleModel();
    expect($('h1').text()).toBe(model.pipeline.title);
    expect($('head > title').text()).toBe('Leadership development in social services – 2010');
    expect($('.wave').text()).toBe('Wave: 2010');
    expect($('.headline li').map((_, li) => $(li).text()).get()).toEqual(model.headline.map((h) => h.text));
    const methods = $('.methods').text();
    for (const note of [...model.methods.designs, model.methods.intervals, model.methods.disclosure, model.methods.missing]) expect(methods).toContain(note);
    expect($('.methods .legend dt').map((_, dt) => $(dt).text()).get()).toEqual(['‡', '†']);
  });

  it('gives each table a caption and headers scoped to their columns and rows', () => {
    const tables = $('table');
    expect(tables.length).toBe(2);
    tables.each((_, table) => {
      expect($(table).find('caption').text()).not.toBe('');
      expect($(table).find('thead th').length).toBeGreaterThan(1);
      $(table)
        .find('thead th')
        .each((_, th) => expect($(th).attr('scope')).toBe('col'));
      $(table)
        .find('tbody th')
        .each((_, th) => expect($(th).attr('scope')).toBe('row'));
      expect($(table).find('tbody tr').length).toBe($(table).find('tbody th').length);
    });
    expect($('table').first().find('caption').text()).toContain('Coaching, by management tier');
  });

  it('prints estimates with their intervals and bases, and marks suppressed cells for eye and ear', () => {
    const rows = $('table').first().find('tbody tr');
    const all = rows.first();
    expect(all.find('th').text()).toBe('All respondents');
    expect(all.find('td').first().text()).toBe('52.1% (46.4–57.8)');
    expect(all.find('td').last().text()).toBe('n=412');
    const senior = rows.last();
    const never = senior.find('td').first();
    expect(never.hasClass('suppressed')).toBe(true);
    expect(never.find('[aria-hidden="true"]').text()).toBe('‡');
    expect(never.find('.visually-hidden').text()).toBe('suppressed, too few responses');
    expect(senior.find('td').eq(1).find('[aria-hidden="true"]').text()).toBe('†');
    const legend = $('.report-table').first().find('.table-part .legend').text();
    expect(legend).toContain('too few responses');
    expect(legend).toContain('cannot be worked out from the totals');
  });

  it('puts each chart inline beside its table, with a title, and ids unique to the page', () => {
    const figures = $('.report-table .table-and-chart figure.chart');
    expect(figures.length).toBe(2);
    figures.each((_, figure) => {
      const svg = $(figure).children('svg');
      expect(svg.length).toBe(1);
      expect(svg.attr('role')).toBe('img');
      expect(svg.attr('aria-label')).toMatch(/^Chart: /);
      expect(svg.children().first().is('title')).toBe(true);
      expect(svg.find('desc').length).toBe(1);
      expect($(figure).find('figcaption').text()).toContain('Bars are estimates');
    });
    expect($('svg[xmlns]').length).toBe(0);
  });

  it('states the test of association and lists every suppression with its reason', () => {
    const coaching = $('.report-table').first();
    expect(coaching.find('.test li').text()).toBe('Rao–Scott F = 5.53 on 5.87 and 2390 df, p < 0.001');
    expect(coaching.find('.suppressions li').length).toBe(3);
    expect(coaching.find('.suppressions li').eq(1).text()).toBe('‡ Senior manager or director, “Never offered”: count of 4 is under the minimum of 5');
    const staff = $('.report-table').last();
    expect(staff.find('.test').length).toBe(0);
    expect(staff.find('.suppressions li').last().text()).toBe('‡ Private: base of 7 is under the minimum of 10');
  });

  it('escapes whatever the model says, so text cannot become markup', async () => {
    const model = sampleModel();
    model.pipeline.title = 'Leadership <script>alert(1)</script>';
    model.headline = [{ text: 'Half said <img src=x onerror=alert(1)>' }];
    model.tables[0]!.categories[0]!.label = '<b>Never</b> offered';
    const escaped = await reportHtml(model);
    expect(escaped).not.toMatch(/<script|<img|<b>/);
    expect(escaped).toContain('Leadership &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(cheerio.load(escaped)('thead th').eq(1).text()).toBe('<b>Never</b> offered');
  });

  it('gives the same string every time', async () => {
    expect(await reportHtml(sampleModel())).toBe(html);
  });
});
