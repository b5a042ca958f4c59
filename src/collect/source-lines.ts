/**
 * An instrument's text as the workspace shows it after a check: every line numbered, with the
 * problems found on it beside it, so that a researcher sees each mistake where it was made, as
 * `tapestry survey check` names it by `file:line`.
 */
import type { Problem } from '../shared/yaml-source.ts';

export interface SourceLine {
  number: number;
  text: string;
  problems: string[];
}

/**
 * Lines of `text` with their problems. A problem placed past the last line (an empty file, or
 * one that ends early) is put on the last line, so that none is lost from view.
 */
export function sourceLines(text: string, problems: readonly Problem[]): SourceLine[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const numbered: SourceLine[] = lines.map((line, index) => ({ number: index + 1, text: line, problems: [] }));
  for (const problem of problems) {
    const at = Math.min(Math.max(problem.line, 1), numbered.length) - 1;
    numbered[at]!.problems.push(problem.message);
  }
  return numbered;
}
