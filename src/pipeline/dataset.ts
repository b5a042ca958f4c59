/**
 * Responses held column by column, in compact typed arrays: each choice column as option codes
 * (Int16, −1 for empty), each number column as Float64 (NaN for empty). A million responses of
 * the individual survey fit in a few tens of megabytes this way, where rows of strings would not.
 *
 * Built from a CSV in the instrument's column layout (streamed, checked cell by cell) or from
 * rows of answers read from the database.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import Papa from 'papaparse';
import { columnsOf, META_COLUMNS, type Column } from '../instrument/columns.ts';
import type { Instrument, Question } from '../instrument/schema.ts';
import { optionIds, questionsOf } from '../instrument/schema.ts';
import { unguardCell } from '../shared/csv.ts';
import type { Problem } from '../shared/yaml-source.ts';

export interface Dataset {
  n: number;
  /** Option codes of each categorical column: index into `levels`, −1 when empty. */
  codes: Map<string, Int16Array>;
  levels: Map<string, string[]>;
  numbers: Map<string, Float64Array>;
  /** Columns kept as text (free-text answers to be coded, and the response ids they belong to). */
  texts: Map<string, string[]>;
}

/** How a column's cells are read. */
type Reader =
  | { kind: 'code'; name: string; levels: string[]; index: Map<string, number> }
  | { kind: 'number'; name: string; min?: number | undefined; max?: number | undefined; integer: boolean }
  | { kind: 'skip'; name: string };

function readerFor(column: Column, question: Question | undefined): Reader {
  if (!question) return { kind: 'skip', name: column.name };
  switch (question.type) {
    case 'single':
    case 'scale':
    case 'matrix': {
      const levels = optionIds(question.options);
      return { kind: 'code', name: column.name, levels, index: new Map(levels.map((l, i) => [l, i])) };
    }
    case 'multiple':
      return { kind: 'code', name: column.name, levels: ['0', '1'], index: new Map([['0', 0], ['1', 1]]) };
    case 'number':
      return { kind: 'number', name: column.name, min: question.min, max: question.max, integer: question.integer };
    default:
      return { kind: 'skip', name: column.name };
  }
}

/**
 * Below this many levels a column's cells are matched by scanning its levels: comparing a fresh
 * string against a handful of short ones is cheaper than hashing it for a Map lookup, and this
 * step runs once per cell, tens of millions of times for a large file.
 */
const SCAN_LIMIT = 12;

const SKIP = 0;
const CODE = 1;
const EXTRA = 2;
const NUMBER = 3;
const TEXT = 4;

export interface ReadOptions {
  /** Extra numeric columns the design needs (weights, population sizes). */
  numeric: string[];
  /** Extra categorical columns the design needs (strata that are not questions). */
  categorical: string[];
  /** Columns to keep as text, such as free-text answers to code (`response_id` comes with them). */
  text?: string[];
  /** Stop collecting problems after this many (the count of the rest is still reported). */
  maxProblems?: number;
  /** Called every so many rows with the count so far: progress for long files. */
  onProgress?: (rows: number) => void;
  /** Files at least this large are read on two cores (default `PARALLEL_READ_BYTES`; Infinity: never). */
  parallelFromBytes?: number;
}

export const MAX_PROBLEMS = 20;

/** Where a problem is: the file (or "the database"), and the line or record of it. */
type Report = (line: number, message: string) => void;

/**
 * Takes a header and then rows of cells, checks each cell against its column, and builds the
 * dataset. Shared by the CSV reader and the database reader, so both accept exactly the same data.
 * Cells from a CSV (`fromCsv`) may carry the apostrophe tapestry's CSV writer puts before text a
 * spreadsheet could run; text and wave cells lose it, so `--wave` and free text read as written.
 * Option codes and numbers are never guarded, and the database's cells never were.
 */
export function datasetBuilder(instrument: Instrument, options: ReadOptions, report: Report, fromCsv = false) {
  const questions = new Map(questionsOf(instrument).map((q) => [q.id, q]));
  const layout = columnsOf(instrument);
  let readers: Reader[] | undefined;
  // Column-wise state in parallel arrays indexed by header position, so that the per-cell loop
  // below touches only monomorphic arrays (one shape of object would still be read per cell).
  let kinds = new Uint8Array(0);
  let levelLists: string[][] = [];
  let indexes: (Map<string, number> | undefined)[] = [];
  let codeStores: (Int16Array | undefined)[] = [];
  let numberStores: (Float64Array | undefined)[] = [];
  let textStores: (string[] | undefined)[] = [];
  const keptText = new Set(options.text && options.text.length > 0 ? ['response_id', ...options.text] : []);
  let capacity = 0;
  let rows = 0;

  const grow = () => {
    capacity = capacity === 0 ? 4096 : capacity * 2;
    codeStores = codeStores.map((store) => {
      if (!store) return undefined;
      const bigger = new Int16Array(capacity);
      bigger.set(store);
      return bigger;
    });
    numberStores = numberStores.map((store) => {
      if (!store) return undefined;
      const bigger = new Float64Array(capacity);
      bigger.set(store);
      return bigger;
    });
  };

  return {
    header(header: string[]) {
      const position = new Map(header.map((h, i) => [h, i]));
      const missing = layout.map((c) => c.name).filter((name) => !position.has(name));
      const missingExtra = [...options.numeric, ...options.categorical].filter((name) => !position.has(name));
      if (missing.length > 0) report(1, `the header lacks ${missing.length} of ${instrument.id}'s columns: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''} (tapestry survey columns prints the layout)`);
      if (missingExtra.length > 0) report(1, `the header lacks the column${missingExtra.length > 1 ? 's' : ''} ${missingExtra.join(', ')} that the pipeline's design names`);
      const duplicated = header.filter((h, i) => header.indexOf(h) !== i);
      if (duplicated.length > 0) report(1, `the header repeats ${[...new Set(duplicated)].join(', ')}`);
      readers = header.map((name): Reader => {
        if (options.numeric.includes(name)) return { kind: 'number', name, integer: false };
        // The wave is held like a stratum that is not a question: codes, with the levels met.
        if ((options.categorical.includes(name) && !questions.has(name)) || name === 'wave') return { kind: 'code', name, levels: [], index: new Map() };
        const column = layout.find((c) => c.name === name);
        if (!column || (META_COLUMNS as readonly string[]).includes(name)) return { kind: 'skip', name };
        return readerFor(column, questions.get(column.question!));
      });
      kinds = Uint8Array.from(readers, (r, c) =>
        keptText.has(header[c]!) ? TEXT : r.kind === 'skip' ? SKIP : r.kind === 'number' ? NUMBER : (options.categorical.includes(header[c]!) && !questions.has(header[c]!)) || header[c] === 'wave' ? EXTRA : CODE,
      );
      levelLists = readers.map((r) => (r.kind === 'code' ? r.levels : []));
      indexes = readers.map((r) => (r.kind === 'code' ? r.index : undefined));
      codeStores = readers.map((r) => (r.kind === 'code' ? new Int16Array(0) : undefined));
      numberStores = readers.map((r) => (r.kind === 'number' ? new Float64Array(0) : undefined));
      textStores = header.map((name) => (keptText.has(name) ? [] : undefined));
    },

    row(cells: string[], line: number) {
      if (!readers) return;
      if (cells.length !== readers.length) {
        rows++;
        report(line, `the row has ${cells.length} cells but the header has ${readers.length}`);
        return;
      }
      if (rows >= capacity) grow();
      const r = rows++;
      for (let c = 0; c < cells.length; c++) {
        const kind = kinds[c]!;
        if (kind === SKIP) continue;
        const cell = fromCsv && (kind === TEXT || kind === EXTRA) ? unguardCell(cells[c]!) : cells[c]!;
        if (kind === TEXT) {
          textStores[c]![r] = cell;
          continue;
        }
        if (kind === NUMBER) {
          numberStores[c]![r] = cell === '' ? NaN : this.number(cell, c, line);
          continue;
        }
        let code = -1;
        if (cell !== '') {
          const levels = levelLists[c]!;
          if (levels.length <= SCAN_LIMIT) {
            for (let l = 0; l < levels.length; l++) {
              if (levels[l] === cell) {
                code = l;
                break;
              }
            }
          } else code = indexes[c]!.get(cell) ?? -1;
          if (code === -1) {
            if (kind === EXTRA) {
              code = levels.length;
              levels.push(cell);
              indexes[c]!.set(cell, code);
            } else {
              report(line, `column ${readers[c]!.name} has '${cell.slice(0, 40)}', which is not one of its values (${levels.join(', ')})`);
            }
          }
        }
        codeStores[c]![r] = code;
      }
      if (options.onProgress && rows % 100_000 === 0) options.onProgress(rows);
    },

    /** A number cell, checked against its column; NaN (and a problem) when it is not valid. */
    number(cell: string, c: number, line: number): number {
      const reader = readers![c] as Extract<Reader, { kind: 'number' }>;
      const value = Number(cell);
      // Number() would accept surrounding blanks and empty-looking cells; the layout does not.
      if (!Number.isFinite(value) || cell.charCodeAt(0) <= 32 || cell.charCodeAt(cell.length - 1) <= 32) {
        report(line, `column ${reader.name} has '${cell.slice(0, 40)}', which is not a number`);
      } else if ((reader.min !== undefined && value < reader.min) || (reader.max !== undefined && value > reader.max)) {
        report(line, `column ${reader.name} has ${cell}, outside ${reader.min ?? '−∞'}–${reader.max ?? '∞'}`);
      } else if (reader.integer && !Number.isInteger(value)) report(line, `column ${reader.name} has ${cell}, which is not a whole number`);
      return value;
    },

    /** The dataset, or undefined if no header came. */
    finish(): Dataset | undefined {
      if (!readers) return undefined;
      const dataset: Dataset = { n: rows, codes: new Map(), levels: new Map(), numbers: new Map(), texts: new Map() };
      readers.forEach((reader, c) => {
        if (textStores[c]) dataset.texts.set(reader.name, textStores[c]!.slice(0, rows));
        if (reader.kind === 'code') {
          dataset.codes.set(reader.name, codeStores[c]!.subarray(0, rows));
          dataset.levels.set(reader.name, reader.levels);
        } else if (reader.kind === 'number') {
          dataset.numbers.set(reader.name, numberStores[c]!.subarray(0, rows));
        }
      });
      return dataset;
    },
  };
}

export function collector(file: string, maxProblems: number) {
  const problems: Problem[] = [];
  let more = 0;
  let lastLine = 1;
  return {
    problems,
    report: (line: number, message: string) => {
      lastLine = line;
      if (problems.length < maxProblems) problems.push({ file, line, message });
      else more++;
    },
    /** How many problems went uncollected. */
    more: () => more,
    /** Counts problems collected elsewhere (another thread) that did not fit. */
    skipped(count: number, line: number) {
      more += count;
      if (count > 0) lastLine = line;
    },
    close() {
      if (more > 0) problems.push({ file, line: lastLine, message: `and ${more} more problems` });
      return problems;
    },
  };
}

/**
 * Streams the records of a CSV, or of the byte range [start, end) of one, to `onRecord` with
 * their record number within the range (1 for the first). Resolves once the range is read.
 */
export function parseCsvRange(
  file: string,
  range: { start?: number; end?: number },
  onRecord: (cells: string[], record: number) => void,
  onProblem: (record: number, message: string) => void,
): Promise<number> {
  let record = 0;
  return new Promise<number>((resolve, reject) => {
    const stream = createReadStream(file, { encoding: 'utf8', ...(range.start !== undefined ? { start: range.start } : {}), ...(range.end !== undefined ? { end: range.end - 1 } : {}) });
    stream.on('error', (error: NodeJS.ErrnoException) => {
      onProblem(1, error.code === 'ENOENT' ? 'there is no such file' : `cannot read the file: ${error.message}`);
      resolve(record);
    });
    Papa.parse<string[]>(stream as unknown as File, {
      header: false,
      skipEmptyLines: true,
      step: (result) => {
        record++;
        onRecord(result.data, record);
        for (const error of result.errors) onProblem(record, `the CSV is not valid here: ${error.message}`);
      },
      complete: () => resolve(record),
      error: (error: Error) => reject(error),
    });
  });
}

/** Files at least this large are read on two cores; below it a second thread costs more than it saves. */
export const PARALLEL_READ_BYTES = 32 * 1024 * 1024;

/**
 * Reads a CSV of responses. Every cell is checked against its column; problems name the file,
 * the line (the record's number, which is its line unless earlier cells held line breaks) and
 * the column. Any problem means no dataset. A large file is read in two halves at once (see
 * `read-parallel.ts`); the result is the same dataset, problem for problem.
 */
export async function readResponsesCsv(file: string, instrument: Instrument, options: ReadOptions): Promise<{ dataset?: Dataset; problems: Problem[] }> {
  const size = await stat(file).then((s) => s.size, () => 0);
  if (size > 0 && size >= (options.parallelFromBytes ?? PARALLEL_READ_BYTES)) {
    const { readResponsesCsvInParallel } = await import('./read-parallel.ts');
    const read = await readResponsesCsvInParallel(file, size, instrument, options);
    if (read) return read;
  }
  const problems = collector(file, options.maxProblems ?? MAX_PROBLEMS);
  const builder = datasetBuilder(instrument, options, problems.report, true);
  await parseCsvRange(
    file,
    {},
    (cells, record) => (record === 1 ? builder.header(cells) : builder.row(cells, record)),
    problems.report,
  );
  const dataset = builder.finish();
  if (!dataset && problems.problems.length === 0) problems.report(1, 'the file is empty; it needs at least a header line');
  const all = problems.close();
  return all.length > 0 || !dataset ? { problems: all } : { dataset, problems: [] };
}

/** Builds a dataset from rows already in the column layout (from the database). */
export function datasetFromRows(source: string, instrument: Instrument, header: string[], rows: Iterable<string[]>, options: ReadOptions): { dataset?: Dataset; problems: Problem[] } {
  const problems = collector(source, options.maxProblems ?? MAX_PROBLEMS);
  const builder = datasetBuilder(instrument, options, problems.report);
  builder.header(header);
  let record = 1;
  for (const row of rows) builder.row(row, ++record);
  const dataset = builder.finish();
  const all = problems.close();
  return all.length > 0 || !dataset ? { problems: all } : { dataset, problems: [] };
}

/** The rows where `keep` holds, in order: a dataset cut down to one wave, say. */
export function subsetRows(dataset: Dataset, keep: (row: number) => boolean): Dataset {
  const rows: number[] = [];
  for (let i = 0; i < dataset.n; i++) if (keep(i)) rows.push(i);
  const pick = <T extends Int16Array | Float64Array>(values: T, make: (n: number) => T): T => {
    const out = make(rows.length);
    rows.forEach((row, i) => (out[i] = values[row]!));
    return out;
  };
  return {
    n: rows.length,
    codes: new Map([...dataset.codes].map(([name, values]) => [name, pick(values, (n) => new Int16Array(n))])),
    levels: new Map(dataset.levels),
    numbers: new Map([...dataset.numbers].map(([name, values]) => [name, pick(values, (n) => new Float64Array(n))])),
    texts: new Map([...dataset.texts].map(([name, values]) => [name, rows.map((row) => values[row]!)])),
  };
}
