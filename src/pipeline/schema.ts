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
});
export type PipelineInput = z.infer<typeof PipelineInput>;

/** Population margins for raking: shares (summing to 1) or counts, per level of a question. */
const RakeMargins = z.record(name, z.record(name, z.number().positive()));

export const InputDesign = z
  .strictObject({
    /** A question (or extra column) whose values are the strata. */
    strata: z.string().min(1).optional(),
    /** A column of weights. */
    weight: z.string().min(1).optional(),
    rake: RakeMargins.optional(),
    /** A column of stratum population sizes, or the size of each stratum. */
    fpc: z.union([z.string().min(1), z.record(z.string(), z.number().positive())]).optional(),
  })
  .default({});
export type InputDesign = z.infer<typeof InputDesign>;

export const PipelineTable = z.strictObject({
  id: slug,
  title: z.string().min(1).optional(),
  input: z.string().min(1),
  /** A question, or one row of a matrix as `question.row`. */
  measure: z.string().min(1),
  by: z.array(z.string().min(1)).default([]),
  panel: z.string().min(1).optional(),
  ci: z.enum(INTERVAL_METHODS as [string, ...string[]]).default('logit'),
  test: z.boolean().default(false),
});
export type PipelineTable = z.infer<typeof PipelineTable>;

export const Pipeline = z.strictObject({
  id: slug,
  title: z.string().min(1),
  wave: z.string({ message: 'wave must be a quoted string such as "2010"' }).min(1),
  inputs: z.record(name, PipelineInput).refine((inputs) => Object.keys(inputs).length > 0, { message: 'at least one input is needed' }),
  design: z.record(name, InputDesign).default({}),
  disclosure: z
    .strictObject({
      min_base: z.number().int().min(1).default(10),
      min_cell: z.number().int().min(1).default(3),
    })
    .default({ min_base: 10, min_cell: 3 }),
  tables: z.array(PipelineTable).min(1, { message: 'a pipeline needs at least one table' }),
});
export type Pipeline = z.infer<typeof Pipeline>;
