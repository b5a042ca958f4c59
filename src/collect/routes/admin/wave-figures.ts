/**
 * The monitoring figures of a wave, for its page: the counts of its responses set against its
 * targets and its invitations, stratum by stratum. Pure: the counts and targets come in, rows to show go out. Only
 * counts ever reach here, and a response whose sector or tier is not one of the strata (not
 * answered yet) is counted apart without saying what it answered.
 */
import { domainPrecision } from '../../../analysis/precision.ts';
import type { InvitedStratum, StopFigures, StratumCount } from '../../../store/monitoring.ts';
import type { Target } from '../../../store/targets.ts';
import { targetFieldId, type TargetCell } from './wave-form.ts';

export interface FigureRow {
  sectorLabel: string;
  tierLabel: string;
  /** Invitations whose invitee's attributes place them in the stratum. */
  invited: number;
  /** Submitted as a whole percentage of those invited, rounded down; null with none invited. */
  responseRate: number | null;
  started: number;
  submitted: number;
  /** null: the stratum has no target. */
  target: number | null;
  /** Submitted as a whole percentage of the target, rounded down; null without a target above 0. */
  percent: number | null;
}

export interface WaveFigures {
  rows: FigureRow[];
  /**
   * Responses not (yet) in any stratum: they have not answered the sector or tier; and
   * invitations whose attributes give no sector or tier of the instrument.
   */
  unplaced: { invited: number; started: number; submitted: number };
  total: { invited: number; responseRate: number | null; started: number; submitted: number; target: number | null; percent: number | null };
}

const percentOf = (submitted: number, target: number | null) => (target === null || target === 0 ? null : Math.floor((submitted * 100) / target));

export function waveFigures(cells: readonly TargetCell[], counts: readonly StratumCount[], targets: readonly Target[], invitations: readonly InvitedStratum[]): WaveFigures {
  const byCell = new Map<string, { invited: number; started: number; submitted: number }>();
  const unplaced = { invited: 0, started: 0, submitted: 0 };
  const ids = new Set(cells.map((c) => c.id));
  const into = (key: { sector: string | null; tier: string }) => {
    const id = key.sector === null ? undefined : targetFieldId({ sector: key.sector, tier: key.tier });
    return id !== undefined && ids.has(id) ? (byCell.get(id) ?? byCell.set(id, { invited: 0, started: 0, submitted: 0 }).get(id)!) : unplaced;
  };
  for (const count of counts) {
    const cell = into(count);
    cell.started += count.started;
    cell.submitted += count.submitted;
  }
  for (const invitation of invitations) into(invitation).invited += invitation.invited;
  const targetOf = new Map(targets.map((t) => [targetFieldId(t), t.target]));
  const rows = cells.map((cell) => {
    const { invited, started, submitted } = byCell.get(cell.id) ?? { invited: 0, started: 0, submitted: 0 };
    const target = targetOf.get(cell.id) ?? null;
    return { sectorLabel: cell.sectorLabel, tierLabel: cell.tierLabel, invited, responseRate: percentOf(submitted, invited), started, submitted, target, percent: percentOf(submitted, target) };
  });
  const invited = invitations.reduce((sum, c) => sum + c.invited, 0);
  const started = counts.reduce((sum, c) => sum + c.started, 0);
  const submitted = counts.reduce((sum, c) => sum + c.submitted, 0);
  const targetTotal = rows.some((r) => r.target !== null) ? rows.reduce((sum, r) => sum + (r.target ?? 0), 0) : null;
  // A percentage of the whole is only fair when every stratum has a target to count towards it.
  const everyTargeted = rows.length > 0 && rows.every((r) => r.target !== null);
  return {
    rows,
    unplaced,
    total: { invited, responseRate: percentOf(submitted, invited), started, submitted, target: targetTotal, percent: everyTargeted ? percentOf(submitted, targetTotal) : null },
  };
}

/** The half-width the wave's page aims for, in percentage points, as `tapestry status` by default. */
export const PAGE_PRECISION_POINTS = 5;

export interface PrecisionRow {
  sectorLabel: string;
  tierLabel: string;
  submitted: number;
  /** "±12.3" points, or null with no response yet. */
  halfWidth: string | null;
  needed: number;
  more: number;
}

export interface WaveProgress {
  precision: PrecisionRow[];
  total: PrecisionRow;
  /** Median minutes from start to submission, to one decimal; null with none submitted. */
  medianMinutes: string | null;
  /** Responses in progress by the page they stopped on, in the instrument's page order. */
  stops: { page: string; inProgress: number }[];
}

const precisionRow = (sectorLabel: string, tierLabel: string, submitted: number): PrecisionRow => {
  // The page knows no population sizes (those are the pipeline's), so no fpc: the widest figure.
  const { halfWidth, needed, more } = domainPrecision(submitted, null, PAGE_PRECISION_POINTS / 100);
  return { sectorLabel, tierLabel, submitted, halfWidth: halfWidth === null ? null : `±${(halfWidth * 100).toFixed(1)}`, needed, more };
};

/**
 * Precision now of each stratum and of the whole wave, the median time to complete and where
 * responses in progress stopped: from counts, as the figures are. `pages` is the instrument's
 * pages in order, to name and order the pages stopped on.
 */
export function waveProgress(figures: WaveFigures, medianMinutes: number | null, stops: readonly StopFigures[], pages: readonly { id: string; title?: string }[]): WaveProgress {
  const order = new Map(pages.map((p, i) => [p.id, i]));
  const titleOf = (id: string | null) => {
    if (id === null) return 'Before the first page was saved';
    const page = pages.find((p) => p.id === id);
    return page?.title ? `${page.title} (${id})` : id;
  };
  const rank = (id: string | null) => (id === null ? -1 : (order.get(id) ?? pages.length));
  return {
    precision: figures.rows.map((r) => precisionRow(r.sectorLabel, r.tierLabel, r.submitted)),
    total: precisionRow('All responses', '', figures.total.submitted),
    medianMinutes: medianMinutes === null ? null : medianMinutes.toFixed(1),
    stops: [...stops].sort((a, b) => rank(a.page) - rank(b.page) || (a.page ?? '').localeCompare(b.page ?? '', 'en')).map((s) => ({ page: titleOf(s.page), inProgress: s.inProgress })),
  };
}
