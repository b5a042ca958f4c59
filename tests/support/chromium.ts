/**
 * Real-browser tests: Debian's Chromium driven by playwright-core (never a downloaded browser),
 * axe-core checks of whole pages, and moving through a page by keyboard alone while knowing where
 * focus is.
 */
import { createRequire } from 'node:module';
import type { Result } from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../src/pipeline/pdf-step.ts';

// The same browser and flags as `tapestry run --pdf` uses.
export { CHROMIUM, CHROMIUM_ARGS };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// ---- axe-core ---------------------------------------------------------------------------------

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core');

/** Every WCAG 2.x level A and AA rule axe has. */
export const WCAG_A_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

declare global {
  interface Window {
    axe: typeof import('axe-core');
  }
}

export interface AxeCheck {
  /** Rules that passed: none at all would mean axe did not look at the page. */
  passes: number;
  violations: Result[];
}

/**
 * Runs axe-core's WCAG A/AA rules on the page as it stands. The page's Content-Security-Policy
 * forbids scripts, so the context must have been made with `bypassCSP: true`.
 */
export async function runAxe(page: Page): Promise<AxeCheck> {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return { passes: results.passes.length, violations: results.violations };
  }, WCAG_A_AA);
}

/** Violations as a reader can act on them: rule, impact, what to do, and each node that fails. */
export function describeViolations(violations: readonly Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`);
      return `  ${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}`;
    })
    .join('\n');
}

// ---- focus and the keyboard -----------------------------------------------------------------------

/** What has focus, and whether it shows that it has. */
export interface Focus {
  tag: string;
  type: string;
  role: string;
  name: string;
  value: string;
  id: string;
  href: string;
  /** The element's text, or for a form field the text of its label. */
  text: string;
  checked: boolean;
  /** Drawn with the GOV.UK focus colour (#ffdd00): its outline, shadow, background or border, or a radio's or checkbox's label's. */
  indicated: boolean;
}

export function focusOf(page: Page): Promise<Focus> {
  return page.evaluate(() => {
    const FOCUS = 'rgb(255, 221, 0)';
    const el = (document.activeElement ?? document.body) as HTMLElement & Partial<HTMLInputElement>;
    const label = el.labels?.[0];
    const styles = [getComputedStyle(el)];
    if (label && (el.type === 'radio' || el.type === 'checkbox')) styles.push(getComputedStyle(label, '::before'), getComputedStyle(label, '::after'));
    const indicated = styles.some((s) =>
      [s.outlineStyle === 'none' ? '' : s.outlineColor, s.boxShadow, s.backgroundColor, s.borderTopColor].some((v) => v.includes(FOCUS)),
    );
    return {
      tag: el.tagName.toLowerCase(),
      type: el.getAttribute('type') ?? '',
      role: el.getAttribute('role') ?? '',
      name: el.getAttribute('name') ?? '',
      value: typeof el.value === 'string' ? el.value : '',
      id: el.id,
      href: el.getAttribute('href') ?? '',
      text: ((label ?? el).textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60),
      checked: el.checked === true,
      indicated,
    };
  });
}

export function describeFocus(f: Focus): string {
  const attrs = [
    f.type && `type=${f.type}`,
    f.role && `role=${f.role}`,
    f.name && `name=${f.name}`,
    f.value && (f.type === 'radio' || f.type === 'checkbox' || f.tag === 'button') && `value=${f.value}`,
    f.href && `href=${f.href}`,
  ].filter(Boolean);
  return `<${f.tag}${attrs.length ? ' ' + attrs.join(' ') : ''}>${f.text ? ` "${f.text}"` : ''}`;
}

/**
 * Presses Tab (or Shift+Tab) until focus is on what `wanted` accepts, or returns at once if it is
 * there already. Every element focus lands on on the way must show its focus (WCAG 2.4.7).
 */
export async function tabTo(page: Page, what: string, wanted: (f: Focus) => boolean, options: { backwards?: boolean; max?: number } = {}): Promise<Focus> {
  const key = options.backwards ? 'Shift+Tab' : 'Tab';
  const trail: string[] = [];
  let focus = await focusOf(page);
  for (let presses = 0; !wanted(focus); presses++) {
    if (presses >= (options.max ?? 120)) {
      throw new Error(`${key} never reached ${what} on ${page.url()}; focus went to:\n  ${trail.slice(-25).join('\n  ')}`);
    }
    await page.keyboard.press(key);
    focus = await focusOf(page);
    trail.push(describeFocus(focus));
    if (focus.tag !== 'body' && !focus.indicated) {
      throw new Error(`${describeFocus(focus)} on ${page.url()} has focus but does not show it (no focus colour on it)`);
    }
  }
  return focus;
}

/** Presses a key and waits for the page it leads to; returns that page's HTTP status. */
export async function pressForNewPage(page: Page, key: string): Promise<number> {
  const before = await focusOf(page);
  const loaded = page.waitForEvent('load', { timeout: 20_000 });
  await page.keyboard.press(key);
  try {
    await loaded;
  } catch {
    throw new Error(`pressing ${key} on ${describeFocus(before)} at ${page.url()} did not lead to a new page`);
  }
  return page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).responseStatus);
}

/** Activates what has focus as a keyboard user would: Space for a button, Enter for a link. */
export async function activate(page: Page): Promise<number> {
  const focus = await focusOf(page);
  return pressForNewPage(page, focus.tag === 'button' || focus.role === 'button' ? 'Space' : 'Enter');
}

/** A button, or a link (styled as one or not), with this text. */
export const isControl = (text: string) => (f: Focus) => (f.tag === 'button' || f.tag === 'a') && f.text === text;
export const isLink = (text: string) => (f: Focus) => f.tag === 'a' && f.text === text;
export const isField = (name: string) => (f: Focus) => f.name === name && f.type !== 'hidden';

/** Tabs into a radio group and moves through it with the arrow keys to `value`, then selects it. */
export async function chooseRadio(page: Page, name: string, value: string): Promise<void> {
  let focus = await tabTo(page, `the "${name}" radios`, (f) => f.type === 'radio' && f.name === name);
  const count = await page.evaluate((n) => document.querySelectorAll(`input[type=radio][name="${CSS.escape(n)}"]`).length, name);
  for (let i = 0; i < count && focus.value !== value; i++) {
    await page.keyboard.press('ArrowDown');
    focus = await focusOf(page);
  }
  if (focus.name !== name || focus.value !== value) throw new Error(`the arrow keys never reached ${name}=${value}; focus is on ${describeFocus(focus)}`);
  // Tab lands on an unselected group's first radio without selecting it: Space does.
  await page.keyboard.press('Space');
  focus = await focusOf(page);
  if (!focus.checked) throw new Error(`${describeFocus(focus)} is not selected after Space`);
}

/** Tabs to a checkbox and ticks it with Space. */
export async function tickCheckbox(page: Page, name: string, value: string): Promise<void> {
  await tabTo(page, `the "${name}" checkbox ${value}`, (f) => f.type === 'checkbox' && f.name === name && f.value === value);
  await page.keyboard.press('Space');
  const focus = await focusOf(page);
  if (!focus.checked) throw new Error(`${describeFocus(focus)} is not ticked after Space`);
}

/** Tabs to a text field and types into it (a newline in `text` is the Enter key). */
export async function typeInto(page: Page, name: string, text: string): Promise<void> {
  await tabTo(page, `the "${name}" field`, isField(name));
  await page.keyboard.type(text);
}

// ---- one page, checked as every page is ------------------------------------------------------

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

/**
 * Fails unless axe finds no serious or critical WCAG A/AA violation on the page as it stands and
 * the page, shown on a 375px phone, does not scroll sideways (naming what sticks out). The page is
 * left at the desktop size.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const { passes, violations } = await runAxe(page);
  expect(passes, `axe found no rules to pass on ${label}: did it run?`).toBeGreaterThan(0);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => v.id), `serious or critical accessibility violations on ${label} (${page.url()}):\n${describeViolations(serious)}`).toEqual([]);
  await page.setViewportSize(PHONE);
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    window: window.innerWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.tapestry-table-scroll, .tapestry-source'))
      .slice(0, 5)
      .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}">`),
  }));
  expect(widths.scroll, `${label} scrolls sideways on a ${PHONE.width}px-wide phone: ${widths.wide.join(', ')}`).toBeLessThanOrEqual(widths.window);
  await page.setViewportSize(DESKTOP);
}
