/**
 * Running a pipeline: check the file, read each input (a CSV or the database), build its design,
 * compute the tables, apply disclosure control, render, and write the report directory in one
 * move. Effects (the store, progress, the clock-free logger) are passed in; the same inputs give
 * the same bytes.
 */
import { chooseFindings } from '../analysis/findings.ts';
import { headlineLines, headlinesNote, reliabilityNote } from '../report/headlines.ts';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Papa from 'papaparse';
import { DesignError } from '../analysis/design.ts';
import { questionsOf } from '../instrument/schema.ts';
import type { ReportModel, TableResult } from '../report/model.ts';
import { formatProblem, YamlSource, type Problem } from '../shared/yaml-source.ts';
import type { Store } from '../store/open.ts';
import { checkPipelineText, type CheckedPipeline } from './check.ts';
import { readResponsesCsv, subsetRows, type Dataset } from './dataset.ts';
import { designFor } from './design-from-data.ts';
import { applyDisclosure } from './disclosure-step.ts';
import { keptInstrumentFile } from './earlier-instrument.ts';
import { readInvitationCounts, readResponsesFromStore, UnknownWaveError } from './from-store.ts';
import { allSegments, focusGroupReport, themeCountsFromTables, themeTables, unknownAttributes, unknownSegments } from './focus-groups.ts';
import { loadFocusGroups, type PipelineLocation } from './focus-groups-load.ts';
import { portable, sha256, type SourceFile } from './provenance.ts';
import { PdfError, printPdf } from './pdf-step.ts';
import { renderReport } from './render-step.ts';
import type { FocusGroups } from './schema.ts';
import { readEarlierWaves, withTrends } from './trends.ts';
import { computeTable } from './tables.ts';
import { whoAnsweredInput, whoAnsweredNote } from './who-answered.ts';

export class PipelineError extends Error {
  override name = 'PipelineError';
}

export interface RunOptions {
  /** The pipeline file, as the user gave it (relative to `cwd`). */
  pipelineFile: string;
  /** Overrides the pipeline's `wave`. */
  wave?: string | undefined;
  /** NAME → CSV file, overriding an input's `responses`. */
  inputs?: Record<string, string>;
  /** Where to write; default `reports/<pipeline id>/<wave>`. */
  outDir?: string | undefined;
  /** Also print report.pdf, with the Chromium at this path. */
  pdf?: string | undefined;
  cwd: string;
}

export interface RunEffects {
  /** Stage messages (stderr). */
  log(line: string): void;
  /**
   * How far the run has got: `done` of `total` steps (each input read, each table, the report),
   * and what it is doing now. Called often while a large input is read.
   */
  progress?: (done: number, total: number, what: string) => void;
  /** Opens the store, for inputs read from the database. */
  openStore?: () => Promise<Store>;
}

export interface RunResult {
  dir: string;
  files: string[];
  model: ReportModel;
  /** Why report.pdf, asked for, was not printed; the rest of the report was written all the same. */
  pdfProblem?: string;
}


/** `{ key: value }`, or nothing when value is undefined: optional fields stay absent rather than undefined. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function fail(problems: Problem[]): never {
  throw new PipelineError(problems.map(formatProblem).join('\n'));
}

async function readInput(name: string, checked: CheckedPipeline, options: RunOptions, wave: string, effects: RunEffects, onRows: (rows: number) => void) {
  const { pipeline } = checked;
  const loaded = checked.instruments[name]!;
  const spec = pipeline.design[name] ?? {};
  const questions = new Set(questionsOf(loaded.instrument).map((q) => q.id));
  const numeric = [spec.weight, typeof spec.fpc === 'string' ? spec.fpc : undefined].filter((c): c is string => c !== undefined);
  const categorical = spec.strata && !questions.has(spec.strata) ? [spec.strata] : [];
  const text = (pipeline.focus_groups?.free_text ?? []).filter((f) => f.input === name).map((f) => f.question);
  const source = options.inputs?.[name] ?? pipeline.inputs[name]!.responses;
  const readOptions = { numeric, categorical, text, onProgress: onRows };
  if (source === 'database') {
    if (!effects.openStore) throw new PipelineError(`input ${name} reads the database, which is not available here`);
    const store = await effects.openStore();
    try {
      const read = await readResponsesFromStore(store.db, loaded.instrument, wave, readOptions).catch((error: unknown) => {
        throw error instanceof UnknownWaveError ? new PipelineError(`input ${name}: ${error.message}`) : error;
      });
      if (!read.dataset) fail(read.problems);
      const invited = pipeline.who_answered ? await readInvitationCounts(store.db, loaded.instrument, wave, pipeline.who_answered.by) : undefined;
      return { invited, dataset: read.dataset, responses: { source: 'database', wave, sha256: read.hash, rows: read.dataset.n, versions: read.versions }, simulated: pipeline.inputs[name]!.simulated };
    } finally {
      await store.close();
    }
  }
  const file = resolve(options.cwd, source);
  const read = await readResponsesCsv(file, loaded.instrument, readOptions);
  if (!read.dataset) fail(read.problems.map((p) => ({ ...p, file: portable(options.cwd, p.file) })));
  const dataset = oneWave(read.dataset, wave, portable(options.cwd, source));
  const simulated = pipeline.inputs[name]!.simulated || simulatedFile(file);
  const responses = { source: portable(options.cwd, source), sha256: await sha256OfFile(file), rows: dataset.n, ...(dataset.n !== read.dataset.n ? { wave } : {}), ...(simulated ? { simulated } : {}) };
  return { invited: undefined, dataset, responses, simulated };
}

/** `tapestry simulate` numbers its responses `sim-000001`, …; no export of real responses does. */
const SIMULATED_ID = /^sim-\d+$/;

/** Whether a responses file was written by `tapestry simulate`: its first response's id says so. */
function simulatedFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const bytes = readSync(fd, head, 0, head.length, 0);
    const rows = Papa.parse<Record<string, string>>(head.toString('utf8', 0, bytes).replace(/^\uFEFF/, ''), { header: true, preview: 1 }).data;
    return SIMULATED_ID.test(rows[0]?.response_id ?? '');
  } finally {
    closeSync(fd);
  }
}

/**
 * The title page's warning when any of the material is synthetic (simulated responses, or
 * transcripts whose front matter says `simulated: true`); undefined when all of it is real.
 */
function simulatedNote(inputs: string[], transcripts: number): string | undefined {
  const parts: string[] = [];
  if (inputs.length > 0) parts.push(`the survey responses (${inputs.join(' and ')}) were generated by tapestry simulate`);
  if (transcripts > 0) parts.push(`${transcripts === 1 ? 'the focus-group transcript was' : `the ${transcripts} focus-group transcripts were`} written as examples, so their quotes are no real participant's words`);
  if (parts.length === 0) return undefined;
  return `Simulated data, not real results: ${parts.join('; ')}.`;
}

/** The focus-group stage: every source checked first, then coded, counted and quoted. */
function focusGroupStage(spec: FocusGroups, checked: CheckedPipeline, data: Record<string, { dataset: Dataset; simulated: boolean }>, options: RunOptions, location: PipelineLocation, rules: { min_base: number; min_cell: number }) {
  const { loaded, problems } = loadFocusGroups(spec, options.cwd, location);
  if (!loaded) fail(problems);
  const inputs = Object.fromEntries(Object.entries(data).map(([name, { dataset, simulated }]) => [name, { dataset, instrument: checked.instruments[name]!.instrument, simulated }]));
  const segments = allSegments(spec, loaded, inputs);
  const missing = unknownAttributes(spec, segments);
  if (missing.length > 0) fail(missing.map(({ index, message }) => ({ file: location.file, line: location.line('by', index), message })));
  const unknown = unknownSegments(loaded, segments, spec.coding ?? location.file);
  if (unknown.length > 0) fail(unknown);
  const result = focusGroupReport(spec, loaded, segments);
  const disclosure = spec.disclosure ?? rules;
  const { tables, suppressions } = applyDisclosure(themeTables(spec, loaded, result.coded), { minBase: disclosure.min_base, minCell: disclosure.min_cell });
  const qualitative = { ...result.qualitative, tables };
  themeCountsFromTables(qualitative, tables, spec.by[0]);
  const withheld = disclosure.min_base > 1 ? `a breakdown with fewer than ${disclosure.min_base} segments or groups is withheld, and ` : '';
  if (!suppresses(disclosure)) qualitative.notes.push(`No suppression was applied to the theme tables (min_base ${disclosure.min_base}, min_cell ${disclosure.min_cell}): every count is published.`);
  else if (disclosure.min_cell <= 1) qualitative.notes.push(`Theme tables follow the same disclosure rules as the survey tables${spec.disclosure ? `, with their own thresholds: a breakdown with fewer than ${disclosure.min_base} segments or groups is withheld, and no count is suppressed for being small` : ''}.`);
  else qualitative.notes.push(`Theme tables follow the same disclosure rules as the survey tables${spec.disclosure ? `, with their own thresholds: ${withheld}a count under ${disclosure.min_cell} is suppressed, with enough other counts that it cannot be worked out` : ''}.`);
  const simulatedTranscripts = loaded.transcripts.filter((t) => t.attributes.simulated?.trim().toLowerCase() === 'true').length;
  return { qualitative, suppressions, segmentsCsv: result.segmentsCsv, files: loaded.files, simulatedTranscripts };
}

/**
 * A file that holds several waves (its `wave` column) gives the run's wave alone, so that one
 * cumulative file serves every wave's report. A file of another wave is refused rather than
 * reported under the run's name; only a file whose `wave` column is empty is taken as it is.
 */
function oneWave(dataset: Dataset, wave: string, file: string): Dataset {
  const codes = dataset.codes.get('wave');
  const levels = dataset.levels.get('wave') ?? [];
  if (!codes || levels.length === 0) return dataset;
  const k = levels.indexOf(wave);
  if (k < 0 && levels.length === 1) throw new PipelineError(`${file}: the file holds the wave ${levels[0]} only, not ${wave}; name it with --wave ${levels[0]}`);
  if (k < 0) throw new PipelineError(`${file}: the file holds the waves ${levels.join(', ')}, but not ${wave}; name one with --wave`);
  return levels.length === 1 ? dataset : subsetRows(dataset, (row) => codes[row] === k);
}

interface DisclosureRules {
  min_base: number;
  min_cell: number;
}

/** Whether the rules can withhold anything: no count above zero is under a minimum of 1. */
const suppresses = ({ min_base, min_cell }: DisclosureRules) => min_base > 0 || min_cell > 1;

/** The method note on disclosure control; rules of 0 (an internal analysis) say so plainly. */
export function disclosureNote(rules: DisclosureRules): string {
  const { min_base, min_cell } = rules;
  if (!suppresses(rules)) {
    return `No suppression was applied (min_base ${min_base}, min_cell ${min_cell}): every cell is published, however few responses it rests on, so these tables are for internal analysis, not for publication.`;
  }
  const base = min_base > 0 ? `A domain with fewer than ${min_base} ${min_base === 1 ? 'response' : 'responses'} is withheld whole` : `No domain is withheld for its size (min_base 0)`;
  const cell = min_cell > 1 ? `a count under ${min_cell} is suppressed, with enough other cells that no suppressed value can be worked out from the published totals` : `no count is suppressed for being small (min_cell ${min_cell})`;
  return `${base}; ${cell}.`;
}

export async function runPipeline(options: RunOptions, effects: RunEffects): Promise<RunResult> {
  const pipelinePath = resolve(options.cwd, options.pipelineFile);
  let text: string;
  try {
    text = readFileSync(pipelinePath, 'utf8');
  } catch {
    throw new PipelineError(`${options.pipelineFile}: there is no such pipeline file`);
  }
  const { checked, problems } = await checkPipelineText(text, portable(options.cwd, options.pipelineFile), options.cwd);
  if (!checked) fail(problems);
  const { pipeline } = checked;
  for (const name of Object.keys(options.inputs ?? {})) {
    if (!pipeline.inputs[name]) throw new PipelineError(`--input ${name}: the pipeline has no input called ${name} (its inputs: ${Object.keys(pipeline.inputs).join(', ')})`);
  }
  const wave = options.wave ?? pipeline.wave;

  const inputNames = Object.keys(pipeline.inputs);
  const steps = inputNames.length + pipeline.tables.length + 1 + (options.pdf ? 1 : 0);
  let step = 0;
  const progress = (what: string) => effects.progress?.(step, steps, what);
  effects.log(`${pipeline.id}: reading inputs`);
  const data: Record<string, Awaited<ReturnType<typeof readInput>>> = {};
  for (const name of inputNames) {
    progress(`reading ${name}`);
    data[name] = await readInput(name, checked, options, wave, effects, (rows) => progress(`reading ${name}: ${rows} rows`));
    step++;
  }

  const designs = Object.fromEntries(
    Object.entries(data).map(([name, { dataset }]) => {
      try {
        return [name, designFor(name, dataset, pipeline.design[name] ?? {}, checked.populations[name])];
      } catch (error) {
        if (error instanceof DesignError) throw new PipelineError(`${portable(options.cwd, options.pipelineFile)}: ${error.message}`);
        throw error;
      }
    }),
  );

  const tables: TableResult[] = [];
  for (const table of pipeline.tables) {
    progress(`table ${table.id}`);
    tables.push(computeTable(table, checked.instruments[table.input]!.instrument, data[table.input]!.dataset, designs[table.input]!.design));
    step++;
  }
  const disclosed = applyDisclosure(tables, { minBase: pipeline.disclosure.min_base, minCell: pipeline.disclosure.min_cell });
  const { suppressions } = disclosed;
  let published = disclosed.tables;

  let trendFiles: SourceFile[] | undefined;
  if (pipeline.trends) {
    const source = new YamlSource(text, portable(options.cwd, options.pipelineFile));
    const waves = pipeline.trends.waves;
    const same = waves.indexOf(wave);
    if (same >= 0) fail([source.problem(['trends', 'waves', same], `trends: wave ${wave} is the wave being reported; name earlier waves only`)]);
    const reports = pipeline.trends.reports ?? join('reports', pipeline.id);
    const read = readEarlierWaves(published, {
      wave,
      waves,
      reportsDir: reports,
      cwd: options.cwd,
      instruments: checked.instruments,
      without: new Set(pipeline.tables.filter((t) => !t.trends).map((t) => t.id)),
      atWave: (i) => source.problem(['trends', 'waves', i], ''),
      atTable: (id) => source.problem(['tables', pipeline.tables.findIndex((t) => t.id === id), 'id'], ''),
    });
    if (read.problems.length > 0) fail(read.problems);
    published = withTrends(published, waves, read.earlier);
    trendFiles = read.files;
  }

  let focus: ReturnType<typeof focusGroupStage> | undefined;
  if (pipeline.focus_groups) {
    progress('coding the focus groups');
    const source = new YamlSource(text, portable(options.cwd, options.pipelineFile));
    const location: PipelineLocation = {
      file: source.file,
      line: (field, index) => (index === undefined ? source.line(['focus_groups', field], { key: true }) : source.line(['focus_groups', field, index])),
    };
    focus = focusGroupStage(pipeline.focus_groups, checked, data, options, location, pipeline.disclosure);
    suppressions.push(...focus.suppressions);
  }

  const simulated = simulatedNote(
    inputNames.filter((name) => data[name]!.simulated),
    focus?.simulatedTranscripts ?? 0,
  );
  const who = pipeline.who_answered;
  const whoAnswered = who
    ? inputNames.map((name) =>
        whoAnsweredInput(
          { input: name, instrument: checked.instruments[name]!.instrument, dataset: data[name]!.dataset, design: designs[name]!.design, ...optional('strata', pipeline.design[name]?.strata), ...optional('invited', data[name]!.invited) },
          checked.instruments[name]!.instrument.title,
          who,
        ),
      )
    : undefined;
  const model: ReportModel = {
    pipeline: { id: pipeline.id, title: pipeline.title, wave, ...(simulated ? { simulated } : {}) },
    headline: headlineLines(published, chooseFindings(published), wave),
    ...(whoAnswered ? { whoAnswered } : {}),
    methods: {
      designs: Object.values(designs).map((d) => d.note),
      intervals: `Confidence intervals are 95% intervals: ${[...new Set(published.map((t: TableResult) => t.ci))].join(', ')} for proportions (as R's svyciprop), and t intervals for means, on the design's degrees of freedom. Standard errors are linearised (Taylor series); design effects compare each variance with a simple random sample of the same size. Tests of association are Rao–Scott second-order corrected F tests (as R's svychisq).`,
      disclosure: disclosureNote(pipeline.disclosure),
      headlines: headlinesNote(),
      reliability: reliabilityNote(),
      ...(who ? { whoAnswered: whoAnsweredNote(who) } : {}),
      missing: 'Questions not answered, or not shown because of the survey’s skip logic, are left out of that question’s base; every table prints its bases.',
    },
    tables: published,
    suppressions,
    ...(focus ? { qualitative: focus.qualitative } : {}),
  };

  progress('writing the report');
  const files = await renderReport(model);
  if (focus && pipeline.focus_groups!.export_segments) files['coding/segments.csv'] = focus.segmentsCsv;
  // Each instrument as read, byte for byte: a later wave's trends judge comparability against it.
  for (const name of Object.keys(pipeline.inputs)) files[keptInstrumentFile(name)] = checked.instruments[name]!.sourceText;
  const outDir = resolve(options.cwd, options.outDir ?? join('reports', pipeline.id, wave));
  const manifest = {
    pipeline: { id: pipeline.id, file: portable(options.cwd, options.pipelineFile), sha256: sha256(text) },
    run: { wave, inputs: options.inputs ?? {} },
    inputs: Object.fromEntries(
      Object.entries(pipeline.inputs).map(([name, input]) => {
        const loaded = checked.instruments[name]!;
        return [
          name,
          {
            instrument: { file: portable(options.cwd, input.instrument), sha256: sha256(loaded.sourceText), id: loaded.instrument.id, version: loaded.instrument.version, content_hash: loaded.contentHash, copy: keptInstrumentFile(name) },
            responses: data[name]!.responses,
            ...(checked.populations[name]?.file ? { population: { file: checked.populations[name]!.file, sha256: checked.populations[name]!.sha256 } } : {}),
          },
        ];
      }),
    ),
    ...(focus ? { focus_groups: { files: focus.files } } : {}),
    ...(trendFiles ? { trends: { files: trendFiles } } : {}),
    tapestry: { version: tapestryVersion() },
    lockfile: lockfileHash(),
    seeds: {},
    outputs: Object.fromEntries(Object.entries(files).map(([name, content]) => [name, sha256(content)])),
  };
  files['manifest.json'] = `${JSON.stringify(manifest, null, 2)}\n`;
  // report.pdf is not among the manifest's outputs: see pdf-step.ts for why.
  const written: Record<string, string | Buffer> = { ...files };
  let pdfProblem: string | undefined;
  if (options.pdf) {
    step++;
    progress('printing report.pdf');
    try {
      written['report.pdf'] = await printPdf(files['report.html']!, options.pdf);
    } catch (error) {
      if (!(error instanceof PdfError)) throw error;
      pdfProblem = error.message;
    }
  }
  writeAtomically(outDir, written);
  step++;
  progress('done');
  effects.log(`${pipeline.id}: wrote ${Object.keys(written).length} files to ${portable(options.cwd, outDir)}`);
  return { dir: outDir, files: Object.keys(written), model, ...(pdfProblem ? { pdfProblem } : {}) };
}

/** A file's SHA-256, streamed: a large responses file need not be held in memory to be hashed. */
async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');

function tapestryVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function lockfileHash(): { file: string; sha256: string } | null {
  const file = join(ROOT, 'package-lock.json');
  return existsSync(file) ? { file: 'package-lock.json', sha256: sha256(readFileSync(file)) } : null;
}

/**
 * Writes every file into a fresh directory beside the target and then swaps it into place, so
 * that a run killed half-way leaves the previous report as it was.
 */
export function writeAtomically(outDir: string, files: Record<string, string | Buffer>): void {
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, '.staging-'));
  try {
    // mkdtemp makes the directory private; a report is meant to be read.
    chmodSync(staging, 0o755);
    for (const [name, content] of Object.entries(files)) {
      const path = join(staging, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    }
    const previous = existsSync(outDir) ? `${staging}-previous` : undefined;
    if (previous) renameSync(outDir, previous);
    renameSync(staging, outDir);
    if (previous) rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
