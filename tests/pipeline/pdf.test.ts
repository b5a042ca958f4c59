/**
 * `tapestry run --pdf`: report.pdf beside report.html, printed by Debian's Chromium, read back by
 * poppler's pdftoppm; and without a Chromium, everything but the PDF, a sentence saying what to
 * install, and a failing exit status.
 *
 * The PDF tests need /usr/bin/chromium and pdftoppm (apt-get install chromium poppler-utils).
 * Without them they are skipped, and their names say why.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { CHROMIUM } from '../../src/pipeline/pdf-step.ts';
import { captureIo } from '../support/io.ts';

const root = join(import.meta.dirname, '..', '..');
const committed = join(root, 'reports', 'leading-together', '2010');

const hasChromium = existsSync(CHROMIUM);
const hasPdftoppm = spawnSync('pdftoppm', ['-v'], { stdio: 'ignore' }).status === 0;
const skipped = !hasChromium ? ` (skipped: there is no ${CHROMIUM}; apt-get install chromium)` : !hasPdftoppm ? ' (skipped: pdftoppm is not installed; apt-get install poppler-utils)' : '';

/** A copy of what a fresh clone has, so that the manifest's paths are the same as the committed report's. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tapestry-pdf-'));
  for (const sub of ['surveys', 'pipelines', 'reports/leading-together/inputs']) cpSync(join(root, sub), join(dir, sub), { recursive: true });
  return dir;
}

const RUN = ['run', 'pipelines/leading-together.yaml', '--input', 'individual=reports/leading-together/inputs/individual-2010.csv', '--input', 'organisational=reports/leading-together/inputs/organisational-2010.csv'];

/** The share of a greyscale PGM's pixels darker than white-ish: 0 for a blank page. */
function ink(pgm: Buffer): number {
  // P5, width and height, maxval, each followed by one whitespace byte; then one byte a pixel.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.toString('latin1', 0, 64))!;
  const pixels = pgm.subarray(header[0].length);
  let dark = 0;
  for (const value of pixels) if (value < 128) dark++;
  return dark / pixels.length;
}

describe.skipIf(!hasChromium || !hasPdftoppm)(`tapestry run --pdf on the bundled pipeline${skipped}`, () => {
  let dir: string;
  let code: number;
  let io: ReturnType<typeof captureIo>;
  const report = () => join(dir, 'reports', 'leading-together', '2010');
  beforeAll(async () => {
    dir = project();
    io = captureIo({ cwd: dir, env: {} });
    code = await run([...RUN, '--pdf'], io);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes report.pdf beside report.html and succeeds', () => {
    expect(code, io.stderr()).toBe(0);
    const pdf = readFileSync(join(report(), 'report.pdf'));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('prints pages that pdftoppm renders to PNG, with text and tables on them', () => {
    const pdf = join(report(), 'report.pdf');
    const png = spawnSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '3', pdf, join(dir, 'page')], { encoding: 'utf8' });
    expect(png.status, png.stderr).toBe(0);
    const pages = readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f));
    expect(pages).toHaveLength(3);
    for (const page of pages) expect(readFileSync(join(dir, page)).subarray(1, 4).toString('latin1')).toBe('PNG');
    // The same pages in grey, to count ink: a page of text is a few per cent dark, a page that is
    // one chart of dots and thin lines a few tenths of one per cent, a blank one none.
    const grey = spawnSync('pdftoppm', ['-gray', '-r', '40', '-f', '1', '-l', '3', pdf, join(dir, 'grey')], { encoding: 'utf8' });
    expect(grey.status, grey.stderr).toBe(0);
    for (const page of readdirSync(dir).filter((f) => /^grey-\d+\.pgm$/.test(f))) {
      expect(ink(readFileSync(join(dir, page))), page).toBeGreaterThan(0.002);
    }
  });

  it('prints on A4, with the title as the document title and no creation date', () => {
    const info = spawnSync('pdfinfo', [join(report(), 'report.pdf')], { encoding: 'utf8' });
    if (info.status !== 0) return; // pdfinfo comes with pdftoppm in poppler-utils; this is belt and braces.
    expect(info.stdout).toMatch(/Page size:\s+59\d\.\d+ x 84\d\.\d+ pts \(A4\)/);
    expect(info.stdout).toContain('Title:           Leadership activity and development needs – 2010 (simulated data)');
    expect(info.stdout).not.toContain('CreationDate');
    expect(readFileSync(join(report(), 'report.pdf')).includes('/ModDate')).toBe(false);
  });

  it('leaves the manifest exactly as a run without --pdf writes it, report.pdf not among its outputs', () => {
    const manifest = readFileSync(join(report(), 'manifest.json'), 'utf8');
    expect(JSON.parse(manifest).outputs).not.toHaveProperty('report.pdf');
    expect(manifest).toBe(readFileSync(join(committed, 'manifest.json'), 'utf8'));
  });

  it('is confirmed by tapestry verify, which does not ask for the PDF', async () => {
    const verify = captureIo({ cwd: dir, env: {} });
    expect(await run(['verify', 'reports/leading-together/2010'], verify), verify.stdout()).toBe(0);
    expect(verify.stdout()).toContain('no differences');
  }, 300_000);
});

describe('tapestry run --pdf where there is no chromium', () => {
  let dir: string;
  let code: number;
  let io: ReturnType<typeof captureIo>;
  const report = () => join(dir, 'reports', 'leading-together', '2010');
  beforeAll(async () => {
    dir = project();
    io = captureIo({ cwd: dir, env: { CHROMIUM_PATH: join(dir, 'no-such-chromium') } });
    code = await run([...RUN, '--pdf'], io);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says what to install and that report.pdf was not written, and exits with status 1', () => {
    expect(code).toBe(1);
    expect(io.stderr()).toContain('--pdf needs chromium (Debian: apt-get install chromium); report.html was written, report.pdf was not');
    expect(io.stderr()).toContain(join(dir, 'no-such-chromium'));
  });

  it('writes the rest of the report, as a run without --pdf does, and no report.pdf', () => {
    expect(existsSync(join(report(), 'report.pdf'))).toBe(false);
    for (const file of ['report.html', 'report.md', 'manifest.json', 'tables/activity-coaching.csv']) {
      expect(readFileSync(join(report(), file)).equals(readFileSync(join(committed, file))), file).toBe(true);
    }
    expect(io.stdout()).toBe(`${report()}\n`);
  });
});
