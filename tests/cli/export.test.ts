/**
 * `tapestry export` on a wave with submitted and partial responses: every format's files, the
 * partial responses only when asked, formula-like text guarded, the same bytes on a second run, an
 * audit row per run, clear errors for what does not exist; and the exported syntax run by the
 * programs it is for: PSPP runs the .sps on the exported CSV, R's haven reads the .sav it saves,
 * Rscript sources the .R.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { MISSING_CODES } from '../../src/export/missing.ts';
import { openStore, type Store } from '../../src/store/open.ts';
import { EXPORT_ANSWERS, EXPORT_FIXTURE } from '../support/export-responses.ts';
import { captureIo } from '../support/io.ts';
import { backend, commandDatabase } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');
const installed = (program: string, args: string[]) => spawnSync(program, args, { stdio: 'ignore' }).status === 0;
const hasPspp = installed('pspp', ['--version']);
const hasHaven = installed('Rscript', ['-e', 'library(haven)']);
const hasR = installed('Rscript', ['--version']);

const BASE = 'export-syntax-2026';
const FILES = {
  csv: [`${BASE}.csv`, 'codebook.csv', 'codebook.md'],
  'labelled-csv': [`${BASE}-labelled.csv`, 'codebook.csv', 'codebook.md'],
  xlsx: [`${BASE}.xlsx`, 'codebook.csv', 'codebook.md'],
  spss: [`${BASE}.csv`, `${BASE}.sps`, 'codebook.csv', 'codebook.md'],
  stata: [`${BASE}.csv`, `${BASE}.do`, 'codebook.csv', 'codebook.md'],
  r: [`${BASE}.csv`, `${BASE}.R`, 'codebook.csv', 'codebook.md'],
  datapackage: [`${BASE}.csv`, 'datapackage.json', 'codebook.csv', 'codebook.md'],
} as const;
const ALL = [...new Set(Object.values(FILES).flat())].sort();

describe(`tapestry export on ${backend}`, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv = {};
  let database: Awaited<ReturnType<typeof commandDatabase>>;
  /** Response ids in the order of EXPORT_ANSWERS; the last is still in progress. */
  let ids: string[] = [];
  const tapestry = async (...args: string[]) => {
    const io = captureIo({ cwd: dir, env, username: () => 'lea' });
    const code = await run(['--data-dir', join(dir, 'data'), ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const withDb = async <T>(work: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir: join(dir, 'data') });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };
  const csv = (path: string) => Papa.parse<Record<string, string>>(readFileSync(join(dir, path), 'utf8'), { header: true, skipEmptyLines: true }).data;
  const byId = (rows: Record<string, string>[]) => new Map(rows.map((r) => [r.response_id!, r]));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-export-'));
    database = await commandDatabase('export');
    env = database.env;
    const published = await tapestry('publish', join(root, EXPORT_FIXTURE), '--open-wave', '2026');
    expect(published.code, published.err).toBe(0);
    ids = await withDb(async (store) => {
      const wave = await store.db.selectFrom('waves').select(['id', 'instrument_version_id']).where('instrument_id', '=', 'export-syntax').where('name', '=', '2026').executeTakeFirstOrThrow();
      const last = EXPORT_ANSWERS.length - 1;
      const rows = EXPORT_ANSWERS.map((answers, i) => ({
        wave_id: wave.id,
        instrument_version_id: wave.instrument_version_id,
        status: i === last ? ('in_progress' as const) : ('submitted' as const),
        answers: JSON.stringify(answers),
        current_page: i === last ? 'about-you' : null,
        submitted_at: i === last ? null : new Date(Date.UTC(2026, 8, 1 + i, 9, 5, 7, 250)),
      }));
      const inserted: string[] = [];
      // One at a time, so the ids can be matched to the answers.
      for (const row of rows) inserted.push((await store.db.insertInto('responses').values(row).returning('id').executeTakeFirstOrThrow()).id);
      return inserted;
    });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database.dispose();
  });

  it('refuses an unknown instrument, wave or format with a message saying which exist, and writes nothing', async () => {
    const instrument = await tapestry('export', 'no-such-survey', '--wave', '2026');
    expect(instrument.code).toBe(1);
    expect(instrument.err).toBe('tapestry: no instrument no-such-survey is published (published: export-syntax)\n');
    const wave = await tapestry('export', 'export-syntax', '--wave', '1999');
    expect(wave.code).toBe(1);
    expect(wave.err).toBe('tapestry: export-syntax has no wave named 1999 (its waves: 2026)\n');
    const format = await tapestry('export', 'export-syntax', '--wave', '2026', '--format', 'sas');
    expect(format.code).toBe(1);
    expect(format.err).toContain("argument 'sas' is invalid. Allowed choices are csv, labelled-csv, xlsx, spss, stata, r, datapackage, all");
    expect(existsSync(join(dir, 'exports'))).toBe(false);
    writeFileSync(join(dir, 'a-file'), 'not a folder\n');
    const blocked = await tapestry('export', 'export-syntax', '--wave', '2026', '--out', 'a-file/inside');
    expect(blocked.code).toBe(1);
    expect(blocked.err).toBe('tapestry: cannot write the export to a-file/inside: a file is in the way of the folder\n');
  });

  it('writes the submitted responses as coded CSV with a codebook, by default to exports/<instrument>-<wave>/', async () => {
    const { code, out, err } = await tapestry('export', 'export-syntax', '--wave', '2026');
    expect(code, err).toBe(0);
    expect(err).toBe(`exported 3 submitted responses of wave 2026 of export-syntax as csv to exports/${BASE}\n`);
    expect(out.trim().split('\n')).toEqual(FILES.csv.map((f) => `exports/${BASE}/${f}`));
    const rows = csv(`exports/${BASE}/${BASE}.csv`);
    expect(rows.map((r) => r.response_id)).toEqual(ids.slice(0, 3).sort());
  });

  it.each(Object.entries(FILES))('writes exactly the files of --format %s', async (format, files) => {
    const { code, err } = await tapestry('export', 'export-syntax', '--wave', '2026', '--format', format, '--out', `only-${format}`);
    expect(code, err).toBe(0);
    expect(readdirSync(join(dir, `only-${format}`)).sort()).toEqual([...files].sort());
  });

  describe('--format all --include-partial', () => {
    beforeAll(async () => {
      const first = await tapestry('export', 'export-syntax', '--wave', '2026', '--format', 'all', '--include-partial', '--out', 'all');
      expect(first.code, first.err).toBe(0);
      expect(first.err).toBe('exported 3 submitted and 1 partial responses of wave 2026 of export-syntax as all to all\n');
    });

    it('writes every format\'s files and no temporary file', () => {
      expect(readdirSync(join(dir, 'all')).sort()).toEqual(ALL);
    });

    it('includes the partial response with an empty submission time, and tells not shown from not answered', () => {
      const rows = byId(csv(`all/${BASE}.csv`));
      expect(rows.size).toBe(4);
      const partial = rows.get(ids[3]!)!;
      expect(partial.submitted_at).toBe('');
      expect(partial.sector).toBe('public');
      expect(partial.staff).toBe(String(MISSING_CODES.not_answered.numeric)); // first-line manager: shown, not yet answered
      const frontLine = rows.get(ids[1]!)!;
      expect(frontLine.staff).toBe(String(MISSING_CODES.not_shown.numeric)); // hidden from front-line staff, though an answer was stored
      expect(frontLine.support_mentor).toBe(String(MISSING_CODES.not_shown.numeric));
      expect(frontLine.confidence).toBe(MISSING_CODES.not_answered.string);
      expect(frontLine.coaching_detail).toBe(MISSING_CODES.not_shown.string);
      const labelled = byId(csv(`all/${BASE}-labelled.csv`));
      expect(labelled.get(ids[1]!)!.staff).toBe(MISSING_CODES.not_shown.label);
      expect(labelled.get(ids[0]!)!.sector).toBe('Voluntary ("third") sector');
    });

    it('guards every formula-like text cell in both CSVs', () => {
      for (const file of [`${BASE}.csv`, `${BASE}-labelled.csv`]) {
        const rows = byId(csv(`all/${file}`));
        expect(rows.get(ids[0]!)!.coaching_detail, file).toBe('\'=HYPERLINK("http://example.com/x","click"), +more');
        expect(rows.get(ids[2]!)!.to, file).toBe("'@SUM(A1:A9)");
        expect(rows.get(ids[3]!)!.to, file).toBe("'-2+3");
      }
      const text = readFileSync(join(dir, 'all', `${BASE}.csv`), 'utf8');
      expect(text).not.toMatch(/(^|,)"?[=+@]/m);
    });

    it('gives the same bytes on a second run, in another process, time zone and locale', () => {
      const again = spawnSync(process.execPath, [join(root, 'bin/tapestry.js'), '--data-dir', join(dir, 'data'), 'export', 'export-syntax', '--wave', '2026', '--format', 'all', '--include-partial', '--out', 'again'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, ...env, TZ: 'Pacific/Chatham', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
      });
      expect(again.status, again.stderr).toBe(0);
      for (const file of ALL) expect(readFileSync(join(dir, 'again', file)).equals(readFileSync(join(dir, 'all', file))), file).toBe(true);
    });

    it('records each run as one exported row of the audit log, by the command line\'s user', async () => {
      const rows = await withDb((store) => store.db.selectFrom('audit_log').select(['actor', 'instrument_id', 'wave', 'summary', 'details']).where('action', '=', 'exported').orderBy('id').execute());
      const runs = 1 + Object.keys(FILES).length + 2;
      expect(rows.length).toBe(runs);
      const all = rows.find((r) => (r.details as { folder: string }).folder === 'all')!;
      expect(all).toMatchObject({ actor: 'command line (lea)', instrument_id: 'export-syntax', wave: '2026', summary: 'exported 3 submitted and 1 partial responses of wave 2026 of export-syntax as all' });
      expect(all.details).toMatchObject({ format: 'all', include_partial: true, submitted: 3, partial: 1, version: '2.1' });
      expect([...(all.details as { files: string[] }).files].sort()).toEqual(ALL);
    });

    it.skipIf(!hasPspp || !hasHaven)(`runs the .sps in PSPP on the exported CSV, and haven reads the .sav it saves${hasPspp && hasHaven ? '' : ' (skipped: apt-get install pspp r-cran-haven)'}`, () => {
      const folder = join(dir, 'all');
      const pspp = spawnSync('pspp', [`${BASE}.sps`], { cwd: folder, encoding: 'utf8' });
      expect(`${pspp.stdout}${pspp.stderr}`).not.toMatch(/error|warning/i);
      expect(pspp.status).toBe(0);
      const script = `
library(haven)
d <- read_sav(${JSON.stringify(join(folder, `${BASE}.sav`))}, user_na = TRUE)
cat(nrow(d), "\\n")
for (id in c(${ids.map((id) => JSON.stringify(id)).join(", ")})) {
  row <- d[trimws(d$response_id) == id, ]
  cat(id, as.numeric(row$staff), trimws(as.character(row$confidence)), as.numeric(row$band), "\\n")
}
cat(paste(attr(d$staff, "na_values"), collapse = ","), "\\n")
cat(attr(d$sector, "label"), "\\n")
`;
      const lines = execFileSync('Rscript', ['-e', script], { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim());
      expect(lines[0]).toBe('4');
      expect(lines[1]).toBe(`${ids[0]} 12 high 10`);
      expect(lines[2]).toBe(`${ids[1]} ${MISSING_CODES.not_shown.numeric} ${MISSING_CODES.not_answered.string} 8`);
      expect(lines[4]).toBe(`${ids[3]} ${MISSING_CODES.not_answered.numeric} ${MISSING_CODES.not_answered.string} ${MISSING_CODES.not_answered.numeric}`);
      expect(lines[5]).toBe(`${MISSING_CODES.not_shown.numeric},${MISSING_CODES.not_answered.numeric}`);
      expect(lines[6]).toBe('Which sector do you work in?');
    });

    it.skipIf(!hasR)(`sources the .R with Rscript into a labelled data frame${hasR ? '' : ' (skipped: Rscript is not installed)'}`, () => {
      const out = execFileSync('Rscript', ['-e', `source(${JSON.stringify(`${BASE}.R`)}); cat(nrow(responses), sum(is.na(responses$staff)), as.character(attr(responses$staff, "missing")[responses$response_id == ${JSON.stringify(ids[1])}]), sep = "|")`], { cwd: join(dir, 'all'), encoding: 'utf8' });
      // staff: answered by the first, hidden from the second, shown and unanswered for the other two.
      expect(out).toBe(`4|3|${MISSING_CODES.not_shown.label}`);
    });
  });
});
