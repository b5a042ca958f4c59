/**
 * One pipeline table: the measure's estimates for the whole sample and for every domain (the
 * crossing of `by`, within each level of the panel), with intervals, design effects and, when
 * asked, the Rao–Scott test of association with the first `by` variable. Pure: the dataset and
 * design come in; a `TableResult` goes out, before disclosure control.
 */
import qt from '@stdlib/stats-base-dists-t-quantile';
import type { Design } from '../analysis/design.ts';
import { estimateCategorical, estimateCategoricalByPartitions, estimateMeans, type MeanEstimate } from '../analysis/estimate.ts';
import { proportionInterval, type IntervalMethod } from '../analysis/intervals.ts';
import { raoScott } from '../analysis/rao-scott.ts';
import { optionIds, questionsOf, type Instrument, type Option, type Question } from '../instrument/schema.ts';
import type { Cell, Labelled, TableResult, TestResult } from '../report/model.ts';
import type { Dataset } from './dataset.ts';
import type { PipelineTable } from './schema.ts';

interface Measure {
  question: Question;
  /** For a single-choice, scale or matrix-row measure: its option codes, for the fast estimator. */
  codes?: Int16Array;
  row: string | undefined;
  kind: 'proportion' | 'mean';
  categories: Labelled[];
  /** For each category, y per row (NaN when not answered) — made lazily, one category at a time. */
  values(k: number): Float64Array;
  /** Whether each row answered the measure for category k (multiple-choice options differ). */
  answered(k: number): Uint8Array;
  /** For a multiple-choice measure: option k's column of 0/1 codes (−1 when not answered). */
  optionCodes?: (k: number) => Int16Array;
}

/** Options as the report names them: the full wording, and the short label where there is one. */
export function labelled(options: readonly Option[]): Labelled[] {
  return options.map(({ id, label, short }) => ({ id, label, ...(short === undefined ? {} : { short }) }));
}

/** `question — row` with each part's short label where it has one; undefined when neither has. */
function measureShort(question: Question, row: string | undefined): string | undefined {
  const rowOf = question.type === 'matrix' && row ? question.rows[row] : undefined;
  if (question.short === undefined && rowOf?.short === undefined) return undefined;
  const head = question.short ?? question.text;
  return rowOf ? `${head} — ${rowOf.short ?? rowOf.label}` : head;
}

/** Memoised per index: each column is built once per table, however many domains read it. */
function memo<T>(make: (k: number) => T): (k: number) => T {
  const made = new Map<number, T>();
  return (k) => {
    let value = made.get(k);
    if (value === undefined) made.set(k, (value = make(k)));
    return value;
  };
}

/** 1 where a code is present (not −1). */
function presentOf(codes: Int16Array): Uint8Array {
  const out = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) if (codes[i]! >= 0) out[i] = 1;
  return out;
}

function measureOf(instrument: Instrument, dataset: Dataset, measure: string): Measure {
  const [qid, row] = measure.split('.', 2) as [string, string | undefined];
  const question = questionsOf(instrument).find((q) => q.id === qid)!;
  const n = dataset.n;
  if (question.type === 'number') {
    const column = dataset.numbers.get(qid)!;
    const answered = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (!Number.isNaN(column[i]!)) answered[i] = 1;
    return { question, row, kind: 'mean', categories: [{ id: 'mean', label: 'Mean' }], values: () => column, answered: () => answered };
  }
  if (question.type === 'multiple') {
    const options = labelled(question.options);
    const codesOf = (k: number) => dataset.codes.get(`${qid}.${options[k]!.id}`)!;
    return {
      question,
      row,
      kind: 'proportion',
      categories: options,
      values: memo((k) => {
        const codes = codesOf(k);
        const y = new Float64Array(n);
        for (let i = 0; i < n; i++) y[i] = codes[i]! < 0 ? NaN : codes[i]!;
        return y;
      }),
      answered: memo((k) => presentOf(codesOf(k))),
      optionCodes: codesOf,
    };
  }
  if (question.type === 'text' || question.type === 'longtext') throw new Error(`${qid} is free text`);
  const codes = dataset.codes.get(question.type === 'matrix' ? `${qid}.${row}` : qid)!;
  const options = labelled(question.options);
  const answered = presentOf(codes);
  return {
    question,
    codes,
    row,
    kind: 'proportion',
    categories: options,
    values: memo((k) => {
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) y[i] = codes[i]! < 0 ? NaN : codes[i] === k ? 1 : 0;
      return y;
    }),
    answered: () => answered,
  };
}

interface Domain {
  key: string;
  /** The partition of the rows the domain belongs to, and its place in it. */
  layer: number;
  position: number;
}

/**
 * A partition of the rows: each row's domain within it (−1 for none). A table's domains fall into
 * at most four such partitions — everyone; the crossing of `by`; the panel; the crossing within
 * each panel, or for a grid everyone; its rows; its columns; their crossing — so every domain of
 * a partition can be estimated in one pass over the rows.
 */
interface Layer {
  /** Null for the partition of everyone into one domain. */
  index: Int32Array | null;
  count: number;
}

function domainsOf(dataset: Dataset, instrument: Instrument, by: readonly string[], panel: string | undefined, margins = false): { domains: Domain[]; layers: Layer[]; panels: Domain[] } {
  const questions = new Map(questionsOf(instrument).map((q) => [q.id, q]));
  const n = dataset.n;
  const levelsOf = (variable: string) => optionIds((questions.get(variable) as Question & { options: Option[] }).options);
  const layers: Layer[] = [{ index: null, count: 1 }];
  const all: Domain = { key: 'all', layer: 0, position: 0 };

  // The crossing of `variables`, the first varying slowest, as one index per row.
  const crossing = (variables: readonly string[]): { index: Int32Array; count: number; keys: string[] } => {
    let index = new Int32Array(n);
    let keys = [''];
    for (const variable of variables) {
      const codes = dataset.codes.get(variable)!;
      const levels = levelsOf(variable);
      const next = new Int32Array(n);
      for (let i = 0; i < n; i++) next[i] = index[i]! < 0 || codes[i]! < 0 ? -1 : index[i]! * levels.length + codes[i]!;
      index = next;
      keys = keys.flatMap((key) => levels.map((level) => (key === '' ? `${variable}=${level}` : `${key};${variable}=${level}`)));
    }
    return { index, count: keys.length, keys };
  };
  const layerOf = (part: { index: Int32Array; count: number }) => layers.push({ index: part.index, count: part.count }) - 1;

  if (!panel) {
    if (by.length === 0) return { domains: [all], layers, panels: [all] };
    // A grid's margins come first, rows' then columns', each variable alone: the totals a reader
    // compares each cell with, in the same order as the grid prints them.
    const marginals = margins
      ? by.flatMap((variable) => {
          const part = crossing([variable]);
          const layer = layerOf(part);
          return part.keys.map((key, position) => ({ key, layer, position }));
        })
      : [];
    const cells = crossing(by);
    const layer = layerOf(cells);
    return { domains: [all, ...marginals, ...cells.keys.map((key, position) => ({ key, layer, position }))], layers, panels: [all] };
  }
  const panelCells = crossing([panel]);
  const panelLayer = layerOf(panelCells);
  const panels = panelCells.keys.map((key, position) => ({ key, layer: panelLayer, position }));
  // With no `by`, each panel's single inner domain is the panel itself, named `all;<panel>`.
  const inner = crossing([panel, ...by]);
  const innerLayer = layerOf(inner);
  const perPanel = inner.count / panelCells.count;
  const domains: Domain[] = [all];
  panels.forEach((p, j) => {
    domains.push(p);
    for (let c = 0; c < perPanel; c++) {
      const position = j * perPanel + c;
      const key = by.length === 0 ? 'all' : inner.keys[position]!.slice(p.key.length + 1);
      domains.push({ key: `${key};${p.key}`, layer: innerLayer, position });
    }
  });
  return { domains, layers, panels: [all, ...panels] };
}

/** 1 for the rows of a domain: for the estimators that take a row mask. */
function maskOf(layers: readonly Layer[], domain: Domain, n: number): Uint8Array {
  const { index } = layers[domain.layer]!;
  const mask = new Uint8Array(n);
  if (index === null) return mask.fill(1);
  for (let i = 0; i < n; i++) if (index[i] === domain.position) mask[i] = 1;
  return mask;
}

function both(mask: Uint8Array, other: Uint8Array): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) if (mask[i] && other[i]) out[i] = 1;
  return out;
}

function meanInterval(estimate: number, se: number, df: number): { low: number; high: number } {
  const t = qt(0.975, Math.max(1, df));
  return { low: estimate - t * se, high: estimate + t * se };
}

function association(table: PipelineTable, variable: string, dataset: Dataset, design: Design, measure: Measure, panel: { key: string; mask: Uint8Array }): TestResult | undefined {
  const byCodes = dataset.codes.get(variable)!;
  const byLevels = dataset.levels.get(variable)!.length;
  const categories = measure.categories.length;
  const answered = measure.answered(0);
  // The rows that answered both, as a domain of the whole design (svychisq on subset(design, …)):
  // a design made of those rows alone would lose the full sample's strata sizes, fpc and raking.
  const keep = new Uint8Array(dataset.n);
  for (let r = 0; r < dataset.n; r++) if (panel.mask[r] && answered[r] && byCodes[r]! >= 0) keep[r] = 1;
  // Each kept row's cell of the two-way table (the by level varying fastest), as one code.
  const measureCodes = measure.codes!;
  const cellCodes = new Int16Array(dataset.n).fill(-1);
  for (let r = 0; r < dataset.n; r++) if (keep[r]) cellCodes[r] = byCodes[r]! + measureCodes[r]! * byLevels;
  const estimate = estimateCategorical(design, cellCodes, byLevels * categories, keep);
  if (estimate.n < 2) return undefined;
  // Levels nobody is in make the test's matrices singular; they carry no information: leave them out.
  const rowsKept = Array.from({ length: byLevels }, (_, i) => i).filter((i) => Array.from({ length: categories }, (_, j) => estimate.estimates[i + j * byLevels]!).some((p) => p > 0));
  const colsKept = Array.from({ length: categories }, (_, j) => j).filter((j) => rowsKept.some((i) => estimate.estimates[i + j * byLevels]! > 0));
  if (rowsKept.length < 2 || colsKept.length < 2) return undefined;
  const index = colsKept.flatMap((j) => rowsKept.map((i) => i + j * byLevels));
  const cells = rowsKept.map((i) => colsKept.map((j) => estimate.estimates[i + j * byLevels]!));
  const covariance = index.map((a) => index.map((b) => estimate.covariance[a]![b]!));
  if (cells.flat().some((p) => p === 0)) return undefined;
  const result = raoScott({ cells, covariance, designRows: estimate.designRows, df: estimate.designDf });
  return { table: table.id, panel: panel.key, statistic: 'F', ndf: result.ndf, ddf: result.ddf, value: result.F, p_value: result.pValue };
}

/** One estimate of a category in a domain: the figures a cell is made from. */
interface Estimated {
  estimate: number;
  se: number;
  deff: number;
  /** The unweighted count in the category (proportions) or the base (means). */
  count: number;
  n: number;
  df: number;
  designRows: number;
}

function pick(result: MeanEstimate, position: number, kind: Measure['kind']): Estimated {
  return {
    estimate: result.estimates[position]!,
    se: result.se[position]!,
    deff: result.deff[position]!,
    count: kind === 'proportion' ? result.sums[position]! : result.n,
    n: result.n,
    df: result.df,
    designRows: result.designRows,
  };
}

/** Every category's estimate in every domain, as `[domain][category]`. */
function estimateAll(measure: Measure, dataset: Dataset, design: Design, domains: readonly Domain[], layers: readonly Layer[]): Estimated[][] {
  if (measure.codes) {
    const codes = measure.codes;
    const levels = measure.categories.length;
    const results = estimateCategoricalByPartitions(design, codes, levels, layers);
    return domains.map((d) => measure.categories.map((_, k) => pick(results[d.layer]![d.position]!, k, 'proportion')));
  }
  if (measure.question.type === 'multiple') {
    // Each option is a yes/no question with its own base: the share of 1s among its 0s and 1s.
    const byOption = measure.categories.map((_, k) => {
      const codes = measure.optionCodes!(k);
      return estimateCategoricalByPartitions(design, codes, 2, layers);
    });
    return domains.map((d) => measure.categories.map((_, k) => pick(byOption[k]![d.layer]![d.position]!, 1, 'proportion')));
  }
  const ys = measure.categories.map((_, k) => measure.values(k));
  const answered = measure.answered(0);
  return domains.map((d) => {
    const result = estimateMeans(design, ys, both(maskOf(layers, d, dataset.n), answered));
    return measure.categories.map((_, k) => pick(result, k, 'mean'));
  });
}

export function computeTable(table: PipelineTable, instrument: Instrument, dataset: Dataset, design: Design): TableResult {
  const measure = measureOf(instrument, dataset, table.measure);
  // A grid is broken down by its rows and then its columns, with both margins.
  const by = table.grid ? [table.grid.rows, table.grid.columns] : table.by;
  const { domains, layers, panels } = domainsOf(dataset, instrument, by, table.panel, table.grid !== undefined);
  const estimated = estimateAll(measure, dataset, design, domains, layers);
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const cells: Cell[] = domains.flatMap((domain, d) =>
    measure.categories.map((category, k): Cell => {
      const e = estimated[d]![k]!;
      const interval =
        e.n === 0
          ? { low: NaN, high: NaN }
          : measure.kind === 'proportion'
            ? proportionInterval(table.ci as IntervalMethod, { p: e.estimate, se: e.se, df: e.df, designRows: e.designRows })
            : meanInterval(e.estimate, e.se, e.df);
      return {
        table: table.id,
        domain: domain.key,
        category: category.id,
        base_n: e.n,
        cell_n: e.count,
        estimate: finite(e.estimate),
        se: finite(e.se),
        ci_low: finite(interval.low),
        ci_high: finite(interval.high),
        deff: finite(e.deff),
        suppressed: '',
      };
    }),
  );
  const tests = table.test ? panels.map((p) => association(table, by[0]!, dataset, design, measure, { key: p.key, mask: maskOf(layers, p, dataset.n) })).filter((t): t is TestResult => t !== undefined) : [];
  const questions = new Map(questionsOf(instrument).map((q) => [q.id, q]));
  const levelsOf = (id: string) => {
    const q = questions.get(id) as Question & { options: Option[] };
    return { question: id, text: q.text, ...(q.short === undefined ? {} : { short: q.short }), levels: labelled(q.options) };
  };
  const rowLabel = measure.question.type === 'matrix' && measure.row ? measure.question.rows[measure.row]?.label : undefined;
  const text = rowLabel ? `${measure.question.text} — ${rowLabel}` : measure.question.text;
  const short = measureShort(measure.question, measure.row);
  return {
    id: table.id,
    // A heading may be short; the question's full wording is printed beneath it.
    title: table.title ?? short ?? text,
    input: table.input,
    measure: { question: measure.question.id, ...(measure.row ? { row: measure.row } : {}), type: measure.question.type, text, ...(short === undefined ? {} : { short }) },
    kind: measure.kind,
    categories: measure.categories,
    by: by.map(levelsOf),
    ...(table.panel ? { panel: levelsOf(table.panel) } : {}),
    ...(table.grid ? { grid: { ...table.grid } } : {}),
    ci: table.ci as IntervalMethod,
    cells,
    tests,
  };
}
