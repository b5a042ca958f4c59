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
  /** The full wording, as the instrument gives it. */
  label: string;
  /** What tables and charts call it instead, when the instrument gives a short label. */
  short?: string;
}

export interface TableResult {
  id: string;
  title: string;
  input: string;
  /** The question (and matrix row) measured, its wording, and its short labels' if it has any. */
  measure: { question: string; row?: string; type: string; text: string; short?: string };
  /** Proportions (categories of a choice, options of a multiple choice) or a mean. */
  kind: 'proportion' | 'mean';
  categories: Labelled[];
  /** Domain variables in order, each with its levels (ids and labels). */
  by: { question: string; text: string; short?: string; levels: Labelled[] }[];
  panel?: { question: string; text: string; short?: string; levels: Labelled[] };
  /**
   * Set for a table laid out as a grid of one answer: `rows` and `columns` are its two `by`
   * variables, and its domains include each one's levels alone (the margins).
   */
  grid?: { rows: string; columns: string; show: string };
  ci: IntervalMethod;
  cells: Cell[];
  tests: TestResult[];
  /** What the numbers are, when not survey estimates (theme counts have no intervals). */
  note?: string;
  /** What the `all` domain is called, when it is not respondents (theme counts: segments, groups). */
  allLabel?: string;
  /** Changes since earlier waves, for cells published in both. */
  trends?: Trend[];
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
  /** Which estimates are flagged as of low reliability, and what the flag means for a reader. */
  reliability?: string;
  /** How the headlines were chosen: the tests, the correction, the level and the reliability rule. */
  headlines?: string;
  /** What "who answered" counts, how response rates are worked out, and when a group gets a caveat. */
  whoAnswered?: string;
}

/** One row of `tables/<table id>.trends.csv`: a cell's change since an earlier wave. */
export interface Trend {
  table: string;
  domain: string;
  category: string;
  /** The earlier wave. */
  wave: string;
  then: number;
  now: number;
  change: number;
  se: number;
  ci_low: number;
  ci_high: number;
  p_value: number;
}

/** A quote chosen to illustrate a theme, already redacted. */
export interface ThemeQuote {
  text: string;
  /** "Private sector focus group participant": the renderers add the brackets. */
  attribution: string;
  segment: string;
  /** Whether people or the automatic coder placed it under the theme. */
  origin: 'human' | 'auto';
}

export interface Theme {
  id: string;
  label: string;
  definition: string;
  /** The theme's share of segments in each domain of the first breakdown, for its chart and lines. */
  counts: {
    domain: string;
    label: string;
    groups: number | null;
    groupsBase: number;
    groupsSuppressed: '' | SuppressionReason;
    segments: number | null;
    segmentsBase: number;
    segmentsSuppressed: '' | SuppressionReason;
  }[];
  quotes: ThemeQuote[];
}

export interface AgreementLine {
  code: string;
  label: string;
  units: number;
  agreement: number | null;
  kappa: number | null;
  alpha: number | null;
}

/** The qualitative half of a mixed-methods report: how the material was coded, and each theme. */
export interface Qualitative {
  title: string;
  /** Plain sentences: the sources, how codes were decided, what was redacted. */
  notes: string[];
  /** Agreement between human coders, per code and overall (code `all`); empty with one coder. */
  agreement: AgreementLine[];
  themes: Theme[];
  /** Theme counts and co-occurrence, through the same disclosure control as the survey tables. */
  tables: TableResult[];
}

/** A headline sentence and the id of the table that holds its figures, to link to. */
export interface Headline {
  text: string;
  table?: string;
}

/** One level of a question respondents are counted by (a sector, a tier). */
export interface WhoAnsweredLevel extends Labelled {
  /** Unweighted: how many respondents gave this answer. */
  respondents: number;
  /** Their share of the respondents who answered the question, unweighted. */
  share: number | null;
  /** The weighted estimate of the population's share, with its interval. */
  weighted: number | null;
  ci_low: number | null;
  ci_high: number | null;
  /**
   * The weighted share is the population's own (the question is the design's strata, weighted to
   * population counts): it is known, not estimated, so it has no interval.
   */
  fixed: boolean;
  /** Invitations whose invitee's attributes give this answer; null where none were sent from the database. */
  invited: number | null;
  /** respondents / invited; null without invitations. */
  rate: number | null;
  /** Fewer respondents than the pipeline's `small_base`. */
  small: boolean;
}

export interface WhoAnsweredBreakdown {
  question: string;
  text: string;
  short?: string;
  levels: WhoAnsweredLevel[];
  /** Respondents who left the question unanswered. */
  unanswered: number;
  /** Invitations whose attributes give no answer to it; null without invitations. */
  invitedElsewhere: number | null;
}

/** Who answered one survey: its respondents, invitations and response rate, by each question. */
export interface WhoAnsweredInput {
  input: string;
  /** The instrument's title. */
  title: string;
  /** Who a response stands for: a person (the individual survey) or an organisation. */
  unit: 'people' | 'organisations';
  respondents: number;
  /** Every invitation of the wave; null where none were sent from the database. */
  invited: number | null;
  rate: number | null;
  breakdowns: WhoAnsweredBreakdown[];
  /** Plain sentences written from the figures: each small group, with how wide its estimates are. */
  caveats: string[];
}

export interface ReportModel {
  /** `simulated`: a sentence for the title page when any of the material is synthetic. */
  pipeline: { id: string; title: string; wave: string; simulated?: string };
  /** The chosen findings as sentences, each with the table it comes from; or one line saying none qualified. */
  headline: Headline[];
  /** The first section: who answered each survey (when the pipeline asks for it). */
  whoAnswered?: WhoAnsweredInput[];
  methods: MethodNotes;
  tables: TableResult[];
  suppressions: Suppression[];
  qualitative?: Qualitative;
}
