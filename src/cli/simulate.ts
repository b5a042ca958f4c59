/** `tapestry simulate`: synthetic responses to an instrument as CSV, for trying pipelines and reports. */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, statSync, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { InstrumentError, loadInstrumentFile } from '../instrument/load.ts';
import { formatProblem } from '../shared/yaml-source.ts';
import { MAX_SEED, seededRandom, simulateCsv } from '../pipeline/simulate.ts';
import { UserError, type Io } from './io.ts';

interface SimulateOptions {
  n?: string;
  seed?: string;
  wave?: string;
  out?: string;
}

export const MAX_RESPONSES = 5_000_000;

/** A whole number written in plain digits, from `min` to `max`; else a UserError naming the option. */
function wholeNumber(option: string, value: string | undefined, min: number, max: number, what: string): number {
  if (value === undefined) throw new UserError(`${option} is required: ${what}`);
  const number = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UserError(`${option} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return number;
}

/** Paths as the user wrote them (relative to where they stand), as `survey` reports them. */
function display(io: Io, file: string): string {
  const rel = relative(io.cwd, resolve(io.cwd, file));
  return rel.startsWith('..') ? resolve(io.cwd, file) : rel;
}

async function loadInstrument(io: Io, file: string) {
  try {
    return (await loadInstrumentFile(resolve(io.cwd, file))).instrument;
  } catch (error) {
    if (error instanceof InstrumentError) throw new UserError(error.problems.map((p) => formatProblem({ ...p, file: display(io, file) })).join('\n'));
    throw error;
  }
}

/** Checks that `--out` can be written before any work is done: its directory exists and it is not one. */
function checkOut(io: Io, out: string): string {
  const target = resolve(io.cwd, out);
  const dir = dirname(target);
  // Like the report writer, make the directory the file goes in; refuse only if something else is there.
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    // Reported below.
  }
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDir) throw new UserError(`cannot write ${out}: ${display(io, dir)} is not a directory`);
  try {
    if (statSync(target).isDirectory()) throw new UserError(`cannot write ${out}: it is a directory`);
  } catch (error) {
    if (error instanceof UserError) throw error;
  }
  return target;
}

/**
 * In the real command `io.out` writes to process.stdout, which buffers without limit when a pipe
 * is slower than we are: wait for it to drain, so a million rows never pile up in memory.
 */
async function stdoutDrained(): Promise<void> {
  if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
  else await new Promise((resolve) => setImmediate(resolve));
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/** Writes the chunks to a temporary file beside `target` and renames it into place, so a reader never sees half a file. */
async function writeFileAtomically(target: string, shown: string, chunks: Iterable<string>): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  const stream = createWriteStream(temp, { flags: 'w' });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => undefined);
  try {
    await Promise.race([
      (async () => {
        for (const chunk of chunks) await write(stream, chunk);
        stream.end();
        await once(stream, 'finish');
      })(),
      failed,
    ]);
    await rename(temp, target);
  } catch (error) {
    stream.destroy();
    await unlink(temp).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error; // not the file system's doing: an internal error
    throw new UserError(`cannot write ${shown}: ${code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : (error as Error).message}`);
  }
}

export function simulateCommand(program: Command, io: Io): void {
  program
    .command('simulate')
    .description("write synthetic responses to an instrument as CSV in its column layout, plus weight and population columns")
    .argument('<instrument>', 'an instrument YAML file, e.g. surveys/leadership-individual.yaml')
    .option('--n <count>', `how many responses (1 to ${MAX_RESPONSES})`)
    .option('--seed <seed>', `the random seed (a whole number 0 to ${MAX_SEED}); the same seed gives the same file`)
    .option('--wave <name>', 'the wave column; a year in it (e.g. 2011) dates the responses', 'sim')
    .option('--out <file>', 'write to this file (replaced whole when done) instead of standard output')
    .action(async (file: string, opts: SimulateOptions) => {
      const n = wholeNumber('--n', opts.n, 1, MAX_RESPONSES, 'how many responses to simulate');
      const seed = wholeNumber('--seed', opts.seed, 0, MAX_SEED, 'a whole number, so that the output can be made again');
      const wave = opts.wave ?? 'sim';
      if (wave.trim() === '' || /[\u0000-\u001f\u007f]/.test(wave)) throw new UserError('--wave must be a name without control characters, such as 2010 or sim');
      const target = opts.out === undefined ? undefined : checkOut(io, opts.out);
      const instrument = await loadInstrument(io, file);

      // Progress only for a person watching: never into a pipe or a log.
      const tty = process.stderr.isTTY === true;
      const onProgress = tty
        ? (done: number, total: number) => io.err(`\rsimulating ${instrument.id}: ${Math.floor((100 * done) / total)}%`)
        : undefined;
      const chunks = simulateCsv(instrument, { n, wave, ...(onProgress ? { onProgress } : {}) }, seededRandom(seed));
      if (target === undefined) {
        for (const chunk of chunks) {
          io.out(chunk);
          await stdoutDrained();
        }
      } else {
        await writeFileAtomically(target, opts.out!, chunks);
      }
      if (tty) io.err(`\r${n} responses to ${instrument.id} ${instrument.version} simulated${opts.out ? ` into ${opts.out}` : ''}\n`);
    });
}
