/**
 * Synthetic responses for an instrument: rows in its column layout (`columnsOf`) plus `weight`
 * and `population`, for trying pipelines, reports and performance without real respondents.
 *
 * Pure: an instrument, options and a seeded random source give rows (and CSV text); nothing here
 * reads the clock, the environment or the file system, so the same instrument, n and seed give
 * the same bytes. Each respondent answers the questions in instrument order; a question is asked
 * only if `visibility` shows it given the answers so far, so skip logic holds by construction.
 *
 * Every assumption about how people answer sits in one place, ASSUMPTIONS below, with its source.
 */
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { skipN } from 'pure-rand/utils/skipN';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { cellsOf, columnsOf, type Column } from '../instrument/columns.ts';
import { comparisonsOf, parseCondition, type Ref } from '../instrument/condition.ts';
import type { AnswerValue } from '../instrument/evaluate.ts';
import { optionIds, questionsOf, type Instrument, type Option, type Question } from '../instrument/schema.ts';
import { visibility } from '../instrument/visibility.ts';
import { csvRecords } from '../shared/csv.ts';

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// ASSUMPTIONS: how simulated respondents answer. The one place to read or change them.
//
// Sources: ../shared/domain/BRIEF.md ("Leading Together", SSSC 2010, as summarised there), cited
// as [BRIEF: …] next to each figure it supports. Figures marked [assumed] are not published; they
// are plausible values chosen so that the data look like a social-services workforce, and nothing
// should be concluded from them.
//
// Shapes (keyed by instrument kind, then question id; an entry is used only when its ids match the
// question's options or rows exactly, otherwise the question falls back to the default):
//   choose  single/scale: relative weight of each option
//   tick    multiple: chance that each option is ticked (the instrument's exclusive option, such
//           as `none`, is ticked exactly when nothing else is; with none, one option is picked
//           by these weights)
//   rows    matrix: `choose` weights for each row
//   between number: range drawn from (uniformly, or log-uniformly with `log`), then clamped to
//           the question's min/max and rounded (whole numbers if `integer`, else 2 decimals)
//   phrases text/longtext: short made-up phrases, one drawn at random (none is a real quote)
//   skip    chance that a shown optional question is left unanswered (required ones never are)
// Any of these may be `{ given: 'question', by: { option: … } }`: conditional on an earlier
// single-choice answer; when that answer is missing, the average of the `by` entries is used.
//
// Defaults for ids not in the table: uniform over options (single, scale, matrix rows); each option
// of a multiple ticked with chance 1/3; numbers uniform in [min, max] (a width of 100 where a bound
// is missing); generic phrases. Scales, singles and matrix rows whose options are exactly the
// framework's stages (not_yet, emerging, established, accomplished) use STAGES.
// ─────────────────────────────────────────────────────────────────────────────────────────────────

type Weights = Readonly<Record<string, number>>;
type Given<T> = T | { readonly given: string; readonly by: Readonly<Record<string, T>> };

type Assumption =
  | { readonly choose: Given<Weights>; readonly skip?: number }
  | { readonly tick: Given<Weights>; readonly skip?: number }
  | { readonly rows: Readonly<Record<string, Given<Weights>>>; readonly skip?: number }
  | { readonly between: Given<readonly [number, number]>; readonly log?: boolean; readonly skip?: number }
  | { readonly phrases: readonly string[]; readonly skip?: number };

/** Chance that a shown optional question is left unanswered, when its entry does not say. */
const SKIP_OPTIONAL = 0.05;
/** Free text is skipped far more often than a tick box [assumed]. */
const SKIP_FREE_TEXT = 0.4;
/** Default chance of ticking each option of a multiple-choice question not in the table. */
const TICK_DEFAULT = 1 / 3;

/**
 * Capability stage, the same for every tier: [BRIEF: the framework's stages are explicitly not
 * tied to organisational tiers]; the shares themselves are [assumed].
 */
const STAGES: Weights = { not_yet: 0.1, emerging: 0.35, established: 0.4, accomplished: 0.15 };

/** Never offered / offered / took part, the same for every tier. */
const activity = (never_offered: number, offered: number, took_part: number): Weights => ({ never_offered, offered, took_part });

const INDIVIDUAL: Readonly<Record<string, Assumption>> = {
  // [BRIEF: response rates highest from the voluntary sector, much lower from the private sector]
  sector: { choose: { public: 0.36, private: 0.14, voluntary: 0.5 } },
  // [assumed] most of the workforce is front line; few senior managers.
  tier: { choose: { front_line: 0.4, first_line: 0.25, middle: 0.22, senior: 0.13 } },
  service_area: {
    choose: {
      adult_care_homes: 0.18, care_at_home: 0.18, day_services: 0.08, housing_support: 0.1, children_residential: 0.07,
      early_years: 0.12, criminal_justice: 0.04, fieldwork: 0.12, central_services: 0.07, other: 0.04,
    },
  },
  service_area_other: { phrases: ['Supported employment', 'Advocacy service', 'Respite for carers', 'Community alarm service', 'Adult placement service'] },
  // [BRIEF: qualifications held or worked towards were tabulated by tier] — shares [assumed], rising with tier.
  qual_status: {
    choose: {
      given: 'tier',
      by: {
        front_line: { holds: 0.2, working: 0.15, started_not_completed: 0.07, none: 0.58 },
        first_line: { holds: 0.4, working: 0.2, started_not_completed: 0.08, none: 0.32 },
        middle: { holds: 0.55, working: 0.15, started_not_completed: 0.07, none: 0.23 },
        senior: { holds: 0.65, working: 0.1, started_not_completed: 0.05, none: 0.2 },
      },
    },
  },
  // [BRIEF: competency-based awards such as SVQs; academic such as a Master's; PLQ; OU units] — [assumed]
  // work-based awards at the front line, academic awards for managers.
  qual_type: {
    tick: {
      given: 'tier',
      by: {
        front_line: { svq: 0.75, academic: 0.1, plq: 0.05, open_university: 0.08, other: 0.06 },
        first_line: { svq: 0.65, academic: 0.2, plq: 0.12, open_university: 0.1, other: 0.06 },
        middle: { svq: 0.45, academic: 0.4, plq: 0.15, open_university: 0.12, other: 0.08 },
        senior: { svq: 0.3, academic: 0.6, plq: 0.1, open_university: 0.12, other: 0.1 },
      },
    },
  },
  // [BRIEF: registration requirement, job relevance, personal development, career progression,
  // "the only option my employer offered"] — shares [assumed].
  qual_reason: { tick: { registration: 0.45, job_relevance: 0.55, personal_development: 0.45, career: 0.35, only_option: 0.12, other: 0.05 } },
  qual_benefit: { choose: { none: 0.05, little: 0.2, some: 0.4, lot: 0.35 } },
  qual_benefit_text: {
    phrases: [
      'More confidence when supervising staff.',
      'A better grasp of planning support with people.',
      'Clearer thinking about risk.',
      'It helped me explain decisions to families.',
      'I understand the wider service better now.',
    ],
  },
  // [BRIEF: reasons for not completing: time, funding, employer support, no relevant award] — shares [assumed].
  not_completed_reasons: { tick: { time: 0.55, funding: 0.3, employer_support: 0.25, no_relevant_award: 0.15, personal: 0.2, other: 0.05 } },
  activities: {
    rows: {
      feedback_360: activity(0.55, 0.2, 0.25), // [assumed]
      // [BRIEF: over half never offered coaching; coaching went mostly to senior managers]
      // overall never_offered = .40×.68 + .25×.58 + .22×.45 + .13×.25 ≈ 0.55; took_part 12% front line, 60% senior.
      coaching: {
        given: 'tier',
        by: {
          front_line: activity(0.68, 0.2, 0.12),
          first_line: activity(0.58, 0.2, 0.22),
          middle: activity(0.45, 0.2, 0.35),
          senior: activity(0.25, 0.15, 0.6),
        },
      },
      // [BRIEF: about a quarter took part in action learning, a similar share in mentoring and in a leadership community]
      mentoring: activity(0.45, 0.3, 0.25),
      // [BRIEF: 45% had had no structured networking] overall never_offered ≈ .40×.52 + .25×.45 + .22×.38 + .13×.30 ≈ 0.44.
      networking: {
        given: 'tier',
        by: {
          front_line: activity(0.52, 0.18, 0.3),
          first_line: activity(0.45, 0.2, 0.35),
          middle: activity(0.38, 0.2, 0.42),
          senior: activity(0.3, 0.2, 0.5),
        },
      },
      secondment: activity(0.6, 0.25, 0.15), // [assumed]
      action_learning: activity(0.5, 0.25, 0.25), // [BRIEF: about a quarter]
      leadership_community: activity(0.5, 0.25, 0.25), // [BRIEF: a similar share]
      co_consultancy: activity(0.7, 0.18, 0.12), // [assumed]
    },
  },
  // [BRIEF: familiarity with the CLF, the 4Ps, an inspectorate's guide was low; bespoke in-house packages were used more often]
  resources: {
    rows: {
      clf: { unaware: 0.45, aware: 0.4, used: 0.15 },
      four_ps: { unaware: 0.6, aware: 0.3, used: 0.1 },
      inspectorate_guide: { unaware: 0.55, aware: 0.33, used: 0.12 },
      in_house: { unaware: 0.3, aware: 0.35, used: 0.35 },
    },
  },
  capabilities: {
    rows: { vision: STAGES, self_leadership: STAGES, motivating: STAGES, empowering: STAGES, collaborating: STAGES, creativity: STAGES },
  },
  most_help: {
    phrases: ['Protected time for learning.', 'Regular supervision with my manager.', 'Funding for a course.', 'A mentor outside my own team.', 'Shadowing an experienced colleague.'],
  },
  reflection: {
    phrases: [
      'Good with people; I want to plan further ahead.',
      'I listen well and want to try more new ideas.',
      'Confident in my own team, less so with partners.',
      'I would like to get better at sharing decisions.',
    ],
  },
};

const ORGANISATIONAL: Readonly<Record<string, Assumption>> = {
  // [BRIEF: response rates highest from the voluntary sector, much lower from the private sector,
  // for both surveys] — shares [assumed]; public bodies are few, so their share is small.
  sector: { choose: { public: 0.15, private: 0.3, voluntary: 0.55 } },
  // [assumed] public bodies are large, private and voluntary providers mostly small.
  size_band: {
    choose: {
      given: 'sector',
      by: {
        public: { under_10: 0, s10_49: 0.02, s50_249: 0.08, s250_999: 0.2, s1000_plus: 0.7 },
        private: { under_10: 0.2, s10_49: 0.4, s50_249: 0.28, s250_999: 0.09, s1000_plus: 0.03 },
        voluntary: { under_10: 0.25, s10_49: 0.35, s50_249: 0.25, s250_999: 0.1, s1000_plus: 0.05 },
      },
    },
  },
  // [assumed] exact head count within the band; a third do not know it (the question says to leave it blank).
  staff: {
    between: {
      given: 'size_band',
      by: { under_10: [1, 9], s10_49: [10, 49], s50_249: [50, 249], s250_999: [250, 999], s1000_plus: [1000, 15000] },
    },
    log: true,
    skip: 0.35,
  },
  // [assumed] fieldwork and criminal justice social work are public-sector services.
  service_areas: {
    tick: {
      given: 'sector',
      by: {
        public: { adult_care_homes: 0.6, care_at_home: 0.7, day_services: 0.6, housing_support: 0.3, children_residential: 0.5, early_years: 0.4, criminal_justice: 0.8, fieldwork: 0.9, other: 0.1 },
        private: { adult_care_homes: 0.55, care_at_home: 0.4, day_services: 0.1, housing_support: 0.1, children_residential: 0.1, early_years: 0.2, criminal_justice: 0, fieldwork: 0, other: 0.05 },
        voluntary: { adult_care_homes: 0.2, care_at_home: 0.35, day_services: 0.3, housing_support: 0.4, children_residential: 0.12, early_years: 0.15, criminal_justice: 0.05, fieldwork: 0.02, other: 0.15 },
      },
    },
  },
  service_areas_other: { phrases: ['Advocacy', 'Carer support', 'Supported employment', 'Befriending'] },
  // [BRIEF: activities by tier; coaching went mostly to senior managers] — shares [assumed], more offered higher up.
  offered_front_line: { tick: { feedback_360: 0.1, coaching: 0.12, mentoring: 0.25, networking: 0.2, secondment: 0.15, action_learning: 0.1, leadership_community: 0.08, co_consultancy: 0.05 } },
  offered_first_line: { tick: { feedback_360: 0.25, coaching: 0.3, mentoring: 0.35, networking: 0.35, secondment: 0.2, action_learning: 0.2, leadership_community: 0.15, co_consultancy: 0.08 } },
  offered_middle: { tick: { feedback_360: 0.35, coaching: 0.45, mentoring: 0.4, networking: 0.45, secondment: 0.25, action_learning: 0.25, leadership_community: 0.25, co_consultancy: 0.1 } },
  offered_senior: { tick: { feedback_360: 0.45, coaching: 0.65, mentoring: 0.4, networking: 0.5, secondment: 0.2, action_learning: 0.25, leadership_community: 0.35, co_consultancy: 0.1 } },
  // [BRIEF: familiarity with the frameworks was low; bespoke packages were used more often]
  resources_used: { tick: { clf: 0.25, four_ps: 0.1, inspectorate_guide: 0.15, in_house: 0.55, other: 0.08 } },
  resources_other: { phrases: ["A council's own leadership programme", "A professional body's online modules", 'Material from a university partner'] },
  // [BRIEF: little succession planning was found; an outside study found 65% of voluntary agencies
  // had none for their chief executive] — mostly none or informal; voluntary none = 0.65.
  succession_senior: {
    choose: {
      given: 'sector',
      by: {
        public: { formal_plan: 0.2, informal: 0.4, none: 0.3, dont_know: 0.1 },
        private: { formal_plan: 0.1, informal: 0.4, none: 0.4, dont_know: 0.1 },
        voluntary: { formal_plan: 0.08, informal: 0.22, none: 0.65, dont_know: 0.05 },
      },
    },
  },
  succession_other: {
    choose: {
      given: 'sector',
      by: {
        public: { formal_plan: 0.25, informal: 0.4, none: 0.25, dont_know: 0.1 },
        private: { formal_plan: 0.12, informal: 0.43, none: 0.35, dont_know: 0.1 },
        voluntary: { formal_plan: 0.1, informal: 0.35, none: 0.5, dont_know: 0.05 },
      },
    },
  },
  // [assumed] budgets under pressure at the time of the 2010 fieldwork.
  budget_trend: { choose: { decreased_a_lot: 0.15, decreased: 0.3, same: 0.35, increased: 0.15, increased_a_lot: 0.05 } },
  budget_comment: { phrases: ['External courses were cut.', 'The budget went to mandatory training.', 'Fewer places on outside programmes.'] },
  barriers: {
    phrases: ['Finding cover for staff on courses.', 'A small training budget.', 'Staff turnover.', 'Time away from rotas is hard to arrange.', 'Few courses near rural services.'],
  },
};

const ASSUMPTIONS: Readonly<Record<Instrument['kind'], Readonly<Record<string, Assumption>>>> = {
  individual: INDIVIDUAL,
  organisational: ORGANISATIONAL,
};

/** Phrases for free-text questions not in the table. */
const GENERIC_PHRASES = ['Nothing to add.', 'See my earlier answers.', 'Not sure.', 'More time would help.', 'It varies from month to month.'];

/**
 * Population sizes per sector, for `population` and `weight` = N_sector / n_sector. ILLUSTRATIVE
 * only, of the order of Scotland's social-service workforce (individual surveys, staff) and its
 * employers (organisational surveys: the 32 councils and 14 health boards, and [assumed] counts
 * of private and voluntary providers); replace them with real figures before analysing anything.
 */
export const POPULATION: Readonly<Record<Instrument['kind'], Readonly<Record<string, number>>>> = {
  individual: { public: 52_000, private: 63_000, voluntary: 75_000 },
  organisational: { public: 46, private: 1_200, voluntary: 1_000 },
};

/** The question whose answer is the stratum for `weight` and `population`. */
const STRATUM_QUESTION = 'sector';

/** The year when the wave's name has none: the "Leading Together" fieldwork [BRIEF: September–October 2010]. */
const DEFAULT_YEAR = 2010;

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// The random source.
// ─────────────────────────────────────────────────────────────────────────────────────────────────

/** A source of uniform numbers in [0, 1). */
export interface RandomSource {
  next(): number;
  /** A copy that will give the same numbers from here on, so a stream can be replayed. */
  clone(): RandomSource;
  /** A new, independent source seeded from this one's next draws (one per respondent). */
  split(): RandomSource;
}

/** Largest seed: pure-rand's generators take a 32-bit seed. */
export const MAX_SEED = 0xffff_ffff;

class PureRandSource implements RandomSource {
  constructor(private readonly rng: RandomGenerator) {}
  next(): number {
    return (this.rng.next() >>> 0) / 0x1_0000_0000;
  }
  clone(): RandomSource {
    return new PureRandSource(this.rng.clone());
  }
  split(): RandomSource {
    // A full 128-bit state drawn from this stream: a random point on xoroshiro128+'s cycle.
    const state = [this.rng.next(), this.rng.next(), this.rng.next(), this.rng.next()];
    if (!state.some((word) => word !== 0)) state[3] = 1; // the one state the generator cannot leave
    return new PureRandSource(xoroshiro128plusFromState(state));
  }
}

/**
 * xoroshiro128+ from pure-rand, seeded with a whole number 0..MAX_SEED. The first outputs of
 * nearby seeds are alike (the state starts as the seed itself), so a few are thrown away.
 */
export function seededRandom(seed: number): RandomSource {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) throw new RangeError(`seed must be a whole number from 0 to ${MAX_SEED}`);
  const rng = xoroshiro128plus(seed | 0);
  skipN(rng, 64);
  return new PureRandSource(rng);
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Drawing answers.
// ─────────────────────────────────────────────────────────────────────────────────────────────────

/** A categorical distribution over ids, as cumulative sums for drawing. */
interface Categorical {
  ids: string[];
  cumulative: Float64Array;
}

function categorical(ids: readonly string[], weights: Weights | undefined): Categorical {
  let raw = ids.map((id) => (weights ? Math.max(0, weights[id] ?? 0) : 1));
  if (!raw.some((w) => w > 0)) raw = ids.map(() => 1); // nothing to go on: uniform
  const total = raw.reduce((a, b) => a + b, 0);
  const cumulative = new Float64Array(ids.length);
  let sum = 0;
  raw.forEach((w, i) => (cumulative[i] = sum += w / total));
  cumulative[ids.length - 1] = 1;
  return { ids: [...ids], cumulative };
}

function pick(dist: Categorical, random: RandomSource): string {
  const u = random.next();
  const { cumulative, ids } = dist;
  for (let i = 0; i < cumulative.length; i++) if (u < cumulative[i]!) return ids[i]!;
  return ids[ids.length - 1]!;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k) => b.includes(k));
}

function isGiven<T>(value: Given<T>): value is { given: string; by: Readonly<Record<string, T>> } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { given?: unknown }).given === 'string' && 'by' in value;
}

/** Resolves a possibly conditional entry into a lookup by the earlier answer. */
interface Resolved<T> {
  given?: string;
  by: Map<string, T>;
  otherwise: T;
}

function resolveGiven<T>(value: Given<T>, fits: (t: T) => boolean, average: (ts: T[]) => T): Resolved<T> | undefined {
  if (!isGiven(value)) return fits(value as T) ? { by: new Map(), otherwise: value as T } : undefined;
  const entries = Object.entries(value.by) as [string, T][];
  if (entries.length === 0 || !entries.every(([, t]) => fits(t))) return undefined;
  return { given: value.given, by: new Map(entries), otherwise: average(entries.map(([, t]) => t)) };
}

function averageWeights(list: Weights[]): Weights {
  const out: Record<string, number> = {};
  for (const weights of list) {
    const total = Object.values(weights).reduce((a, b) => a + b, 0) || 1;
    for (const [id, w] of Object.entries(weights)) out[id] = (out[id] ?? 0) + w / total / list.length;
  }
  return out;
}

function averageTicks(list: Weights[]): Weights {
  const out: Record<string, number> = {};
  for (const weights of list) for (const [id, p] of Object.entries(weights)) out[id] = (out[id] ?? 0) + p / list.length;
  return out;
}

function averageRanges(list: (readonly [number, number])[]): readonly [number, number] {
  return [Math.min(...list.map((r) => r[0])), Math.max(...list.map((r) => r[1]))];
}

function lookup<T, U>(resolved: Resolved<T>, compiled: Map<string, U>, otherwise: U, answers: Record<string, AnswerValue>): U {
  if (resolved.given === undefined) return otherwise;
  const answer = answers[resolved.given];
  return (typeof answer === 'string' ? compiled.get(answer) : undefined) ?? otherwise;
}

/** Draws an answer, or undefined for none; `answers` holds the earlier shown questions' answers. */
type Draw = (answers: Record<string, AnswerValue>, random: RandomSource) => AnswerValue | undefined;

function choiceDraw(ids: string[], entry: Given<Weights> | undefined): (answers: Record<string, AnswerValue>, random: RandomSource) => string {
  const stages = sameKeys(ids, Object.keys(STAGES)) ? STAGES : undefined;
  const resolved = entry && resolveGiven(entry, (w: Weights) => sameKeys(Object.keys(w), ids), averageWeights);
  if (!resolved) {
    const dist = categorical(ids, stages);
    return (_answers, random) => pick(dist, random);
  }
  const compiled = new Map([...resolved.by].map(([k, w]) => [k, categorical(ids, w)]));
  const otherwise = categorical(ids, resolved.otherwise);
  return (answers, random) => pick(lookup(resolved, compiled, otherwise, answers), random);
}

function multipleDraw(options: readonly Option[], entry: Given<Weights> | undefined): Draw {
  const ids = optionIds(options);
  const none = options.find((o) => o.exclusive)?.id;
  const others = options.filter((o) => !o.exclusive).map((o) => o.id);
  const uniform: Weights = Object.fromEntries(others.map((id) => [id, TICK_DEFAULT]));
  const resolved = (entry && resolveGiven(entry, (w: Weights) => sameKeys(Object.keys(w), others), averageTicks)) ?? { by: new Map<string, Weights>(), otherwise: uniform };
  const compile = (w: Weights) => ({ chances: others.map((id) => w[id]!), fallback: categorical(others, Object.values(w).some((p) => p > 0) ? w : undefined) });
  const compiled = new Map([...resolved.by].map(([k, w]) => [k, compile(w)]));
  const otherwise = compile(resolved.otherwise);
  return (answers, random) => {
    const { chances, fallback } = lookup(resolved, compiled, otherwise, answers);
    const ticked = new Set<string>();
    for (let i = 0; i < others.length; i++) if (random.next() < chances[i]!) ticked.add(others[i]!);
    if (ticked.size === 0) {
      if (none !== undefined) return [none];
      ticked.add(pick(fallback, random));
    }
    return ids.filter((id) => ticked.has(id));
  };
}

function numberDraw(q: Extract<Question, { type: 'number' }>, entry: Extract<Assumption, { between: unknown }> | undefined): Draw {
  const lo = q.min ?? (q.max !== undefined ? q.max - 100 : 0);
  const hi = q.max ?? lo + 100;
  const fallback: readonly [number, number] = [lo, hi];
  const fits = (r: readonly [number, number]) => Array.isArray(r) && r.length === 2 && r[0] <= r[1] && (!entry?.log || r[0] > 0);
  const resolved = (entry && resolveGiven(entry.between, fits, averageRanges)) ?? { by: new Map<string, readonly [number, number]>(), otherwise: fallback };
  const log = (entry?.log ?? false) && resolved.otherwise[0] > 0;
  const clamp = (x: number) => Math.min(q.max ?? Infinity, Math.max(q.min ?? -Infinity, x));
  return (answers, random) => {
    const [a, b] = lookup(resolved, resolved.by, resolved.otherwise, answers);
    const u = random.next();
    if (q.integer) {
      const from = Math.ceil(clamp(a));
      const to = Math.floor(clamp(b));
      const x = log ? Math.floor(Math.exp(Math.log(from) + u * (Math.log(to + 1) - Math.log(from)))) : from + Math.floor(u * (to - from + 1));
      return Math.min(to, Math.max(from, x));
    }
    const x = log ? Math.exp(Math.log(a) + u * (Math.log(b) - Math.log(a))) : a + u * (b - a);
    return clamp(Math.round(x * 100) / 100);
  };
}

function textDraw(maxLength: number, entry: Extract<Assumption, { phrases: unknown }> | undefined): Draw {
  const phrases = (entry?.phrases.length ? entry.phrases : GENERIC_PHRASES).map((p) => [...p].slice(0, maxLength).join(''));
  return (_answers, random) => phrases[Math.floor(random.next() * phrases.length)]!;
}

interface Step {
  id: string;
  /** What the question's `show_if` names (a question, or one row of a matrix); null when it has none. */
  refs: Ref[] | null;
  /** Whether `visibility` showed the question, by the answers its `show_if` names. */
  shownMemo: Map<string, boolean>;
  required: boolean;
  skip: number;
  draw: Draw;
}

function stepFor(question: Question, table: Readonly<Record<string, Assumption>>): Step {
  const entry = Object.hasOwn(table, question.id) ? table[question.id] : undefined;
  let draw: Draw;
  switch (question.type) {
    case 'single':
    case 'scale':
      draw = choiceDraw(optionIds(question.options), entry && 'choose' in entry ? entry.choose : undefined);
      break;
    case 'multiple':
      draw = multipleDraw(question.options, entry && 'tick' in entry ? entry.tick : undefined);
      break;
    case 'matrix': {
      const options = optionIds(question.options);
      const rowEntries = entry && 'rows' in entry ? entry.rows : {};
      const rows = Object.keys(question.rows).map((row) => [row, choiceDraw(options, Object.hasOwn(rowEntries, row) ? rowEntries[row] : undefined)] as const);
      draw = (answers, random) => {
        const answer: Record<string, string> = {};
        for (const [row, drawRow] of rows) answer[row] = drawRow(answers, random);
        return answer;
      };
      break;
    }
    case 'number':
      draw = numberDraw(question, entry && 'between' in entry ? entry : undefined);
      break;
    case 'text':
    case 'longtext':
      draw = textDraw(question.max_length, entry && 'phrases' in entry ? entry : undefined);
      break;
  }
  const freeText = question.type === 'text' || question.type === 'longtext';
  return {
    id: question.id,
    refs: question.show_if === undefined ? null : comparisonsOf(parseCondition(question.show_if)).map((c) => c.ref),
    shownMemo: new Map(),
    required: question.required,
    skip: entry?.skip ?? (freeText ? SKIP_FREE_TEXT : SKIP_OPTIONAL),
    draw,
  };
}

/** What drawing a respondent needs, worked out once per instrument. */
export interface SimulationPlan {
  instrument: Instrument;
  columns: Column[];
  steps: Step[];
  population: Readonly<Record<string, number>>;
}

export function planSimulation(instrument: Instrument): SimulationPlan {
  const questions = questionsOf(instrument);
  const table = ASSUMPTIONS[instrument.kind];
  return {
    instrument,
    columns: columnsOf(instrument),
    steps: questions.map((q) => stepFor(q, table)),
    population: POPULATION[instrument.kind],
  };
}

/** How an answer reads in a memo key; the markers and separators cannot occur in option ids. */
function keyOf(value: AnswerValue | undefined): string {
  if (value === undefined) return '\u0000';
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number') return `n${value}`;
  if (Array.isArray(value)) return `m${value.join(',')}`;
  return `r${Object.entries(value as Record<string, string>).map(([row, option]) => `${row}=${option}`).join(',')}`;
}

/**
 * Whether `visibility` shows the step's question given the answers so far, remembered by the
 * answers its `show_if` names. That is all it depends on here: `answers` holds only shown
 * questions' answers, so the cascade of hidden questions has already been applied. A handful of
 * keys covers a million respondents (numbers compared in a condition make more; the memo is then
 * emptied now and again).
 */
function isShown(plan: SimulationPlan, step: Step, refs: Ref[], answers: Record<string, AnswerValue>): boolean {
  let key = '';
  for (const ref of refs) {
    const answer = answers[ref.question];
    key += `${keyOf(ref.row === undefined || answer === undefined ? answer : (answer as Record<string, string>)[ref.row])}\u0001`;
  }
  let shown = step.shownMemo.get(key);
  if (shown === undefined) {
    if (step.shownMemo.size >= 10_000) step.shownMemo.clear();
    shown = visibility(plan.instrument, answers).shown.has(step.id);
    step.shownMemo.set(key, shown);
  }
  return shown;
}

/** One respondent's answers, drawn in instrument order: the first `steps` questions (default all). */
export function simulateAnswers(plan: SimulationPlan, random: RandomSource, steps = plan.steps.length): Record<string, AnswerValue> {
  const answers: Record<string, AnswerValue> = {};
  for (let s = 0; s < steps; s++) {
    const step = plan.steps[s]!;
    if (step.refs !== null && !isShown(plan, step, step.refs, answers)) continue;
    if (!step.required && random.next() < step.skip) continue;
    const answer = step.draw(answers, random);
    if (answer !== undefined) answers[step.id] = answer;
  }
  return answers;
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Rows and CSV.
// ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface SimulateOptions {
  /** How many responses. */
  n: number;
  /** The wave column; its year (if it names one) dates the responses. Default `sim`. */
  wave?: string;
}

export const EXTRA_COLUMNS = ['weight', 'population'] as const;

/** The year responses are dated in: the first 19xx/20xx in the wave's name, else 2010. */
export function waveYear(wave: string): number {
  const match = /(?:^|\D)((?:19|20)\d\d)(?!\d)/.exec(wave);
  return match ? Number(match[1]) : DEFAULT_YEAR;
}

/** The header: the instrument's column layout, then `weight` and `population`. */
export function simulatedHeader(instrument: Instrument): string[] {
  return [...columnsOf(instrument).map((c) => c.name), ...EXTRA_COLUMNS];
}

/**
 * How many respondents fall in each stratum (sector), from a copy of the random source. Each
 * respondent draws from a source of their own (`split`), so only the questions up to the sector
 * need drawing here: what comes after cannot change it.
 */
export function countStrata(plan: SimulationPlan, n: number, random: RandomSource): Map<string, number> {
  const counts = new Map<string, number>();
  const until = plan.steps.findIndex((s) => s.id === STRATUM_QUESTION) + 1;
  if (until === 0) return counts;
  for (let i = 0; i < n; i++) {
    const respondent = random.split();
    respondent.next(); // the submission time, drawn first as in `simulateRows`
    const stratum = simulateAnswers(plan, respondent, until)[STRATUM_QUESTION];
    if (typeof stratum === 'string') counts.set(stratum, (counts.get(stratum) ?? 0) + 1);
  }
  return counts;
}

/**
 * The rows: cells in `simulatedHeader` order. Weights need each sector's count, so the sectors are
 * counted first (replaying a copy of the random source), then the rows are drawn; nothing is held
 * but the counts. Rows without a sector in POPULATION get empty `weight` and `population`.
 */
export function* simulateRows(
  instrument: Instrument,
  options: SimulateOptions,
  random: RandomSource,
  onProgress?: (done: number, total: number) => void,
): Generator<string[]> {
  const { n } = options;
  const wave = options.wave ?? 'sim';
  const plan = planSimulation(instrument);
  const counts = countStrata(plan, n, random.clone());
  const extra = new Map<string, string[]>();
  for (const [stratum, count] of counts) {
    const population = plan.population[stratum];
    if (population !== undefined) extra.set(stratum, [(population / count).toFixed(6), String(population)]);
  }
  const none = ['', ''];
  const every = Math.max(1, Math.floor(n / 100));
  const width = Math.max(6, String(n).length);
  const year = waveYear(wave);
  const start = Date.UTC(year, 8, 1); // 1 September, 00:00:00Z
  const seconds = (Date.UTC(year, 10, 1) - start) / 1000; // to 31 October, 23:59:59Z
  const meta = { responseId: '', wave, instrumentVersion: instrument.version, submittedAt: '' };
  for (let i = 0; i < n; i++) {
    const respondent = random.split();
    meta.responseId = `sim-${String(i + 1).padStart(width, '0')}`;
    meta.submittedAt = new Date(start + Math.floor(respondent.next() * seconds) * 1000).toISOString();
    const answers = simulateAnswers(plan, respondent);
    const stratum = answers[STRATUM_QUESTION];
    const cells = cellsOf(plan.columns, meta, answers);
    const [weight, population] = (typeof stratum === 'string' ? extra.get(stratum) : undefined) ?? none;
    cells.push(weight!, population!);
    if (onProgress && ((i + 1) % every === 0 || i + 1 === n)) onProgress(i + 1, n);
    yield cells;
  }
}

/**
 * The CSV in chunks of `chunkRows` rows (the first chunk starts with the header), each ending in a
 * newline: written by the project's CSV writer, so a writer can stream a million rows without ever
 * holding them as one string. Number questions, `weight` and `population` are numeric columns, so
 * a negative number is written as a number; every other cell is text, and guarded.
 */
export function* simulateCsv(
  instrument: Instrument,
  options: SimulateOptions & { chunkRows?: number; onProgress?: (done: number, total: number) => void },
  random: RandomSource,
): Generator<string> {
  const chunkRows = options.chunkRows ?? 500;
  const numeric = [...columnsOf(instrument).map((c) => c.type === 'number'), ...EXTRA_COLUMNS.map(() => true)];
  // The header rides in the first chunk: column names are ids, never numbers, so they are text.
  let chunk: string[][] = [simulatedHeader(instrument)];
  for (const row of simulateRows(instrument, options, random, options.onProgress)) {
    chunk.push(row);
    if (chunk.length >= chunkRows) {
      yield csvRecords(chunk, numeric);
      chunk = [];
    }
  }
  if (chunk.length > 0) yield csvRecords(chunk, numeric);
}
