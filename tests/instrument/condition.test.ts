import { describe, expect, it } from 'vitest';
import { ConditionSyntaxError, formatCondition, parseCondition } from '../../src/instrument/condition.ts';
import { evaluateCondition, type Answers } from '../../src/instrument/evaluate.ts';
import { Question, type Question as QuestionT } from '../../src/instrument/schema.ts';

const questions: Record<string, QuestionT> = Object.fromEntries(
  [
    { id: 'tier', type: 'single', text: 'Tier', options: { front_line: 'Front line', middle: 'Middle', senior: 'Senior' } },
    { id: 'sector', type: 'single', text: 'Sector', options: { public: 'Public', private: 'Private', voluntary: 'Voluntary' } },
    { id: 'qual_status', type: 'single', text: 'Status', options: { holds: 'Holds', working: 'Working', none: 'None' } },
    { id: 'qual_type', type: 'multiple', text: 'Type', options: { svq: 'SVQ', academic: 'Academic' } },
    { id: 'staff', type: 'number', text: 'Staff' },
    { id: 'benefit', type: 'scale', text: 'Benefit', options: { none: 'None', some: 'Some', lot: 'A lot' } },
    { id: 'activities', type: 'matrix', text: 'Activities', rows: { coaching: 'Coaching' }, options: { never: 'Never', took_part: 'Took part' } },
    { id: 'comment', type: 'text', text: 'Comment' },
  ].map((q) => [q.id, Question.parse(q)]),
);
const lookup = (id: string) => questions[id];
const holds = (condition: string, answers: Answers) => evaluateCondition(parseCondition(condition), answers, lookup);

describe('parsing show_if conditions', () => {
  it.each([
    ["tier = 'senior'", "tier = 'senior'"],
    ["sector != 'private'", "sector != 'private'"],
    ["qual_status in ['holds', 'working']", "qual_status in ['holds', 'working']"],
    ["qual_type includes 'svq'", "qual_type includes 'svq'"],
    ['staff >= 50', 'staff >= 50'],
    ['staff < -2.5', 'staff < -2.5'],
    ["activities.coaching = 'took_part'", "activities.coaching = 'took_part'"],
    ['tier = "senior"', "tier = 'senior'"],
    ["comment = 'it\\'s fine'", "comment = 'it\\'s fine'"],
  ])('reads %s as %s', (source, canonical) => {
    expect(formatCondition(parseCondition(source))).toBe(canonical);
  });

  it('binds and more tightly than or', () => {
    expect(formatCondition(parseCondition("tier = 'a' or tier = 'b' and sector = 'c'"))).toBe("(tier = 'a' or (tier = 'b' and sector = 'c'))");
  });

  it('binds not more tightly than and', () => {
    expect(formatCondition(parseCondition("not tier = 'a' and sector = 'b'"))).toBe("(not tier = 'a' and sector = 'b')");
  });

  it('lets parentheses override precedence', () => {
    expect(formatCondition(parseCondition("(tier = 'a' or tier = 'b') and sector = 'c'"))).toBe("((tier = 'a' or tier = 'b') and sector = 'c')");
  });

  it('groups a chain of the same operator from the left', () => {
    expect(formatCondition(parseCondition('staff > 1 or staff > 2 or staff > 3'))).toBe('((staff > 1 or staff > 2) or staff > 3)');
  });

  it('allows not to be repeated and to apply to a parenthesised group', () => {
    expect(formatCondition(parseCondition("not not (tier = 'a' or staff > 1)"))).toBe("not not (tier = 'a' or staff > 1)");
  });
});

describe('rejecting what is not the grammar', () => {
  it.each([
    ['', 'the condition is empty', 0],
    ['   ', 'the condition is empty', 0],
    ["tier == 'senior'", 'use = to compare, not ==', 5],
    ["tier = 'a' && staff > 1", 'use `and`, not &&', 11],
    ["tier = 'a' || staff > 1", 'use `or`, not ||', 11],
    ["!(tier = 'a')", 'use `not`, not !', 0],
    ["tier <> 'a'", 'use != for "not equal"', 5],
    ["tier = 'senior", "text starting here has no closing '", 7],
    ['tier = senior', "expected a quoted option id or a number, found `senior` (put option ids in quotes: 'senior')", 7],
    ["tier = 'a' and", 'expected a question id, found the end of the condition', 14],
    ["(tier = 'a'", 'expected `)` to close the parenthesis, found the end of the condition', 11],
    ["tier = 'a')", 'expected `and`, `or` or the end, found `)`', 10],
    ["tier 'a'", "expected a comparison (=, !=, <, <=, >, >=, in, includes) after `tier`, found 'a'", 5],
    ["qual_status in 'holds'", "expected `[` after `in`, found 'holds'", 15],
    ["qual_status in ['holds' 'working']", "expected `]` to close the list, found 'working'", 24],
    ["qual_status in []", 'expected a quoted option id or a number, found `]`', 16],
    ["process.exit(1) = 'x'", "expected a comparison (=, !=, <, <=, >, >=, in, includes) after `process.exit`, found `(`", 12],
    ['staff > 1; drop table responses', 'unexpected character ";"', 9],
    ['`rm -rf` = 1', 'unexpected character "`"', 0],
    ["and = 'x'", 'expected a question id, found `and`', 0],
    ["activities. = 'x'", "expected a matrix row id after `activities.`, found `=`", 12],
    ['staff > 12abc', '`12abc` is neither a number nor a name (names start with a letter)', 8],
  ])('rejects %j with "%s" at offset %i', (source, message, offset) => {
    let caught: unknown;
    try {
      parseCondition(source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConditionSyntaxError);
    expect((caught as ConditionSyntaxError).message).toBe(message);
    expect((caught as ConditionSyntaxError).offset).toBe(offset);
  });

  it('never runs the text of a condition as code', () => {
    (globalThis as Record<string, unknown>).touched = false;
    expect(() => parseCondition("globalThis.touched = true || tier = 'a'")).toThrow(ConditionSyntaxError);
    expect((globalThis as Record<string, unknown>).touched).toBe(false);
  });
});

describe('evaluating show_if conditions over answers', () => {
  it('compares a single-choice answer with an option id', () => {
    expect(holds("tier = 'senior'", { tier: 'senior' })).toBe(true);
    expect(holds("tier = 'senior'", { tier: 'middle' })).toBe(false);
    expect(holds("sector != 'private'", { sector: 'public' })).toBe(true);
    expect(holds("sector != 'private'", { sector: 'private' })).toBe(false);
  });

  it('treats an unanswered question as empty: = and in are false, != is true', () => {
    expect(holds("tier = 'senior'", {})).toBe(false);
    expect(holds("tier in ['senior']", {})).toBe(false);
    expect(holds("sector != 'private'", {})).toBe(true);
    expect(holds('staff >= 50', {})).toBe(false);
    expect(holds("qual_type includes 'svq'", {})).toBe(false);
  });

  it('checks membership of a list', () => {
    expect(holds("qual_status in ['holds', 'working']", { qual_status: 'working' })).toBe(true);
    expect(holds("qual_status in ['holds', 'working']", { qual_status: 'none' })).toBe(false);
  });

  it('checks whether a multiple-choice answer includes an option', () => {
    expect(holds("qual_type includes 'svq'", { qual_type: ['academic', 'svq'] })).toBe(true);
    expect(holds("qual_type includes 'svq'", { qual_type: ['academic'] })).toBe(false);
    expect(holds("qual_type includes 'svq'", { qual_type: [] })).toBe(false);
  });

  it('compares numbers', () => {
    expect(holds('staff >= 50', { staff: 50 })).toBe(true);
    expect(holds('staff >= 50', { staff: 49.5 })).toBe(false);
    expect(holds('staff < 10', { staff: 3 })).toBe(true);
    expect(holds('staff > 10', { staff: 10 })).toBe(false);
    expect(holds('staff <= 10', { staff: 10 })).toBe(true);
    expect(holds('staff = 10', { staff: 10 })).toBe(true);
    expect(holds('staff != 10', { staff: 11 })).toBe(true);
  });

  it('orders scale answers by the position of their points', () => {
    expect(holds("benefit >= 'some'", { benefit: 'lot' })).toBe(true);
    expect(holds("benefit >= 'some'", { benefit: 'some' })).toBe(true);
    expect(holds("benefit >= 'some'", { benefit: 'none' })).toBe(false);
    expect(holds("benefit < 'lot'", { benefit: 'none' })).toBe(true);
  });

  it('reads one row of a matrix', () => {
    expect(holds("activities.coaching = 'took_part'", { activities: { coaching: 'took_part' } })).toBe(true);
    expect(holds("activities.coaching = 'took_part'", { activities: { coaching: 'never' } })).toBe(false);
    expect(holds("activities.coaching = 'took_part'", { activities: {} })).toBe(false);
  });

  it('combines with and, or and not following precedence', () => {
    const answers = { tier: 'senior', sector: 'private', staff: 5 };
    expect(holds("tier = 'senior' or sector = 'public' and staff > 10", answers)).toBe(true);
    expect(holds("(tier = 'senior' or sector = 'public') and staff > 10", answers)).toBe(false);
    expect(holds("not tier = 'senior'", answers)).toBe(false);
    expect(holds("not (sector = 'public' or staff > 10)", answers)).toBe(true);
  });

  it('does not confuse a number with text that looks like it', () => {
    expect(holds("comment = '10'", { comment: '10' })).toBe(true);
    expect(holds('staff = 10', { staff: '10' as unknown as number })).toBe(false);
  });
});
