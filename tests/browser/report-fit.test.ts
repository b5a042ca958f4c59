/**
 * The bundled report as a reader sees it, in Debian's Chromium: on a desktop screen, on a phone and
 * at the width of an A4 page printed, every table and chart fits the column it sits in (a table
 * that scrolls sideways counts as one that does not fit), no legend's label runs into its meaning,
 * chart text is never drawn smaller than 11 px nor cut short with an ellipsis, and axe finds
 * nothing serious.
 *
 * Failures name the table (its section's id) or the text, so a reader knows what to fix.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeViolations, launchChromium, runAxe } from '../support/chromium.ts';

const REPORT = pathToFileURL(join(import.meta.dirname, '..', '..', 'reports', 'leading-together', '2010', 'report.html')).href;
/** Set TAPESTRY_SCREENSHOTS to a directory to keep a picture of each view. */
const SHOTS = process.env.TAPESTRY_SCREENSHOTS;
const SMALLEST_TEXT = 11;

interface View {
  name: string;
  width: number;
  media: 'screen' | 'print';
}

const VIEWS: View[] = [
  { name: 'a 1280 px desktop screen', width: 1280, media: 'screen' },
  { name: 'a 390 px phone', width: 390, media: 'screen' },
  // 210 mm at 96 px an inch: what Chromium lays the page out in before it takes off the margins.
  { name: 'an A4 page printed', width: 794, media: 'print' },
];

interface Misfits {
  overflowing: string[];
  smallText: string[];
  cutText: string[];
  texts: number;
  tables: number;
  charts: number;
  pageScroll: number;
}

/** Everything on the page that does not fit, as lines a reader can act on. */
function misfits(page: Page, smallest: number): Promise<Misfits> {
  return page.evaluate((smallest) => {
    const where = (e: Element) => {
      const section = e.closest('section[id]');
      // The caption's title, without the note that follows it.
      const caption = e.querySelector('caption')?.firstChild?.textContent?.trim();
      return `${section ? `#${section.id}` : 'the page'}${caption ? ` (“${caption}”)` : ''}`;
    };
    const overflowing: string[] = [];
    const tables = [...document.querySelectorAll('table')];
    for (const table of tables) {
      const container = table.parentElement!;
      const scroll = table.closest('.table-scroll');
      if (scroll && scroll.scrollWidth > scroll.clientWidth) {
        overflowing.push(`table in ${where(table)} scrolls sideways: ${scroll.scrollWidth} px of content in ${scroll.clientWidth} px`);
      }
      const right = table.getBoundingClientRect().right;
      for (const box of [container, table.closest('section')!]) {
        const edge = box.getBoundingClientRect().right;
        if (right > edge + 0.5) overflowing.push(`table in ${where(table)} sticks out of its ${box.tagName.toLowerCase()}.${box.className} by ${Math.round(right - edge)} px`);
      }
      if (table.scrollWidth > table.clientWidth + 0.5) overflowing.push(`table in ${where(table)} has ${table.scrollWidth} px of content in ${table.clientWidth} px`);
    }
    // A legend's mark or short label and its meaning must not run into each other.
    const inked = (e: Element) => {
      const range = document.createRange();
      range.selectNodeContents(e);
      return range.getBoundingClientRect();
    };
    for (const term of document.querySelectorAll('.legend dt')) {
      const meaning = term.nextElementSibling!;
      const [a, b] = [inked(term), inked(meaning)];
      if (a.right > b.left + 0.5 && a.bottom > b.top + 0.5 && b.bottom > a.top + 0.5) {
        overflowing.push(`legend in ${where(term)}: “${term.textContent}” runs into “${meaning.textContent}”`);
      }
    }
    const smallText: string[] = [];
    const cutText: string[] = [];
    let texts = 0;
    const charts = [...document.querySelectorAll('figure.chart svg')] as SVGSVGElement[];
    for (const svg of charts) {
      const name = svg.getAttribute('aria-label') ?? where(svg);
      const drawn = svg.getBoundingClientRect();
      for (const box of [svg.parentElement!, svg.closest('section')!]) {
        const edge = box.getBoundingClientRect().right;
        if (drawn.right > edge + 0.5) overflowing.push(`chart “${name}” sticks out of its ${box.tagName.toLowerCase()} by ${Math.round(drawn.right - edge)} px`);
      }
      const viewBox = svg.viewBox.baseVal;
      const drawnAt = viewBox && viewBox.width > 0 ? viewBox.width : Number(svg.getAttribute('width'));
      const scale = drawn.width / drawnAt;
      for (const text of svg.querySelectorAll('text')) {
        const content = (text.textContent ?? '').trim();
        if (content === '') continue;
        texts++;
        const size = parseFloat(getComputedStyle(text).fontSize) * scale;
        if (size < smallest) smallText.push(`“${content}” in “${name}” is ${size.toFixed(1)} px`);
        if (content.endsWith('…') || content.endsWith('...')) cutText.push(`“${content}” in “${name}”`);
      }
    }
    return { overflowing, smallText, cutText, texts, tables: tables.length, charts: charts.length, pageScroll: document.documentElement.scrollWidth - window.innerWidth };
  }, smallest);
}

const list = (lines: string[]) => `\n  ${lines.slice(0, 30).join('\n  ')}${lines.length > 30 ? `\n  … and ${lines.length - 30} more` : ''}`;

describe('the bundled report in a real browser (Chromium)', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(view: View): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: view.width, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.emulateMedia({ media: view.media });
    await page.goto(REPORT);
    return page;
  }

  for (const view of VIEWS) {
    it(`fits every table, chart and legend into its column on ${view.name}, with chart text no smaller than ${SMALLEST_TEXT} px and none of it cut short`, async () => {
      const page = await open(view);
      try {
        if (SHOTS) await page.screenshot({ path: join(SHOTS, `report-${view.width}-${view.media}.png`), fullPage: true });
        const found = await misfits(page, SMALLEST_TEXT);
        // A page with nothing on it would pass everything below.
        expect(found.tables, 'the report has no tables').toBeGreaterThan(20);
        expect(found.charts, 'the report has no charts').toBeGreaterThan(20);
        expect(found.texts, 'the charts have no text').toBeGreaterThan(200);
        expect(found.overflowing, `tables or charts that do not fit on ${view.name}:${list(found.overflowing)}`).toEqual([]);
        expect(found.smallText, `chart text smaller than ${SMALLEST_TEXT} px on ${view.name}:${list(found.smallText)}`).toEqual([]);
        expect(found.cutText, `chart text cut short on ${view.name}:${list(found.cutText)}`).toEqual([]);
        expect(found.pageScroll, `the page scrolls sideways on ${view.name}`).toBeLessThanOrEqual(0);
      } finally {
        await page.context().close();
      }
    });
  }

  for (const view of VIEWS.filter((v) => v.media === 'screen')) {
    it(`has no serious or critical WCAG A/AA violation on ${view.name}`, async () => {
      const page = await open(view);
      try {
        const { passes, violations } = await runAxe(page);
        expect(passes, 'axe found no rules to pass: did it run?').toBeGreaterThan(0);
        const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        expect(serious.map((v) => v.id), `serious or critical violations on ${view.name}:\n${describeViolations(serious)}`).toEqual([]);
      } finally {
        await page.context().close();
      }
    });
  }

  it('keeps the tables stacked on a phone readable as tables: each cell shows its column, and a screen reader still meets rows, cells and headers, each cell said once', async () => {
    const page = await open(VIEWS[1]!);
    try {
      const found = await page.evaluate(() => {
        const problems: string[] = [];
        let cells = 0;
        for (const table of document.querySelectorAll('table')) {
          const id = table.closest('section[id]')?.id ?? 'the page';
          if (getComputedStyle(table).display === 'table') continue;
          if (table.getAttribute('role') !== 'table') problems.push(`#${id}: a stacked table without role="table"`);
          const headers = [...table.querySelectorAll('thead th')].map((th) => (th.textContent ?? '').trim());
          for (const th of table.querySelectorAll('thead th')) if (th.getAttribute('role') !== 'columnheader') problems.push(`#${id}: column header “${th.textContent}” has no role`);
          for (const row of table.querySelectorAll('tr')) {
            if (row.getAttribute('role') !== 'row') problems.push(`#${id}: a row without role="row"`);
            const head = row.querySelector('th[scope=row]');
            if (head && head.getAttribute('role') !== 'rowheader') problems.push(`#${id}: row header “${head.textContent}” has no role`);
            [...row.children].forEach((cell, i) => {
              if (cell.tagName !== 'TD') return;
              cells++;
              if (cell.getAttribute('role') !== 'cell') problems.push(`#${id}: a cell without role="cell"`);
              // Shown as the header's words, with empty alternative text: `"Public" / ""`.
              const label = getComputedStyle(cell, '::before').content;
              if (label !== `${JSON.stringify(headers[i])} / ""`) problems.push(`#${id}: a cell in column “${headers[i]}” is labelled ${label}`);
            });
          }
        }
        return { problems, cells };
      });
      expect(found.cells, 'no table is stacked on a phone').toBeGreaterThan(100);
      expect(found.problems, list(found.problems)).toEqual([]);

      // What a screen reader is given: the accessibility tree, as Chromium builds it.
      const spoken: string[] = [];
      for (const table of await page.locator('table').all()) {
        const id = await table.evaluate((t) => t.closest('section[id]')?.id ?? 'the page');
        // One node a line, `- role "name"`, the line quoted as YAML when the name needs it.
        const nodes = (await table.ariaSnapshot()).split('\n').map((line) => /^\s*- '?(\w+)(?: "(.*)")?'?:?$/.exec(line)).filter((m) => m !== null).map((m) => ({ role: m[1]!, name: m[2] ?? '' }));
        const headers = nodes.filter((n) => n.role === 'columnheader').map((n) => n.name);
        if (nodes[0]?.role !== 'table') spoken.push(`#${id} is not a table`);
        if (headers.length < 2) spoken.push(`#${id} has no column headers`);
        if (!nodes.some((n) => n.role === 'rowheader')) spoken.push(`#${id} has no row headers`);
        for (const cell of nodes.filter((n) => n.role === 'cell')) {
          if (headers.some((h) => cell.name.startsWith(`${h} `))) spoken.push(`#${id}: a cell is read as “${cell.name}”, its column’s label said again`);
        }
      }
      expect(spoken, list(spoken)).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
