/**
 * report.pdf: report.html printed by Debian's Chromium (never a downloaded browser), through
 * playwright-core, on A4 with the stylesheet's print rules.
 *
 * The PDF is left out of the manifest. Chromium's PDF carries a creation and a modification date;
 * those are blanked here, so that two runs on one machine give the same bytes. But the rest of it
 * (the fonts embedded, where lines break, the /Creator naming Chromium's version) depends on the
 * Chromium build and the fonts installed, which the manifest does not record and `tapestry verify`
 * cannot reproduce on another machine. The PDF is a rendering of report.html, whose hash the
 * manifest does carry.
 */
import { existsSync } from 'node:fs';

/** Debian's Chromium; `CHROMIUM_PATH` names another. */
export const CHROMIUM = '/usr/bin/chromium';

/** The machine may reach nothing beyond itself, and a report requests nothing: these keep Chromium from trying. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumPath = (env: NodeJS.ProcessEnv): string => env.CHROMIUM_PATH || CHROMIUM;

/** Why report.pdf was not made, in a sentence that says what to do about it. */
export class PdfError extends Error {
  override name = 'PdfError';
}

export async function printPdf(html: string, executablePath: string): Promise<Buffer> {
  if (!existsSync(executablePath)) {
    throw new PdfError(`--pdf needs chromium (Debian: apt-get install chromium); report.html was written, report.pdf was not (there is no chromium at ${executablePath}; CHROMIUM_PATH names another)`);
  }
  // Loaded only here: a run without --pdf never needs a browser.
  const { chromium } = await import('playwright-core');
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  } catch (error) {
    throw new PdfError(`--pdf: chromium at ${executablePath} would not start (${firstLine(error)}); report.html was written, report.pdf was not`);
  }
  try {
    const page = await browser.newPage();
    // The page is self-contained (stylesheet and charts inline, no scripts), so nothing is fetched.
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      // The stylesheet's @page rule sets the margins.
      preferCSSPageSize: true,
      // A tagged PDF with bookmarks from the headings: readable by a screen reader, navigable in a viewer.
      tagged: true,
      outline: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: '<div style="width: 100%; font-size: 8pt; text-align: center; color: #505a5f;"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
    });
    return withoutDates(pdf);
  } catch (error) {
    throw new PdfError(`--pdf: chromium at ${executablePath} could not print the report (${firstLine(error)}); report.html was written, report.pdf was not`);
  } finally {
    await browser.close();
  }
}

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/**
 * Blanks /CreationDate and /ModDate in the PDF's document information dictionary with spaces of
 * the same length, so that every byte offset in the cross-reference table still holds. Only the
 * dictionary the trailer's /Info names is touched; the page content is compressed, and a date
 * inside a string there would have its parenthesis escaped.
 */
export function withoutDates(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const info = /\/Info (\d+) 0 R/.exec(text.slice(text.lastIndexOf('trailer')));
  if (!info) return pdf;
  const start = text.indexOf(`\n${info[1]} 0 obj`);
  const end = start < 0 ? -1 : text.indexOf('endobj', start);
  if (end < 0) return pdf;
  const blanked = text.slice(start, end).replace(/\/(?:CreationDate|ModDate) \(D:[0-9Z+\-']*\)/g, (date) => ' '.repeat(date.length));
  return Buffer.concat([pdf.subarray(0, start), Buffer.from(blanked, 'latin1'), pdf.subarray(end)]);
}
