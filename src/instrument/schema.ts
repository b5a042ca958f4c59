/**
 * The instrument schema: what a survey file in `surveys/` may say, and the types inferred from it.
 *
 * Each schema sits next to its inferred type. Rules that involve more than one field (unique ids,
 * skip logic that names earlier questions, min ≤ max) live in `check.ts`, which can point at the
 * line of the offending field; this file only describes shapes.
 */
import { z } from 'zod';

/** Question and row ids become CSV column names and skip-logic names, so no dots or hyphens. */
export const NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
/**
 * Option ids are cells and column suffixes, never names in skip logic (there they are quoted), so
 * a code made of digits, as REDCap, SPSS and XLSForm scales use, is an option id too.
 */
export const OPTION_ID_PATTERN = /^(?:[a-z][a-z0-9_]*|[0-9]+)$/;
/** Instrument and page ids appear in URLs and file names. */
export const SLUG_PATTERN = /^[a-z][a-z0-9-]*$/;

// The checker puts what and which in front: "question id `team-size` must start with …".
const name = () => z.string().regex(NAME_PATTERN, { message: 'must start with a lower-case letter and use only a-z, 0-9 and _' });
const slug = () => z.string().regex(SLUG_PATTERN, { message: 'must start with a lower-case letter and use only a-z, 0-9 and -' });
const nonEmptyText = (what: string) => z.string().trim().min(1, { message: `${what} must not be empty` });

/**
 * A short label stands for a long one in a report's table headers, row labels and chart axes;
 * the report still prints the full wording in a key. Past about 40 characters it would be as long
 * as the labels it is there to replace, and chart axes would cut it again.
 */
export const SHORT_MAX = 40;
const shortText = () =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty; leave `short` out to use the full wording' })
    .max(SHORT_MAX, { error: (issue) => `must be at most ${SHORT_MAX} characters, not ${String(issue.input).length}` })
    .optional();

/** One matrix row as the instrument holds it: its label, and any short label for reports. */
export interface Row {
  label: string;
  short?: string;
}

/** A row written as a mapping: its label and its short label. */
export const RowFields = z.strictObject({
  label: nonEmptyText('row label'),
  short: shortText(),
});

/**
 * `id: label` pairs in file order, for matrix rows, each row its label or a mapping with `label`
 * and `short`. Row ids start with a letter: skip logic names them (`activities.coaching`), and
 * JavaScript objects keep the order of such keys as written. Definitions stored before rows could
 * carry a short label hold each row as its label, and read back the same way.
 */
const labelledIds = (what: string) =>
  z
    .record(name(), z.preprocess((value) => (typeof value === 'string' ? { label: value } : value), RowFields))
    .refine((pairs) => Object.keys(pairs).length > 0, { message: `at least one ${what} is needed` });

/** A matrix's row ids, in the instrument's order. */
export function rowIds(rows: Readonly<Record<string, Row>>): string[] {
  return Object.keys(rows);
}

/** One option as the instrument holds it, in the order the file lists them. */
export interface Option {
  id: string;
  label: string;
  /** Chosen only on its own in a multiple-choice answer, as "None of these" is. */
  exclusive?: boolean;
  /** What a report's tables and charts call the option when its label is long. */
  short?: string;
}

/** An option written as a mapping: its label and any further settings. */
export const OptionFields = z.strictObject({
  label: nonEmptyText('option label'),
  exclusive: z.boolean().optional(),
  short: shortText(),
});

/** What an option says besides its id: its label, or a mapping with the label and other keys. */
const OptionSettings = z.preprocess((value) => (typeof value === 'string' ? { label: value } : value), OptionFields);

/**
 * Options are read as a Map, the one JavaScript container that keeps integer-like keys (`"5"`,
 * `"10"`) where they were written; a plain object would move them to the front in numeric order.
 * The checker builds that Map from the YAML document's own key order. A definition read back from
 * the database is the list this schema produces, or, from versions published before option ids
 * could be digits, a plain object whose keys all start with a letter and so kept their order.
 */
function asOptionMap(value: unknown): unknown {
  if (Array.isArray(value) && value.every((o) => typeof o === 'object' && o !== null && typeof (o as Option).id === 'string')) {
    return new Map(value.map(({ id, ...settings }: Option) => [id, settings]));
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Map) && !Array.isArray(value)) return new Map(Object.entries(value));
  return value;
}

const options = (what: string, least = 1) =>
  z.preprocess(
    asOptionMap,
    z
      .map(z.string().regex(OPTION_ID_PATTERN, { message: 'must be digits, or start with a lower-case letter and use only a-z, 0-9 and _' }), OptionSettings)
      .refine((map) => map.size >= least, {
        message: least === 1 ? `at least one ${what} is needed` : 'a scale needs at least two points',
      })
      .transform((map): Option[] => [...map].map(([id, settings]) => ({ id, ...settings }))),
  );

/** The option ids of a choice question, in the instrument's order. */
export function optionIds(options: readonly Option[]): string[] {
  return options.map((option) => option.id);
}

/** The option with this id, if the question has one. */
export function optionOf(options: readonly Option[], id: string): Option | undefined {
  return options.find((option) => option.id === id);
}

const questionBase = {
  id: name(),
  text: nonEmptyText('question text'),
  /** What a report's table headings call the question when its text is long. */
  short: shortText(),
  hint: z.string().optional(),
  required: z.boolean().default(false),
  show_if: z.string().optional(),
};

export const SingleQuestion = z.strictObject({
  ...questionBase,
  type: z.literal('single'),
  options: options('option'),
});
export type SingleQuestion = z.infer<typeof SingleQuestion>;

export const MultipleQuestion = z.strictObject({
  ...questionBase,
  type: z.literal('multiple'),
  options: options('option'),
});
export type MultipleQuestion = z.infer<typeof MultipleQuestion>;

export const ScaleQuestion = z.strictObject({
  ...questionBase,
  type: z.literal('scale'),
  /** Points in order, lowest first: ordering comparisons in show_if and analysis rely on it. */
  options: options('scale point', 2),
});
export type ScaleQuestion = z.infer<typeof ScaleQuestion>;

export const MatrixQuestion = z.strictObject({
  ...questionBase,
  type: z.literal('matrix'),
  rows: labelledIds('row'),
  options: options('option'),
});
export type MatrixQuestion = z.infer<typeof MatrixQuestion>;

export const NumberQuestion = z.strictObject({
  ...questionBase,
  type: z.literal('number'),
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().default(false),
  unit: z.string().optional(),
});
export type NumberQuestion = z.infer<typeof NumberQuestion>;

const maxLength = z.number().int().positive({ message: 'max_length must be a positive whole number' });

export const TextQuestion = z.strictObject({
  ...questionBase,
  type: z.literal('text'),
  max_length: maxLength.default(500),
});
export type TextQuestion = z.infer<typeof TextQuestion>;

export const LongtextQuestion = z.strictObject({
  ...questionBase,
  type: z.literal('longtext'),
  max_length: maxLength.default(10000),
});
export type LongtextQuestion = z.infer<typeof LongtextQuestion>;

export const Question = z.discriminatedUnion('type', [
  SingleQuestion,
  MultipleQuestion,
  ScaleQuestion,
  MatrixQuestion,
  NumberQuestion,
  TextQuestion,
  LongtextQuestion,
]);
export type Question = z.infer<typeof Question>;
export type QuestionType = Question['type'];
export const QUESTION_TYPES: readonly QuestionType[] = Question.options.map((o) => o.shape.type.value);

/** Questions whose answer is one option id. */
export type ChoiceQuestion = SingleQuestion | ScaleQuestion;

export const Page = z.strictObject({
  id: slug(),
  title: nonEmptyText('page title'),
  questions: z.array(Question).min(1, { message: 'a page needs at least one question' }),
});
export type Page = z.infer<typeof Page>;

export const INSTRUMENT_KINDS = ['individual', 'organisational'] as const;

export const Instrument = z.strictObject({
  id: slug(),
  version: z.string().trim().min(1, { message: 'version must not be empty; write a quoted string such as "1.0"' }),
  title: nonEmptyText('title'),
  kind: z.enum(INSTRUMENT_KINDS),
  intro: z.string().default(''),
  source: nonEmptyText('source'),
  pages: z.array(Page).min(1, { message: 'an instrument needs at least one page' }),
});
export type Instrument = z.infer<typeof Instrument>;

/** Every question of an instrument in order, with the page it sits on. */
export function questionsOf(instrument: Instrument): Question[] {
  return instrument.pages.flatMap((page) => page.questions);
}
