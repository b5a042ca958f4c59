/**
 * Checking a pipeline file: its shape, and every name in it against the instruments it reads
 * (inputs, questions, matrix rows, option ids in raking margins), each problem at its line.
 */
import { resolve } from 'node:path';
import { checkInstrumentFile, type LoadedInstrument } from '../instrument/load.ts';
import { optionIds, questionsOf, type Question } from '../instrument/schema.ts';
import { suggestion } from '../shared/did-you-mean.ts';
import { YamlSource, type Path, type Problem } from '../shared/yaml-source.ts';
import { Pipeline } from './schema.ts';

export interface CheckedPipeline {
  pipeline: Pipeline;
  file: string;
  /** The instrument of each input, by input name. */
  instruments: Record<string, LoadedInstrument>;
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
  if (!parsed.success) return { problems: shapeProblems(source, parsed.error.issues as never) };
  const pipeline = parsed.data;
  const problems: Problem[] = [];

  const instruments: Record<string, LoadedInstrument> = {};
  for (const [name, input] of Object.entries(pipeline.inputs)) {
    const result = await checkInstrumentFile(resolve(cwd, input.instrument));
    if (result.loaded) instruments[name] = result.loaded;
    else problems.push(source.problem(['inputs', name, 'instrument'], `input ${code(name)}: the instrument ${input.instrument} has problems (run tapestry survey check ${input.instrument})`));
  }

  const inputNames = Object.keys(pipeline.inputs);
  for (const [name, design] of Object.entries(pipeline.design)) {
    if (!pipeline.inputs[name]) {
      problems.push(source.problem(['design', name], `design names input ${code(name)}, which the pipeline does not have${suggestion(name, inputNames)}`, { key: true }));
      continue;
    }
    const instrument = instruments[name];
    if (!instrument || !design.rake) continue;
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
  pipeline.tables.forEach((table, t) => {
    const at = (field: string): Path => ['tables', t, field];
    const first = tableLines.get(table.id);
    if (first !== undefined) problems.push(source.problem(at('id'), `table id ${code(table.id)} is used twice (first on line ${first})`));
    else tableLines.set(table.id, source.line(at('id')));
    if (!pipeline.inputs[table.input]) {
      problems.push(source.problem(at('input'), `table ${code(table.id)} reads input ${code(table.input)}, which the pipeline does not have${suggestion(table.input, inputNames)}`));
      return;
    }
    const instrument = instruments[table.input];
    if (!instrument) return;
    const questions = new Map(questionsOf(instrument.instrument).map((q) => [q.id, q]));
    const find = (id: string, field: Path, role: string): Question | undefined => {
      const question = questions.get(id);
      if (!question) problems.push(source.problem(field, `${role} names question ${code(id)}, which ${instrument.instrument.id} does not have${suggestion(id, questions.keys())}`));
      return question;
    };
    const [qid, row] = table.measure.split('.', 2) as [string, string | undefined];
    const measure = find(qid, at('measure'), `table ${code(table.id)}'s measure`);
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
    const categorical = (id: string, field: Path, role: string) => {
      const question = find(id, field, role);
      if (question && question.type !== 'single' && question.type !== 'scale') {
        problems.push(source.problem(field, `${role} ${code(id)} must be a single-choice or scale question, not ${question.type}`));
      }
    };
    table.by.forEach((id, i) => categorical(id, ['tables', t, 'by', i], `table ${code(table.id)} is broken down by`));
    if (table.panel) categorical(table.panel, at('panel'), `table ${code(table.id)}'s panel`);
    if (table.test) {
      if (table.by.length === 0) problems.push(source.problem(at('test'), `table ${code(table.id)} asks for a test of association but has no \`by\` to test against`));
      if (measure && (measure.type === 'number' || measure.type === 'multiple')) {
        problems.push(source.problem(at('test'), `table ${code(table.id)}: a test of association needs a single-choice, scale or matrix-row measure, not ${measure.type}`));
      }
    }
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

  if (problems.length > 0) return { problems: problems.sort((a, b) => a.line - b.line) };
  return { checked: { pipeline, file, instruments }, problems: [] };
}

