/**
 * Checking a pipeline file: its shape, and every name in it against the instruments it reads
 * (inputs, questions, matrix rows, option ids in raking margins and population counts), each
 * problem at its line. Every problem is reported at once: a part whose shape is wrong is left
 * out of the name checks, so that one typo does not hide the mistakes in the rest of the file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkInstrumentFile, type LoadedInstrument } from '../instrument/load.ts';
import { optionIds, questionsOf, type Question } from '../instrument/schema.ts';
import { sortProblems } from '../shared/problems.ts';
import { suggestion } from '../shared/did-you-mean.ts';
import { isRecord } from '../shared/raw.ts';
import { YamlSource, type Path, type Problem } from '../shared/yaml-source.ts';
import { KEY_SEPARATOR, marginOf, marginVariables, populationFromCsv, populationFromYaml, type Population } from './population.ts';
import { portable, sha256 } from './provenance.ts';
import { Pipeline, type InputDesign } from './schema.ts';

export interface CheckedPipeline {
  pipeline: Pipeline;
  file: string;
  /** The instrument of each input, by input name. */
  instruments: Record<string, LoadedInstrument>;
  /** The population counts of each input whose design gives them. */
  populations: Record<string, Population>;
}

const code = (s: unknown) => `\`${String(s)}\``;

/**
 * A path as a person reads it: `table \`b\`'s ci` rather than `tables.1.ci`; a table without an
 * id is named by its place ("the third table").
 */
function describe(path: Path, data: unknown): string {
  if (path.length === 0) return 'the pipeline';
  const [head, index, ...rest] = path;
  let subject = String(head);
  let tail = path.slice(1);
  if (head === 'tables' && typeof index === 'number') {
    const id = ((data as { tables?: { id?: unknown }[] })?.tables?.[index] ?? {}).id;
    subject = typeof id === 'string' ? `table ${code(id)}` : `table ${index + 1} (it has no id)`;
    tail = rest;
  } else if (head === 'focus_groups' && index === 'free_text' && typeof rest[0] === 'number') {
    subject = `focus_groups free_text entry ${rest[0] + 1}`;
    tail = rest.slice(1);
  }
  return tail.length === 0 ? subject : `${subject}: ${tail.map(String).join('.')}`;
}

function shapeProblems(source: YamlSource, issues: readonly { path: PropertyKey[]; message: string; code: string; keys?: string[]; values?: unknown[] }[]): Problem[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as Path;
    const where = describe(path, source.data);
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      const fields = path.length === 0 ? Object.keys(Pipeline.shape) : [];
      return issue.keys.map((key) => source.problem([...path, key], `${where} has an unknown field ${code(key)}${suggestion(key, fields)}`, { key: true }));
    }
    if (issue.code === 'invalid_value' && issue.values) {
      const given = source.sourceOf(path) ?? '';
      const allowed = issue.values.map(String);
      return [source.problem(path, `${where} is ${code(given)}, which is not one of ${allowed.join(', ')}${suggestion(given.replace(/^["']|["']$/g, ''), allowed)}`)];
    }
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    if (missing) return [source.problem(path.slice(0, -1), `${describe(path.slice(0, -1), source.data)} is missing ${code(path[path.length - 1])}`)];
    return [source.problem(path, `${where}: ${issue.message.replace(/^Invalid input: /, '')}`)];
  });
}

/** Reads and checks a pipeline file and the instruments it names; problems are returned, not thrown. */
export async function checkPipelineText(text: string, file: string, cwd: string): Promise<{ checked?: CheckedPipeline; problems: Problem[] }> {
  const source = new YamlSource(text, file);
  if (source.syntaxProblems.length > 0) return { problems: source.syntaxProblems };
  const parsed = Pipeline.safeParse(source.data);
  const problems: Problem[] = [];
  let pipeline: Pipeline;
  // Where each table of `pipeline` is in the file, and the inputs whose own entry is malformed.
  let tableAt: number[];
  let brokenInputs = new Set<string>();
  if (parsed.success) {
    pipeline = parsed.data;
    tableAt = pipeline.tables.map((_, t) => t);
  } else {
    problems.push(...shapeProblems(source, parsed.error.issues as never));
    const repaired = withoutMalformedParts(source.data, parsed.error.issues as never);
    if (!repaired) return { problems: sortProblems(problems) };
    ({ pipeline, tableAt, brokenInputs } = repaired);
  }

  const instruments: Record<string, LoadedInstrument> = {};
  for (const [name, input] of Object.entries(pipeline.inputs)) {
    const result = await checkInstrumentFile(resolve(cwd, input.instrument));
    if (result.loaded) instruments[name] = result.loaded;
    else problems.push(source.problem(['inputs', name, 'instrument'], `input ${code(name)}: the instrument ${input.instrument} has problems (run tapestry survey check ${input.instrument})`));
  }

  const inputNames = Object.keys(pipeline.inputs);
  const populations: Record<string, Population> = {};
  for (const [name, design] of Object.entries(pipeline.design)) {
    if (brokenInputs.has(name)) continue;
    if (!pipeline.inputs[name]) {
      problems.push(source.problem(['design', name], `design names input ${code(name)}, which the pipeline does not have${suggestion(name, inputNames)}`, { key: true }));
      continue;
    }
    const instrument = instruments[name];
    const population = readPopulation(source, name, design, cwd, problems);
    if (population) {
      populations[name] = population;
      if (instrument) problems.push(...populationProblems(source, name, design, population, instrument));
    } else if (Array.isArray(design.rake) && design.population === undefined) {
      problems.push(source.problem(['design', name, 'rake'], `design ${code(name)} rakes to margins of the population (${design.rake.join(', ')}), but gives no \`population\``, { key: true }));
    }
    if (!instrument || !design.rake || Array.isArray(design.rake)) continue;
    const byId = new Map(questionsOf(instrument.instrument).map((q) => [q.id, q]));
    for (const [variable, margins] of Object.entries(design.rake)) {
      const question = byId.get(variable);
      const at: Path = ['design', name, 'rake', variable];
      if (!question || !('options' in question) || question.type === 'multiple' || question.type === 'matrix') {
        problems.push(source.problem(at, `raking margin ${code(variable)} must be a single-choice question of ${instrument.instrument.id}${question ? '' : suggestion(variable, byId.keys())}`, { key: true }));
        continue;
      }
      const options = optionIds(question.options);
      for (const level of Object.keys(margins)) {
        if (!options.includes(level)) {
          problems.push(source.problem([...at, level], `raking margin ${code(variable)} names ${code(level)}, which is not one of its options (${options.join(', ')})${suggestion(level, options)}`, { key: true }));
        }
      }
      for (const option of options) {
        if (!(option in margins)) problems.push(source.problem(at, `raking margin ${code(variable)} has no population figure for ${code(option)}; every option needs one`, { key: true }));
      }
    }
  }

  const tableLines = new Map<string, number>();
  pipeline.tables.forEach((table, kept) => {
    const t = tableAt[kept]!;
    const at = (field: string): Path => ['tables', t, field];
    const first = tableLines.get(table.id);
    if (first !== undefined) problems.push(source.problem(at('id'), `table id ${code(table.id)} is used twice (first on line ${first})`));
    else tableLines.set(table.id, source.line(at('id')));
    if (table.id === 'who-answered' && pipeline.who_answered) problems.push(source.problem(at('id'), `table id ${code(table.id)} is the name of the file who_answered writes (tables/who-answered.csv); choose another id`));
    if (brokenInputs.has(table.input)) return;
    if (!pipeline.inputs[table.input]) {
      problems.push(source.problem(at('input'), `table ${code(table.id)} reads input ${code(table.input)}, which the pipeline does not have${suggestion(table.input, inputNames)}`));
      return;
    }
    const instrument = instruments[table.input];
    if (!instrument) return;
    const questions = new Map(questionsOf(instrument.instrument).map((q) => [q.id, q]));
    const find = (id: string, field: Path, role: string): Question | undefined => {
      const question = questions.get(id);
      if (!question) problems.push(source.problem(field, `${role} ${code(id)}, which ${instrument.instrument.id} does not have${suggestion(id, questions.keys())}`));
      return question;
    };
    const [qid, row] = table.measure.split('.', 2) as [string, string | undefined];
    const measure = find(qid, at('measure'), `table ${code(table.id)}'s measure names question`);
    if (measure) {
      if (measure.type === 'text' || measure.type === 'longtext') {
        problems.push(source.problem(at('measure'), `table ${code(table.id)} measures ${code(qid)}, a free-text question, which cannot be tabulated (code it first)`));
      } else if (measure.type === 'matrix') {
        const rows = Object.keys(measure.rows);
        if (row === undefined) problems.push(source.problem(at('measure'), `table ${code(table.id)} measures matrix ${code(qid)}; name one row, for example ${code(`${qid}.${rows[0]}`)}`));
        else if (!rows.includes(row)) problems.push(source.problem(at('measure'), `matrix ${code(qid)} has no row ${code(row)}${suggestion(row, rows)}`));
      } else if (row !== undefined) {
        problems.push(source.problem(at('measure'), `${code(table.measure)}: question ${code(qid)} is not a matrix and has no rows`));
      }
    }
    // `role` reads on with a question id: "table `a` is broken down by `tier`".
    const categorical = (id: string, field: Path, role: string, what: string) => {
      const question = find(id, field, `${role}`);
      if (question && question.type !== 'single' && question.type !== 'scale') {
        problems.push(source.problem(field, `${role} ${code(id)}, a ${question.type} question; ${what} must be a single-choice or scale question`));
      }
    };
    table.by.forEach((id, i) => categorical(id, ['tables', t, 'by', i], `table ${code(table.id)} is broken down by`, 'a breakdown'));
    if (table.panel) categorical(table.panel, at('panel'), `table ${code(table.id)} is panelled by`, 'a panel');
    if (table.grid) {
      const grid = table.grid;
      const gridAt = (field: string): Path => ['tables', t, 'grid', field];
      // A grid is its own breakdown: `by` or a panel beside it would ask for a third dimension.
      if (table.by.length > 0 || table.panel) problems.push(source.problem(at('grid'), `table ${code(table.id)} is a grid, which is broken down by its rows and columns; leave out \`by\` and \`panel\``, { key: true }));
      categorical(grid.rows, gridAt('rows'), `table ${code(table.id)}'s grid has rows`, 'rows');
      categorical(grid.columns, gridAt('columns'), `table ${code(table.id)}'s grid has columns`, 'columns');
      if (grid.rows === grid.columns) problems.push(source.problem(gridAt('columns'), `table ${code(table.id)}'s grid has ${code(grid.rows)} as both rows and columns; name two different questions`));
      if (measure && measure.type !== 'text' && measure.type !== 'longtext') {
        const answers = measure.type === 'number' ? ['mean'] : optionIds(measure.options);
        if (!answers.includes(grid.show)) {
          problems.push(source.problem(gridAt('show'), `table ${code(table.id)}'s grid shows ${code(grid.show)}, which is not an answer to ${code(qid)} (${answers.join(', ')})${suggestion(grid.show, answers)}`));
        }
      }
    }
    if (table.test) {
      if (table.by.length === 0 && !table.grid) problems.push(source.problem(at('test'), `table ${code(table.id)} asks for a test of association but has no \`by\` to test against`));
      if (measure && (measure.type === 'number' || measure.type === 'multiple')) {
        problems.push(source.problem(at('test'), `table ${code(table.id)}: a test of association needs a single-choice, scale or matrix-row measure, not ${measure.type}`));
      }
    }
  });

  // Each question respondents are counted by must be a choice in at least one survey: an input
  // without it is counted by the others alone, as the organisations' survey asks no tier.
  pipeline.who_answered?.by.forEach((id, i) => {
    const at: Path = ['who_answered', 'by', i];
    if (pipeline.who_answered!.by.indexOf(id) !== i) {
      problems.push(source.problem(at, `who_answered.by names ${code(id)} twice`));
      return;
    }
    const found = Object.values(instruments).map((loaded) => questionsOf(loaded.instrument).find((q) => q.id === id));
    if (found.some((q) => q && (q.type === 'single' || q.type === 'scale'))) return;
    // A broken instrument's problems are reported already, and it may be the one that asks it.
    if (brokenInputs.size > 0 && found.every((q) => q === undefined)) return;
    const other = found.find((q) => q !== undefined);
    const all = Object.values(instruments).flatMap((loaded) => questionsOf(loaded.instrument).map((q) => q.id));
    problems.push(
      source.problem(
        at,
        other
          ? `who_answered counts respondents by ${code(id)}, a ${other.type} question; count them by single-choice or scale questions`
          : `who_answered counts respondents by ${code(id)}, which no input's instrument asks${suggestion(id, all)}`,
      ),
    );
  });

  const focus = pipeline.focus_groups;
  if (focus) {
    if (!focus.transcripts && focus.free_text.length === 0 && focus.segments.length === 0) {
      problems.push(source.problem(['focus_groups'], 'focus_groups needs `transcripts`, `segments` or `free_text`: there is nothing to code', { key: true }));
    }
    if (!focus.coding && !focus.auto) {
      problems.push(source.problem(['focus_groups'], 'focus_groups has neither `coding` (people’s codes) nor `auto: true`, so nothing would be coded', { key: true }));
    }
    focus.by.forEach((name, i) => {
      const first = focus.by.indexOf(name);
      if (first !== i) problems.push(source.problem(['focus_groups', 'by', i], `focus_groups.by names ${code(name)} twice`));
    });
    const sources = new Map<string, number>();
    focus.free_text.forEach((entry, i) => {
      const key = `${entry.input}.${entry.question}`;
      const first = sources.get(key);
      if (first !== undefined) problems.push(source.problem(['focus_groups', 'free_text', i], `free_text names ${code(key)} twice (first on line ${first})`));
      else sources.set(key, source.line(['focus_groups', 'free_text', i]));
    });
    focus.free_text.forEach((entry, i) => {
      const at: Path = ['focus_groups', 'free_text', i];
      const instrument = instruments[entry.input];
      if (brokenInputs.has(entry.input)) return;
      if (!pipeline.inputs[entry.input]) {
        problems.push(source.problem([...at, 'input'], `free_text reads input ${code(entry.input)}, which the pipeline does not have${suggestion(entry.input, inputNames)}`));
        return;
      }
      if (!instrument) return;
      const questions = questionsOf(instrument.instrument);
      const question = questions.find((q) => q.id === entry.question);
      if (!question) problems.push(source.problem([...at, 'question'], `free_text names question ${code(entry.question)}, which ${instrument.instrument.id} does not have${suggestion(entry.question, questions.map((q) => q.id))}`));
      else if (question.type !== 'text' && question.type !== 'longtext') {
        problems.push(source.problem([...at, 'question'], `free_text question ${code(entry.question)} is a ${question.type} question; only text and longtext answers can be coded`));
      }
    });
  }

  if (problems.length > 0) return { problems: sortProblems(problems) };
  return { checked: { pipeline, file, instruments, populations }, problems: [] };
}

// ---------------------------------------------------------------------------------------------
// A file whose shape is wrong is still checked for names: each malformed part is left out (a
// table, an input, a design block, the focus groups) and unknown fields are dropped, and what
// remains is parsed again. Its problems were reported already from the first parse.

interface Repaired {
  pipeline: Pipeline;
  tableAt: number[];
  brokenInputs: Set<string>;
}

/** Placeholders for the fields the name checks do not read, so that a missing one hides nothing. */
const PLACEHOLDERS: Record<string, unknown> = { id: 'pipeline', title: 'Pipeline', wave: 'wave' };

function withoutMalformedParts(data: unknown, issues: readonly { path: PropertyKey[]; code: string; keys?: string[] }[]): Repaired | undefined {
  if (!isRecord(data)) return undefined;
  const copy = structuredClone(data) as Record<string, unknown>;
  const badTables = new Set<number>();
  const brokenInputs = new Set<string>();
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[];
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      const owner = valueAtPath(copy, path);
      if (isRecord(owner)) for (const key of issue.keys) delete owner[key];
      continue;
    }
    const [head, part] = path;
    if (head === 'tables' && typeof part === 'number') badTables.add(part);
    else if ((head === 'inputs' || head === 'design') && part !== undefined && isRecord(copy[head])) {
      if (head === 'inputs') brokenInputs.add(String(part));
      delete (copy[head] as Record<string, unknown>)[String(part)];
    } else if (typeof head === 'string' && head in PLACEHOLDERS && path.length === 1) copy[head] = PLACEHOLDERS[head];
    else if (head === 'focus_groups' || head === 'disclosure' || head === 'trends' || head === 'who_answered') delete copy[head];
    else return undefined;
  }
  // Design blocks of malformed inputs would only repeat that the input is malformed.
  for (const name of brokenInputs) if (isRecord(copy.design)) delete copy.design[name];
  const tables = Array.isArray(copy.tables) ? copy.tables : undefined;
  const tableAt = tables ? tables.map((_, t) => t).filter((t) => !badTables.has(t)) : [];
  if (tables) copy.tables = tableAt.map((t) => tables[t]);
  if (isRecord(copy.inputs) && Object.keys(copy.inputs).length === 0) return undefined;
  const again = Pipeline.safeParse(copy);
  return again.success && again.data.tables.length > 0 ? { pipeline: again.data, tableAt, brokenInputs } : undefined;
}

function valueAtPath(data: unknown, path: readonly (string | number)[]): unknown {
  let node = data;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isRecord(node)) node = node[String(segment)];
    else return undefined;
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// Population counts: read (a CSV is read here, once, so the run uses exactly what was checked),
// then every variable and level named against the instrument.

function readPopulation(source: YamlSource, name: string, design: InputDesign, cwd: string, problems: Problem[]): Population | undefined {
  const given = design.population;
  if (given === undefined) return undefined;
  if (typeof given !== 'string') return populationFromYaml(given);
  let text: string;
  try {
    text = readFileSync(resolve(cwd, given), 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a directory, not a CSV file' : 'cannot be read (is the path right?)';
    problems.push(source.problem(['design', name, 'population'], `design ${code(name)}: the population file ${given} ${why}`));
    return undefined;
  }
  const read = populationFromCsv(text, portable(cwd, given));
  problems.push(...read.problems);
  return read.population && { ...read.population, sha256: sha256(text) };
}

function populationProblems(source: YamlSource, name: string, design: InputDesign, population: Population, loaded: LoadedInstrument): Problem[] {
  const problems: Problem[] = [];
  const at: Path = ['design', name, 'population'];
  const instrument = loaded.instrument;
  const byId = new Map(questionsOf(instrument).map((q) => [q.id, q]));
  const fromCsv = typeof design.population === 'string';
  for (const table of population.tables) {
    table.variables.forEach((variable, v) => {
      const where = fromCsv ? { file: population.file!, line: 1 } : source.problem([...at, variable], '', { key: true });
      const question = byId.get(variable);
      // The strata may be an extra column of a CSV export rather than a question.
      if (!question) {
        if (variable === design.strata) return;
        problems.push({ ...where, message: `the population counts ${code(variable)}, which is neither a question of ${instrument.id} nor the design's strata${suggestion(variable, byId.keys())}` });
        return;
      }
      if (question.type !== 'single' && question.type !== 'scale') {
        problems.push({ ...where, message: `the population counts ${code(variable)}, a ${question.type} question; population counts are by single-choice or scale questions` });
        return;
      }
      const options = optionIds(question.options);
      for (const key of table.cells.keys()) {
        const level = key.split(KEY_SEPARATOR)[v]!;
        if (options.includes(level)) continue;
        const line = fromCsv ? { file: population.file!, line: table.lineOf?.get(key) ?? 1 } : source.problem([...at, variable, level], '', { key: true });
        problems.push({ ...line, message: `the population counts ${code(variable)} ${code(level)}, which is not one of its options (${options.join(', ')})${suggestion(level, options)}` });
      }
    });
  }
  const strataCounted = design.strata !== undefined && marginOf(population, [design.strata]) !== undefined;
  if (strataCounted && design.fpc !== undefined) {
    problems.push(source.problem(['design', name, 'fpc'], `design ${code(name)} gives the strata's population sizes twice, in \`fpc\` and in \`population\`; keep one`, { key: true }));
  }
  const margins = Array.isArray(design.rake) ? design.rake : [];
  margins.forEach((margin, i) => {
    const variables = marginVariables(margin);
    if (!marginOf(population, variables)) {
      const counted = population.tables.map((t) => t.variables.join('+')).join(', ');
      problems.push(source.problem(['design', name, 'rake', i], `design ${code(name)} rakes to ${code(margin)}, but the population counts only ${counted}`));
    }
  });
  if (!strataCounted && margins.length === 0) {
    const strata = design.strata ? `the strata (${design.strata})` : 'strata';
    problems.push(source.problem(at, `design ${code(name)} gives population counts that nothing uses: count ${strata} by them, or name margins to rake to with \`rake: [${population.tables[0]?.variables[0] ?? 'tier'}]\``, { key: true }));
  }
  return problems;
}

