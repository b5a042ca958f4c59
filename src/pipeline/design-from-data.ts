/**
 * The survey design of one input, from its pipeline block and its data: weights, strata, fpc,
 * and raking to population margins. Problems are thrown as `DesignError`s that name the input
 * and the column, for the runner to report against the pipeline file.
 *
 * With population counts for the strata and no weight column, each response weighs N_h / n_h
 * and the fpc is N_h, as `svydesign(strata =, fpc =)` does when it is given no weights: the
 * service collects answers, and the weights follow from the population and who answered.
 */
import { DesignError, makeDesign, type Design } from '../analysis/design.ts';
import { rake, type Margin, type RakeResult } from '../analysis/rake.ts';
import type { Dataset } from './dataset.ts';
import { KEY_SEPARATOR, marginOf, marginVariables, type Population } from './population.ts';
import type { InputDesign } from './schema.ts';

export interface InputDesignResult {
  design: Design;
  /** One sentence for the method notes. */
  note: string;
  raking?: RakeResult;
}

const RAKE_EPSILON = 1e-10;

const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};
const RAKE_MAX_ITERATIONS = 100;

function labels(dataset: Dataset, column: string, input: string, role: string): string[] {
  const codes = dataset.codes.get(column);
  const levels = dataset.levels.get(column);
  if (!codes || !levels) throw new DesignError(`input ${input}: ${role} ${column} is not a column of the responses`);
  let missing = 0;
  const out = Array.from(codes, (c) => {
    if (c < 0) missing++;
    return c < 0 ? '' : levels[c]!;
  });
  if (missing > 0) throw new DesignError(`input ${input}: ${missing} responses have no value in ${column}, which the design uses as ${role}`);
  return out;
}

/** Each stratum's N_h from the population's margin of the strata variable. */
function stratumSizes(input: string, strataVariable: string, strata: readonly string[], population: Population): number[] {
  const margin = marginOf(population, [strataVariable]);
  if (!margin) throw new DesignError(`input ${input}: the population has no counts by ${strataVariable}, the strata`);
  const missing = [...new Set(strata.filter((h) => margin.get(h) === undefined))].sort();
  if (missing.length > 0) throw new DesignError(`input ${input}: the population has no count for ${strataVariable} ${missing.join(', ')}, which ${missing.length > 1 ? 'have' : 'has'} responses`);
  return strata.map((h) => margin.get(h)!);
}

/** One raking margin from the population: each row's group (its levels joined) and the totals. */
function populationMargin(input: string, dataset: Dataset, name: string, population: Population) {
  const variables = marginVariables(name);
  const margin = marginOf(population, variables);
  if (!margin) throw new DesignError(`input ${input}: the population has no counts by ${variables.join(' and ')} to rake to`);
  const columns = variables.map((v) => labels(dataset, v, input, 'a raking margin'));
  const groups = columns[0]!.map((_, i) => columns.map((c) => c[i]!).join(KEY_SEPARATOR));
  const missing = [...new Set(groups.filter((g) => margin.get(g) === undefined))].sort();
  if (missing.length > 0) {
    const shown = missing.map((g) => g.split(KEY_SEPARATOR).join(' × ')).join(', ');
    throw new DesignError(`input ${input}: the population has no count for ${variables.join(' × ')} ${shown}, which ${missing.length > 1 ? 'have' : 'has'} responses`);
  }
  return { name: variables.join(' × '), groups, totals: Object.fromEntries(margin) };
}

export function designFor(input: string, dataset: Dataset, spec: InputDesign, population?: Population): InputDesignResult {
  const notes: string[] = [];
  const strata = spec.strata ? labels(dataset, spec.strata, input, 'strata') : undefined;
  // The strata's population sizes, when the pipeline gives them.
  const sizes = strata && population && marginOf(population, [spec.strata!]) ? stratumSizes(input, spec.strata!, strata, population) : undefined;
  let weights: number[];
  if (spec.weight) {
    const column = dataset.numbers.get(spec.weight);
    if (!column) throw new DesignError(`input ${input}: weight column ${spec.weight} is not in the responses`);
    const bad = column.findIndex((w) => !(w > 0));
    if (bad >= 0) throw new DesignError(`input ${input}: response ${bad + 1} has weight '${column[bad]}'; every weight must be a positive number`);
    weights = Array.from(column);
    notes.push(`weighted by ${spec.weight}`);
  } else if (sizes) {
    const n = new Map<string, number>();
    for (const h of strata!) n.set(h, (n.get(h) ?? 0) + 1);
    weights = strata!.map((h, i) => sizes[i]! / n.get(h)!);
    notes.push(`weighted by each stratum's population over its responses (N_h / n_h, from the pipeline's population counts)`);
  } else {
    weights = new Array<number>(dataset.n).fill(1);
    notes.push('unweighted');
  }
  if (strata) notes.push(`stratified by ${spec.strata}`);
  let fpc: number[] | undefined;
  if (typeof spec.fpc === 'string') {
    const column = dataset.numbers.get(spec.fpc);
    if (!column) throw new DesignError(`input ${input}: fpc column ${spec.fpc} is not in the responses`);
    fpc = Array.from(column);
    notes.push(`with a finite population correction from ${spec.fpc}`);
  } else if (spec.fpc) {
    if (!strata) throw new DesignError(`input ${input}: an fpc given per stratum needs \`strata\``);
    const given = spec.fpc;
    fpc = strata.map((h) => {
      const N = given[h];
      if (N === undefined) throw new DesignError(`input ${input}: fpc gives no population size for stratum ${h}`);
      return N;
    });
    notes.push('with a finite population correction per stratum');
  } else if (sizes) {
    fpc = sizes;
    notes.push('with a finite population correction per stratum');
  }
  let raking: RakeResult | undefined;
  let calibration: string[][] | undefined;
  if (Array.isArray(spec.rake)) {
    if (!population) throw new DesignError(`input ${input}: rake names margins of the population, but the design has no \`population\``);
    const margins = spec.rake.map((name) => populationMargin(input, dataset, name, population));
    // Raked weights add up to the margins' total, so it must be the strata's total too.
    const counted = [...(sizes ? [{ name: spec.strata!, total: sum(marginOf(population, [spec.strata!])!.values()) }] : []), ...margins.map((m) => ({ name: m.name, total: sum(Object.values(m.totals)) }))];
    if (counted.some((c) => Math.abs(c.total - counted[0]!.total) > 1e-9 * counted[0]!.total)) {
      throw new DesignError(`input ${input}: the population counts add up to different totals (${counted.map((c) => `${c.name} ${c.total}`).join(', ')}); they must count the same population`);
    }
    ({ raking, calibration } = rakeTo(input, weights, margins));
    weights = Array.from(raking.weights);
    notes.push(`raked to the population counts by ${margins.map((m) => m.name).join(' and ')} (converged in ${raking.iterations} passes)`);
  } else if (spec.rake) {
    const total = weights.reduce((a, b) => a + b, 0);
    const margins = Object.entries(spec.rake).map(([variable, figures]) => {
      const sum = Object.values(figures).reduce((a, b) => a + b, 0);
      // Shares (summing to 1) are scaled to the weighted total; counts are taken as they are.
      const scale = Math.abs(sum - 1) < 1e-6 ? total : 1;
      return {
        name: variable,
        groups: labels(dataset, variable, input, 'a raking margin'),
        totals: Object.fromEntries(Object.entries(figures).map(([level, value]) => [level, value * scale])),
      };
    });
    ({ raking, calibration } = rakeTo(input, weights, margins));
    weights = Array.from(raking.weights);
    notes.push(`raked to population margins of ${margins.map((m) => m.name).join(' and ')} (converged in ${raking.iterations} passes)`);
  }
  const design = makeDesign({ weights, ...(strata ? { strata } : {}), ...(fpc ? { population: fpc } : {}), ...(calibration ? { calibration } : {}) });
  return { design, note: `${input}: ${dataset.n} responses, ${notes.join(', ')}.`, ...(raking ? { raking } : {}) };
}

function rakeTo(input: string, weights: readonly number[], margins: Margin[]): { raking: RakeResult; calibration: string[][] } {
  const raking = rake(weights, margins, { epsilon: RAKE_EPSILON, maxIterations: RAKE_MAX_ITERATIONS });
  if (!raking.converged) {
    throw new DesignError(`input ${input}: raking to ${margins.map((m) => m.name).join(' and ')} did not converge in ${RAKE_MAX_ITERATIONS} passes (largest change ${raking.change})`);
  }
  return { raking, calibration: margins.map((m) => [...m.groups]) };
}
