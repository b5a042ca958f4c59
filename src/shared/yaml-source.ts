/**
 * A YAML file parsed with its positions kept, so that any problem found in the data can be
 * reported at the file and line a person has to edit. Shared by instruments and pipeline files.
 */
import { LineCounter, isMap, isNode, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type Scalar } from 'yaml';

export interface Problem {
  file: string;
  line: number;
  message: string;
}

export function formatProblem(problem: Problem): string {
  return `${problem.file}:${problem.line}: ${problem.message}`;
}

/** An input refused whole: every problem found in it, the message one `file:line: sentence` per line. */
export class ProblemsError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

export type Path = readonly (string | number)[];

/** One pair of a mapping, in file order, its key as the file writes it. */
export interface SourceEntry {
  key: string;
  value: unknown;
  /** The line of the key. */
  line: number;
}

export class YamlSource {
  readonly file: string;
  readonly data: unknown;
  /** Syntax errors: when there are any, `data` is not to be trusted. */
  readonly syntaxProblems: Problem[];
  private readonly doc: Document;
  private readonly lines: LineCounter;
  private readonly text: string;

  constructor(text: string, file: string) {
    this.file = file;
    this.text = text;
    this.lines = new LineCounter();
    // Version 1.2 core schema: `no`, `on` and `yes` stay strings, so option ids like `no` are safe.
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true, version: '1.2' });
    this.syntaxProblems = this.doc.errors.map((error) => {
      const line = this.lines.linePos(error.pos[0]).line;
      if (error.code === 'DUPLICATE_KEY') {
        const key = /^[^:\n]*/.exec(text.slice(error.pos[0]))![0].trim();
        return { file, line, message: `the key \`${key}\` is repeated here; a key may appear only once in a mapping` };
      }
      if (error.code === 'MISSING_CHAR' && /quote/.test(error.message)) {
        // A quoted value may run over several lines, so the parser only notices at the end of
        // the file; the line to fix is where the quote was opened.
        return { file, line: unclosedQuoteLine(text) ?? line, message: yamlMessage(error.message) };
      }
      return { file, line, message: yamlMessage(error.message) };
    });
    this.data = this.doc.toJS({ maxAliasCount: 100 });
  }

  /**
   * The pairs of the mapping at `path` in the order the file writes them, or undefined where
   * there is no mapping. `toJS` cannot keep that order: a JavaScript object moves integer-like
   * keys (`5`, `10`) to the front. A key that YAML reads as a number is kept as written (`01`).
   */
  entriesOf(path: Path): SourceEntry[] | undefined {
    const node = this.doc.getIn(path as (string | number)[], true);
    if (!isMap(node)) return undefined;
    return node.items.map((pair) => ({
      key: this.keyText(pair.key),
      value: isNode(pair.value) ? pair.value.toJS(this.doc, { maxAliasCount: 100 }) : pair.value,
      line: isNode(pair.key) && pair.key.range ? this.lineAt(pair.key.range[0]) : this.line(path),
    }));
  }

  private keyText(key: unknown): string {
    if (!isScalar(key)) return String(key);
    if (typeof key.value === 'string') return key.value;
    return (key as Scalar).type === 'PLAIN' && key.range ? this.text.slice(key.range[0], key.range[1]) : String(key.value);
  }

  /** The text of the value at `path` exactly as the file has it (`1.0`, not the number 1). */
  sourceOf(path: Path): string | undefined {
    const node = this.doc.getIn(path as (string | number)[], true) as Node | undefined;
    return node?.range ? this.text.slice(node.range[0], node.range[1]).trim() : undefined;
  }

  private lineAt(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  /**
   * The line of the value at `path`, or of its key when `key` is set; when the path does not
   * exist (a missing field), the line of the nearest thing that does.
   */
  line(path: Path, options: { key?: boolean } = {}): number {
    let node: unknown = this.doc.contents;
    let line = node && (node as Node).range ? this.lineAt((node as Node).range![0]) : 1;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      let next: unknown;
      if (isMap(node)) {
        // A key is found as `toJS` names it (`1` for `01:`) or as the file writes it.
        const pair = node.items.find((p: Pair) => isScalar(p.key) && (String(p.key.value) === String(segment) || this.keyText(p.key) === String(segment)));
        if (!pair) return line;
        const isLast = i === path.length - 1;
        if (isLast && options.key && isScalar(pair.key) && pair.key.range) return this.lineAt(pair.key.range[0]);
        next = pair.value ?? pair.key;
        if (isPair(next)) next = next.value;
        // A key with an empty value has no node of its own: its key's line is the right place.
        if (next === null && isScalar(pair.key) && pair.key.range) return this.lineAt(pair.key.range[0]);
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
      } else {
        return line;
      }
      if (!next || !(next as Node).range) return line;
      node = next;
      line = this.lineAt((node as Node).range![0]);
    }
    return line;
  }

  problem(path: Path, message: string, options: { key?: boolean } = {}): Problem {
    return { file: this.file, line: this.line(path, options), message };
  }
}

function yamlMessage(message: string): string {
  // The yaml library's own first line is already a sentence; drop any trailing position.
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  // By far the commonest cause: text with ": " in it, left unquoted.
  const hint = /compact mappings|Implicit map keys/.test(first) ? ' (put text that contains ": " in quotes)' : '';
  return `the YAML is not valid: ${first}${hint}`;
}

/** The first line whose value opens a quote that the line does not close. */
function unclosedQuoteLine(text: string): number | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^\s*(?:-\s+)?(?:[^:#'"]+:\s+)?(["'])(.*)$/.exec(lines[i]!);
    if (!match) continue;
    const [, quote, rest] = match;
    const closed = quote === '"' ? /(^|[^\\])"/.test(rest!) : rest!.replace(/''/g, '').includes("'");
    if (!closed) return i + 1;
  }
  return undefined;
}
