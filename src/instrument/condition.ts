/**
 * The `show_if` skip-logic language: a tokenizer and recursive-descent parser into a small AST.
 *
 * Conditions come from files that researchers write and respondents never see, but they are
 * still data, not code: nothing here is ever handed to `eval` or `Function`, and anything outside
 * the grammar below is rejected with the position where it went wrong.
 *
 *   condition  := or
 *   or         := and ('or' and)*
 *   and        := unary ('and' unary)*
 *   unary      := 'not' unary | '(' condition ')' | comparison
 *   comparison := ref ('=' | '!=' | '<' | '<=' | '>' | '>=') literal
 *               | ref 'in' '[' literal (',' literal)* ']'
 *               | ref 'includes' literal
 *   ref        := name ('.' name)?          -- a question, or one row of a matrix
 *   literal    := 'text' | "text" | number
 */

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Literal =
  | { kind: 'string'; value: string; offset: number }
  | { kind: 'number'; value: number; offset: number };

export interface Ref {
  question: string;
  /** A matrix row, from `question.row`. */
  row?: string;
  offset: number;
}

export type Condition =
  | { type: 'or' | 'and'; left: Condition; right: Condition }
  | { type: 'not'; operand: Condition }
  | { type: 'compare'; ref: Ref; op: ComparisonOperator; value: Literal }
  | { type: 'in'; ref: Ref; values: Literal[] }
  | { type: 'includes'; ref: Ref; value: Literal };

export const KEYWORDS = ['and', 'or', 'not', 'in', 'includes'] as const;

export class ConditionSyntaxError extends Error {
  /** 0-based character offset in the condition text. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'ConditionSyntaxError';
    this.offset = offset;
  }
}

type Token =
  | { kind: 'name'; text: string; offset: number }
  | { kind: 'string'; value: string; offset: number }
  | { kind: 'number'; value: number; offset: number }
  | { kind: 'punct'; text: string; offset: number }
  | { kind: 'end'; offset: number };

const OPERATORS = ['<=', '>=', '!=', '=', '<', '>', '(', ')', '[', ']', ',', '.'];
/** Spellings from other languages that people will reach for, and what to write instead. */
const MISTAKES: Record<string, string> = {
  '==': 'use = to compare, not ==',
  '&&': 'use `and`, not &&',
  '||': 'use `or`, not ||',
  '<>': 'use != for "not equal"',
  '!': 'use `not`, not !',
};

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    const mistake = Object.keys(MISTAKES).find((m) => source.startsWith(m, i) && !source.startsWith('!=', i));
    if (mistake) throw new ConditionSyntaxError(MISTAKES[mistake]!, start);
    if (/[A-Za-z_]/.test(ch)) {
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i]!)) i++;
      tokens.push({ kind: 'name', text: source.slice(start, i), offset: start });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^-?[0-9]+(\.[0-9]+)?/.exec(source.slice(i))!;
      i += match[0].length;
      if (/[A-Za-z_]/.test(source[i] ?? '')) {
        const word = /^[A-Za-z0-9_.-]+/.exec(source.slice(start))![0];
        throw new ConditionSyntaxError(`\`${word}\` is neither a number nor a name (names start with a letter)`, start);
      }
      tokens.push({ kind: 'number', value: Number(match[0]), offset: start });
      continue;
    }
    if (ch === "'" || ch === '"') {
      let value = '';
      i++;
      while (i < source.length && source[i] !== ch) {
        if (source[i] === '\\' && i + 1 < source.length) i++;
        value += source[i];
        i++;
      }
      if (i >= source.length) throw new ConditionSyntaxError(`text starting here has no closing ${ch}`, start);
      i++;
      tokens.push({ kind: 'string', value, offset: start });
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op) {
      i += op.length;
      tokens.push({ kind: 'punct', text: op, offset: start });
      continue;
    }
    throw new ConditionSyntaxError(`unexpected character "${ch}"`, start);
  }
  tokens.push({ kind: 'end', offset: source.length });
  return tokens;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the condition';
    case 'name':
      return `\`${token.text}\``;
    case 'string':
      return `'${token.value}'`;
    case 'number':
      return String(token.value);
    case 'punct':
      return `\`${token.text}\``;
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    return this.tokens[this.pos++]!;
  }
  private isName(text: string): boolean {
    const t = this.peek();
    return t.kind === 'name' && t.text === text;
  }
  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }
  private expectPunct(text: string, context: string): void {
    if (!this.isPunct(text)) {
      throw new ConditionSyntaxError(`expected \`${text}\` ${context}, found ${describe(this.peek())}`, this.peek().offset);
    }
    this.next();
  }

  parse(): Condition {
    const condition = this.or();
    const rest = this.peek();
    if (rest.kind !== 'end') {
      throw new ConditionSyntaxError(`expected \`and\`, \`or\` or the end, found ${describe(rest)}`, rest.offset);
    }
    return condition;
  }

  private or(): Condition {
    let left = this.and();
    while (this.isName('or')) {
      this.next();
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Condition {
    let left = this.unary();
    while (this.isName('and')) {
      this.next();
      left = { type: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Condition {
    if (this.isName('not')) {
      this.next();
      return { type: 'not', operand: this.unary() };
    }
    if (this.isPunct('(')) {
      this.next();
      const inner = this.or();
      this.expectPunct(')', 'to close the parenthesis');
      return inner;
    }
    return this.comparison();
  }

  private ref(): Ref {
    const t = this.next();
    if (t.kind !== 'name' || (KEYWORDS as readonly string[]).includes(t.text)) {
      throw new ConditionSyntaxError(`expected a question id, found ${describe(t)}`, t.offset);
    }
    const ref: Ref = { question: t.text, offset: t.offset };
    if (this.isPunct('.')) {
      this.next();
      const row = this.next();
      if (row.kind !== 'name') {
        throw new ConditionSyntaxError(`expected a matrix row id after \`${t.text}.\`, found ${describe(row)}`, row.offset);
      }
      ref.row = row.text;
    }
    return ref;
  }

  private literal(): Literal {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'string', value: t.value, offset: t.offset };
    if (t.kind === 'number') return { kind: 'number', value: t.value, offset: t.offset };
    const hint = t.kind === 'name' ? ` (put option ids in quotes: '${t.text}')` : '';
    throw new ConditionSyntaxError(`expected a quoted option id or a number, found ${describe(t)}${hint}`, t.offset);
  }

  private comparison(): Condition {
    const ref = this.ref();
    const t = this.peek();
    if (t.kind === 'punct' && ['=', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.next();
      return { type: 'compare', ref, op: t.text as ComparisonOperator, value: this.literal() };
    }
    if (this.isName('in')) {
      this.next();
      this.expectPunct('[', 'after `in`');
      const values = [this.literal()];
      while (this.isPunct(',')) {
        this.next();
        values.push(this.literal());
      }
      this.expectPunct(']', 'to close the list');
      return { type: 'in', ref, values };
    }
    if (this.isName('includes')) {
      this.next();
      return { type: 'includes', ref, value: this.literal() };
    }
    throw new ConditionSyntaxError(
      `expected a comparison (=, !=, <, <=, >, >=, in, includes) after \`${ref.row ? `${ref.question}.${ref.row}` : ref.question}\`, found ${describe(t)}`,
      t.offset,
    );
  }
}

/** Parses a `show_if` condition; throws `ConditionSyntaxError` with an offset for anything else. */
export function parseCondition(source: string): Condition {
  const tokens = tokenize(source);
  if (tokens.length === 1) throw new ConditionSyntaxError('the condition is empty', 0);
  return new Parser(tokens).parse();
}

function formatLiteral(literal: Literal): string {
  return literal.kind === 'string' ? `'${literal.value.replace(/['\\]/g, '\\$&')}'` : String(literal.value);
}

/** Canonical text of a condition, fully parenthesised: shows how precedence was applied. */
export function formatCondition(condition: Condition): string {
  switch (condition.type) {
    case 'or':
    case 'and':
      return `(${formatCondition(condition.left)} ${condition.type} ${formatCondition(condition.right)})`;
    case 'not':
      return `not ${formatCondition(condition.operand)}`;
    case 'compare':
      return `${refName(condition.ref)} ${condition.op} ${formatLiteral(condition.value)}`;
    case 'in':
      return `${refName(condition.ref)} in [${condition.values.map(formatLiteral).join(', ')}]`;
    case 'includes':
      return `${refName(condition.ref)} includes ${formatLiteral(condition.value)}`;
  }
}

export function refName(ref: Ref): string {
  return ref.row === undefined ? ref.question : `${ref.question}.${ref.row}`;
}

/** Every comparison in a condition, left to right: what the checker validates one by one. */
export function comparisonsOf(condition: Condition): Extract<Condition, { ref: Ref }>[] {
  switch (condition.type) {
    case 'or':
    case 'and':
      return [...comparisonsOf(condition.left), ...comparisonsOf(condition.right)];
    case 'not':
      return comparisonsOf(condition.operand);
    default:
      return [condition];
  }
}
