/**
 * Disclosure control on the unweighted counts of one table, domains by categories: a domain whose
 * base is under `minBase` is withheld whole, a count under `minCell` is withheld (primary), and
 * further counts are withheld (secondary) until no withheld count can be worked out from the
 * published totals. Every withheld cell carries a plain-English reason, so the report can list
 * each suppression and why. Pure: the grid comes in, marks go out, nothing is changed.
 *
 * Decisions, and why:
 * - A domain withheld whole keeps its base: the base is the reason the reader is given ("base of 7
 *   is under the minimum of 10"), the report's Cell keeps `base_n` as a number, and a head count
 *   says nothing about what those people answered. Its counts and estimates are withheld,
 *   zeros included, so the reader cannot tell which of its categories are empty.
 * - A zero is never withheld as primary: it describes nobody, and statistical offices publish
 *   true zeros. Nor is it taken as a complement: a withheld zero gives the count it should cover
 *   no room above its true value (the line's total less what is published is exactly that
 *   count), so it only seems to protect. For the same reason a line is judged by its withheld
 *   counts above zero, whether or not they were withheld as part of a whole domain.
 * - A line is a set of cells whose sum is published: a domain's row when its categories add up to
 *   its base (single choice, scale, matrix row), and, column by column, the parts of a group with
 *   their total. Each line with exactly one withheld count above zero gets a complement: its
 *   smallest published count above zero, ties going to the first by row and then column. Lines
 *   are scanned in a fixed order (rows, then groups column by column) from the start after each
 *   complement, so a complement that leaves a crossing line with one withheld count is covered
 *   in turn, and the same grid always gives the same marks.
 * - Lines that each hide two counts can still together give one away (sector by tier by category,
 *   every margin published). So, once no line has a single withheld count, the published sums are
 *   solved as equations in the withheld counts (withheld zeros unknown, as the reader sees them);
 *   for a count above zero that they pin down, the smallest count that unpins it is withheld
 *   (those in its own lines first; if no one count will do, every coverable count less the
 *   largest that can be given back), and the line rule runs again. In random sector-by-tier
 *   grids of single-choice counts this adds complements to about one table in forty, each of
 *   which the line rule alone would have published with a count that can be worked out.
 * - A count equal to its domain's base in an additive row is never a complement: the base, beside
 *   the row's published zeros, gives it away. A complement that the published figures pin down
 *   all the same (a total whose parts are all published) is published again at the end, since
 *   withholding what can be worked out hides nothing.
 * - What no complement can hide is listed in `exposed` rather than chased with complements that
 *   hide nothing: it is given away by published bases and zeros whatever else is withheld, as when
 *   a whole group gave one answer.
 *
 * Limits: exact solving only. A reader can still put bounds on a withheld count (never below
 * zero, never above its line's total), and nothing here asks that those bounds be wide.
 */

/** The pipeline's `disclosure` settings. */
export interface DisclosureRules {
  /** A domain whose unweighted base is under this is withheld whole. */
  minBase: number;
  /** A count above zero and under this is withheld. */
  minCell: number;
}

/**
 * Rows (domains) whose counts, category by category, add up to the counts of another row of the
 * same grid, whose counts are published too: the levels of one domain variable within the same
 * levels of the others (tier=front_line…senior within sector=private, total sector=private; or
 * within the whole sample, total `all`). A row may be a part in one group and the total of
 * another. Parts whose sum is not published make no group.
 */
export interface ColumnGroup {
  parts: number[];
  total: number;
}

/**
 * One table's unweighted counts. For a mean, give the domain's n as its one count, with
 * `rowsAdditive` false: only the base rule then applies, and the groups protect a withheld
 * domain's mean from being recovered from its total's mean and the other parts' means.
 */
export interface Grid {
  /** The label of each row, as in Cell.domain: `all`, `tier=senior`, `sector=private;tier=senior`. */
  domains: string[];
  /** The label of each column, as in Cell.category. */
  categories: string[];
  /** Unweighted base of each domain. */
  base: number[];
  /** counts[row][column]: the unweighted cell_n, one for every category of every domain. */
  counts: number[][];
  /**
   * Whether each domain's counts add up to its base, so that one withheld count could be worked
   * out as the base less the others: true for a single choice, a scale or a matrix row; false for
   * the options of a multiple choice (each its own yes or no) and for a mean.
   */
  rowsAdditive: boolean;
  groups: ColumnGroup[];
  /** How rows and columns read in a reason (`Public sector`, `“Don't know”`); the ids otherwise. */
  labels?: { domains: string[]; categories: string[] };
}

const domainName = (grid: Grid, r: number) => grid.labels?.domains[r] ?? `domain ${grid.domains[r]}`;
const categoryName = (grid: Grid, c: number) => grid.labels?.categories[c] ?? grid.categories[c]!;

/** '' for a published cell. The same values as the report's SuppressionReason, which analysis may not import. */
export type DisclosureStatus = '' | 'base' | 'primary' | 'secondary';

export interface WithheldCell {
  row: number;
  column: number;
  reason: Exclude<DisclosureStatus, ''>;
  /** A plain sentence: "count of 2 is under the minimum of 3". */
  why: string;
}

export interface DisclosureResult {
  /** status[row][column]. */
  status: DisclosureStatus[][];
  /** why[row][column]: the reason a cell is withheld, '' when it is published. */
  why: string[][];
  /** Every withheld cell, by row and then column. */
  suppressions: WithheldCell[];
  /**
   * Withheld counts above zero that the published figures still give away, because no complement
   * could hide them: the published bases and zeros pin them down (a domain, or a whole group,
   * that gave one answer). Empty for nearly every table; the report should say where it is not.
   */
  exposed: { row: number; column: number }[];
}

export class DisclosureError extends Error {
  override name = 'DisclosureError';
}

type Position = readonly [row: number, column: number];

type Line = { kind: 'row'; cells: Position[] } | { kind: 'group'; total: number; cells: Position[] };

interface Marks {
  status: DisclosureStatus[][];
  why: string[][];
}

export function suppress(grid: Grid, rules: DisclosureRules): DisclosureResult {
  checkRules(rules);
  checkGrid(grid);
  const marks = markByRule(grid, rules);
  const lines = additiveLines(grid);
  do coverLines(grid, lines, marks);
  while (coverCombinations(grid, lines, marks));
  releaseUseless(grid, lines, marks);

  const suppressions: WithheldCell[] = [];
  marks.status.forEach((row, r) =>
    row.forEach((reason, c) => {
      if (reason !== '') suppressions.push({ row: r, column: c, reason, why: marks.why[r]![c]! });
    }),
  );
  const unknowns = withheld(grid, marks);
  const solved = determined(grid, lines, unknowns);
  const exposed = unknowns.filter((p, k) => solved[k] && count(grid, p) > 0).map(([row, column]) => ({ row, column }));
  return { status: marks.status, why: marks.why, suppressions, exposed };
}

function markByRule(grid: Grid, { minBase, minCell }: DisclosureRules): Marks {
  const status: DisclosureStatus[][] = grid.counts.map((row) => row.map(() => ''));
  const why: string[][] = grid.counts.map((row) => row.map(() => ''));
  grid.counts.forEach((row, r) => {
    const base = grid.base[r]!;
    row.forEach((n, c) => {
      if (base < minBase) [status[r]![c], why[r]![c]] = ['base', `base of ${base} is under the minimum of ${minBase}`];
      else if (n > 0 && n < minCell) [status[r]![c], why[r]![c]] = ['primary', `count of ${n} is under the minimum of ${minCell}`];
    });
  });
  return { status, why };
}

/** Each line with exactly one withheld count above zero gets its smallest coverable count withheld. */
function coverLines(grid: Grid, lines: Line[], marks: Marks): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      const hidden = line.cells.filter((p) => !isPublished(marks, p) && count(grid, p) > 0);
      if (hidden.length !== 1) continue;
      const [complement] = byCount(grid, line.cells.filter((p) => canCover(grid, marks, p)));
      if (complement === undefined) continue;
      withhold(marks, complement, secondaryWhy(line, hidden[0]!, grid));
      changed = true;
      break;
    }
  }
}

/**
 * For the first withheld count above zero that the published sums pin down and that some
 * complement can unpin, withholds that complement (see the header). Reports whether it did.
 */
function coverCombinations(grid: Grid, lines: Line[], marks: Marks): boolean {
  const unknowns = withheld(grid, marks);
  const solved = determined(grid, lines, unknowns);
  for (const [k, target] of unknowns.entries()) {
    if (!solved[k] || count(grid, target) === 0) continue;
    const near = lines.filter((line) => line.cells.some((p) => same(p, target))).flatMap((line) => line.cells);
    const inLine = (p: Position) => near.some((q) => same(p, q));
    const coverable = allCells(grid).filter((p) => canCover(grid, marks, p));
    const candidates = [...byCount(grid, coverable.filter(inLine)), ...byCount(grid, coverable.filter((p) => !inLine(p)))];
    const [r, c] = target;
    const why = `withheld so that the suppressed count for ${categoryName(grid, c)} in ${domainName(grid, r)} cannot be worked out by combining the published totals`;
    const unpins = (extra: Position[]) => !determined(grid, lines, [...unknowns, ...extra])[k];
    const one = candidates.find((p) => unpins([p]));
    if (one !== undefined) {
      withhold(marks, one, why);
      return true;
    }
    // No one count will do: start from every coverable count and give back the largest while
    // the target stays hidden. Rare, so the cost of a solve per count is fine.
    if (!unpins(candidates)) continue;
    let chosen = candidates;
    for (const p of byCount(grid, candidates).reverse()) {
      const without = chosen.filter((q) => !same(p, q));
      if (unpins(without)) chosen = without;
    }
    for (const p of chosen) withhold(marks, p, why);
    return true;
  }
  return false;
}

/**
 * A complement taken early in the line pass can end up pinned down by the published figures (a
 * total whose parts are published, one of them a whole domain's base): it hides nothing, and
 * publishing what can be worked out anyway changes nothing else that can, so it is published
 * again, unless that would leave a line whose one withheld count above zero is not pinned down
 * itself: there it stands in for a withheld zero, which gives no cover.
 */
function releaseUseless(grid: Grid, lines: Line[], marks: Marks): void {
  const unknowns = withheld(grid, marks);
  const solved = determined(grid, lines, unknowns);
  const pinned = (p: Position) => solved[unknowns.findIndex((q) => same(p, q))] === true;
  for (const p of unknowns) {
    const [r, c] = p;
    if (!pinned(p) || marks.status[r]![c] !== 'secondary') continue;
    marks.status[r]![c] = '';
    const uncovered = lines.some((line) => {
      if (!line.cells.some((q) => same(p, q))) return false;
      const hidden = line.cells.filter((q) => !isPublished(marks, q) && count(grid, q) > 0);
      return hidden.length === 1 && !pinned(hidden[0]!);
    });
    if (uncovered) marks.status[r]![c] = 'secondary';
    else marks.why[r]![c] = '';
  }
}

/**
 * Which of `unknowns` the published sums pin down exactly. Each line is an equation in the
 * unknowns it holds; an unknown is pinned down when its unit vector is a combination of the
 * equations, that is when the reduced echelon form has a row that is that unit vector alone.
 * The coefficients are 0 and ±1, so a tolerance well above rounding error is safe.
 */
function determined(grid: Grid, lines: Line[], unknowns: Position[]): boolean[] {
  const width = unknowns.length;
  const index = new Map(unknowns.map((p, k) => [key(grid, p), k]));
  const rows: number[][] = [];
  for (const line of lines) {
    const equation = new Array<number>(width).fill(0);
    let any = false;
    for (const p of line.cells) {
      const k = index.get(key(grid, p));
      if (k === undefined) continue;
      equation[k] = line.kind === 'group' && p[0] === line.total ? -1 : 1;
      any = true;
    }
    if (any) rows.push(equation);
  }
  const pivots: number[] = [];
  for (let c = 0; c < width && pivots.length < rows.length; c++) {
    const top = pivots.length;
    let best = top;
    for (let i = top + 1; i < rows.length; i++) if (Math.abs(rows[i]![c]!) > Math.abs(rows[best]![c]!)) best = i;
    if (Math.abs(rows[best]![c]!) < TOLERANCE) continue;
    [rows[top], rows[best]] = [rows[best]!, rows[top]!];
    const pivot = rows[top]!;
    const scale = pivot[c]!;
    for (let j = c; j < width; j++) pivot[j]! /= scale;
    rows.forEach((row, i) => {
      const f = row[c]!;
      if (i !== top && Math.abs(f) > TOLERANCE) for (let j = c; j < width; j++) row[j]! -= f * pivot[j]!;
    });
    pivots.push(c);
  }
  const solved = new Array<boolean>(width).fill(false);
  pivots.forEach((c, i) => {
    if (rows[i]!.every((x, j) => j === c || Math.abs(x) < TOLERANCE)) solved[c] = true;
  });
  return solved;
}

const TOLERANCE = 1e-9;

function additiveLines(grid: Grid): Line[] {
  const columns = grid.categories.map((_, c) => c);
  const lines: Line[] = [];
  if (grid.rowsAdditive) grid.domains.forEach((_, r) => lines.push({ kind: 'row', cells: columns.map((c) => [r, c] as const) }));
  for (const { parts, total } of grid.groups) {
    for (const c of columns) lines.push({ kind: 'group', total, cells: [...parts, total].map((r) => [r, c] as const) });
  }
  return lines;
}

const count = (grid: Grid, [r, c]: Position) => grid.counts[r]![c]!;
const isPublished = (marks: Marks, [r, c]: Position) => marks.status[r]![c] === '';
const same = (p: Position, q: Position) => p[0] === q[0] && p[1] === q[1];
const key = (grid: Grid, [r, c]: Position) => r * grid.categories.length + c;

function withhold(marks: Marks, [r, c]: Position, why: string): void {
  marks.status[r]![c] = 'secondary';
  marks.why[r]![c] = why;
}

/** Every cell, by row and then column. */
function allCells(grid: Grid): Position[] {
  return grid.counts.flatMap((row, r) => row.map((_, c) => [r, c] as const));
}

function withheld(grid: Grid, marks: Marks): Position[] {
  return allCells(grid).filter((p) => !isPublished(marks, p));
}

/**
 * A complement must be published and above zero (see the header on zeros), and not equal to its
 * domain's base in an additive row: the base, with the row's published zeros, gives it away.
 */
function canCover(grid: Grid, marks: Marks, p: Position): boolean {
  return isPublished(marks, p) && count(grid, p) > 0 && !(grid.rowsAdditive && count(grid, p) === grid.base[p[0]]);
}

/** Smallest count first, ties going to the first by row and then column. */
function byCount(grid: Grid, cells: Position[]): Position[] {
  return [...cells].sort((p, q) => count(grid, p) - count(grid, q) || p[0] - q[0] || p[1] - q[1]);
}

function secondaryWhy(line: Line, [r, c]: Position, grid: Grid): string {
  const domain = domainName(grid, r);
  const noun = grid.labels ? 'group' : 'domain';
  if (line.kind === 'row') return `withheld so that the suppressed count for ${categoryName(grid, c)} in ${domain} cannot be worked out from that ${noun}'s base`;
  if (r === line.total) return `withheld so that the suppressed count in ${domain} cannot be worked out by adding up the ${noun}s that make it up`;
  return `withheld so that the suppressed count in ${domain} cannot be worked out from the total ${grid.labels ? 'for' : 'in'} ${domainName(grid, line.total)}`;
}

function checkRules({ minBase, minCell }: DisclosureRules): void {
  for (const [name, value] of [['minBase', minBase], ['minCell', minCell]] as const) {
    if (!Number.isFinite(value) || value < 0) throw new DisclosureError(`${name} must be a number of respondents, not ${value}`);
  }
}

// A grid that does not add up where it says it does would make the lines lie, and the
// suppression with them, so it is refused rather than protected on false premises.
function checkGrid({ domains, categories, base, counts, rowsAdditive, groups }: Grid): void {
  const rows = domains.length;
  if (base.length !== rows) throw new DisclosureError(`the grid has ${rows} domains but ${base.length} bases`);
  if (counts.length !== rows) throw new DisclosureError(`the grid has ${rows} domains but ${counts.length} rows of counts`);
  counts.forEach((row, r) => {
    if (row.length !== categories.length) throw new DisclosureError(`domain ${domains[r]} has ${row.length} counts for ${categories.length} categories`);
    for (const n of [base[r]!, ...row]) {
      if (!Number.isFinite(n) || n < 0) throw new DisclosureError(`domain ${domains[r]} has a count of ${n}; counts are numbers of respondents`);
    }
    const sum = row.reduce((a, b) => a + b, 0);
    if (rowsAdditive && sum !== base[r]) throw new DisclosureError(`the counts of domain ${domains[r]} add up to ${sum}, not to its base of ${base[r]}, so its row is not additive`);
  });
  for (const { parts, total } of groups) {
    const members = [...parts, total];
    if (parts.length === 0) throw new DisclosureError('a column group needs at least one part');
    if (members.some((r) => !Number.isInteger(r) || r < 0 || r >= rows)) throw new DisclosureError(`a column group names a row outside the grid: ${members.join(', ')}`);
    if (new Set(members).size !== members.length) throw new DisclosureError(`a column group names a row twice: ${members.join(', ')}`);
    categories.forEach((category, c) => {
      const sum = parts.reduce((a, r) => a + counts[r]![c]!, 0);
      if (sum !== counts[total]![c]) {
        throw new DisclosureError(`the counts for ${category} in ${parts.map((r) => domains[r]).join(', ')} add up to ${sum}, not to the ${counts[total]![c]} of domain ${domains[total]}`);
      }
    });
  }
}
