/**
 * What a pipeline run produces, before it is written anywhere: the tables with their cells and
 * tests, every suppression with its reason, and the method notes. Renderers (CSV, Markdown, HTML)
 * turn this into bytes; they never compute anything themselves.
 */
import type { IntervalMethod } from '../analysis/intervals.ts';

export type SuppressionReason = 'base' | 'primary' | 'secondary';

/** One row of `tables/<table id>.csv`: one cell of a table. Numbers are null when suppressed. */
export interface Cell {
  table: string;
  /** `all`, or `name=value` pairs joined by `;` in the order of `by`, then the panel. */
  domain: string;
  /** An option id (single, scale, matrix row, multiple option) or `mean` for a number question. */
  category: string;
  base_n: number;
  cell_n: number | null;
  estimate: number | null;
  se: number | null;
  ci_low: number | null;
  ci_high: number | null;
  deff: number | null;
  suppressed: '' | SuppressionReason;
}

/** One row of `tables/<table id>.tests.csv`. */
export interface TestResult {
  table: string;
  /** `all`, or `name=value` of the panel the test was made in. */
  panel: string;
  /** `F` (Rao–Scott second-order) or `Chisq`. */
  statistic: string;
  ndf: number;
  ddf: number | null;
  value: number;
  p_value: number;
}

export interface Labelled {
  id: string;
  label: string;
}

export interface TableResult {
  id: string;
  title: string;
  input: string;
  /** The question (and matrix row) measured, and its wording. */
  measure: { question: string; row?: string; type: string; text: string };
  /** Proportions (categories of a choice, options of a multiple choice) or a mean. */
  kind: 'proportion' | 'mean';
  categories: Labelled[];
  /** Domain variables in order, each with its levels (ids and labels). */
  by: { question: string; text: string; levels: Labelled[] }[];
  panel?: { question: string; text: string; levels: Labelled[] };
  ci: IntervalMethod;
  cells: Cell[];
  tests: TestResult[];
}

export interface Suppression {
  table: string;
  domain: string;
  category: string;
  reason: SuppressionReason;
  /** A plain sentence: "base of 7 is under the minimum of 10". */
  why: string;
}

export interface MethodNotes {
  /** One sentence per input: the design (strata, weights, fpc, raking with iterations). */
  designs: string[];
  intervals: string;
  disclosure: string;
  missing: string;
}

export interface ReportModel {
  pipeline: { id: string; title: string; wave: string };
  headline: string[];
  methods: MethodNotes;
  tables: TableResult[];
  suppressions: Suppression[];
}
