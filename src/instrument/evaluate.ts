/**
 * Evaluating a parsed `show_if` condition over a respondent's answers.
 *
 * Unanswered questions (and questions hidden by their own skip logic, which count as unanswered)
 * follow the convention of REDCap, LimeSurvey and XLSForm, where an empty answer is the empty
 * string: `=`, `in`, `includes` and the ordering comparisons are false, and `!=` is true. So
 * `sector != 'private'` shows a question to someone who skipped `sector`; write
 * `sector in ['public', 'voluntary']` to show it only to those who answered.
 */
import type { Condition, Literal, Ref } from './condition.ts';
import { optionIds, type Question } from './schema.ts';

/** One question's answer: an option id (single, scale), a number, text, option ids (multiple) or row → option id (matrix). */
export type AnswerValue = string | number | readonly string[] | Readonly<Record<string, string>>;
export type Answers = Readonly<Record<string, AnswerValue | undefined>>;

/** Looks a question up by id; the checker has made sure every reference resolves. */
export type QuestionLookup = (id: string) => Question | undefined;

function answerAt(ref: Ref, answers: Answers): AnswerValue | undefined {
  const value = answers[ref.question];
  if (ref.row === undefined || value === undefined) return value;
  if (typeof value === 'object' && !Array.isArray(value)) {
    return (value as Readonly<Record<string, string>>)[ref.row];
  }
  return undefined;
}

/** Position of a value on an ordered question (a scale point), or the number itself. */
function rank(question: Question | undefined, value: AnswerValue | Literal['value']): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  if (question?.type === 'scale') {
    const index = optionIds(question.options).indexOf(value);
    return index < 0 ? undefined : index;
  }
  return undefined;
}

function equals(answer: AnswerValue, literal: Literal): boolean {
  if (literal.kind === 'number') return typeof answer === 'number' && answer === literal.value;
  return answer === literal.value;
}

export function evaluateCondition(condition: Condition, answers: Answers, lookup: QuestionLookup): boolean {
  switch (condition.type) {
    case 'or':
      return evaluateCondition(condition.left, answers, lookup) || evaluateCondition(condition.right, answers, lookup);
    case 'and':
      return evaluateCondition(condition.left, answers, lookup) && evaluateCondition(condition.right, answers, lookup);
    case 'not':
      return !evaluateCondition(condition.operand, answers, lookup);
    case 'in': {
      const answer = answerAt(condition.ref, answers);
      return answer !== undefined && condition.values.some((literal) => equals(answer, literal));
    }
    case 'includes': {
      const answer = answerAt(condition.ref, answers);
      return Array.isArray(answer) && answer.includes(condition.value.value as string);
    }
    case 'compare': {
      const answer = answerAt(condition.ref, answers);
      if (answer === undefined) return condition.op === '!=';
      if (condition.op === '=') return equals(answer, condition.value);
      if (condition.op === '!=') return !equals(answer, condition.value);
      const question = lookup(condition.ref.question);
      const left = rank(question, answer);
      const right = rank(question, condition.value.value);
      if (left === undefined || right === undefined) return false;
      switch (condition.op) {
        case '<':
          return left < right;
        case '<=':
          return left <= right;
        case '>':
          return left > right;
        case '>=':
          return left >= right;
      }
    }
  }
}
