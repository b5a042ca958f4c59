/**
 * Answers known before a respondent starts: attributes of an invitee (from an invitations CSV)
 * whose names are question ids become those questions' answers. `a;b` lists the options of a
 * multiple-choice answer. Matrices cannot be prefilled.
 */
import { MalformedFormError, readAnswers } from './answers.ts';
import type { AnswerValue } from './evaluate.ts';
import { optionIds, questionsOf, type Instrument } from './schema.ts';

export interface PrefillProblem {
  column: string;
  message: string;
}

export function prefillAnswers(instrument: Instrument, attributes: Readonly<Record<string, string>>): { answers: Record<string, AnswerValue>; problems: PrefillProblem[] } {
  const answers: Record<string, AnswerValue> = {};
  const problems: PrefillProblem[] = [];
  for (const question of questionsOf(instrument)) {
    const value = attributes[question.id];
    if (value === undefined || value === '') continue;
    const column = question.id;
    if (question.type === 'matrix') {
      problems.push({ column, message: `column \`${column}\` names a matrix question, which cannot be prefilled` });
      continue;
    }
    const form = { [column]: question.type === 'multiple' ? value.split(';').map((v) => v.trim()) : value };
    try {
      const read = readAnswers([question], form, { requireAnswers: false });
      // Only the first letter: the rest may quote a label ("Select 'None of these' on its own …").
      for (const error of read.errors) problems.push({ column, message: `column \`${column}\`: ${error.message[0]!.toLowerCase()}${error.message.slice(1)}` });
      Object.assign(answers, read.answers);
    } catch (error) {
      if (!(error instanceof MalformedFormError)) throw error;
      const options = 'options' in question ? ` (options: ${optionIds(question.options).join(', ')})` : '';
      problems.push({ column, message: `column \`${column}\` has '${value}', which is not an answer to question \`${column}\`${options}` });
    }
  }
  return { answers, problems };
}
