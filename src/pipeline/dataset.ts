/**
 * Responses held column by column, in compact typed arrays: each choice column as option codes
 * (Int16, −1 for empty), each number column as Float64 (NaN for empty). A million responses of
 * the individual survey fit in a few tens of megabytes this way, where rows of strings would not.
 *
 * Built from a CSV in the instrument's column layout (streamed, checked cell by cell) or from
 * rows of answers read from the database.
 */
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import { columnsOf, META_COLUMNS, type Column } from '../instrument/columns.ts';
import type { Instrument, Question } from '../instrument/schema.ts';
import { questionsOf } from '../instrument/schema.ts';
import type { Problem } from '../shared/yaml-source.ts';

export interface Dataset {
  n: number;
  /** Option codes of each categorical column: index into `levels`, −1 when empty. */
  codes: Map<string, Int16Array>;
  levels: Map<string, string[]>;
  numbers: Map<string, Float64Array>;
  /** The wave of each response, when the data holds several. */
  waves: string[];
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
      const levels = Object.keys(question.options);
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

/** Growable typed arrays, so rows can be streamed without knowing how many there are. */
class Growable<T extends Int16Array | Float64Array> {
  private data: T;
  length = 0;
  constructor(private readonly make: (size: number) => T) {
    this.data = make(1024);
  }
  push(value: number) {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  done(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export interface ReadOptions {
  /** Extra numeric columns the design needs (weights, population sizes). */
  numeric: string[];
  /** Extra categorical columns the design needs (strata that are not questions). */
  categorical: string[];
  /** Stop collecting problems after this many (the count of the rest is still reported). */
  maxProblems?: number;
  /** Called every so many rows with the count so far: progress for long files. */
  onProgress?: (rows: number) => void;
}

const MAX_PROBLEMS = 20;

/** Where a problem is: the file (or "the database"), and the line or record of it. */
type Report = (line: number, message: string) => void;

/**
 * Takes a header and then rows of cells, checks each cell against its column, and builds the
 * dataset. Shared by the CSV reader and the database reader, so both accept exactly the same data.
 */
export function datasetBuilder(instrument: Instrument, options: ReadOptions, report: Report) {
  const questions = new Map(questionsOf(instrument).map((q) => [q.id, q]));
  const layout = columnsOf(instrument);
  let readers: (Reader & { store?: Growable<Int16Array> | Growable<Float64Array> })[] | undefined;
  let waveColumn = -1;
  const waves: string[] = [];
  const extraLevels = new Map<string, Map<string, number>>();
  let rows = 0;

  return {
    header(header: string[]) {
      const position = new Map(header.map((h, i) => [h, i]));
      const missing = layout.map((c) => c.name).filter((name) => !position.has(name));
      const missingExtra = [...options.numeric, ...options.categorical].filter((name) => !position.has(name));
      if (missing.length > 0) report(1, `the header lacks ${missing.length} of ${instrument.id}'s columns: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''} (tapestry survey columns prints the layout)`);
      if (missingExtra.length > 0) report(1, `the header lacks the column${missingExtra.length > 1 ? 's' : ''} ${missingExtra.join(', ')} that the pipeline's design names`);
      const duplicated = header.filter((h, i) => header.indexOf(h) !== i);
      if (duplicated.length > 0) report(1, `the header repeats ${[...new Set(duplicated)].join(', ')}`);
      waveColumn = position.get('wave') ?? -1;
      readers = header.map((name) => {
        if (options.numeric.includes(name)) return { kind: 'number', name, integer: false, store: new Growable((s) => new Float64Array(s)) } as const;
        if (options.categorical.includes(name) && !questions.has(name)) {
          const index = new Map<string, number>();
          extraLevels.set(name, index);
          return { kind: 'code', name, levels: [], index, store: new Growable((s) => new Int16Array(s)) } as const;
        }
        const column = layout.find((c) => c.name === name);
        if (!column || (META_COLUMNS as readonly string[]).includes(name)) return { kind: 'skip', name } as const;
        const reader = readerFor(column, questions.get(column.question!));
        if (reader.kind === 'skip') return reader;
        return { ...reader, store: reader.kind === 'code' ? new Growable((s) => new Int16Array(s)) : new Growable((s) => new Float64Array(s)) };
      });
    },

    row(cells: string[], line: number) {
      if (!readers) return;
      rows++;
      if (cells.length !== readers.length) {
        report(line, `the row has ${cells.length} cells but the header has ${readers.length}`);
        return;
      }
      for (let c = 0; c < readers.length; c++) {
        const reader = readers[c]!;
        const cell = cells[c]!;
        if (reader.kind === 'skip') continue;
        if (reader.kind === 'code') {
          let code = -1;
          if (cell !== '') {
            const known = reader.index.get(cell);
            if (known !== undefined) code = known;
            else if (extraLevels.get(reader.name) === reader.index) {
              code = reader.levels.length;
              reader.levels.push(cell);
              reader.index.set(cell, code);
            } else {
              report(line, `column ${reader.name} has '${cell.slice(0, 40)}', which is not one of its values (${reader.levels.join(', ')})`);
            }
          }
          (reader.store as Growable<Int16Array>).push(code);
        } else {
          let value = NaN;
          if (cell !== '') {
            value = Number(cell);
            if (!Number.isFinite(value) || cell.trim() !== cell) report(line, `column ${reader.name} has '${cell.slice(0, 40)}', which is not a number`);
            else if ((reader.min !== undefined && value < reader.min) || (reader.max !== undefined && value > reader.max)) {
              report(line, `column ${reader.name} has ${cell}, outside ${reader.min ?? '−∞'}–${reader.max ?? '∞'}`);
            } else if (reader.integer && !Number.isInteger(value)) report(line, `column ${reader.name} has ${cell}, which is not a whole number`);
          }
          (reader.store as Growable<Float64Array>).push(value);
        }
      }
      if (waveColumn >= 0) waves.push(cells[waveColumn]!);
      if (options.onProgress && rows % 100_000 === 0) options.onProgress(rows);
    },

    /** The dataset, or undefined if no header came. */
    finish(): Dataset | undefined {
      if (!readers) return undefined;
      const dataset: Dataset = { n: rows, codes: new Map(), levels: new Map(), numbers: new Map(), waves };
      for (const reader of readers) {
        if (reader.kind === 'code') {
          dataset.codes.set(reader.name, (reader.store as Growable<Int16Array>).done());
          dataset.levels.set(reader.name, reader.levels);
        } else if (reader.kind === 'number') {
          dataset.numbers.set(reader.name, (reader.store as Growable<Float64Array>).done());
        }
      }
      return dataset;
    },
  };
}

function collector(file: string, maxProblems: number) {
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
    close() {
      if (more > 0) problems.push({ file, line: lastLine, message: `and ${more} more problems` });
      return problems;
    },
  };
}

/**
 * Reads a CSV of responses. Every cell is checked against its column; problems name the file,
 * the line (the record's number, which is its line unless earlier cells held line breaks) and
 * the column. Any problem means no dataset.
 */
export async function readResponsesCsv(file: string, instrument: Instrument, options: ReadOptions): Promise<{ dataset?: Dataset; problems: Problem[] }> {
  const problems = collector(file, options.maxProblems ?? MAX_PROBLEMS);
  const builder = datasetBuilder(instrument, options, problems.report);
  let line = 0;
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file, { encoding: 'utf8' });
    stream.on('error', (error: NodeJS.ErrnoException) => {
      problems.report(1, error.code === 'ENOENT' ? 'there is no such file' : `cannot read the file: ${error.message}`);
      resolve();
    });
    Papa.parse<string[]>(stream as unknown as File, {
      header: false,
      skipEmptyLines: true,
      step: (result) => {
        line++;
        if (line === 1) builder.header(result.data);
        else builder.row(result.data, line);
        for (const error of result.errors) problems.report(line, `the CSV is not valid here: ${error.message}`);
      },
      complete: () => resolve(),
      error: (error: Error) => reject(error),
    });
  });
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
