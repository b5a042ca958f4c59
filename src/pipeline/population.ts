/**
 * Population counts a design is built on, given in the pipeline rather than in the responses:
 * `{ sector: { public: 52000, … } }` in the YAML, or a small CSV of one or more variable columns
 * and a `count` column (`sector,tier,count`), each row one cell of the population.
 *
 * The service collects answers, not weights; these counts give each stratum its population N_h
 * (and so its fpc and its weight N_h / n_h) and give raking its margins.
 */
import Papa from 'papaparse';
import type { Problem } from '../shared/yaml-source.ts';

/** One cross-classification of the population: a count for each combination of levels. */
export interface PopulationTable {
  variables: string[];
  /** Levels joined by KEY_SEPARATOR, in `variables` order → count. */
  cells: Map<string, number>;
  /** Where each cell was given, for problems about a level (a CSV line, or the YAML path). */
  lineOf?: Map<string, number>;
}

export interface Population {
  tables: PopulationTable[];
  /** The CSV the counts came from, when they came from one (relative to the project), and its hash. */
  file?: string;
  sha256?: string;
}

export const KEY_SEPARATOR = '\u0000';
export const COUNT_COLUMN = 'count';

/** The counts written in the pipeline: one table per variable. */
export function populationFromYaml(counts: Readonly<Record<string, Readonly<Record<string, number>>>>): Population {
  return {
    tables: Object.entries(counts).map(([variable, levels]) => ({ variables: [variable], cells: new Map(Object.entries(levels)) })),
  };
}

/** A population CSV, every problem at its line; nothing is returned when there is one. */
export function populationFromCsv(text: string, file: string): { population?: Population; problems: Problem[] } {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const rows = parsed.data;
  const header = (rows[0] ?? []).map((h) => h.trim());
  const at = (line: number, message: string): Problem => ({ file, line, message });
  if (header.length === 0) return { problems: [at(1, `the file is empty; a population file has a header such as \`sector,${COUNT_COLUMN}\` and one row per stratum`)] };
  const countAt = header.indexOf(COUNT_COLUMN);
  const variables = header.filter((h) => h !== COUNT_COLUMN);
  const problems: Problem[] = [];
  if (countAt < 0) problems.push(at(1, `the header has no \`${COUNT_COLUMN}\` column (it has ${header.join(', ')}); the population of each row goes there`));
  if (variables.length === 0) problems.push(at(1, `the header names no variable beside \`${COUNT_COLUMN}\`, such as \`sector\``));
  const repeated = header.find((h, i) => header.indexOf(h) !== i);
  if (repeated !== undefined) problems.push(at(1, `the header names \`${repeated}\` twice`));
  if (problems.length > 0) return { problems };

  const cells = new Map<string, number>();
  const lineOf = new Map<string, number>();
  // The parser drops blank lines, so the line of each row is counted from the text itself.
  const lines = lineNumbers(text);
  rows.slice(1).forEach((row, r) => {
    const line = lines[r + 1] ?? r + 2;
    if (row.length !== header.length) {
      problems.push(at(line, `this row has ${row.length} cells, but the header has ${header.length}`));
      return;
    }
    const levels = header.map((h, i) => ({ h, value: row[i]!.trim() })).filter(({ h }) => h !== COUNT_COLUMN);
    const empty = levels.find(({ value }) => value === '');
    if (empty) {
      problems.push(at(line, `\`${empty.h}\` is empty; every row names a level of each variable`));
      return;
    }
    const written = row[countAt]!.trim();
    const count = /^\d+(\.\d+)?$/.test(written) ? Number(written) : NaN;
    if (!(count > 0) || !Number.isFinite(count)) {
      problems.push(at(line, `the count '${written}' is not a positive number`));
      return;
    }
    const key = levels.map(({ value }) => value).join(KEY_SEPARATOR);
    const first = lineOf.get(key);
    if (first !== undefined) {
      problems.push(at(line, `${levels.map(({ h, value }) => `${h} ${value}`).join(', ')} is given twice (first on line ${first})`));
      return;
    }
    cells.set(key, count);
    lineOf.set(key, line);
  });
  if (problems.length === 0 && cells.size === 0) problems.push(at(1, 'the file has a header but no rows of counts'));
  if (problems.length > 0) return { problems };
  return { population: { tables: [{ variables, cells, lineOf }], file }, problems: [] };
}

/** The line (from 1) of each non-blank line of a CSV, in order; quoted line breaks stay in their row. */
function lineNumbers(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let quoted = false;
  let started = false;
  let blank = true;
  for (const ch of text) {
    if (!started) {
      started = true;
      blank = true;
      out.push(line);
    }
    if (ch === '"') quoted = !quoted;
    if (ch === '\n') {
      line++;
      if (!quoted) {
        if (blank) out.pop();
        started = false;
      }
    } else if (ch.trim() !== '') blank = false;
  }
  if (started && blank) out.pop();
  return out;
}

/**
 * The population counted by `variables` (in that order), summed over the other variables of the
 * first table that has them all; undefined when no table has them.
 */
export function marginOf(population: Population, variables: readonly string[]): Map<string, number> | undefined {
  const table = population.tables.find((t) => variables.every((v) => t.variables.includes(v)));
  if (!table) return undefined;
  const positions = variables.map((v) => table.variables.indexOf(v));
  const margin = new Map<string, number>();
  for (const [key, count] of table.cells) {
    const levels = key.split(KEY_SEPARATOR);
    const own = positions.map((p) => levels[p]!).join(KEY_SEPARATOR);
    margin.set(own, (margin.get(own) ?? 0) + count);
  }
  return margin;
}

/** `sector+tier` → [sector, tier]: a raking margin crossing several variables, as R's `~sector+tier`. */
export const marginVariables = (margin: string): string[] => margin.split('+').map((v) => v.trim());
