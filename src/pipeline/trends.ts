/**
 * Trends: each table's published cells against the same cells in the reports of earlier waves.
 * Only what both waves published is compared (a cell suppressed in either has no trend), and
 * only from the tables' own CSVs, so a trend uses exactly the figures each report printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { changeBetween } from '../analysis/trend.ts';
import type { TableResult, Trend } from '../report/model.ts';
import { unguardCell } from '../shared/csv.ts';
import type { Problem } from '../shared/yaml-source.ts';
import { portable, sourceFile, type SourceFile } from './provenance.ts';

interface EarlierCell {
  estimate: number;
  se: number;
}

/** The earlier waves' cells of every table, read from their reports' CSVs. */
export function readEarlierWaves(
  tables: readonly TableResult[],
  waves: readonly string[],
  reportsDir: string,
  cwd: string,
  where: (index: number) => Problem,
): { earlier: Map<string, Map<string, EarlierCell>>; files: SourceFile[]; problems: Problem[] } {
  const earlier = new Map<string, Map<string, EarlierCell>>();
  const files: SourceFile[] = [];
  const problems: Problem[] = [];
  waves.forEach((wave, index) => {
    const dir = resolve(cwd, reportsDir, wave);
    if (!existsSync(join(dir, 'manifest.json'))) {
      problems.push({ ...where(index), message: `trends: there is no report of wave ${wave} in ${portable(cwd, dir)}; run the pipeline for that wave first` });
      return;
    }
    for (const table of tables) {
      const file = join(dir, 'tables', `${table.id}.csv`);
      // A table new since that wave has no trend.
      if (!existsSync(file)) continue;
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
