/**
 * Checking an instrument file: every problem at once, each at its file and line, in a plain
 * sentence. Shape problems come from the schema; the rules that span fields (unique ids, skip
 * logic that names earlier questions and real options, min ≤ max) are checked here over the raw
 * data, so that one malformed question does not hide the problems of the others.
 */
import type { z } from 'zod';
import { closest, suggestion } from '../shared/did-you-mean.ts';
import { YamlSource, type Path, type Problem } from '../shared/yaml-source.ts';
import { comparisonsOf, ConditionSyntaxError, KEYWORDS, parseCondition, refName, type Condition } from './condition.ts';
import { META_COLUMNS } from './columns.ts';
import { Instrument, INSTRUMENT_KINDS, OptionFields, optionIds, Page, Question, QUESTION_TYPES, RowFields, rowIds, type Question as QuestionT } from './schema.ts';
import { isRecord, valueAt, type Raw } from '../shared/raw.ts';

export interface CheckResult {
  /** Present only when there are no problems. */
  instrument?: Instrument;
  problems: Problem[];
}

const code = (s: unknown) => `\`${String(s)}\``;
const quoted = (s: string) => `'${s}'`;

interface RawQuestion {
  index: number;
  path: Path;
  id: string | undefined;
  raw: Raw;
  /** The question as the schema reads it, when its own shape is right. */
  parsed: QuestionT | undefined;
}

export function checkInstrumentText(text: string, file: string): CheckResult {
  const source = new YamlSource(text, file);
  if (source.syntaxProblems.length > 0) return { problems: source.syntaxProblems };
  if (source.data === null || source.data === undefined) {
    return { problems: [{ file, line: 1, message: 'the file is empty; an instrument needs id, version, title, kind, source and pages' }] };
  }
  if (!isRecord(source.data)) {
    return { problems: [{ file, line: source.line([]), message: 'the file must be a mapping of instrument fields (id, version, title, kind, source, pages)' }] };
  }
  const data = source.data;
  const ordering = orderOptions(source, data);
  const questions = collectQuestions(data);
  const problems = [
    ...ordering.problems,
    ...schemaProblems(source, data, ordering.replaced),
    ...exclusiveProblems(source, questions),
    ...idProblems(source, data, questions),
    ...numberProblems(source, questions),
    ...conditionProblems(source, questions),
  ].sort((a, b) => a.line - b.line);
  if (problems.length > 0) return { problems: dedupe(problems) };
  return { instrument: Instrument.parse(data), problems: [] };
}

/**
 * Puts each question's options into a Map in the order the file writes them (see `schema.ts`),
 * so that a scale written `5: …, 4: …, … 1: …` or with `10` after `9` keeps that order. A list
 * in place of the mapping is refused here: it is the stored form, not the file's.
 */
function orderOptions(source: YamlSource, data: Raw): { problems: Problem[]; replaced: Set<string> } {
  const problems: Problem[] = [];
  const replaced = new Set<string>();
  const pages = Array.isArray(data.pages) ? data.pages : [];
  pages.forEach((page, p) => {
    if (!isRecord(page) || !Array.isArray(page.questions)) return;
    page.questions.forEach((raw, q) => {
      if (!isRecord(raw) || !('options' in raw)) return;
      const path: Path = ['pages', p, 'questions', q, 'options'];
      if (Array.isArray(raw.options)) {
        problems.push(source.problem(path, `\`options\` of ${subject(data, path)} must be a mapping of id: label pairs, not a list`));
        replaced.add(path.join('\u0000'));
        raw.options = undefined;
        return;
      }
      const entries = source.entriesOf(path);
      if (!entries) return;
      const options = new Map<string, unknown>();
      const lines = new Map<string, number>();
      for (const entry of entries) {
        const first = lines.get(entry.key);
        if (first !== undefined) {
          problems.push({ file: source.file, line: entry.line, message: `option id ${code(entry.key)} of ${subject(data, path)} is written twice (first on line ${first})` });
          continue;
        }
        lines.set(entry.key, entry.line);
        options.set(entry.key, entry.value);
      }
      raw.options = options;
    });
  });
  return { problems, replaced };
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function collectQuestions(data: Raw): RawQuestion[] {
  const out: RawQuestion[] = [];
  const pages = Array.isArray(data.pages) ? data.pages : [];
  pages.forEach((page, p) => {
    if (!isRecord(page) || !Array.isArray(page.questions)) return;
    page.questions.forEach((raw, q) => {
      if (!isRecord(raw)) return;
      // Unknown fields are reported on their own; they should not stop the question's skip-logic
      // references from being checked against its options.
      const parsed = Question.safeParse(withoutUnknownFields(raw));
      out.push({
        index: out.length,
        path: ['pages', p, 'questions', q],
        id: typeof raw.id === 'string' ? raw.id : undefined,
        raw,
        parsed: parsed.success ? parsed.data : undefined,
      });
    });
  });
  return out;
}

function withoutUnknownFields(raw: Raw): Raw {
  const variant = Question.options.find((o) => o.shape.type.value === raw.type);
  if (!variant) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([key]) => key in variant.shape));
}

// ---------------------------------------------------------------------------------------------
// Shape problems, from the schema, rewritten as sentences about the thing a person wrote.

/** "question `tier`", "page `about-you`" or "the instrument", for the thing a path is inside. */
function subject(data: Raw, path: Path): string {
  if (path[0] === 'pages' && typeof path[1] === 'number') {
    const page = valueAt(data, path.slice(0, 2));
    const pageName = isRecord(page) && typeof page.id === 'string' ? `page ${code(page.id)}` : `page ${path[1] + 1}`;
    if (path[2] === 'questions' && typeof path[3] === 'number') {
      const question = valueAt(data, path.slice(0, 4));
      return isRecord(question) && typeof question.id === 'string'
        ? `question ${code(question.id)}`
        : `question ${path[3] + 1} of ${pageName}`;
    }
    return pageName;
  }
  return 'the instrument';
}

/** The path of the object a field belongs to, and the field's name. */
function ownerOf(path: Path): { owner: Path; field: string } {
  // Inside options/rows maps the field is the map's name, e.g. `options` of question `tier`.
  for (const map of ['options', 'rows'] as const) {
    const at = path.lastIndexOf(map);
    if (at >= 0 && at < path.length - 1) return { owner: path.slice(0, at), field: `${map}.${String(path[at + 1])}` };
  }
  return { owner: path.slice(0, -1), field: String(path[path.length - 1] ?? '') };
}

function describeValue(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a mapping';
  if (typeof value === 'string') return `the text ${quoted(value)}`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of id: label pairs',
  record: 'a mapping of id: label pairs',
  map: 'a mapping of id: label pairs',
};

function knownKeys(raw: unknown, path: Path): string[] {
  if (path.length === 0) return Object.keys(Instrument.shape);
  if (path.length === 2) return Object.keys(Page.shape);
  const type = isRecord(raw) ? raw.type : undefined;
  const variant = Question.options.find((o) => o.shape.type.value === type);
  return variant ? Object.keys(variant.shape) : [...new Set(Question.options.flatMap((o) => Object.keys(o.shape)))];
}

function schemaProblems(source: YamlSource, data: Raw, reported: Set<string>): Problem[] {
  const result = Instrument.safeParse(data);
  if (result.success) return [];
  return result.error.issues
    .filter((issue) => !reported.has(issue.path.map(String).join('\u0000')))
    .flatMap((issue) => optionIssueProblems(source, data, issue) ?? issueProblems(source, data, issue));
}

const FIELDS = { options: Object.keys(OptionFields.shape), rows: Object.keys(RowFields.shape) } as const;

/**
 * Problems with one option or matrix row: an option's id, its label, or the mapping that gives
 * more than a label (`none: { label: None of these, exclusive: true }`, `coaching: { label: …,
 * short: Coaching }`). Undefined for anything else, and for a row id, which `issueProblems` names.
 */
function optionIssueProblems(source: YamlSource, data: Raw, issue: z.core.$ZodIssue): Problem[] | undefined {
  const path = issue.path as Path;
  const map = (['options', 'rows'] as const).find((m) => {
    const at = path.lastIndexOf(m);
    return at >= 0 && path.length > at + 1 && path[at - 2] === 'questions';
  });
  if (!map) return undefined;
  const at = path.lastIndexOf(map);
  const id = String(path[at + 1]);
  const option = path.slice(0, at + 2);
  const rest = path.slice(at + 2);
  const noun = map === 'rows' ? 'row' : 'option';
  const fields = FIELDS[map];
  const who = `${noun} ${code(id)} of ${subject(data, path.slice(0, at))}`;
  const value = valueAt(data, option);
  if (rest.length === 0 && issue.code === 'invalid_key') return undefined;
  if (rest.length === 0 && issue.code === 'invalid_format') {
    return [source.problem(option, `${noun} id ${code(id)} of ${subject(data, path.slice(0, at))} ${issue.message}`, { key: true })];
  }
  if (rest.length === 0 && issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) =>
      source.problem([...option, key], `${who} has an unknown field ${code(key)}${suggestion(key, fields) || `; ${noun === 'row' ? 'a row' : 'an option'} may have ${fields.map(code).join(', ')}`}`, { key: true }),
    );
  }
  const noLabel = value === null || value === '' || (isRecord(value) && (value.label === undefined || value.label === null || (typeof value.label === 'string' && value.label.trim() === '')));
  if ((rest.length === 0 || rest[0] === 'label') && noLabel) return [source.problem(option, `${who} has no label`)];
  if (rest.length === 0) return [source.problem(option, `${who} must be its label as text, or a mapping with \`label\`, not ${describeValue(value)}`)];
  const field = String(rest[0]);
  const expected = issue.code === 'invalid_type' ? (EXPECTED[issue.expected] ?? issue.expected) : undefined;
  const fieldValue = valueAt(data, [...option, field]);
  return [source.problem([...option, field], expected ? `\`${field}\` of ${who} must be ${expected}, not ${describeValue(fieldValue)}` : `\`${field}\` of ${who}: ${issue.message}`)];
}

function issueProblems(source: YamlSource, data: Raw, issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path as Path;
  if (issue.code === 'unrecognized_keys') {
    const owner = valueAt(data, path);
    const known = knownKeys(owner, path);
    return issue.keys.map((key) =>
      source.problem([...path, key], `${subject(data, path)} has an unknown field ${code(key)}${suggestion(key, known)}`, { key: true }),
    );
  }
  if (issue.code === 'invalid_union' && path[path.length - 1] === 'type') {
    const owner = path.slice(0, -1);
    const type = valueAt(data, path);
    const types = QUESTION_TYPES.join(', ');
    if (type === undefined) return [source.problem(owner, `${subject(data, owner)} has no \`type\`; it must be one of ${types}`)];
    return [source.problem(path, `${subject(data, owner)} has type ${code(type)}, which is not a question type${typeof type === 'string' ? suggestion(type, QUESTION_TYPES) : ''}; the types are ${types}`)];
  }
  const value = valueAt(data, path);
  const { owner, field } = ownerOf(path);
  const who = subject(data, owner);
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) {
        const type = valueAt(data, [...owner, 'type']);
        if (field === 'rows' && type === 'matrix') {
          return [source.problem(owner, `${who} is a matrix and has no \`rows\`; list its rows as id: label pairs`)];
        }
        if (field === 'options') return [source.problem(owner, `${who} is a ${String(type)} question and has no \`options\``)];
        return [source.problem(owner, `${who} is missing \`${field}\``)];
      }
      if (field === 'version') {
        const written = source.sourceOf(path) ?? String(value);
        return [source.problem(path, `version must be a quoted string such as "1.0", not the ${typeof value === 'number' ? 'number' : 'value'} ${written}`)];
      }
      if (/^(options|rows)\./.test(field) && (value === null || value === '')) {
        const [map, id] = field.split('.');
        return [source.problem(path, `${map === 'rows' ? 'row' : 'option'} \`${id}\` of ${who} has no label`)];
      }
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [source.problem(path, `\`${field}\` of ${who} must be ${expected}, not ${describeValue(value)}`)];
    }
    case 'invalid_value': {
      if (field === 'kind') {
        const near = typeof value === 'string' ? suggestion(value, INSTRUMENT_KINDS) : '';
        return [source.problem(path, `kind must be ${INSTRUMENT_KINDS.join(' or ')}, not ${describeValue(value)}${near}`)];
      }
      return [source.problem(path, `\`${field}\` of ${who} must be one of ${issue.values.map(String).join(', ')}`)];
    }
    case 'invalid_format': {
      const kind = owner.length === 0 ? 'instrument' : owner.length === 2 ? 'page' : 'question';
      return [source.problem(path, `${kind} ${field} ${code(value)} ${issue.message}`)];
    }
    case 'invalid_key': {
      const key = path[path.length - 1];
      const map = path[path.length - 2];
      return [source.problem(path, `${map === 'rows' ? 'row' : 'option'} id ${code(key)} of ${subject(data, path.slice(0, -2))} must start with a lower-case letter and use only a-z, 0-9 and _`, { key: true })];
    }
    case 'too_small':
      if (/^(options|rows)\./.test(field) && value === '') {
        const [map, id] = field.split('.');
        return [source.problem(path, `${map === 'rows' ? 'row' : 'option'} \`${id}\` of ${who} has no label`)];
      }
      if (field === 'version') return [source.problem(path, issue.message)];
      if (Array.isArray(value) || isRecord(value)) return [source.problem(path, `${who}: ${issue.message}`)];
      return [source.problem(path, `\`${field}\` of ${who}: ${issue.message}`)];
    case 'too_big':
      return [source.problem(path, `\`${field}\` of ${who}: ${issue.message}`)];
    default:
      return [source.problem(path, `${who}: ${issue.message}`)];
  }
}

// ---------------------------------------------------------------------------------------------
// Ids: unique pages, unique questions, and question ids that would clash with columns or keywords.

function idProblems(source: YamlSource, data: Raw, questions: RawQuestion[]): Problem[] {
  const problems: Problem[] = [];
  const pages = Array.isArray(data.pages) ? data.pages : [];
  const pageLines = new Map<string, number>();
  pages.forEach((page, p) => {
    if (!isRecord(page) || typeof page.id !== 'string') return;
    const line = source.line(['pages', p, 'id']);
    const first = pageLines.get(page.id);
    if (first !== undefined) problems.push({ file: source.file, line, message: `page id ${code(page.id)} is used twice (first on line ${first})` });
    else pageLines.set(page.id, line);
  });
  const questionLines = new Map<string, number>();
  for (const q of questions) {
    if (q.id === undefined) continue;
    const line = source.line([...q.path, 'id']);
    const first = questionLines.get(q.id);
    if (first !== undefined) {
      problems.push({ file: source.file, line, message: `question id ${code(q.id)} is used twice (first on line ${first}); every question needs its own id` });
    } else questionLines.set(q.id, line);
    if ((META_COLUMNS as readonly string[]).includes(q.id)) {
      problems.push({ file: source.file, line, message: `question id ${code(q.id)} clashes with the ${code(q.id)} column that every response file has; choose another id` });
    }
    if ((KEYWORDS as readonly string[]).includes(q.id)) {
      problems.push({ file: source.file, line, message: `question id ${code(q.id)} is a word of the show_if language (${KEYWORDS.join(', ')}); choose another id` });
    }
  }
  return problems;
}

/** Only a multiple-choice answer has other options to exclude; elsewhere the key would mislead. */
function exclusiveProblems(source: YamlSource, questions: RawQuestion[]): Problem[] {
  const problems: Problem[] = [];
  for (const { parsed, path } of questions) {
    if (!parsed || !('options' in parsed) || parsed.type === 'multiple') continue;
    for (const option of parsed.options) {
      if (!option.exclusive) continue;
      problems.push(
        source.problem(
          [...path, 'options', option.id, 'exclusive'],
          `option ${code(option.id)} of question ${code(parsed.id)} is marked exclusive, but a ${TYPE_NAMES[parsed.type]} question takes one option anyway; \`exclusive\` is for the options of a multiple-choice question`,
        ),
      );
    }
  }
  return problems;
}

function numberProblems(source: YamlSource, questions: RawQuestion[]): Problem[] {
  const problems: Problem[] = [];
  for (const { parsed, path } of questions) {
    if (parsed?.type !== 'number') continue;
    const { min, max, integer, id } = parsed;
    if (min !== undefined && max !== undefined && min > max) {
      problems.push(source.problem([...path, 'min'], `question ${code(id)} has min ${min} greater than max ${max}`));
    }
    if (integer) {
      for (const [field, bound] of [['min', min], ['max', max]] as const) {
        if (bound !== undefined && !Number.isInteger(bound)) {
          problems.push(source.problem([...path, field], `question ${code(id)} takes whole numbers, but its ${field} ${bound} is not one`));
        }
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Skip logic: the condition parses, names earlier questions, and compares them with real options
// in a way that fits their type.

function conditionProblems(source: YamlSource, questions: RawQuestion[]): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map<string, RawQuestion>();
  for (const q of questions) if (q.id !== undefined && !byId.has(q.id)) byId.set(q.id, q);
  for (const q of questions) {
    const text = q.raw.show_if;
    if (typeof text !== 'string') continue;
    const at = [...q.path, 'show_if'];
    let condition: Condition;
    try {
      condition = parseCondition(text);
    } catch (error) {
      if (!(error instanceof ConditionSyntaxError)) throw error;
      problems.push(source.problem(at, `show_if ${code(text)} is not valid: ${error.message} (at character ${error.offset + 1})`));
      continue;
    }
    for (const message of referenceProblems(condition, q, byId)) problems.push(source.problem(at, message));
  }
  return problems;
}

function referenceProblems(condition: Condition, self: RawQuestion, byId: Map<string, RawQuestion>): string[] {
  const messages: string[] = [];
  for (const comparison of comparisonsOf(condition)) {
    const { ref } = comparison;
    const target = byId.get(ref.question);
    if (!target) {
      messages.push(`show_if names question ${code(ref.question)}, which does not exist${suggestion(ref.question, byId.keys())}`);
      continue;
    }
    if (target === self) {
      messages.push(`show_if of question ${code(ref.question)} names the question itself; it may only name earlier questions`);
      continue;
    }
    if (target.index > self.index) {
      messages.push(`show_if names question ${code(ref.question)}, which comes later; show_if may only name earlier questions`);
      continue;
    }
    const question = target.parsed;
    if (!question) continue; // its own problems are reported where it stands
    messages.push(...comparisonProblems(comparison, question));
  }
  return messages;
}

const TYPE_NAMES: Record<QuestionT['type'], string> = {
  single: 'single-choice',
  multiple: 'multiple-choice',
  scale: 'scale',
  matrix: 'matrix',
  number: 'number',
  text: 'text',
  longtext: 'long text',
};

function comparisonProblems(comparison: ReturnType<typeof comparisonsOf>[number], question: QuestionT): string[] {
  const { ref } = comparison;
  const name = code(refName(ref));
  if (question.type === 'matrix') {
    const rows = rowIds(question.rows);
    if (ref.row === undefined) {
      return [`show_if names matrix ${code(question.id)} without a row; write ${code(`${question.id}.<row>`)}, for example ${code(`${question.id}.${rows[0]}`)}`];
    }
    if (!rows.includes(ref.row)) {
      return [`show_if names row ${code(ref.row)} of matrix ${code(question.id)}, which does not exist${suggestion(ref.row, rows)}`];
    }
  } else if (ref.row !== undefined) {
    return [`show_if names ${name}, but ${code(question.id)} is a ${TYPE_NAMES[question.type]} question and has no rows`];
  }
  const literals = comparison.type === 'in' ? comparison.values : [comparison.value];
  const op = comparison.type === 'compare' ? comparison.op : comparison.type;

  if (comparison.type === 'includes' && question.type !== 'multiple') {
    return [`show_if uses \`includes\` on ${name}, which is a ${TYPE_NAMES[question.type]} question; \`includes\` is for multiple-choice questions (use = or in)`];
  }
  if (question.type === 'multiple' && comparison.type !== 'includes') {
    return [`show_if uses \`${op}\` on ${name}, which is a multiple-choice question; write ${code(`${question.id} includes '<option>'`)}`];
  }
  if (['<', '<=', '>', '>='].includes(op) && question.type !== 'number' && question.type !== 'scale') {
    return [`show_if uses \`${op}\` on ${name}, which is a ${TYPE_NAMES[question.type]} question; ordering comparisons need a number or scale question`];
  }
  if (question.type === 'number') {
    const text = literals.find((l) => l.kind === 'string');
    return text ? [`show_if compares number question ${name} with ${quoted(String(text.value))}; compare it with a number`] : [];
  }
  if (question.type === 'text' || question.type === 'longtext') {
    const number = literals.find((l) => l.kind === 'number');
    return number ? [`show_if compares text question ${name} with ${number.value}; put the text in quotes`] : [];
  }
  const options = optionIds(question.options);
  const messages: string[] = [];
  for (const literal of literals) {
    const value = String(literal.value);
    if (literal.kind === 'number') {
      messages.push(`show_if compares ${name} with ${value}, but its answers are option ids (${options.join(', ')}); put the option id in quotes`);
    } else if (!options.includes(value)) {
      const near = closest(value, options);
      messages.push(`show_if compares ${name} with ${quoted(value)}, which is not one of its options (${options.join(', ')})${near ? `; did you mean ${quoted(near)}?` : ''}`);
    }
  }
  return messages;
}
