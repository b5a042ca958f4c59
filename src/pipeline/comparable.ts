/**
 * Whether a table's figures can be set beside an earlier wave's: every question it uses (its
 * measure, each `by`, its panel) must be comparable between the instrument version that wave was
 * read with and the one read now, as `diffInstruments` judges it. A measure that is one row of a
 * matrix is judged on that row: changes to the matrix's other rows leave its figures as they were.
 */
import { breakingChanges, describeChange, type Change, type InstrumentDiff } from '../instrument/diff.ts';
import type { Instrument } from '../instrument/schema.ts';
import type { TableResult } from '../report/model.ts';

/** The questions a table uses, with the matrix row where it measures one. */
function questionsOf(table: TableResult): { question: string; row?: string }[] {
  const used = [{ question: table.measure.question, ...(table.measure.row === undefined ? {} : { row: table.measure.row }) }];
  for (const by of table.by) used.push({ question: by.question });
  if (table.panel) used.push({ question: table.panel.question });
  return used;
}

/** What kind of change each is, so that a sentence can say "its options changed: …". */
function aspect(change: Change): string {
  switch (change.kind) {
    case 'reworded':
      return 'its wording changed';
    case 'type':
      return 'its type changed';
    case 'option-added':
    case 'option-removed':
    case 'option-relabelled':
    case 'options-reordered':
      return 'its options changed';
    case 'row-added':
    case 'row-removed':
    case 'row-relabelled':
      return 'its rows changed';
    case 'show-if':
      return 'who is asked it changed';
    case 'limits':
      return 'the answers it allows changed';
    case 'added':
    case 'removed':
    case 'moved':
    case 'hint':
    case 'required':
      return 'it changed';
  }
}

/** The changes as one phrase, grouped by kind: "its options changed: option `svq` removed". */
function described(changes: Change[]): string {
  if (changes.some((c) => c.kind === 'added')) return 'it was not asked in the earlier version';
  if (changes.some((c) => c.kind === 'removed')) return 'it is no longer asked';
  const groups = new Map<string, string[]>();
  for (const change of changes) groups.set(aspect(change), [...(groups.get(aspect(change)) ?? []), describeChange(change)]);
  return [...groups].map(([what, list]) => `${what}: ${list.join(', ')}`).join(' and ');
}

export interface Versions {
  earlier: { wave: string; instrument: Instrument };
  now: { wave: string; instrument: Instrument };
}

/**
 * A sentence for each question of `table` that cannot be compared across the two versions; none
 * when the table's trend holds. `diff` is `diffInstruments(earlier, now)`, worked out once for
 * every table of the input.
 */
export function incomparable(table: TableResult, versions: Versions, diff: InstrumentDiff): string[] {
  const { earlier, now } = versions;
  const across = (question: string) =>
    `trends: table \`${table.id}\` compares question \`${question}\` of ${now.instrument.id} across versions ${earlier.instrument.version} (wave ${earlier.wave}) and ${now.instrument.version} (wave ${now.wave})`;
  if (earlier.instrument.id !== now.instrument.id) {
    return [`trends: table \`${table.id}\` reads instrument ${now.instrument.id} in wave ${now.wave} but ${earlier.instrument.id} in wave ${earlier.wave}; two instruments are not comparable (\`trends: false\` on the table publishes it without a trend)`];
  }
  const problems: string[] = [];
  for (const { question, row } of questionsOf(table)) {
    const found = diff.questions.find((q) => q.id === question);
    const changes = found ? breakingChanges(found, row) : [];
    if (changes.length > 0) problems.push(`${across(row === undefined ? question : `${question}.${row}`)}, but ${described(changes)}; it is not comparable (\`trends: false\` on the table publishes it without a trend)`);
  }
  return problems;
}
