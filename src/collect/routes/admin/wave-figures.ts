/**
 * The monitoring figures of a wave, for its page: the counts of its responses set against its
 * targets, stratum by stratum. Pure: the counts and targets come in, rows to show go out. Only
 * counts ever reach here, and a response whose sector or tier is not one of the strata (not
 * answered yet) is counted apart without saying what it answered.
 */
import type { StratumCount } from '../../../store/monitoring.ts';
import type { Target } from '../../../store/targets.ts';
import { targetFieldId, type TargetCell } from './wave-form.ts';

export interface FigureRow {
  sectorLabel: string;
  tierLabel: string;
  started: number;
  submitted: number;
  /** null: the stratum has no target. */
  target: number | null;
  /** Submitted as a whole percentage of the target, rounded down; null without a target above 0. */
  percent: number | null;
}

export interface WaveFigures {
  rows: FigureRow[];
  /** Responses not (yet) in any stratum: they have not answered the sector or tier. */
  unplaced: { started: number; submitted: number };
  total: { started: number; submitted: number; target: number | null; percent: number | null };
}

const percentOf = (submitted: number, target: number | null) => (target === null || target === 0 ? null : Math.floor((submitted * 100) / target));

export function waveFigures(cells: readonly TargetCell[], counts: readonly StratumCount[], targets: readonly Target[]): WaveFigures {
  const byCell = new Map<string, { started: number; submitted: number }>();
  const unplaced = { started: 0, submitted: 0 };
  const ids = new Set(cells.map((c) => c.id));
  for (const count of counts) {
    const id = count.sector === null ? undefined : targetFieldId({ sector: count.sector, tier: count.tier });
    const into = id !== undefined && ids.has(id) ? (byCell.get(id) ?? byCell.set(id, { started: 0, submitted: 0 }).get(id)!) : unplaced;
    into.started += count.started;
    into.submitted += count.submitted;
  }
  const targetOf = new Map(targets.map((t) => [targetFieldId(t), t.target]));
  const rows = cells.map((cell) => {
    const { started, submitted } = byCell.get(cell.id) ?? { started: 0, submitted: 0 };
    const target = targetOf.get(cell.id) ?? null;
    return { sectorLabel: cell.sectorLabel, tierLabel: cell.tierLabel, started, submitted, target, percent: percentOf(submitted, target) };
  });
  const started = counts.reduce((sum, c) => sum + c.started, 0);
  const submitted = counts.reduce((sum, c) => sum + c.submitted, 0);
  const targetTotal = rows.some((r) => r.target !== null) ? rows.reduce((sum, r) => sum + (r.target ?? 0), 0) : null;
  // A percentage of the whole is only fair when every stratum has a target to count towards it.
  const everyTargeted = rows.length > 0 && rows.every((r) => r.target !== null);
  return { rows, unplaced, total: { started, submitted, target: targetTotal, percent: everyTargeted ? percentOf(submitted, targetTotal) : null } };
}
