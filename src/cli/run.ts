/** `tapestry run` and `tapestry verify`: pipelines into reports, and reports checked against their inputs. */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { chromiumPath } from '../pipeline/pdf-step.ts';
import { PipelineError, runPipeline, type RunEffects, type RunResult } from '../pipeline/run.ts';
import { verifyReport } from '../pipeline/verify.ts';
import { appendAudit } from '../store/audit.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { openStore, storeOptionsFromEnv } from '../store/open.ts';
import { commandActor } from './actor.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';

/**
 * A progress bar on stderr while a run works, for a person watching a terminal; nothing at all
 * into a pipe or a log, where a run's output is its report, not its chatter.
 */
function progressBar(): Pick<RunEffects, 'log' | 'progress'> & { close(): void } {
  if (!process.stderr.isTTY) return { log: () => undefined, close: () => undefined };
  let bar: SingleBar | undefined;
  return {
    // The bar runs a timer: a run that fails must still stop it, or the process never exits.
    close: () => {
      bar?.stop();
      bar = undefined;
    },
    log: (line) => {
      if (!bar) process.stderr.write(`${line}\n`);
    },
    progress: (done, total, what) => {
      if (!bar) {
        bar = new SingleBar({ stream: process.stderr, format: '{bar} {value}/{total} steps | {what}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
        bar.start(total, done, { what });
      } else bar.update(done, { what });
      if (done >= total) {
        bar.stop();
        bar = undefined;
      }
    },
  };
}

function effectsFor(io: Io, program: Command): RunEffects & { close(): void } {
  const options = storeOptionsFromEnv(io.env);
  const dataDir = program.opts<{ dataDir?: string }>().dataDir ?? options.dataDir;
  return {
    ...progressBar(),
    openStore: () => openStore({ ...options, dataDir: dataDir === undefined ? undefined : resolve(io.cwd, dataDir) }),
  };
}

function parseInputs(values: string[]): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0 || eq === value.length - 1) throw new UserError(`--input takes NAME=FILE.csv, not ${value}`);
    inputs[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return inputs;
}

async function userErrors<T>(effects: { close(): void }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PipelineError) throw new UserError(error.message);
    throw error;
  } finally {
    effects.close();
  }
}

/** What the audit log needs of a report's manifest: which instruments were read from the database. */
interface ManifestInputs {
  pipeline: { id: string; file: string };
  run: { wave: string };
  inputs: Record<string, { instrument: { id: string; version: string }; responses: { source: string; rows: number } }>;
}

/**
 * A run that read responses from the database is recorded in the audit log, once per instrument
 * read: who made a report from the study's data matters as much as who changed it. A run from CSV
 * files touches no study data, and is not recorded.
 */
async function auditRun(io: Io, program: Command, result: RunResult): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(result.dir, 'manifest.json'), 'utf8')) as ManifestInputs;
  const fromDatabase = Object.entries(manifest.inputs).filter(([, input]) => input.responses.source === 'database');
  if (fromDatabase.length === 0) return;
  const report = relative(io.cwd, result.dir) || '.';
  await withStore(io, program.opts(), async (store) => {
    await migrateToLatest(store);
    await store.db.transaction().execute(async (trx) => {
      for (const instrumentId of [...new Set(fromDatabase.map(([, input]) => input.instrument.id))]) {
        const inputs = fromDatabase.filter(([, input]) => input.instrument.id === instrumentId);
        const rows = inputs.reduce((sum, [, input]) => sum + input.responses.rows, 0);
        await appendAudit(trx, {
          ...commandActor(io),
          at: io.now(),
          action: 'pipeline-run',
          instrumentId,
          wave: manifest.run.wave,
          summary: `ran pipeline ${manifest.pipeline.id} on ${rows} responses to wave ${manifest.run.wave} of ${instrumentId}, writing ${report}`,
          details: { pipeline: manifest.pipeline.id, file: manifest.pipeline.file, inputs: inputs.map(([name]) => name), rows, report },
        });
      }
    });
  });
}

export function runCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('run a pipeline and write its report (tables/*.csv, report.html, report.md, manifest.json; report.pdf with --pdf)')
    .argument('<pipeline>', 'a pipeline file, e.g. pipelines/leading-together.yaml')
    .option('--wave <wave>', "the wave to report on (default: the pipeline's wave)")
    .option('--input <NAME=FILE>', 'read input NAME from a CSV in the instrument’s column layout (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--out <dir>', 'where to write the report (default reports/<pipeline id>/<wave>)')
    .option('--pdf', 'also print report.html to report.pdf (A4), with Debian\'s chromium (or CHROMIUM_PATH)')
    .action(async (pipelineFile: string, opts: { wave?: string; input: string[]; out?: string; pdf?: boolean }) => {
      const effects = effectsFor(io, program);
      const pdf = opts.pdf ? chromiumPath(io.env) : undefined;
      const result = await userErrors(effects, () => runPipeline({ pipelineFile, wave: opts.wave, inputs: parseInputs(opts.input), outDir: opts.out, pdf, cwd: io.cwd }, effects));
      await auditRun(io, program, result);
      io.out(`${result.dir}\n`);
      // Everything else was written (and the run audited): the PDF alone is missing, and the exit status says so.
      if (result.pdfProblem) throw new UserError(result.pdfProblem);
    });
  program
    .command('verify')
    .description('re-hash a report’s inputs and outputs, rerun it, and say what changed')
    .argument('<report dir>', 'a directory written by tapestry run')
    .action(async (dir: string) => {
      const effects = effectsFor(io, program);
      const differences = await userErrors(effects, () => verifyReport(dir, io.cwd, effects));
      if (differences.length === 0) io.out(`${dir}: no differences; the report is what its inputs make\n`);
      for (const difference of differences) io.out(`${difference}\n`);
      setExit(differences.length === 0 ? 0 : 1);
    });
}
