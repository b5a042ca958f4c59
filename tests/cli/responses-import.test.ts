/**
 * `tapestry responses import`: a wave exported from one database and imported into another comes
 * out of the second byte for byte as it came out of the first; every kind of bad row is refused at
 * its line, and nothing is stored when any row is bad.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { openStore, type Store } from '../../src/store/open.ts';
import { EXPORT_ANSWERS, EXPORT_FIXTURE } from '../support/export-responses.ts';
import { captureIo } from '../support/io.ts';
import { backend, commandDatabase } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');
const EXPORTED = 'exports/export-syntax-2026/export-syntax-2026.csv';

/** A study's own folder and database, with the fixture published and wave 2026 open. */
async function study(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `tapestry-${prefix}-`));
  const database = await commandDatabase(prefix);
  const tapestry = async (...args: string[]) => {
    const io = captureIo({ cwd: dir, env: database.env, username: () => 'lea' });
    const code = await run(['--data-dir', join(dir, 'data'), ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const withDb = async <T,>(work: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore({ databaseUrl: database.env.DATABASE_URL || undefined, dataDir: join(dir, 'data') });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };
  const published = await tapestry('publish', join(root, EXPORT_FIXTURE), '--open-wave', '2026');
  expect(published.code, published.err).toBe(0);
  return {
    dir,
    tapestry,
    withDb,
    count: () => withDb(async (s) => (await s.db.selectFrom('responses').select('id').execute()).length),
    dispose: async () => {
      rmSync(dir, { recursive: true, force: true });
      await database.dispose();
    },
  };
}

describe(`tapestry responses import on ${backend}`, () => {
  let first: Awaited<ReturnType<typeof study>>;
  let second: Awaited<ReturnType<typeof study>>;
  let exported: string;

  beforeAll(async () => {
    first = await study('import_from');
    second = await study('import_into');
    // The submitted responses of the export fixture: every kind of cell, a hidden question's
    // answer stored (which the export writes as not shown), both missing codes.
    await first.withDb(async (store) => {
      const wave = await store.db.selectFrom('waves').select(['id', 'instrument_version_id']).where('name', '=', '2026').executeTakeFirstOrThrow();
      for (const [i, answers] of EXPORT_ANSWERS.slice(0, 3).entries()) {
        await store.db
          .insertInto('responses')
          .values({ wave_id: wave.id, instrument_version_id: wave.instrument_version_id, status: 'submitted', answers: JSON.stringify(answers), current_page: null, submitted_at: new Date(Date.UTC(2026, 8, 1 + i, 9, 5, 7, 250)) })
          .execute();
      }
    });
    const done = await first.tapestry('export', 'export-syntax', '--wave', '2026');
    expect(done.code, done.err).toBe(0);
    exported = readFileSync(join(first.dir, EXPORTED), 'utf8');
  });
  afterAll(async () => {
    await first?.dispose();
    await second?.dispose();
  });

  /** The exported file with one row's cells changed by column name, and more rows if given. */
  function edited(changes: Record<string, string>[], file: string): string {
    const [header, template] = Papa.parse<string[]>(exported, { skipEmptyLines: true }).data as string[][];
    const rows = changes.map((change) => header!.map((name, i) => (name in change ? change[name]! : template![i]!)));
    writeFileSync(join(second.dir, file), Papa.unparse([header!, ...rows], { newline: '\n' }) + '\n');
    return file;
  }

  it("imports another database's export as submitted responses with their source and the file's hash, and exports them again byte for byte", async () => {
    writeFileSync(join(second.dir, 'from-first.csv'), exported);
    const imported = await second.tapestry('responses', 'import', 'export-syntax', 'from-first.csv', '--wave', '2026', '--source', 'paper');
    expect(imported.code, imported.err).toBe(0);
    expect(imported.err).toBe('imported 3 responses into wave 2026 of export-syntax from paper\n');
    const again = await second.tapestry('export', 'export-syntax', '--wave', '2026');
    expect(again.code, again.err).toBe(0);
    expect(readFileSync(join(second.dir, EXPORTED), 'utf8')).toBe(exported);

    const hash = createHash('sha256').update(exported).digest('hex');
    const stored = await second.withDb((s) => s.db.selectFrom('responses').select(['status', 'complete', 'source', 'source_sha256']).execute());
    expect(stored).toEqual(Array(3).fill({ status: 'submitted', complete: true, source: 'paper', source_sha256: hash }));
    const status = await second.tapestry('status', 'export-syntax', '--wave', '2026', '--json');
    expect(JSON.parse(status.out).overall).toMatchObject({ started: 3, submitted: 3 });
    const audit = await second.tapestry('audit', '--json');
    const row = JSON.parse(audit.out).find((r: { action: string }) => r.action === 'responses-imported');
    expect(row).toMatchObject({ instrument_id: 'export-syntax', wave: '2026', summary: 'imported 3 responses into wave 2026 of export-syntax from paper' });
  });

  it('refuses every kind of bad row at its line, and stores nothing', async () => {
    const before = await second.count();
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const file = edited(
      [
        { response_id: id(1), sector: 'publc' },
        { response_id: id(2), staff: '-4' },
        { response_id: id(3), tier: 'front_line', staff: '12' },
        { response_id: id(4), sector: '' },
        { response_id: id(5) },
        { response_id: id(5) },
        { response_id: 'R-17', submitted_at: 'yesterday' },
        { response_id: id(6), 'support.manager': 'yes' },
        { response_id: id(7), tier: 'front_line', staff: '-99', to: '.skip' },
        { response_id: id(8), wave: '2010' },
      ],
      'bad.csv',
    );
    const { code, err } = await second.tapestry('responses', 'import', 'export-syntax', file, '--wave', '2026');
    expect(code).toBe(1);
    expect(err.split('\n').slice(0, 2)).toEqual(['tapestry: no responses were imported:', 'bad.csv:2: column `sector` has "publc", which is not one of its options (public, private, voluntary); did you mean `public`?']);
    expect(err).toContain('bad.csv:3: column `staff` has "-4": enter a whole number of 0 or more');
    expect(err).toContain("bad.csv:4: `staff` is answered, but its skip logic hides it for this response (show_if: tier != 'front_line')");
    expect(err).toContain('bad.csv:5: `sector` is required and shown to this response, but its column is empty');
    expect(err).toContain(`bad.csv:7: response_id ${id(5)} is on line 6 too; every response needs its own`);
    expect(err).toContain('bad.csv:8: response_id "R-17" is not a UUID');
    expect(err).toContain('bad.csv:8: submitted_at "yesterday" is not an ISO 8601 date or time');
    expect(err).toContain('bad.csv:9: column `support.manager` has "yes"; a multiple-choice column holds 1 (ticked), 0 (not ticked) or nothing (not answered)');
    expect(err).toContain('bad.csv:10: `to` is marked not shown (-99 or .skip), but its skip logic shows it to this response');
    expect(err).not.toContain('bad.csv:10: `staff`');
    expect(err).toContain('bad.csv:11: wave is "2010", but these responses go into wave 2026');
    expect(err).not.toContain('bad.csv:6:');
    expect(await second.count()).toBe(before);
  });

  it('refuses a response id the database holds already, naming where it is, and stores none of the file', async () => {
    const before = await second.count();
    const held = Papa.parse<Record<string, string>>(exported, { header: true, skipEmptyLines: true }).data[0]!.response_id!;
    const file = edited([{ response_id: '00000000-0000-4000-8000-000000000099' }, { response_id: held.toUpperCase() }], 'again.csv');
    const { code, err } = await second.tapestry('responses', 'import', 'export-syntax', file, '--wave', '2026', '--source', 'paper');
    expect(code).toBe(1);
    expect(err).toBe(`tapestry: no responses were imported:\nagain.csv:3: response ${held} is stored already, in wave 2026 of export-syntax (imported from paper)\n`);
    expect(await second.count()).toBe(before);
  });

  it('refuses a file whose header has a column the instrument does not define, or lacks the response id', async () => {
    writeFileSync(join(second.dir, 'header.csv'), 'response_id,submitted_at,sectr\n00000000-0000-4000-8000-000000000001,2026-09-01,public\n');
    const unknown = await second.tapestry('responses', 'import', 'export-syntax', 'header.csv', '--wave', '2026');
    expect(unknown.err).toBe('tapestry: no responses were imported:\nheader.csv:1: the header has a column `sectr` that export-syntax does not define; did you mean `sector`?\n');
    writeFileSync(join(second.dir, 'no-id.csv'), 'submitted_at,sector\n2026-09-01,public\n');
    const noId = await second.tapestry('responses', 'import', 'export-syntax', 'no-id.csv', '--wave', '2026');
    expect(noId.err).toBe('tapestry: no responses were imported:\nno-id.csv:1: the header lacks the column `response_id`, which every response needs\n');
    const missing = await second.tapestry('responses', 'import', 'export-syntax', 'nowhere.csv', '--wave', '2026');
    expect(missing.err).toBe('tapestry: nowhere.csv: cannot read the responses: there is no such file\n');
  });
});
