// Disclosure control: whole domains under min_base, primary cells under min_cell, and the
// complements that keep a withheld count from being worked out from a published total.
import { describe, expect, it } from 'vitest';
import { DisclosureError, suppress, type DisclosureResult, type Grid } from '../../src/analysis/disclosure.ts';

const rules = { minBase: 10, minCell: 3 };

/** One domain, `all`, with the given counts; additive unless said otherwise. */
const oneRow = (counts: number[], rowsAdditive = true, base = counts.reduce((a, b) => a + b, 0)): Grid => ({
  domains: ['all'],
  categories: counts.map((_, c) => `c${c + 1}`),
  base: [base],
  counts: [counts],
  rowsAdditive,
  groups: [],
});

const tiers = ['all', 'tier=front_line', 'tier=middle', 'tier=senior'];

describe('primary suppression', () => {
  it('withholds each count under the minimum, publishes a count equal to it, and adds no complement to a row that already hides two', () => {
    const result = suppress(oneRow([1, 2, 3, 34]), rules);
    expect(result.status).toEqual([['primary', 'primary', '', '']]);
    expect(result.why[0]).toEqual(['count of 1 is under the minimum of 3', 'count of 2 is under the minimum of 3', '', '']);
    expect(result.suppressions).toEqual([
      { row: 0, column: 0, reason: 'primary', why: 'count of 1 is under the minimum of 3' },
      { row: 0, column: 1, reason: 'primary', why: 'count of 2 is under the minimum of 3' },
    ]);
  });
});

describe('secondary suppression', () => {
  it('withholds the smallest other count of an additive row, so the lone small count cannot be worked out from the base', () => {
    const result = suppress(oneRow([2, 9, 5, 24]), rules);
    expect(result.status).toEqual([['primary', '', 'secondary', '']]);
    expect(result.why[0]![2]).toBe("withheld so that the suppressed count for c1 in domain all cannot be worked out from that domain's base");
  });

  it('withholds the smallest other count in a column group, so the lone small count cannot be worked out from the total', () => {
    // The options of a multiple choice: rows do not add up, so only the column protects.
    const grid: Grid = {
      domains: tiers,
      categories: ['email', 'phone'],
      base: [90, 40, 30, 20],
      counts: [
        [31, 37],
        [20, 15],
        [2, 12],
        [9, 10],
      ],
      rowsAdditive: false,
      groups: [{ parts: [1, 2, 3], total: 0 }],
    };
    const result = suppress(grid, rules);
    expect(result.status).toEqual([
      ['', ''],
      ['', ''],
      ['primary', ''],
      ['secondary', ''],
    ]);
    expect(result.why[3]![0]).toBe('withheld so that the suppressed count in domain tier=middle cannot be worked out from the total in domain all');
  });

  it('keeps adding complements when a complement leaves a single withheld count in a crossing line', () => {
    const grid: Grid = {
      domains: ['all', 'sector=public', 'sector=private'],
      categories: ['agree', 'neutral', 'disagree'],
      base: [89, 32, 57],
      counts: [
        [17, 22, 50],
        [2, 10, 20],
        [15, 12, 30],
      ],
      rowsAdditive: true,
      groups: [{ parts: [1, 2], total: 0 }],
    };
    const result = suppress(grid, rules);
    // The row of public takes neutral; the agree column then takes private's agree, which
    // leaves private's row with one withheld count, so private's neutral goes too.
    expect(result.status).toEqual([
      ['', '', ''],
      ['primary', 'secondary', ''],
      ['secondary', 'secondary', ''],
    ]);
    expect(result.why[1]![1]).toBe("withheld so that the suppressed count for agree in domain sector=public cannot be worked out from that domain's base");
    expect(result.why[2]![0]).toBe('withheld so that the suppressed count in domain sector=public cannot be worked out from the total in domain all');
    expect(result.why[2]![1]).toBe("withheld so that the suppressed count for agree in domain sector=private cannot be worked out from that domain's base");
  });

  it('protects a withheld total from being worked out by adding up the domains that make it up', () => {
    const grid: Grid = {
      domains: ['all', 'sector=public', 'sector=private', 'sector=private;tier=middle', 'sector=private;tier=senior'],
      categories: ['yes'],
      base: [60, 25, 35, 20, 15],
      counts: [[12], [2], [10], [6], [4]],
      rowsAdditive: false,
      groups: [
        { parts: [1, 2], total: 0 },
        { parts: [3, 4], total: 2 },
      ],
    };
    // Private is withheld to cover public within all; it is also the total of its tiers, which
    // would add up to it, so one of them goes too.
    const result = suppress(grid, rules);
    expect(result.status).toEqual([[''], ['primary'], ['secondary'], [''], ['secondary']]);
    expect(result.why[2]![0]).toBe('withheld so that the suppressed count in domain sector=public cannot be worked out from the total in domain all');
    expect(result.why[4]![0]).toBe('withheld so that the suppressed count in domain sector=private cannot be worked out by adding up the domains that make it up');
  });
});

describe('counts given away by combining lines', () => {
  // Public's small count hides in its row and, column by column, against private. But private's
  // counts are the sums of its two tiers, which are published (each a whole domain that gave one
  // answer), so private hides nothing: public's counts are the totals less private's.
  const grid: Grid = {
    domains: ['all', 'sector=public', 'sector=private', 'sector=private;tier=junior', 'sector=private;tier=senior'],
    categories: ['yes', 'no'],
    base: [23, 11, 12, 6, 6],
    counts: [
      [8, 15],
      [2, 9],
      [6, 6],
      [6, 0],
      [0, 6],
    ],
    rowsAdditive: true,
    groups: [
      { parts: [1, 2], total: 0 },
      { parts: [3, 4], total: 2 },
    ],
  };

  it('withholds more when the lines each hide two counts but together give one away', () => {
    const result = suppress(grid, { minBase: 5, minCell: 3 });
    expect(result.status.slice(0, 2)).toEqual([
      ['secondary', 'secondary'],
      ['primary', 'secondary'],
    ]);
    expect(result.why[0]).toEqual([
      'withheld so that the suppressed count for yes in domain sector=public cannot be worked out by combining the published totals',
      'withheld so that the suppressed count for yes in domain sector=public cannot be worked out by combining the published totals',
    ]);
    expect(result.exposed).toEqual([]);
  });

  it('covers a count that combining lines gives away with one count of its own lines where one will do', () => {
    // Found among random grids: taking every coverable count and giving back the largest would
    // withhold 20 cells here, not 17.
    const result = suppress(sectorByTier([[8, 14, 9], [2, 13, 3], [0, 8, 10], [12, 3, 0], [0, 4, 14], [3, 9, 1]], true), { minBase: 5, minCell: 5 });
    const [p, s, _] = ['primary', 'secondary', ''] as const;
    expect(result.status).toEqual([
      [_, _, _],
      [_, _, _],
      [_, _, _],
      [s, s, s],
      [p, s, _],
      [p, _, s],
      [s, _, s],
      [p, _, p],
      [_, _, _],
      [s, p, _],
      [_, p, s],
      [p, _, p],
    ]);
    expect(result.suppressions.filter((x) => x.why.includes('combining'))).toHaveLength(1);
  });

  it('publishes again a complement that the published figures give away all the same', () => {
    // The line rule first takes both of private's counts, which its tiers then give away.
    expect(suppress(grid, { minBase: 5, minCell: 3 }).status.slice(2)).toEqual([
      ['', ''],
      ['', ''],
      ['', ''],
    ]);
  });
});

describe('a domain withheld whole', () => {
  const grid: Grid = {
    domains: tiers,
    categories: ['agree', 'disagree'],
    base: [76, 40, 30, 6],
    counts: [
      [39, 37],
      [25, 15],
      [10, 20],
      [4, 2],
    ],
    rowsAdditive: true,
    groups: [{ parts: [1, 2, 3], total: 0 }],
  };

  it('marks every cell of a domain under the minimum base, with the base as its reason', () => {
    const result = suppress(grid, rules);
    expect(result.status[3]).toEqual(['base', 'base']);
    expect(result.why[3]).toEqual(['base of 6 is under the minimum of 10', 'base of 6 is under the minimum of 10']);
  });

  it('withholds a second domain of its group, so its counts cannot be worked out from the totals less the other domains', () => {
    const result = suppress(grid, rules);
    expect(result.status).toEqual([
      ['', ''],
      ['', ''],
      ['secondary', 'secondary'],
      ['base', 'base'],
    ]);
    expect(result.why[2]).toEqual([
      'withheld so that the suppressed count in domain tier=senior cannot be worked out from the total in domain all',
      "withheld so that the suppressed count for agree in domain tier=middle cannot be worked out from that domain's base",
    ]);
  });
});

describe('zeros', () => {
  it('neither withholds a zero as a small count nor takes it as a complement, even when it is the smallest', () => {
    expect(suppress(oneRow([2, 0, 5, 33]), rules).status).toEqual([['primary', '', 'secondary', '']]);
  });

  it('does not count a withheld zero as cover for a small count in the same line', () => {
    // tier=senior is withheld whole, but its count here is 0: the total less middle is exactly
    // front_line's 2 plus nothing, so middle must go as well.
    const grid: Grid = {
      domains: tiers,
      categories: ['yes'],
      base: [60, 25, 30, 5],
      counts: [[12], [2], [10], [0]],
      rowsAdditive: false,
      groups: [{ parts: [1, 2, 3], total: 0 }],
    };
    expect(suppress(grid, rules).status).toEqual([[''], ['primary'], ['secondary'], ['base']]);
  });
});

describe('lines that do not add up', () => {
  it('needs no complement in the row of a multiple choice, whose options do not add up to the base', () => {
    expect(suppress(oneRow([2, 13, 25], false, 40), rules).status).toEqual([['primary', '', '']]);
    // The same counts as a single choice do add up to the base of 40, and so need a complement.
    expect(suppress(oneRow([2, 13, 25], true, 40), rules).status).toEqual([['primary', 'secondary', '']]);
  });

});

describe('counts the published bases give away', () => {
  it('never takes as a complement a count that equals its domain base, since the base gives it away', () => {
    const grid: Grid = {
      domains: tiers,
      categories: ['yes', 'no'],
      base: [46, 22, 6, 18],
      counts: [
        [16, 30],
        [2, 20],
        [6, 0],
        [8, 10],
      ],
      rowsAdditive: true,
      groups: [{ parts: [1, 2, 3], total: 0 }],
    };
    // Middle's 6 is the smallest count in the column, but its base of 6 is published.
    const result = suppress(grid, { minBase: 5, minCell: 3 });
    expect(result.status).toEqual([
      ['', ''],
      ['primary', 'secondary'],
      ['', ''],
      ['secondary', 'secondary'],
    ]);
    expect(result.why[3]![0]).toBe('withheld so that the suppressed count in domain tier=front_line cannot be worked out from the total in domain all');
  });

  it('lists as exposed, and does not chase, a small count that its published base already gives away', () => {
    // A domain of two who gave one answer: withholding zeros around it would hide nothing.
    const result = suppress(oneRow([2, 0, 0]), { minBase: 1, minCell: 3 });
    expect(result.status).toEqual([['primary', '', '']]);
    expect(result.exposed).toEqual([{ row: 0, column: 0 }]);
  });
});

describe('determinism', () => {
  it('breaks a tie between equally small complements by taking the first by row and then column', () => {
    expect(suppress(oneRow([2, 5, 5, 28]), rules).status).toEqual([['primary', 'secondary', '', '']]);
    const grid: Grid = {
      domains: tiers,
      categories: ['yes'],
      base: [50, 20, 20, 20],
      counts: [[16], [2], [7], [7]],
      rowsAdditive: false,
      groups: [{ parts: [1, 2, 3], total: 0 }],
    };
    expect(suppress(grid, rules).status).toEqual([[''], ['primary'], ['secondary'], ['']]);
  });

  it('gives the same result every time for the same grid, and leaves the grid as it was', () => {
    const grid = randomGrid(lcg(7), true);
    const before = structuredClone(grid);
    const first = suppress(grid, rules);
    expect(suppress(grid, rules)).toEqual(first);
    expect(suppress(structuredClone(grid), rules)).toEqual(first);
    expect(grid).toEqual(before);
  });
});

describe('a check by brute force on random grids', () => {
  it.each([true, false])('leaves no line with one withheld count above zero, and no such count that the published sums solve (rows additive: %s)', (rowsAdditive) => {
    const next = lcg(rowsAdditive ? 20240601 : 19700101);
    const seen = { base: 0, primary: 0, secondary: 0, combining: 0 };
    for (let trial = 0; trial < 300; trial++) {
      const grid = randomGrid(next, rowsAdditive);
      const trialRules = { minBase: 5 + Math.floor(next() * 20), minCell: 2 + Math.floor(next() * 4) };
      const result = suppress(grid, trialRules);
      expect(unsafeLines(grid, result), `trial ${trial}`).toEqual([]);
      expect(solvable(grid, result), `trial ${trial}`).toEqual([]);
      expect(result.exposed, `trial ${trial}`).toEqual([]);
      checkRules(grid, trialRules, result);
      for (const s of result.suppressions) seen[s.reason]++;
      if (result.suppressions.some((s) => s.why.includes('combining'))) seen.combining++;
    }
    // The check means something only if the grids needed every kind of suppression.
    expect(seen.base).toBeGreaterThan(0);
    expect(seen.primary).toBeGreaterThan(0);
    expect(seen.secondary).toBeGreaterThan(0);
    if (rowsAdditive) expect(seen.combining).toBeGreaterThan(0);
  });
});

describe('grids that do not add up', () => {
  it('refuses an additive row whose counts do not add up to its base', () => {
    expect(() => suppress(oneRow([2, 13, 25], true, 41), rules)).toThrow(DisclosureError);
  });

  it('refuses a column group whose parts do not add up to its total', () => {
    const grid: Grid = { domains: tiers, categories: ['yes'], base: [50, 20, 20, 10], counts: [[16], [2], [7], [6]], rowsAdditive: false, groups: [{ parts: [1, 2, 3], total: 0 }] };
    expect(() => suppress(grid, rules)).toThrow(/add up to 15, not to the 16 of domain all/);
  });
});

/** A fixed linear congruential generator (Numerical Recipes' constants): numbers in [0, 1). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Two sectors by three tiers, with every margin published: rows are `all`, the sectors, the
 * tiers, then the six crossings (a;x, a;y, a;z, b;x, b;y, b;z); groups are sectors within all,
 * tiers within all, tiers within each sector and sectors within each tier.
 */
function sectorByTier(crossings: number[][], rowsAdditive: boolean, crossingBase = crossings.map((row) => row.reduce((a, b) => a + b, 0))): Grid {
  const categories = crossings[0]!.map((_, c) => `c${c + 1}`);
  const cross = (s: number, t: number) => 6 + s * 3 + t;
  const sumOf = (rows: number[]) => ({
    counts: categories.map((_, c) => rows.reduce((a, r) => a + crossings[r - 6]![c]!, 0)),
    base: rows.reduce((a, r) => a + crossingBase[r - 6]!, 0),
  });
  const margins = [
    sumOf([6, 7, 8, 9, 10, 11]),
    sumOf([cross(0, 0), cross(0, 1), cross(0, 2)]),
    sumOf([cross(1, 0), cross(1, 1), cross(1, 2)]),
    sumOf([cross(0, 0), cross(1, 0)]),
    sumOf([cross(0, 1), cross(1, 1)]),
    sumOf([cross(0, 2), cross(1, 2)]),
  ];
  return {
    domains: ['all', 'sector=a', 'sector=b', 'tier=x', 'tier=y', 'tier=z', ...['a', 'b'].flatMap((s) => ['x', 'y', 'z'].map((t) => `sector=${s};tier=${t}`))],
    categories,
    base: [...margins.map((m) => m.base), ...crossingBase],
    counts: [...margins.map((m) => m.counts), ...crossings],
    rowsAdditive,
    groups: [
      { parts: [1, 2], total: 0 },
      { parts: [3, 4, 5], total: 0 },
      { parts: [cross(0, 0), cross(0, 1), cross(0, 2)], total: 1 },
      { parts: [cross(1, 0), cross(1, 1), cross(1, 2)], total: 2 },
      { parts: [cross(0, 0), cross(1, 0)], total: 3 },
      { parts: [cross(0, 1), cross(1, 1)], total: 4 },
      { parts: [cross(0, 2), cross(1, 2)], total: 5 },
    ],
  };
}

/**
 * A random sector-by-tier grid. Each crossing has at least two non-zero counts, so no count
 * equals its domain's base and every count that needs covering can be covered.
 */
function randomGrid(next: () => number, rowsAdditive: boolean): Grid {
  const columns = 2 + Math.floor(next() * 3);
  const crossings: number[][] = [];
  for (let k = 0; k < 6; k++) {
    let row: number[];
    do row = Array.from({ length: columns }, () => (next() < 0.25 ? 0 : Math.floor(next() * 15)));
    while (row.filter((n) => n > 0).length < 2);
    crossings.push(row);
  }
  if (rowsAdditive) return sectorByTier(crossings, true);
  return sectorByTier(crossings, false, crossings.map((row) => Math.max(...row) + Math.floor(next() * 10)));
}

/** The published sums, written out here rather than taken from the code under test. */
function sums(grid: Grid): { name: string; cells: [number, number][]; sign: number[] }[] {
  const lines: { name: string; cells: [number, number][]; sign: number[] }[] = [];
  const columns = grid.categories.map((_, c) => c);
  grid.domains.forEach((domain, r) => {
    if (grid.rowsAdditive) lines.push({ name: `row ${domain}`, cells: columns.map((c) => [r, c]), sign: columns.map(() => 1) });
  });
  for (const g of grid.groups) {
    for (const c of columns) lines.push({ name: `column ${c} of ${grid.domains[g.total]}`, cells: [...g.parts, g.total].map((r) => [r, c]), sign: [...g.parts.map(() => 1), -1] });
  }
  return lines;
}

/** Lines with exactly one withheld count above zero. */
function unsafeLines(grid: Grid, { status }: DisclosureResult): string[] {
  return sums(grid)
    .filter((line) => line.cells.filter(([r, c]) => status[r]![c] !== '' && grid.counts[r]![c]! > 0).length === 1)
    .map((line) => line.name);
}

/**
 * Withheld counts above zero that the published sums solve: those whose unit vector adds no rank
 * to the equations in the withheld cells (zeros among them, as the reader cannot tell them apart).
 */
function solvable(grid: Grid, { status }: DisclosureResult): string[] {
  const unknowns: [number, number][] = [];
  status.forEach((row, r) => row.forEach((s, c) => s !== '' && unknowns.push([r, c])));
  const at = (r: number, c: number) => unknowns.findIndex(([ur, uc]) => ur === r && uc === c);
  const equations = sums(grid).map((line) => {
    const equation = unknowns.map(() => 0);
    line.cells.forEach(([r, c], i) => {
      const k = at(r, c);
      if (k >= 0) equation[k] = line.sign[i]!;
    });
    return equation;
  });
  const base = rank(equations);
  return unknowns
    .filter(([r, c], k) => grid.counts[r]![c]! > 0 && rank([...equations, unknowns.map((_, j) => (j === k ? 1 : 0))]) === base)
    .map(([r, c]) => `${grid.domains[r]} ${grid.categories[c]}`);
}

function rank(matrix: number[][]): number {
  const m = matrix.map((row) => [...row]);
  let r = 0;
  for (let c = 0; c < (m[0]?.length ?? 0) && r < m.length; c++) {
    const p = m.findIndex((row, i) => i >= r && Math.abs(row[c]!) > 1e-9);
    if (p < 0) continue;
    [m[r], m[p]] = [m[p]!, m[r]!];
    for (let i = r + 1; i < m.length; i++) {
      const f = m[i]![c]! / m[r]![c]!;
      for (let j = c; j < m[i]!.length; j++) m[i]![j]! -= f * m[r]![j]!;
    }
    r++;
  }
  return r;
}

function checkRules(grid: Grid, { minBase, minCell }: { minBase: number; minCell: number }, result: DisclosureResult): void {
  grid.counts.forEach((row, r) =>
    row.forEach((n, c) => {
      const status = result.status[r]![c];
      if (grid.base[r]! < minBase) expect(status).toBe('base');
      else if (n > 0 && n < minCell) expect(status).toBe('primary');
      else if (n === 0) expect(status).toBe('');
      else expect(['', 'secondary']).toContain(status);
      expect(result.why[r]![c] === '').toBe(status === '');
    }),
  );
}

describe('counts that no suppression can hide', () => {
  it('are withheld and said to be given away, when a whole domain gave one answer', async () => {
    const { applyDisclosure } = await import('../../src/pipeline/disclosure-step.ts');
    const cell = (domain: string, category: string, base: number, n: number) => ({
      table: 't', domain, category, base_n: base, cell_n: n, estimate: n / base, se: 0, ci_low: 0, ci_high: 1, deff: 1, suppressed: '' as const,
    });
    const table = {
      id: 't',
      title: 'T',
      input: 'i',
      measure: { question: 'q', type: 'single', text: 'Q' },
      kind: 'proportion' as const,
      categories: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }],
      by: [],
      ci: 'logit' as const,
      // Two respondents, both "yes": with a base of 2 published and "no" at zero, the withheld
      // count of 2 is the base itself.
      cells: [cell('all', 'yes', 2, 2), cell('all', 'no', 2, 0)],
      tests: [],
    };
    const { tables, suppressions } = applyDisclosure([table], { minBase: 1, minCell: 3 });
    expect(tables[0]!.cells[0]!.suppressed).toBe('primary');
    expect(suppressions).toHaveLength(1);
    expect(suppressions[0]!.why).toBe('count of 2 is under the minimum of 3; it can still be worked out from the published figures, as everyone in the group gave the same answer');
  });
});
