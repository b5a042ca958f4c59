/**
 * `tapestry code …`: qualitative coding from the command line. `suggest` proposes codes for new
 * segments from coded examples and the codebook, `evaluate` measures by cross-validation how well
 * those suggestions agree with people, and `agree` measures how well people agree with each other.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { globSync } from 'tinyglobby';
import { agreementTable, type AgreementRow, type AgreementTable } from '../coding/agreement.ts';
import { checkCodebookText } from '../coding/check-codebook.ts';
import { trainCoder } from '../coding/classifier.ts';
import { allCodes, type Codebook } from '../coding/codebook.ts';
import { crossValidate, type Evaluation } from '../coding/cross-validate.ts';
import { codedTranscriptSegments } from '../coding/coded-transcripts.ts';
import { checkGroups, parseTranscript } from '../coding/transcript.ts';
import { checkCodesKnown, readHumanCodingCsv, readSegmentsCsv, readTrainingCsv, type CodedSegment, type TrainingColumns } from '../coding/csv-inputs.ts';
import { csvText } from '../shared/csv.ts';
import { formatProblem, type Problem } from '../shared/yaml-source.ts';
import { UserError, type Io } from './io.ts';
import { textTable } from './text-table.ts';

/** Suggestions per segment when `--limit` is not given: enough to choose from, few enough to read. */
export const DEFAULT_LIMIT = 3;
export const DEFAULT_FOLDS = 5;

/** Paths as the user wrote them (relative to where they stand), as `survey` reports them. */
function display(io: Io, file: string): string {
  const rel = relative(io.cwd, resolve(io.cwd, file));
  return rel.startsWith('..') ? resolve(io.cwd, file) : rel;
}

const fail = (problems: Problem[]): never => {
  throw new UserError(problems.map(formatProblem).join('\n'));
};

/** The file's text, or a UserError at its line 1 saying why it cannot be read. */
function readText(io: Io, file: string, what: string): string {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return fail([{ file: display(io, file), line: 1, message: `cannot read the ${what}: ${reason}` }]);
  }
}

function loadCodebook(io: Io, file: string): Codebook {
  const { codebook, problems } = checkCodebookText(readText(io, file, 'codebook'), display(io, file));
  return codebook ?? fail(problems);
}

function trainingColumns(opts: ColumnOptions): TrainingColumns {
  const columns = { id: opts.idColumn ?? 'segment_id', text: opts.textColumn ?? 'text', code: opts.codeColumn ?? 'code' };
  const option = { id: '--id-column', text: '--text-column', code: '--code-column' } as const;
  for (const role of ['id', 'text', 'code'] as const) {
    if (columns[role].trim() === '') throw new UserError(`${option[role]} needs a column name`);
  }
  for (const [a, b] of [['id', 'text'], ['id', 'code'], ['text', 'code']] as const) {
    if (columns[a] === columns[b]) throw new UserError(`${option[a]} and ${option[b]} both name the column \`${columns[a]}\`; each must be a column of its own`);
  }
  return columns;
}

/**
 * A study's own coded transcripts: the turns of the transcripts matching `glob` with the codes the
 * coding file (segment_id,coder,code) gives them.
 */
function loadCodedTranscripts(io: Io, file: string, glob: string, codebook: Codebook): CodedSegment[] {
  const matched = globSync(glob, { cwd: io.cwd, onlyFiles: true }).sort();
  if (matched.length === 0) throw new UserError(`--transcripts: no file matches ${glob}`);
  const problems: Problem[] = [];
  const transcripts = matched.flatMap((match) => {
    const parsed = parseTranscript(readText(io, match, 'transcript'), display(io, match));
    problems.push(...parsed.problems);
    return parsed.transcript ? [parsed.transcript] : [];
  });
  problems.push(...checkGroups(transcripts));
  const shown = display(io, file);
  const { coding, problems: codingProblems } = readHumanCodingCsv(readText(io, file, 'coding file'), shown);
  problems.push(...codingProblems);
  if (problems.length > 0 || !coding) return fail(problems);
  const unknown = checkCodesKnown(coding.codes, codebook, shown);
  if (unknown.length > 0) fail(unknown);
  const { segments, problems: joined } = codedTranscriptSegments(transcripts, coding, shown);
  return segments ?? fail(joined);
}

/** The coded examples of a training file, every code checked against the codebook. */
function loadTraining(io: Io, file: string, codebook: Codebook, opts: ColumnOptions): CodedSegment[] {
  if (opts.transcripts !== undefined) return loadCodedTranscripts(io, file, opts.transcripts, codebook);
  const columns = trainingColumns(opts);
  const shown = display(io, file);
  const { segments, problems } = readTrainingCsv(readText(io, file, 'training file'), shown, columns);
  if (!segments) return fail(problems);
  const unknown = checkCodesKnown(segments, codebook, shown);
  if (unknown.length > 0) fail(unknown);
  return segments;
}

/** A whole number written in plain digits, from `min` to `max` (or more, without one); else a UserError naming the option. */
function wholeNumber(option: string, value: string, min: number, max?: number, why = ''): number {
  const number = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(number) || number < min || (max !== undefined && number > max)) {
    const range = max === undefined ? `of ${min} or more` : `from ${min} to ${max}${why}`;
    throw new UserError(`${option} must be a whole number ${range}, not ${JSON.stringify(value)}`);
  }
  return number;
}

/** Checks that `--out` can be written before any work is done, making its directory if need be. */
async function checkOut(io: Io, out: string): Promise<string> {
  const target = resolve(io.cwd, out);
  const dir = dirname(target);
  await mkdir(dir, { recursive: true }).catch(() => undefined);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDir) throw new UserError(`cannot write ${out}: ${display(io, dir)} is not a directory`);
  let targetIsDir = false;
  try {
    targetIsDir = statSync(target).isDirectory();
  } catch {
    // Not there yet: it will be made.
  }
  if (targetIsDir) throw new UserError(`cannot write ${out}: it is a directory`);
  return target;
}

/** Writes beside the target and renames into place, so a reader never sees half a file. */
async function writeFileAtomically(target: string, shown: string, text: string): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new UserError(`cannot write ${shown}: ${code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : (error as Error).message}`);
  }
}

// ── Number formats: fixed digits, never the locale's, so the same input gives the same bytes ─────

const DASH = '–';
const fixed = (value: number | null, digits = 3): string => (value === null ? DASH : value.toFixed(digits));
const percent = (value: number | null): string => (value === null ? DASH : `${(100 * value).toFixed(1)}%`);


// ── suggest ─────────────────────────────────────────────────────────────────────────────────────

interface ColumnOptions {
  /** With this glob, the training file is a coding file of these transcripts' turns. */
  transcripts?: string;
  idColumn?: string;
  textColumn?: string;
  codeColumn?: string;
}

interface SuggestOptions extends ColumnOptions {
  codebook: string;
  training: string;
  segments: string;
  out?: string;
  limit: string;
}

/** The suggestions as CSV, `segment_id,code,confidence`: segments in input order, best code first. */
export function suggestionsCsv(codebook: Codebook, training: readonly CodedSegment[], segments: readonly { id: string; text: string }[], limit: number): string {
  const model = trainCoder(codebook, training, { limit });
  const rows = segments.flatMap((segment) => model.suggest(segment.text, segment.id).map((s) => [s.segmentId, s.code, s.confidence.toFixed(4)]));
  return csvText(['segment_id', 'code', 'confidence'], rows, { numeric: ['confidence'] });
}

async function suggest(io: Io, opts: SuggestOptions): Promise<void> {
  const limit = wholeNumber('--limit', opts.limit, 1);
  const codebook = loadCodebook(io, opts.codebook);
  const training = loadTraining(io, opts.training, codebook, opts);
  const { segments, problems } = readSegmentsCsv(readText(io, opts.segments, 'segments file'), display(io, opts.segments));
  if (!segments) return fail(problems);
  // Only once every input is known to be good, so a refused run leaves no trace, not even a directory.
  const target = opts.out === undefined ? undefined : await checkOut(io, opts.out);
  const csv = suggestionsCsv(codebook, training, segments, limit);
  if (target === undefined) io.out(csv);
  else await writeFileAtomically(target, opts.out!, csv);
}

// ── evaluate ────────────────────────────────────────────────────────────────────────────────────

interface EvaluateOptions extends ColumnOptions {
  codebook: string;
  training: string;
  folds: string;
  json?: boolean;
}

export interface EvaluateReport extends Evaluation {
  training: string;
  codebook: string;
  /** Segments coded as having no code: there is no code to score them against, so they are left out. */
  uncoded: string[];
}

function evaluationText(report: EvaluateReport): string {
  const correct = Math.round(report.accuracy * report.units);
  const majorityRight = Math.round(report.majority.accuracy * report.units);
  const lines = [
    `training file      ${report.training}`,
    `codebook           ${report.codebook}`,
    `units              ${report.units}`,
    `folds              ${report.folds}`,
    `Cohen's kappa      ${fixed(report.kappa)}${report.kappa === null ? ' (undefined: every top suggestion and every human code is the same one code)' : ''}`,
    `accuracy           ${fixed(report.accuracy)} (${correct} of ${report.units})`,
    `majority baseline  ${fixed(report.majority.accuracy)} (always \`${report.majority.code}\`: ${majorityRight} of ${report.units}, kappa 0)`,
    `mean confidence    ${fixed(report.meanConfidence)}`,
  ];
  if (report.uncoded.length > 0) {
    const shown = report.uncoded.slice(0, 5).join(', ') + (report.uncoded.length > 5 ? ', …' : '');
    lines.push(`not scored         ${report.uncoded.length} ${report.uncoded.length === 1 ? 'segment' : 'segments'} with no code (${shown})`);
  }
  const table = textTable([
    ['code', 'support', 'precision', 'recall', 'F1'],
    ...report.perCode.map((row) => [row.code, String(row.support), fixed(row.precision), fixed(row.recall), fixed(row.f1)]),
  ]);
  return `${lines.join('\n')}\n\n${table}`;
}

async function evaluate(io: Io, opts: EvaluateOptions): Promise<void> {
  const codebook = loadCodebook(io, opts.codebook);
  const training = loadTraining(io, opts.training, codebook, opts);
  const shown = display(io, opts.training);
  const scored = training.filter((segment) => segment.codes.length > 0);
  if (scored.length < 2) {
    throw new UserError(`${shown} has ${scored.length === 0 ? 'no segment' : 'only one segment'} with a code; cross-validation needs at least 2 to hold one out and learn from the other`);
  }
  const folds = wholeNumber('--folds', opts.folds, 2, scored.length, ` (the number of coded segments in ${shown})`);
  // A segment with no code gives the model no evidence for any code, so leaving it out of the
  // folds changes no model; it only keeps it from being scored against a code it does not have.
  const evaluation = crossValidate(codebook, scored, { folds });
  const report: EvaluateReport = {
    training: shown,
    codebook: codebook.id,
    uncoded: training.filter((segment) => segment.codes.length === 0).map((segment) => segment.id),
    ...evaluation,
  };
  io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : evaluationText(report));
}

// ── agree ───────────────────────────────────────────────────────────────────────────────────────

interface AgreeOptions {
  codebook?: string;
  json?: boolean;
}

export interface AgreeReport {
  file: string;
  codebook: string | null;
  coders: string[];
  /** Segments some coder saw. */
  segments: number;
  byCode: AgreementTable['byCode'];
  overall: AgreementRow;
}

function agreementText(report: AgreeReport): string {
  const row = (name: string, r: AgreementRow) => [name, String(r.units), String(r.coders), percent(r.agreement), fixed(r.kappa), fixed(r.alpha)];
  const lines = [
    `coding file  ${report.file}`,
    `codebook     ${report.codebook ?? '(none: the codes found in the file)'}`,
    `coders       ${report.coders.join(', ')}`,
    `segments     ${report.segments}`,
  ];
  const table = textTable([
    ['code', 'units', 'coders', 'agreement', 'kappa', 'alpha'],
    ...report.byCode.map((r) => row(r.code, r)),
    row('overall', report.overall),
  ]);
  const notes = [...report.byCode.map((r) => [r.code, r.notes] as const), ['overall', report.overall.notes] as const].flatMap(([name, list]) => list.map((note) => `  ${name}: ${note}`));
  return `${lines.join('\n')}\n\n${table}${notes.length > 0 ? `\nnotes on values shown as ${DASH}:\n${notes.join('\n')}\n` : ''}`;
}

async function agree(io: Io, file: string, opts: AgreeOptions): Promise<void> {
  const codebook = opts.codebook === undefined ? undefined : loadCodebook(io, opts.codebook);
  const shown = display(io, file);
  const { coding, problems } = readHumanCodingCsv(readText(io, file, 'coding file'), shown);
  if (!coding) return fail(problems);
  let codes: string[];
  if (codebook) {
    const unknown = checkCodesKnown(coding.codes, codebook, shown);
    if (unknown.length > 0) fail(unknown);
    codes = allCodes(codebook).map((c) => c.id);
  } else {
    codes = [...new Set(coding.codes.map((c) => c.code))];
    if (codes.length === 0) throw new UserError(`${shown} applies no code at all, so there is nothing to compare; name the codes that could have applied with --codebook`);
  }
  // Who saw what: a coder who saw a segment and applied no code said that none applies.
  // No prototype: a coder may be called `constructor` or `__proto__`.
  const seen: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const { segmentId, coder } of coding.seen) (seen[coder] ??= []).push(segmentId);
  const table = agreementTable(coding.codes, { codes, seen });
  const report: AgreeReport = { file: shown, codebook: codebook?.id ?? null, coders: table.coders, segments: table.units.length, byCode: table.byCode, overall: table.overall };
  io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : agreementText(report));
}

// ── the commands ────────────────────────────────────────────────────────────────────────────────

function columnOptions(command: Command): Command {
  return command
    .option('--transcripts <glob>', 'take the texts from these transcripts: --training is then a coding file, segment_id,coder,code (a code counts where any coder applied it)')
    .option('--id-column <name>', 'the training file’s column of segment ids', 'segment_id')
    .option('--text-column <name>', 'the training file’s column of text', 'text')
    .option('--code-column <name>', 'the training file’s column of codes', 'code');
}

export function codeCommand(program: Command, io: Io): void {
  const code = program.command('code').description('suggest codes for qualitative data, and measure agreement between coders and with the suggestions');
  columnOptions(
    code
      .command('suggest')
      .description('suggest codes for new segments, learnt from coded examples and the codebook; writes segment_id,code,confidence as CSV')
      .requiredOption('--codebook <file>', 'the codebook, e.g. pipelines/codebooks/leading-together.yaml')
      .requiredOption('--training <file>', 'coded examples: segment_id,text,code, a segment on one row per code')
      .requiredOption('--segments <file>', 'the segments to code: segment_id,text and any attributes')
      .option('--out <file>', 'write to this file (replaced whole when done) instead of standard output')
      .option('--limit <n>', 'the most codes suggested per segment, best first (at most the codebook’s codes)', String(DEFAULT_LIMIT)),
  ).action((opts: SuggestOptions) => suggest(io, opts));
  columnOptions(
    code
      .command('evaluate')
      .description('cross-validate the suggestions against coded examples: kappa, accuracy and each code’s precision and recall')
      .requiredOption('--codebook <file>', 'the codebook, e.g. pipelines/codebooks/leading-together.yaml')
      .requiredOption('--training <file>', 'coded examples: segment_id,text,code, a segment on one row per code')
      .option('--folds <k>', 'how many folds (2 up to the number of coded segments)', String(DEFAULT_FOLDS))
      .option('--json', 'print the evaluation as JSON'),
  ).action((opts: EvaluateOptions) => evaluate(io, opts));
  code
    .command('agree')
    .description('agreement between human coders, per code and overall: percent agreement, Cohen’s kappa, Krippendorff’s alpha')
    .argument('<coding>', 'the coders’ codes: segment_id,coder,code (an empty code: seen, no code applies)')
    .option('--codebook <file>', 'take the code list from this codebook (codes not in it are an error); default: the codes in the file')
    .option('--json', 'print the table as JSON')
    .action((file: string, opts: AgreeOptions) => agree(io, file, opts));
}
