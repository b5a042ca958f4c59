/**
 * Raking (iterative proportional fitting) of weights to population margins, as survey's `rake`:
 * post-stratify to each margin in turn, and stop when the weighted cross-table of all margins
 * changes by less than epsilon between passes (epsilon below 1 is relative to the total weight).
 */

export interface Margin {
  name: string;
  /** The group of each row in this margin. */
  groups: readonly string[];
  /** Population total of each group. */
  totals: Readonly<Record<string, number>>;
}

export interface RakeResult {
  weights: Float64Array;
  /** Passes over all margins that were needed. */
  iterations: number;
  converged: boolean;
  /** The largest change in the cross-table in the last pass. */
  change: number;
}

export class RakeError extends Error {
  override name = 'RakeError';
}

export function rake(initial: ArrayLike<number>, margins: readonly Margin[], control: { epsilon?: number; maxIterations?: number } = {}): RakeResult {
  const n = initial.length;
  const weights = Float64Array.from(initial);
  const total = weights.reduce((a, b) => a + b, 0);
  const epsilon = control.epsilon ?? 1e-7;
  const tolerance = epsilon < 1 ? epsilon * total : epsilon;
  const maxIterations = control.maxIterations ?? 100;

  for (const margin of margins) {
    const present = new Set(margin.groups);
    for (const group of present) {
      if (!(margin.totals[group]! > 0)) throw new RakeError(`margin ${margin.name} has no population total for group ${group}`);
    }
  }
  // Cells of the cross-classification by every margin, to measure convergence as survey does.
  const cellKey = Array.from({ length: n }, (_, i) => margins.map((m) => m.groups[i]).join('\u0000'));
  const cellIndex = new Map<string, number>();
  const cellOf = Int32Array.from(cellKey, (key) => {
    let k = cellIndex.get(key);
    if (k === undefined) cellIndex.set(key, (k = cellIndex.size));
    return k;
  });
  const crossTable = () => {
    const table = new Float64Array(cellIndex.size);
    for (let i = 0; i < n; i++) table[cellOf[i]!]! += weights[i]!;
    return table;
  };

  let before = crossTable();
  let change = Infinity;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    for (const margin of margins) {
      const sums = new Map<string, number>();
      margin.groups.forEach((g, i) => sums.set(g, (sums.get(g) ?? 0) + weights[i]!));
      margin.groups.forEach((g, i) => {
        weights[i] = (weights[i]! * margin.totals[g]!) / sums.get(g)!;
      });
    }
    const after = crossTable();
    change = 0;
    for (let c = 0; c < after.length; c++) change = Math.max(change, Math.abs(after[c]! - before[c]!));
    before = after;
    if (change < tolerance) return { weights, iterations: iteration, converged: true, change };
  }
  return { weights, iterations: maxIterations, converged: false, change };
}
