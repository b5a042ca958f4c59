/** `tapestry survey …`: checking instrument files, comparing two versions, and printing their column layout. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { columnsOf, type Column } from '../instrument/columns.ts';
import { describeChange, diffInstruments, type InstrumentDiff } from '../instrument/diff.ts';
import { checkInstrumentFile, type LoadedInstrument } from '../instrument/load.ts';
import { questionsOf } from '../instrument/schema.ts';
import { csvText } from '../shared/csv.ts';
import { formatProblem, type Problem } from '../shared/yaml-source.ts';
import { UserError, type Io } from './io.ts';
import { textTable } from './text-table.ts';

/** Files as given, with directories expanded to the instrument files in them, in name order. */
export function instrumentFiles(io: Io, args: string[]): string[] {
  return args.flatMap((arg) => {
    const full = resolve(io.cwd, arg);
    let isDir = false;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      // Reported by the loader as a missing file, with its name.
    }
    if (!isDir) return [arg];
    return readdirSync(full)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(arg, f));
  });
}

/** Paths as the user wrote them (relative to where they stand) make messages they can click. */
function display(io: Io, file: string): string {
  const rel = relative(io.cwd, resolve(io.cwd, file));
  return rel.startsWith('..') ? resolve(io.cwd, file) : rel;
}

/** Loads instruments for a command that needs all of them valid; otherwise fails listing every problem. */
export async function loadInstruments(io: Io, args: string[]): Promise<LoadedInstrument[]> {
  const loaded: LoadedInstrument[] = [];
  const problems: Problem[] = [];
  for (const file of instrumentFiles(io, args)) {
    const result = await checkInstrumentFile(resolve(io.cwd, file));
    if (result.loaded) loaded.push(result.loaded);
    problems.push(...result.problems.map((p) => ({ ...p, file: display(io, file) })));
  }
  if (problems.length > 0) throw new UserError(problems.map(formatProblem).join('\n'));
  return loaded;
}

async function check(io: Io, args: string[]): Promise<number> {
  const files = instrumentFiles(io, args);
  const problems: Problem[] = [];
  for (const file of files) {
    const result = await checkInstrumentFile(resolve(io.cwd, file));
    const shown = display(io, file);
    problems.push(...result.problems.map((p) => ({ ...p, file: shown })));
    if (result.loaded) {
      const { instrument } = result.loaded;
      io.out(`${shown}: ok — ${instrument.id} ${instrument.version}, ${instrument.pages.length} pages, ${questionsOf(instrument).length} questions\n`);
    }
  }
  for (const problem of problems) io.out(`${formatProblem(problem)}\n`);
  if (problems.length > 0) {
    const fileCount = new Set(problems.map((p) => p.file)).size;
    io.err(`${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} in ${fileCount} ${fileCount === 1 ? 'file' : 'files'}\n`);
    return 1;
  }
  return 0;
}

function table(columns: Column[]): string {
  const rows = [['column', 'type', 'values', 'label'], ...columns.map((c) => [c.name, c.type, c.values, c.label])];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd() + '\n').join('');
}

export function formatColumns(columns: Column[], format: 'table' | 'csv' | 'header'): string {
  if (format === 'header') return csvText(columns.map((c) => c.name), []);
  if (format === 'csv') {
    const rows = columns.map((c) => [c.name, c.question, c.type, c.option, c.row, c.values, c.label]);
    return csvText(['column', 'question', 'type', 'option', 'row', 'values', 'label'], rows);
  }
  return table(columns);
}

/** The comparison as lines to read: changed questions first, in the new version's order. */
export function diffText(diff: InstrumentDiff): string {
  const changed = diff.questions.filter((q) => q.changes.length > 0);
  const rows = changed.map((q) => [q.id, q.comparable ? 'comparable' : 'NOT comparable', q.changes.map(describeChange).join('; ')]);
  const unchanged = diff.questions.length - changed.length;
  const head = `${diff.from.id} ${diff.from.version} → ${diff.to.version}: ${changed.length} ${changed.length === 1 ? 'question' : 'questions'} changed, ${unchanged} unchanged\n`;
  return rows.length === 0 ? head : `${head}\n${textTable([['question', 'trend', 'changes'], ...rows], 3)}`;
}

export function surveyCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  const survey = program.command('survey').description('check instruments and show their data layout');
  survey
    .command('check')
    .description('check instrument files (or directories of them) and report every problem with its file and line')
    .argument('<files...>', 'instrument YAML files or directories')
    .action(async (files: string[]) => setExit(await check(io, files)));
  survey
    .command('diff')
    .description('what changed between two versions of an instrument, question by question, and which questions stay comparable')
    .argument('<old>', 'the earlier version’s YAML file')
    .argument('<new>', 'the later version’s YAML file')
    .option('--json', 'print the comparison as JSON')
    .action(async (oldFile: string, newFile: string, opts: { json?: boolean }) => {
      const [before, after] = await loadInstruments(io, [oldFile, newFile]);
      if (before!.instrument.id !== after!.instrument.id) {
        throw new UserError(`${newFile} is instrument ${after!.instrument.id}, not ${before!.instrument.id}: compare two versions of one instrument`);
      }
      const diff = diffInstruments(before!.instrument, after!.instrument);
      io.out(opts.json ? `${JSON.stringify(diff, null, 2)}\n` : diffText(diff));
    });
  survey
    .command('columns')
    .description('print the column layout that response CSVs of this instrument use')
    .argument('<file>', 'an instrument YAML file')
    .addOption(new Option('--format <format>', 'table, csv (a data dictionary) or header (the CSV header line)').choices(['table', 'csv', 'header']).default('table'))
    .action(async (file: string, opts: { format: 'table' | 'csv' | 'header' }) => {
      const loaded = await loadInstruments(io, [file]);
      io.out(formatColumns(columnsOf(loaded[0]!.instrument), opts.format));
    });
}
