/**
 * Which questions a respondent sees, given their answers so far. A question hidden by its
 * `show_if` counts as unanswered for the conditions after it, so hiding cascades: if changing
 * `qual_status` hides `qual_type`, a question shown only when `qual_type includes 'svq'` goes too.
 */
import { parseCondition, type Condition } from './condition.ts';
import { evaluateCondition, type Answers, type AnswerValue } from './evaluate.ts';
import { questionsOf, type Instrument, type Page, type Question } from './schema.ts';

const compiled = new WeakMap<Question, Condition | null>();

/** The parsed condition of a question (instruments are checked before use, so it parses). */
function conditionOf(question: Question): Condition | null {
  let condition = compiled.get(question);
  if (condition === undefined) {
    condition = question.show_if === undefined ? null : parseCondition(question.show_if);
    compiled.set(question, condition);
  }
  return condition;
}

export interface Visibility {
  /** Ids of the questions shown, in instrument order. */
  shown: Set<string>;
  /** The answers with every hidden question's answer removed: what may be stored. */
  answers: Record<string, AnswerValue>;
}

/** An instrument's questions in order with their conditions, and a look-up by id. */
interface Plan {
  steps: { question: Question; condition: Condition | null }[];
  lookup: (id: string) => Question | undefined;
}

// Worked out once per instrument rather than once per call: an export replays the skip logic for
// every response of a wave, and building these each time was a large part of its work. A parsed
// instrument is not changed afterwards (a new version is a new object).
const plans = new WeakMap<Instrument, Plan>();

function planOf(instrument: Instrument): Plan {
  let plan = plans.get(instrument);
  if (plan === undefined) {
    const questions = questionsOf(instrument);
    const byId = new Map(questions.map((q) => [q.id, q]));
    plan = { steps: questions.map((question) => ({ question, condition: conditionOf(question) })), lookup: (id) => byId.get(id) };
    plans.set(instrument, plan);
  }
  return plan;
}

export function visibility(instrument: Instrument, answers: Answers): Visibility {
  const { steps, lookup } = planOf(instrument);
  const kept: Record<string, AnswerValue> = {};
  const shown = new Set<string>();
  for (const { question, condition } of steps) {
    // Conditions only name earlier questions, so `kept` already holds everything they can see.
    if (condition !== null && !evaluateCondition(condition, kept, lookup)) continue;
    shown.add(question.id);
    const answer = answers[question.id];
    if (answer !== undefined) kept[question.id] = answer;
  }
  return { shown, answers: kept };
}

/** Pages with at least one question shown; a page whose questions are all hidden is skipped. */
export function visiblePages(instrument: Instrument, answers: Answers): Page[] {
  const { shown } = visibility(instrument, answers);
  return instrument.pages.filter((page) => page.questions.some((q) => shown.has(q.id)));
}

/** Required questions that are shown but have no answer, in instrument order, with their page. */
export function missingRequired(instrument: Instrument, answers: Answers): { page: Page; question: Question }[] {
  const { shown } = visibility(instrument, answers);
  return instrument.pages.flatMap((page) =>
    page.questions.filter((q) => q.required && shown.has(q.id) && answers[q.id] === undefined).map((question) => ({ page, question })),
  );
}
