/**
 * Reading a large responses CSV on two cores: this thread parses the first half while a worker
 * parses the second, then the two column sets are joined. Parsing is most of a large run's time,
 * and a stratified design needs every row before any estimate, so the halves cannot overlap with
 * later stages; splitting the parse is what is left to gain.
 */
import { Worker } from 'node:worker_threads';
import Papa from 'papaparse';
import { open } from 'node:fs/promises';
import type { Instrument } from '../instrument/schema.ts';
import type { Problem } from '../shared/yaml-source.ts';
import { splitPoint } from './csv-split.ts';
import { collector, datasetBuilder, MAX_PROBLEMS, parseCsvRange, type Dataset, type ReadOptions } from './dataset.ts';
import type { ReadPartRequest, ReadPartResult } from './read-worker.ts';

/** The header record, read on its own so that the worker can start before the first half is done. */
async function readHeader(file: string): Promise<string[] | undefined> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const parsed = Papa.parse<string[]>(buffer.toString('utf8', 0, bytesRead), { preview: 1 });
    return parsed.data[0];
  } finally {
    await handle.close();
  }
}

function startWorker(request: ReadPartRequest, onProgress: (rows: number) => void): Promise<ReadPartResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./read-worker.boot.js', import.meta.url), { workerData: request });
    worker.on('message', (message: { progress?: number; result?: ReadPartResult }) => {
      if (message.progress !== undefined) onProgress(message.progress);
      if (message.result) {
        resolve(message.result);
        void worker.terminate();
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the reading thread stopped with code ${code}`));
    });
  });
}

/** Joins the second half's columns onto the first's; levels met first in the second half are appended. */
function join(first: Dataset, second: ReadPartResult): Dataset {
  const n = first.n + second.n;
  const joined: Dataset = { n, codes: new Map(), levels: new Map(), numbers: new Map(), texts: new Map() };
  for (const [name, texts] of second.texts) joined.texts.set(name, first.texts.get(name)!.concat(texts));
  for (const [name, codes, levels] of second.codes) {
    const head = first.codes.get(name)!;
    const ownLevels = [...first.levels.get(name)!];
    const out = new Int16Array(n);
    out.set(head);
    const same = levels.length === ownLevels.length && levels.every((l, i) => l === ownLevels[i]);
    if (same) out.set(codes, first.n);
    else {
      // Only columns whose levels come from the data (strata that are not questions) can differ.
      const map = levels.map((level) => {
        let at = ownLevels.indexOf(level);
        if (at === -1) at = ownLevels.push(level) - 1;
        return at;
      });
      for (let i = 0; i < codes.length; i++) out[first.n + i] = codes[i]! === -1 ? -1 : map[codes[i]!]!;
    }
    joined.codes.set(name, out);
    joined.levels.set(name, ownLevels);
  }
  for (const [name, numbers] of second.numbers) {
    const out = new Float64Array(n);
    out.set(first.numbers.get(name)!);
    out.set(numbers, first.n);
    joined.numbers.set(name, out);
  }
  return joined;
}

/** The same result as the one-thread read, or undefined when the file cannot be cut in two. */
export async function readResponsesCsvInParallel(
  file: string,
  size: number,
  instrument: Instrument,
  options: ReadOptions,
): Promise<{ dataset?: Dataset; problems: Problem[] } | undefined> {
  const [header, split] = await Promise.all([readHeader(file), splitPoint(file, size)]);
  if (!header || split === undefined) return undefined;
  const maxProblems = options.maxProblems ?? MAX_PROBLEMS;
  let ownRows = 0;
  let otherRows = 0;
  let reported = 0;
  const progress = () => {
    const rows = ownRows + otherRows;
    if (options.onProgress && rows - reported >= 100_000) {
      reported = rows - (rows % 100_000);
      options.onProgress(reported);
    }
  };
  const second = startWorker(
    { file, start: split, end: size, header, instrument, numeric: options.numeric, categorical: options.categorical, text: options.text ?? [], maxProblems },
    (rows) => {
      otherRows = rows;
      progress();
    },
  );
  // Keep the worker's failure from going unhandled while this thread is still parsing.
  second.catch(() => undefined);

  const problems = collector(file, maxProblems);
  const builder = datasetBuilder(instrument, { ...options, onProgress: undefined }, problems.report, true);
  const records = await parseCsvRange(
    file,
    { end: split },
    (cells, record) => {
      if (record === 1) builder.header(cells);
      else {
        builder.row(cells, record);
        ownRows = record - 1;
        if (ownRows % 10_000 === 0) progress();
      }
    },
    problems.report,
  );
  const rest = await second;
  for (const problem of rest.problems) problems.report(records + problem.line, problem.message);
  problems.skipped(rest.more, records + rest.n);
  const first = builder.finish();
  const all = problems.close();
  if (all.length > 0 || !first) return { problems: all };
  return { dataset: join(first, rest), problems: [] };
}
