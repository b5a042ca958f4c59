/**
 * What changed between two versions of an instrument, question by question, and whether each
 * question can still be compared across them: a trend is only valid while the question asked and
 * the answers it allowed stay the same.
 *
 * Decisions, and why:
 * - A question is the same question when it keeps its id: ids are the columns of every export.
 * - Comparable changes are the ones that leave what was asked and what could be answered as they
 *   were: moving the question, its hint, whether it is required, and adding or removing matrix
 *   rows (each row is a column of its own; the rows both versions have are unchanged).
 * - Everything else breaks comparability: new wording, a new type, options added, removed,
 *   relabelled or (on a scale) reordered, a relabelled row, a changed range or length limit, and a
 *   changed `show_if`, which changes who is asked and so the base of every figure.
 * - Short labels (`short`) are not changes at all: they name options, rows and questions in a
 *   report's headings, and no respondent sees them.
 * Pure: the two instruments come in as arguments.
 */
import type { Instrument, Option, Question, Row } from './schema.ts';

export type Change =
  | { kind: 'added'; page: string }
  | { kind: 'removed'; page: string }
  | { kind: 'moved'; from: Place; to: Place }
  | { kind: 'reworded'; from: string; to: string }
  | { kind: 'type'; from: Question['type']; to: Question['type'] }
  | { kind: 'option-added'; option: string }
  | { kind: 'option-removed'; option: string }
  | { kind: 'option-relabelled'; option: string; from: string; to: string }
  | { kind: 'options-reordered' }
  | { kind: 'row-added'; row: string }
  | { kind: 'row-removed'; row: string }
  | { kind: 'row-relabelled'; row: string; from: string; to: string }
  | { kind: 'show-if'; from: string | null; to: string | null }
  | { kind: 'limits'; from: string; to: string }
  | { kind: 'hint' }
  | { kind: 'required'; from: boolean; to: boolean };

export interface Place {
  page: string;
  /** 1-based position in the instrument's order of questions. */
  position: number;
}

export interface QuestionDiff {
  id: string;
  /** Empty when nothing changed. */
  changes: Change[];
  /** Whether figures for this question can be compared across the two versions. */
  comparable: boolean;
}

export interface InstrumentDiff {
  from: { id: string; version: string };
  to: { id: string; version: string };
  /** The new version's questions in order, then the questions it no longer has. */
  questions: QuestionDiff[];
}

const COMPARABLE: ReadonlySet<Change['kind']> = new Set(['moved', 'hint', 'required', 'row-added', 'row-removed']);

function placed(instrument: Instrument): Map<string, { question: Question; place: Place }> {
  const out = new Map<string, { question: Question; place: Place }>();
  let position = 0;
  for (const page of instrument.pages) for (const question of page.questions) out.set(question.id, { question, place: { page: page.id, position: ++position } });
  return out;
}

function optionsOf(question: Question): Option[] | undefined {
  return 'options' in question ? question.options : undefined;
}

/** The limits on an answer, written out so that two versions' can be compared and shown. */
function limitsOf(question: Question): string {
  switch (question.type) {
    case 'number':
      return [question.integer ? 'whole number' : 'number', question.min === undefined ? '' : `min ${question.min}`, question.max === undefined ? '' : `max ${question.max}`, question.unit ? `unit ${question.unit}` : '']
        .filter(Boolean)
        .join(', ');
    case 'text':
    case 'longtext':
      return `at most ${question.max_length} characters`;
    case 'single':
    case 'multiple':
    case 'scale':
    case 'matrix':
      return '';
  }
}

function optionChanges(before: Option[], after: Option[], ordered: boolean): Change[] {
  const changes: Change[] = [];
  const old = new Map(before.map((o) => [o.id, o]));
  const now = new Map(after.map((o) => [o.id, o]));
  for (const o of after) {
    const was = old.get(o.id);
    if (!was) changes.push({ kind: 'option-added', option: o.id });
    else if (was.label !== o.label) changes.push({ kind: 'option-relabelled', option: o.id, from: was.label, to: o.label });
  }
  for (const o of before) if (!now.has(o.id)) changes.push({ kind: 'option-removed', option: o.id });
  const kept = (list: Option[], other: Map<string, Option>) => list.filter((o) => other.has(o.id)).map((o) => o.id).join('\u0000');
  if (ordered && kept(before, now) !== kept(after, old)) changes.push({ kind: 'options-reordered' });
  return changes;
}

function rowChanges(before: Record<string, Row>, after: Record<string, Row>): Change[] {
  const changes: Change[] = [];
  for (const [row, { label }] of Object.entries(after)) {
    if (!(row in before)) changes.push({ kind: 'row-added', row });
    else if (before[row]!.label !== label) changes.push({ kind: 'row-relabelled', row, from: before[row]!.label, to: label });
  }
  for (const row of Object.keys(before)) if (!(row in after)) changes.push({ kind: 'row-removed', row });
  return changes;
}

function questionChanges(before: Question, after: Question, from: Place, to: Place): Change[] {
  const changes: Change[] = [];
  if (from.page !== to.page || from.position !== to.position) changes.push({ kind: 'moved', from, to });
  if (before.text !== after.text) changes.push({ kind: 'reworded', from: before.text, to: after.text });
  if (before.type !== after.type) {
    changes.push({ kind: 'type', from: before.type, to: after.type });
    return changes;
  }
  const [oldOptions, newOptions] = [optionsOf(before), optionsOf(after)];
  if (oldOptions && newOptions) changes.push(...optionChanges(oldOptions, newOptions, after.type === 'scale'));
  if (before.type === 'matrix' && after.type === 'matrix') changes.push(...rowChanges(before.rows, after.rows));
  if (limitsOf(before) !== limitsOf(after)) changes.push({ kind: 'limits', from: limitsOf(before), to: limitsOf(after) });
  if ((before.show_if ?? null) !== (after.show_if ?? null)) changes.push({ kind: 'show-if', from: before.show_if ?? null, to: after.show_if ?? null });
  if ((before.hint ?? '') !== (after.hint ?? '')) changes.push({ kind: 'hint' });
  if (before.required !== after.required) changes.push({ kind: 'required', from: before.required, to: after.required });
  return changes;
}

/** Every question's changes from `before` to `after`, and whether it stays comparable. */
export function diffInstruments(before: Instrument, after: Instrument): InstrumentDiff {
  const old = placed(before);
  const now = placed(after);
  const questions: QuestionDiff[] = [];
  for (const [id, { question, place }] of now) {
    const was = old.get(id);
    const changes = was ? questionChanges(was.question, question, was.place, place) : [{ kind: 'added', page: place.page } as const];
    questions.push({ id, changes, comparable: changes.every((c) => COMPARABLE.has(c.kind)) });
  }
  for (const [id, { place }] of old) if (!now.has(id)) questions.push({ id, changes: [{ kind: 'removed', page: place.page }], comparable: false });
  return { from: { id: before.id, version: before.version }, to: { id: after.id, version: after.version }, questions };
}

/**
 * The changes that stop a question's figures being compared: all of them but the comparable
 * kinds. For one row of a matrix (`row`), changes to its other rows do not count, since each row
 * is a column of its own, but this row's being added, removed or relabelled does: the figures of a
 * row new in one version have nothing to compare with.
 */
export function breakingChanges(question: QuestionDiff, row?: string): Change[] {
  return question.changes.filter((change) => {
    if (row !== undefined && (change.kind === 'row-added' || change.kind === 'row-removed' || change.kind === 'row-relabelled')) return change.row === row;
    return !COMPARABLE.has(change.kind);
  });
}

const quote = (text: string) => JSON.stringify(text);

/** One change as a phrase, for the command line and the pages. */
export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'added':
      return `new, on page ${change.page}`;
    case 'removed':
      return `removed (was on page ${change.page})`;
    case 'moved':
      return `moved from ${change.from.page} #${change.from.position} to ${change.to.page} #${change.to.position}`;
    case 'reworded':
      return `reworded: ${quote(change.from)} → ${quote(change.to)}`;
    case 'type':
      return `type ${change.from} → ${change.to}`;
    case 'option-added':
      return `option \`${change.option}\` added`;
    case 'option-removed':
      return `option \`${change.option}\` removed`;
    case 'option-relabelled':
      return `option \`${change.option}\` relabelled: ${quote(change.from)} → ${quote(change.to)}`;
    case 'options-reordered':
      return 'scale points reordered';
    case 'row-added':
      return `row \`${change.row}\` added`;
    case 'row-removed':
      return `row \`${change.row}\` removed`;
    case 'row-relabelled':
      return `row \`${change.row}\` relabelled: ${quote(change.from)} → ${quote(change.to)}`;
    case 'show-if':
      return `shown ${change.to === null ? 'to everyone' : `if ${change.to}`} (was ${change.from === null ? 'everyone' : `if ${change.from}`})`;
    case 'limits':
      return `limits ${quote(change.from)} → ${quote(change.to)}`;
    case 'hint':
      return 'hint changed';
    case 'required':
      return change.to ? 'now required' : 'no longer required';
  }
}
