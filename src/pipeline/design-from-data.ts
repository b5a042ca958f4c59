/**
 * The survey design of one input, from its pipeline block and its data: weights, strata, fpc,
 * and raking to population margins. Problems are thrown as `DesignError`s that name the input
 * and the column, for the runner to report against the pipeline file.
 */
import { DesignError, makeDesign, type Design } from '../analysis/design.ts';
import { rake, type RakeResult } from '../analysis/rake.ts';
import type { Dataset } from './dataset.ts';
import type { InputDesign } from './schema.ts';

export interface InputDesignResult {
  design: Design;
  /** One sentence for the method notes. */
  note: string;
  raking?: RakeResult;
}

const RAKE_EPSILON = 1e-10;
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

export function designFor(input: string, dataset: Dataset, spec: InputDesign): InputDesignResult {
  const notes: string[] = [];
  let weights: number[];
  if (spec.weight) {
    const column = dataset.numbers.get(spec.weight);
    if (!column) throw new DesignError(`input ${input}: weight column ${spec.weight} is not in the responses`);
    const bad = column.findIndex((w) => !(w > 0));
    if (bad >= 0) throw new DesignError(`input ${input}: response ${bad + 1} has weight '${column[bad]}'; every weight must be a positive number`);
    weights = Array.from(column);
    notes.push(`weighted by ${spec.weight}`);
  } else {
    weights = new Array<number>(dataset.n).fill(1);
    notes.push('unweighted');
  }
  const strata = spec.strata ? labels(dataset, spec.strata, input, 'strata') : undefined;
  if (strata) notes.push(`stratified by ${spec.strata}`);
  let population: number[] | undefined;
  if (typeof spec.fpc === 'string') {
    const column = dataset.numbers.get(spec.fpc);
    if (!column) throw new DesignError(`input ${input}: fpc column ${spec.fpc} is not in the responses`);
    population = Array.from(column);
    notes.push(`with a finite population correction from ${spec.fpc}`);
  } else if (spec.fpc) {
    if (!strata) throw new DesignError(`input ${input}: an fpc given per stratum needs \`strata\``);
    const sizes = spec.fpc;
    population = strata.map((h) => {
      const N = sizes[h];
      if (N === undefined) throw new DesignError(`input ${input}: fpc gives no population size for stratum ${h}`);
      return N;
    });
    notes.push('with a finite population correction per stratum');
  }
  let raking: RakeResult | undefined;
  let calibration: string[][] | undefined;
  if (spec.rake) {
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
    raking = rake(weights, margins, { epsilon: RAKE_EPSILON, maxIterations: RAKE_MAX_ITERATIONS });
    if (!raking.converged) {
      throw new DesignError(`input ${input}: raking to ${margins.map((m) => m.name).join(' and ')} did not converge in ${RAKE_MAX_ITERATIONS} passes (largest change ${raking.change})`);
    }
    weights = Array.from(raking.weights);
    calibration = margins.map((m) => m.groups);
    notes.push(`raked to population margins of ${margins.map((m) => m.name).join(' and ')} (converged in ${raking.iterations} passes)`);
  }
  const design = makeDesign({ weights, ...(strata ? { strata } : {}), ...(population ? { population } : {}), ...(calibration ? { calibration } : {}) });
  return { design, note: `${input}: ${dataset.n} responses, ${notes.join(', ')}.`, ...(raking ? { raking } : {}) };
}
