/**
 * Reading the wave forms: the new-wave form's period and the targets table, with a problem for
 * each field that is wrong, as GOV.UK forms report them.
 *
 * Decisions, and why:
 * - A moment is typed as GOV.UK's date pattern (day, month, year) plus a time, all plain text
 *   fields, so the form works without JavaScript and in every browser the same way. Times are
 *   read as UTC, as `tapestry wave` reads a date: an empty time is midnight UTC, and the page says
 *   so beside the fields. A local time zone would make the moment depend on the server's.
 * - A target field left empty means the stratum has no target; 0 is a target of none.
 */
import type { FormValues } from '../../../instrument/answers.ts';
import type { Strata, StratumKey } from '../../../instrument/strata.ts';
import { isCalendarDay } from '../../../shared/instant.ts';
import { readTarget, TARGET_MAX, type Target } from '../../../store/targets.ts';
import { field, type FieldProblem } from './forms.ts';

export const DATE_PARTS = ['day', 'month', 'year', 'time'] as const;

/** The value of each part of a date-and-time field, as typed, for showing the form again. */
export function dateTimeValues(form: FormValues, prefix: string): Record<string, string> {
  return Object.fromEntries(DATE_PARTS.map((part) => [`${prefix}-${part}`, field(form, `${prefix}-${part}`).trim()]));
}

/**
 * The moment a date-and-time field names; null when every part is empty. `what` names the field
 * in messages ("opening", "closing").
 */
export function readDateTime(form: FormValues, prefix: string, what: string): { at: Date | null } | { problem: FieldProblem; parts: string[] } {
  const [day, month, year, time] = DATE_PARTS.map((part) => field(form, `${prefix}-${part}`).trim()) as [string, string, string, string];
  // The summary links to the first part that is wrong; every part that is wrong is marked.
  const at = (parts: readonly (typeof DATE_PARTS)[number][], message: string) => ({
    problem: { field: `${prefix}-${parts[0]}`, message },
    parts: parts.map((part) => `${prefix}-${part}`),
  });
  if (day === '' && month === '' && year === '') {
    return time === '' ? { at: null } : at(['day', 'month', 'year'], `Enter the ${what} date as well as its time`);
  }
  const missing = (['day', 'month', 'year'] as const).filter((_, i) => [day, month, year][i] === '');
  if (missing.length > 0) return at(missing, `The ${what} date must include a ${missing.join(' and a ')}`);
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month)) return at(['day', 'month', 'year'], `The ${what} date must be a real date`);
  if (!/^\d{4}$/.test(year)) return at(['year'], `The ${what} year must have 4 numbers, such as 2026`);
  if (!isCalendarDay(Number(year), Number(month), Number(day))) return at(['day', 'month', 'year'], `The ${what} date must be a real date`);
  const clock = time === '' ? ['0', '0'] : /^(\d{1,2})[:.](\d{2})$/.exec(time)?.slice(1);
  if (!clock || Number(clock[0]) > 23 || Number(clock[1]) > 59) {
    return at(['time'], `Enter the ${what} time in UTC as hours and minutes on the 24-hour clock, such as 09:00 or 17:30`);
  }
  return { at: new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(clock[0]), Number(clock[1]))) };
}

/** A stratum's input: `target-public-senior`, or `target-public` without a tier (option ids have no hyphen). */
export function targetFieldId(key: StratumKey): string {
  return key.tier === '' ? `target-${key.sector}` : `target-${key.sector}-${key.tier}`;
}

/** An option's label without its trailing "(for example …)", which a table heading does not need. */
function shortLabel(label: string): string {
  return label.replace(/\s*\([^)]*\)\s*$/, '') || label;
}

export interface TargetCell extends StratumKey {
  id: string;
  sectorLabel: string;
  tierLabel: string;
  /** "Public sector, Senior manager or director": what the input's label says. */
  name: string;
}

/** The strata's cells as the targets table shows them, in the instrument's order. */
export function targetCells(strata: Strata): TargetCell[] {
  const cells: TargetCell[] = [];
  for (const sector of strata.sectors) {
    for (const tier of strata.tiers.length > 0 ? strata.tiers : [undefined]) {
      const key = { sector: sector.id, tier: tier?.id ?? '' };
      const sectorLabel = shortLabel(sector.label);
      const tierLabel = tier ? shortLabel(tier.label) : '';
      cells.push({ ...key, id: targetFieldId(key), sectorLabel, tierLabel, name: tier ? `${sectorLabel}, ${tierLabel}` : sectorLabel });
    }
  }
  return cells;
}

/** The cells of several versions' strata together, the first version's order and labels first. */
export function unionOfCells(lists: readonly TargetCell[][]): TargetCell[] {
  const seen = new Map<string, TargetCell>();
  for (const list of lists) for (const cell of list) if (!seen.has(cell.id)) seen.set(cell.id, cell);
  return [...seen.values()];
}

export interface TargetGrid {
  hasTier: boolean;
  /** The column headings: the tiers, or one "Target" column when there is no tier. */
  columns: string[];
  rows: { sectorLabel: string; cells: (TargetCell | null)[] }[];
}

/** The cells as a sector × tier grid, for the targets table (a cell no version has stays empty). */
export function targetGrid(cells: readonly TargetCell[]): TargetGrid {
  const hasTier = cells.some((c) => c.tier !== '');
  const tiers = [...new Map(cells.map((c) => [c.tier, c.tierLabel])).entries()];
  const sectors = [...new Map(cells.map((c) => [c.sector, c.sectorLabel])).entries()];
  return {
    hasTier,
    columns: hasTier ? tiers.map(([, label]) => label) : ['Target'],
    rows: sectors.map(([sector, sectorLabel]) => ({
      sectorLabel,
      cells: tiers.map(([tier]) => cells.find((c) => c.sector === sector && c.tier === tier) ?? null),
    })),
  };
}

/** The target fields as typed, for showing the form again. */
export function targetValues(form: FormValues, cells: readonly TargetCell[]): Record<string, string> {
  return Object.fromEntries(cells.map((cell) => [cell.id, field(form, cell.id).trim()]));
}

/**
 * The targets typed into the table's `cells`. A number in a cell that `allowed` (the strata of
 * the version chosen) does not have is a problem too, saying so.
 */
export function readTargetFields(form: FormValues, cells: readonly TargetCell[], allowed: (cell: TargetCell) => string | undefined = () => undefined): { targets: Target[]; problems: FieldProblem[] } {
  const targets: Target[] = [];
  const problems: FieldProblem[] = [];
  for (const cell of cells) {
    const text = field(form, cell.id).trim();
    if (text === '') continue;
    const target = readTarget(text);
    const refused = allowed(cell);
    if (target === undefined) problems.push({ field: cell.id, message: `The target for ${cell.name} must be a whole number from 0 to ${TARGET_MAX}, or left empty` });
    else if (refused) problems.push({ field: cell.id, message: refused });
    else targets.push({ sector: cell.sector, tier: cell.tier, target });
  }
  return { targets, problems };
}
