/**
 * Checking a codebook file: every problem at once, each at its file and line in a plain sentence
 * about the code it is in. Shape problems come from the `Codebook` schema; the rules that span
 * codes (ids unique across the whole hierarchy) run over the raw data, so that one malformed code
 * does not hide the others' problems.
 */
import type { z } from 'zod';
import { suggestion } from '../shared/did-you-mean.ts';
import { YamlSource, type Path, type Problem } from '../shared/yaml-source.ts';
import { Code, Codebook } from './codebook.ts';
import { code, sortProblems } from './problems.ts';
import { isRecord, valueAt, type Raw } from '../shared/raw.ts';


const BOOK_FIELDS = Object.keys(Codebook.shape);
// `Code` is lazy because it contains itself; its fields are those of the schema inside.
const CODE_FIELDS = Object.keys((Code as unknown as { unwrap(): { shape: Raw } }).unwrap().shape);

/** What one item of each list field is called in a sentence. */
const ITEM: Record<string, string> = {
  codes: 'code',
  children: 'child',
  include: 'include rule',
  exclude: 'exclude rule',
  examples: 'example',
  keywords: 'keyword',
};

/** Reads and checks a codebook; either the whole codebook or every problem found in it. */
export function checkCodebookText(text: string, file: string): { codebook?: Codebook; problems: Problem[] } {
  const source = new YamlSource(text.replace(/^\uFEFF/, ''), file);
  if (source.syntaxProblems.length > 0) return { problems: source.syntaxProblems };
  const data = source.data;
  if (data === null || data === undefined) {
    return { problems: [{ file, line: 1, message: `the file is empty; a codebook needs ${BOOK_FIELDS.join(', ')}` }] };
  }
  if (!isRecord(data)) {
    return { problems: [source.problem([], `the file must be a mapping of codebook fields (${BOOK_FIELDS.join(', ')})`)] };
  }
  const parsed = Codebook.safeParse(data);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => issueProblems(source, data, issue))),
    ...hierarchyProblems(source, data),
  ];
  if (problems.length > 0 || !parsed.success) return { problems: sortProblems(problems) };
  return { codebook: parsed.data, problems: [] };
}

/** "code `authority`", "code 2 of code `leadership`" or "the codebook", for the thing at `path`. */
function subject(data: Raw, path: Path): string {
  if (path.length === 0) return 'the codebook';
  const raw = valueAt(data, path);
  if (isRecord(raw) && typeof raw.id === 'string' && raw.id !== '') return `code ${code(raw.id)}`;
  const index = Number(path[path.length - 1]) + 1;
  return path.length === 2 ? `code ${index} of the codebook` : `child ${index} of ${subject(data, path.slice(0, -2))}`;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a mapping';
  if (typeof value === 'string') return `the text '${value}'`;
  return `the ${typeof value} ${String(value)}`;
}

/**
 * Where a path points: the code or codebook that owns it, the field, and, for an item of a list
 * field, which item (`keyword 2`).
 */
function locate(data: Raw, path: Path): { owner: Path; field: string; item?: string } {
  const last = path[path.length - 1];
  if (typeof last === 'number' && path.length >= 2) {
    const field = String(path[path.length - 2]);
    const owner = path.slice(0, -2);
    return { owner, field, item: `${ITEM[field] ?? field} ${last + 1} of ${subject(data, owner)}` };
  }
  return { owner: path.slice(0, -1), field: String(last ?? '') };
}

function issueProblems(source: YamlSource, data: Raw, issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as Path;
  if (issue.code === 'unrecognized_keys') {
    const known = path.length === 0 ? BOOK_FIELDS : CODE_FIELDS;
    return issue.keys.map((key) =>
      source.problem([...path, key], `${subject(data, path)} has an unknown field ${code(key)}${suggestion(key, known) || `; the fields are ${known.join(', ')}`}`, { key: true }),
    );
  }
  const value = valueAt(data, path);
  const { owner, field, item } = locate(data, path);
  // Codes in a list are named by what they are; other list items by their place in their field.
  const isCode = item !== undefined && (field === 'codes' || field === 'children');
  const what = item && !isCode ? item : isCode ? subject(data, path) : `\`${field}\` of ${subject(data, owner)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return [source.problem(owner, `${subject(data, owner)} is missing ${code(field)}`)];
      if (value === null) {
        if (issue.expected === 'array') return [source.problem(path, `${what} has nothing after it; give a list, or leave the field out`)];
        return [source.problem(path, `${what} is empty`)];
      }
      if (issue.expected === 'object') return [source.problem(path, `${what} must be a mapping of fields (id, label, …), not ${describeValue(value)}`)];
      if (issue.expected === 'array') return [source.problem(path, `${what} must be a list, not ${describeValue(value)}`)];
      if (issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
        return [source.problem(path, `${what} must be text, not ${describeValue(value)}; put it in quotes`)];
      }
      return [source.problem(path, `${what} must be ${issue.expected === 'string' ? 'text' : issue.expected}, not ${describeValue(value)}`)];
    case 'invalid_format':
      return [source.problem(path, `${path.length === 1 ? 'codebook' : 'code'} id ${code(value)} ${issue.message}`)];
    case 'too_small':
      if (path.length === 1 && field === 'codes') return [source.problem(path, issue.message)];
      return [source.problem(path, `${what} is empty`)];
    default:
      return [source.problem(path, `${what}: ${issue.message}`)];
  }
}

/** Rules the schema cannot state: ids unique across every level, and no blank text. */
function hierarchyProblems(source: YamlSource, data: Raw): Problem[] {
  const problems: Problem[] = [];
  const idLines = new Map<string, number>();
  const walk = (codes: unknown, at: Path) => {
    if (!Array.isArray(codes)) return;
    codes.forEach((raw, i) => {
      const path = [...at, i];
      if (!isRecord(raw)) return;
      if (typeof raw.id === 'string') {
        const line = source.line([...path, 'id']);
        const first = idLines.get(raw.id);
        if (first !== undefined) {
          problems.push({ file: source.file, line, message: `code id ${code(raw.id)} is used twice (first on line ${first}); each code needs its own id across the whole codebook, children included` });
        } else idLines.set(raw.id, line);
      }
      // The schema takes any text that is not empty; a label or keyword of spaces is empty too.
      if (typeof raw.label === 'string' && raw.label !== '' && raw.label.trim() === '') {
        problems.push(source.problem([...path, 'label'], `\`label\` of ${subject(data, path)} is empty`));
      }
      if (Array.isArray(raw.keywords)) {
        raw.keywords.forEach((keyword, k) => {
          if (typeof keyword === 'string' && keyword !== '' && keyword.trim() === '') {
            problems.push(source.problem([...path, 'keywords', k], `keyword ${k + 1} of ${subject(data, path)} is empty`));
          }
        });
      }
      walk(raw.children, [...path, 'children']);
    });
  };
  walk(data.codes, ['codes']);
  return problems;
}
