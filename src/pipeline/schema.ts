/**
 * The pipeline file (`pipelines/*.yaml`): which responses go in, the survey design of each input,
 * the disclosure rules, and the tables to produce. Shapes only; `check.ts` resolves names against
 * the instruments and reports problems at their lines.
 */
import { z } from 'zod';
import { INTERVAL_METHODS } from '../analysis/intervals.ts';

const slug = z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'must start with a lower-case letter and use only a-z, 0-9 and -' });
const name = z.string().regex(/^[a-z][a-z0-9_]*$/, { message: 'must start with a lower-case letter and use only a-z, 0-9 and _' });

export const PipelineInput = z.strictObject({
  /** Path of the instrument file, relative to the pipeline file's project (the working directory). */
  instrument: z.string().min(1),
  /** `database`, or the path of a CSV in the instrument's column layout. */
  responses: z.string().min(1).default('database'),
  /**
   * The responses are synthetic, and the report says so on its title page. A file written by
   * `tapestry simulate` is recognised without it (its response ids start `sim-`).
   */
  simulated: z.boolean().default(false),
});
export type PipelineInput = z.infer<typeof PipelineInput>;

/** Population margins for raking: shares (summing to 1) or counts, per level of a question. */
const RakeMargins = z.record(name, z.record(name, z.number().positive()));

/**
 * Population counts per level of a question (`{ sector: { public: 52000, … } }`), or the path of
 * a CSV of variable columns and a `count` column (`population.ts`).
 */
const PopulationCounts = z.union([z.string().min(1), z.record(name, z.record(z.string().min(1), z.number().positive()))]);

/** A raking margin taken from `population`: a question, or questions crossed as `sector+tier`. */
const PopulationMargin = z.string().regex(/^[a-z][a-z0-9_]*(\s*\+\s*[a-z][a-z0-9_]*)*$/, { message: 'must name a question, or questions joined by + such as sector+tier' });

export const InputDesign = z
  .strictObject({
    /** A question (or extra column) whose values are the strata. */
    strata: z.string().min(1).optional(),
    /** A column of weights. */
    weight: z.string().min(1).optional(),
    /**
     * Population counts: the strata's give each stratum its fpc and, without `weight`, its weight
     * N_h / n_h (as svydesign with fpc and no weights); `rake: [tier]` rakes to another margin.
     */
    population: PopulationCounts.optional(),
    /** Margins given here (shares or counts), or names of margins in `population`. */
    rake: z.union([RakeMargins, z.array(PopulationMargin).min(1, { message: 'name at least one margin of the population' })]).optional(),
    /** A column of stratum population sizes, or the size of each stratum. */
    fpc: z.union([z.string().min(1), z.record(z.string(), z.number().positive())]).optional(),
  })
  .default({});
export type InputDesign = z.infer<typeof InputDesign>;

/**
 * A two-way grid of one answer: its percentage (or a mean) for each level of `rows` within each
 * level of `columns`, with both margins, as a commissioner compares sectors (tiers down, sectors
 * across). Every answer is still estimated and published in the table's CSV; the grid shows one.
 */
export const TableGrid = z.strictObject({
  rows: z.string().min(1),
  columns: z.string().min(1),
  /** The answer shown: an option id of the measure (`mean` for a number question). */
  show: z.string().min(1),
});
export type TableGrid = z.infer<typeof TableGrid>;

export const PipelineTable = z.strictObject({
  id: slug,
  title: z.string().min(1).optional(),
  input: z.string().min(1),
  /** A question, or one row of a matrix as `question.row`. */
  measure: z.string().min(1),
  by: z.array(z.string().min(1)).default([]),
  panel: z.string().min(1).optional(),
  /** Lay the table out as a grid of one answer, `rows` by `columns` with margins, in place of `by`. */
  grid: TableGrid.optional(),
  ci: z.enum(INTERVAL_METHODS as [string, ...string[]]).default('logit'),
  test: z.boolean().default(false),
  /**
   * Compare with the pipeline's earlier waves (`trends`). Off for a table whose questions changed
   * in a way that breaks the comparison, so that it is still published, without a trend.
   */
  trends: z.boolean().default(true),
});
export type PipelineTable = z.infer<typeof PipelineTable>;

/** 0 turns a rule off: an internal analysis may publish every cell, and the report says so. */
const Disclosure = z.strictObject({
  min_base: z.number({ message: 'must be a whole number, 0 or more' }).int({ message: 'must be a whole number, 0 or more' }).min(0, { message: 'must be 0 or more (0 withholds nothing)' }).default(10),
  min_cell: z.number({ message: 'must be a whole number, 0 or more' }).int({ message: 'must be a whole number, 0 or more' }).min(0, { message: 'must be 0 or more (0 suppresses nothing)' }).default(3),
});

/** A survey question whose free-text answers are coded with the transcripts' codebook. */
export const FreeTextSource = z.strictObject({
  input: z.string().min(1),
  /** A `text` or `longtext` question of that input's instrument. */
  question: z.string().min(1),
});
export type FreeTextSource = z.infer<typeof FreeTextSource>;

/**
 * Qualitative data: transcripts (and free-text answers) coded with a codebook, by people and,
 * where `auto` is on, by the automatic coder for what no person coded.
 */
export const FocusGroups = z.strictObject({
  codebook: z.string().min(1),
  /** A glob of transcript files, relative to the working directory; read in sorted order. */
  transcripts: z.string().min(1).optional(),
  /**
   * Segments exported by another tool: CSVs of `segment_id,text` and attribute columns (`group`,
   * `sector`, `method`, …), coded like transcript turns.
   */
  segments: z.array(z.string().min(1)).default([]),
  /** Human coding: `segment_id,coder,code`. */
  coding: z.string().min(1).optional(),
  /** Names to replace in every output: one per line. */
  redact: z.string().min(1).optional(),
  /** Speakers whose turns are kept for context but never coded. */
  facilitator: z.array(z.string().min(1)).default(['Facilitator']),
  /** Suggest codes for segments no person coded; they are marked `auto` wherever they appear. */
  auto: z.boolean().default(false),
  /** An automatic code is kept when its confidence is at least this. */
  min_confidence: z.number().min(0).max(1).default(0.5),
  /** Which human codes count for a segment: those `any` coder applied, or those `all` its coders applied. */
  consensus: z.enum(['any', 'all']).default('any'),
  /** Segment attributes to count themes by. */
  by: z.array(z.string().min(1)).default(['sector', 'method']),
  quotes: z
    .strictObject({
      per_theme: z.number().int().min(0).default(2),
      // Quotes have at least 8 words (shorter ones are too slight to stand alone).
      max_words: z.number().int().min(8).default(60),
    })
    .default({ per_theme: 2, max_words: 60 }),
  /** Disclosure rules for the theme tables; the pipeline's own when omitted. */
  disclosure: Disclosure.optional(),
  free_text: z.array(FreeTextSource).default([]),
  /**
   * Also write `coding/segments.csv`, every segment's codes with its attributes. Off by default:
   * it is a working file, and its rows would let a reader undo the theme tables' suppression.
   */
  export_segments: z.boolean().default(false),
});
export type FocusGroups = z.infer<typeof FocusGroups>;

/**
 * The report's first section: who answered each survey, unweighted, by these questions (such as
 * sector and tier), beside the weighted estimates and, where invitations were sent from the
 * database, the response rates. A group of fewer than `small_base` respondents gets a caveat.
 */
export const WhoAnswered = z.strictObject({
  by: z.array(name).min(1, { message: 'name at least one question to count respondents by, such as sector' }),
  small_base: z.number({ message: 'must be a whole number, 1 or more' }).int({ message: 'must be a whole number, 1 or more' }).min(1, { message: 'must be 1 or more' }).default(100),
});
export type WhoAnswered = z.infer<typeof WhoAnswered>;

export const Pipeline = z.strictObject({
  id: slug,
  title: z.string().min(1),
  wave: z.string({ message: 'wave must be a quoted string such as "2010"' }).min(1),
  inputs: z.record(name, PipelineInput).refine((inputs) => Object.keys(inputs).length > 0, { message: 'at least one input is needed' }),
  design: z.record(name, InputDesign).default({}),
  disclosure: Disclosure.default({ min_base: 10, min_cell: 3 }),
  tables: z.array(PipelineTable).min(1, { message: 'a pipeline needs at least one table' }),
  who_answered: WhoAnswered.optional(),
  focus_groups: FocusGroups.optional(),
  /**
   * Earlier waves to compare with: their reports (written by this pipeline) are read from
   * `reports` (default `reports/<pipeline id>`), and each table gains its changes since then.
   */
  trends: z
    .strictObject({
      waves: z.array(z.string().min(1)).min(1, { message: 'name at least one earlier wave' }),
      reports: z.string().min(1).optional(),
    })
    .optional(),
});
export type Pipeline = z.infer<typeof Pipeline>;
