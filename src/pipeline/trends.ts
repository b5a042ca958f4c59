/**
 * Trends: each table's published cells against the same cells in the reports of earlier waves.
 * Only what both waves published is compared (a cell suppressed in either has no trend), and
 * only from the tables' own CSVs, so a trend uses exactly the figures each report printed. A table
 * is compared only where the questions it uses are comparable between the instrument version
 * each earlier wave was read with (kept with its report) and the one read now.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { changeBetween } from '../analysis/trend.ts';
import { diffInstruments, type InstrumentDiff } from '../instrument/diff.ts';
import type { LoadedInstrument } from '../instrument/load.ts';
import type { TableResult, Trend } from '../report/model.ts';
import { unguardCell } from '../shared/csv.ts';
import type { Problem } from '../shared/yaml-source.ts';
import { incomparable, type Versions } from './comparable.ts';
import { earlierInstrument, readEarlierManifest } from './earlier-instrument.ts';
import { portable, sourceFile, type SourceFile } from './provenance.ts';

interface EarlierCell {
  estimate: number;
  se: number;
}

export interface EarlierWaves {
  /** The wave being reported. */
  wave: string;
  waves: readonly string[];
  reportsDir: string;
  cwd: string;
  /** The instrument each input is read with now. */
  instruments: Record<string, LoadedInstrument>;
  /** Tables published without a trend (`trends: false`). */
  without: ReadonlySet<string>;
  /** Where to report a problem with the earlier wave at `index`, or with a table. */
  atWave: (index: number) => Problem;
  atTable: (id: string) => Problem;
}

/**
 * The earlier waves' cells of every table, read from their reports' CSVs, once every question
 * each table uses is known to be comparable between the instrument version that wave was read
 * with and today's. A table whose questions are not is refused, not given a misleading trend.
 */
export function readEarlierWaves(
  tables: readonly TableResult[],
  { wave: now, waves, reportsDir, cwd, instruments, without, atWave, atTable }: EarlierWaves,
): { earlier: Map<string, Map<string, EarlierCell>>; files: SourceFile[]; problems: Problem[] } {
  const earlier = new Map<string, Map<string, EarlierCell>>();
  const files: SourceFile[] = [];
  const problems: Problem[] = [];
  waves.forEach((wave, index) => {
    const dir = resolve(cwd, reportsDir, wave);
    const manifestFile = join(dir, 'manifest.json');
    if (!existsSync(manifestFile)) {
      problems.push({ ...atWave(index), message: `trends: there is no report of wave ${wave} in ${portable(cwd, dir)}; run the pipeline for that wave first` });
      return;
    }
    const read = readEarlierManifest(manifestFile, portable(cwd, manifestFile));
    if ('problem' in read) {
      problems.push({ ...atWave(index), message: `trends: ${read.problem}; run the pipeline for wave ${wave} again` });
      return;
    }
    // Each input's earlier instrument and its diff with today's, worked out once for all its tables.
    const versions = new Map<string, { versions: Versions; diff: InstrumentDiff } | undefined>();
    const versionsOf = (input: string) => {
      if (versions.has(input)) return versions.get(input);
      const current = instruments[input]!;
      const found = earlierInstrument(read.manifest, dir, wave, input, current, cwd);
      let result: { versions: Versions; diff: InstrumentDiff } | undefined;
      if ('problem' in found) problems.push({ ...atWave(index), message: `trends: ${found.problem}` });
      else {
        if (found.file) files.push(found.file);
        result = { versions: { earlier: { wave, instrument: found.instrument }, now: { wave: now, instrument: current.instrument } }, diff: diffInstruments(found.instrument, current.instrument) };
      }
      versions.set(input, result);
      return result;
    };
    for (const table of tables) {
      if (without.has(table.id)) continue;
      const file = join(dir, 'tables', `${table.id}.csv`);
      // A table new since that wave has no trend.
      if (!existsSync(file)) continue;
      const compared = versionsOf(table.input);
      if (!compared) continue;
      const refused = incomparable(table, compared.versions, compared.diff);
      if (refused.length > 0) {
        problems.push(...refused.map((message) => ({ ...atTable(table.id), message })));
        continue;
      }
      const text = readFileSync(file, 'utf8');
      files.push(sourceFile(cwd, file, text));
      const rows = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
      const cells = new Map<string, EarlierCell>();
      for (const row of rows) {
        if (row.suppressed !== '' || !row.estimate || !row.se) continue;
        // Labels as the table had them: the CSV writer may have guarded one with an apostrophe.
        cells.set(`${unguardCell(row.domain ?? '')}\u0000${unguardCell(row.category ?? '')}`, { estimate: Number(row.estimate), se: Number(row.se) });
      }
      earlier.set(`${wave}\u0000${table.id}`, cells);
    }
  });
  return { earlier, files, problems };
}

/** Each table's changes since each earlier wave, for the cells both waves published. */
export function withTrends(tables: readonly TableResult[], waves: readonly string[], earlier: Map<string, Map<string, EarlierCell>>): TableResult[] {
  return tables.map((table) => {
    const trends: Trend[] = [];
    for (const wave of waves) {
      const cells = earlier.get(`${wave}\u0000${table.id}`);
      if (!cells) continue;
      for (const cell of table.cells) {
        const then = cells.get(`${cell.domain}\u0000${cell.category}`);
        if (!then || cell.suppressed !== '' || cell.estimate === null || cell.se === null) continue;
        // The figures as published (six decimals), so the change is the difference a reader sees.
        const now = { estimate: Number(cell.estimate.toFixed(6)), se: Number(cell.se.toFixed(6)) };
        const change = changeBetween(then, now);
        trends.push({ table: table.id, domain: cell.domain, category: cell.category, wave, then: then.estimate, now: now.estimate, change: change.change, se: change.se, ci_low: change.low, ci_high: change.high, p_value: change.pValue });
      }
    }
    return trends.length > 0 ? { ...table, trends } : table;
  });
}
