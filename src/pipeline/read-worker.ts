/**
 * The second thread of a parallel read: parses the records of one byte range of a responses CSV
 * into column arrays, and sends them back without copying (their buffers are transferred).
 * Record numbers in its problems count from the range's first record; the caller shifts them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Instrument } from '../instrument/schema.ts';
import { collector, datasetBuilder, parseCsvRange } from './dataset.ts';

export interface ReadPartRequest {
  file: string;
  start: number;
  end: number;
  header: string[];
  instrument: Instrument;
  numeric: string[];
  categorical: string[];
  text: string[];
  maxProblems: number;
}

export interface ReadPartResult {
  n: number;
  codes: [string, Int16Array, string[]][];
  numbers: [string, Float64Array][];
  texts: [string, string[]][];
  problems: { line: number; message: string }[];
  more: number;
}

const request = workerData as ReadPartRequest;
const problems = collector(request.file, request.maxProblems);
let inHeader = true;
// The header's problems are the first thread's to report; here they would only be repeated.
const builder = datasetBuilder(
  request.instrument,
  { numeric: request.numeric, categorical: request.categorical, text: request.text },
  (line, message) => {
    if (!inHeader) problems.report(line, message);
  },
  true,
);
builder.header(request.header);
inHeader = false;
await parseCsvRange(
  request.file,
  { start: request.start, end: request.end },
  (cells, record) => {
    builder.row(cells, record);
    if (record % 100_000 === 0) parentPort!.postMessage({ progress: record });
  },
  problems.report,
);
const dataset = builder.finish()!;
const codes = [...dataset.codes].map(([name, values]): [string, Int16Array, string[]] => [name, values, dataset.levels.get(name)!]);
const numbers = [...dataset.numbers];
const result: ReadPartResult = { n: dataset.n, codes, numbers, texts: [...dataset.texts], problems: problems.problems, more: problems.more() };
parentPort!.postMessage({ result }, [...codes.map(([, v]) => v.buffer as ArrayBuffer), ...numbers.map(([, v]) => v.buffer as ArrayBuffer)]);
