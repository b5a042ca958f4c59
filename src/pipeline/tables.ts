/**
 * One pipeline table: the measure's estimates for the whole sample and for every domain (the
 * crossing of `by`, within each level of the panel), with intervals, design effects and, when
 * asked, the Rao–Scott test of association with the first `by` variable. Pure: the dataset and
 * design come in; a `TableResult` goes out, before disclosure control.
 */
import qt from '@stdlib/stats-base-dists-t-quantile';
import type { Design } from '../analysis/design.ts';
import { estimateCategorical, estimateMeans } from '../analysis/estimate.ts';
import { proportionInterval, type IntervalMethod } from '../analysis/intervals.ts';
import { raoScott } from '../analysis/rao-scott.ts';
import { questionsOf, type Instrument, type Question } from '../instrument/schema.ts';
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
}

function labelled(options: Record<string, string>): Labelled[] {
  return Object.entries(options).map(([id, label]) => ({ id, label }));
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

/** Rows inside `mask` whose code is `k`: plain loops, since this runs over every row for every domain. */
function maskWhere(mask: Uint8Array, codes: Int16Array, k: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) if (mask[i] && codes[i] === k) out[i] = 1;
  return out;
}

function both(mask: Uint8Array, other: Uint8Array): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) if (mask[i] && other[i]) out[i] = 1;
  return out;
}

interface Domain {
  key: string;
  /** 1 for rows in the domain. */
  mask: Uint8Array;
}

function domainsOf(dataset: Dataset, instrument: Instrument, by: readonly string[], panel: string | undefined): { domains: Domain[]; panels: Domain[] } {
  const questions = new Map(questionsOf(instrument).map((q) => [q.id, q]));
  const all: Domain = { key: 'all', mask: new Uint8Array(dataset.n).fill(1) };
  const split = (base: Domain[], variable: string): Domain[] => {
    const question = questions.get(variable) as Question & { options: Record<string, string> };
    const codes = dataset.codes.get(variable)!;
    return base.flatMap((domain) =>
      Object.keys(question.options).map((level, k) => ({
        key: domain.key === 'all' ? `${variable}=${level}` : `${domain.key};${variable}=${level}`,
        mask: maskWhere(domain.mask, codes, k),
      })),
    );
  };
  const crossed = (base: Domain): Domain[] => by.reduce<Domain[]>((acc, variable) => split(acc, variable), [base]).filter((d) => d !== base);
  if (!panel) return { domains: [all, ...(by.length > 0 ? crossed(all) : [])], panels: [all] };
  const panels = split([all], panel);
  const withinPanels = panels.flatMap((p) => {
    const inner = by.reduce<Domain[]>((acc, variable) => split(acc, variable), [{ key: 'all', mask: p.mask }]);
    return [p, ...inner.map((d) => ({ key: `${d.key};${p.key}`, mask: d.mask }))];
  });
  return { domains: [all, ...withinPanels], panels: [all, ...panels] };
}

function meanInterval(estimate: number, se: number, df: number): { low: number; high: number } {
  const t = qt(0.975, Math.max(1, df));
  return { low: estimate - t * se, high: estimate + t * se };
}

function association(table: PipelineTable, dataset: Dataset, design: Design, measure: Measure, panel: Domain): TestResult | undefined {
  const variable = table.by[0]!;
  const byCodes = dataset.codes.get(variable)!;
  const byLevels = dataset.levels.get(variable)!.length;
  const categories = measure.categories.length;
  const answered = measure.answered(0);
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

export function computeTable(table: PipelineTable, instrument: Instrument, dataset: Dataset, design: Design): TableResult {
  const measure = measureOf(instrument, dataset, table.measure);
  const { domains, panels } = domainsOf(dataset, instrument, table.by, table.panel);
  const cells: Cell[] = [];
  // Indicator columns are only needed where the categorical estimator does not serve.
  const ys = measure.codes ? [] : measure.categories.map((_, k) => measure.values(k));
  for (const domain of domains) {
    // Multiple-choice options each have their own base; the other kinds share one.
    const groups = measure.question.type === 'multiple' ? measure.categories.map((_, k) => [k]) : [measure.categories.map((_, k) => k)];
    for (const group of groups) {
      const answered = measure.answered(group[0]!);
      const keep = both(domain.mask, answered);
      const result = measure.codes
        ? estimateCategorical(design, measure.codes, measure.categories.length, keep)
        : estimateMeans(design, group.map((k) => ys[k]!), keep);
      group.forEach((k, position) => {
        const estimate = result.estimates[position]!;
        const se = result.se[position]!;
        const cellN = measure.kind === 'proportion' ? result.sums[position]! : result.n;
        const interval =
          result.n === 0
            ? { low: NaN, high: NaN }
            : measure.kind === 'proportion'
              ? proportionInterval(table.ci as IntervalMethod, { p: estimate, se, df: result.df, designRows: result.designRows })
              : meanInterval(estimate, se, result.df);
        const finite = (x: number) => (Number.isFinite(x) ? x : null);
        cells.push({
          table: table.id,
          domain: domain.key,
          category: measure.categories[k]!.id,
          base_n: result.n,
          cell_n: cellN,
          estimate: finite(estimate),
          se: finite(se),
          ci_low: finite(interval.low),
          ci_high: finite(interval.high),
          deff: finite(result.deff[position]!),
          suppressed: '',
        });
      });
    }
  }
  const tests = table.test ? panels.map((p) => association(table, dataset, design, measure, p)).filter((t): t is TestResult => t !== undefined) : [];
  const questions = new Map(questionsOf(instrument).map((q) => [q.id, q]));
  const levelsOf = (id: string) => {
    const q = questions.get(id) as Question & { options: Record<string, string> };
    return { question: id, text: q.text, levels: labelled(q.options) };
  };
  const rowLabel = measure.question.type === 'matrix' && measure.row ? measure.question.rows[measure.row] : undefined;
  return {
    id: table.id,
    title: table.title ?? (rowLabel ? `${measure.question.text} — ${rowLabel}` : measure.question.text),
    input: table.input,
    measure: { question: measure.question.id, ...(measure.row ? { row: measure.row } : {}), type: measure.question.type, text: rowLabel ? `${measure.question.text} — ${rowLabel}` : measure.question.text },
    kind: measure.kind,
    categories: measure.categories,
    by: table.by.map(levelsOf),
    ...(table.panel ? { panel: levelsOf(table.panel) } : {}),
    ci: table.ci as IntervalMethod,
    cells,
    tests,
  };
}
