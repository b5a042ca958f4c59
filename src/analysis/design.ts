/**
 * A survey design as the estimators need it: one weight per row, the stratum of each row with the
 * stratum's sample size n_h (always the full sample's, so that domain estimates are proper
 * subpopulation estimates), the finite population correction per stratum, and, for a raked
 * design, the margins it was raked to (their groups are needed again for the variance).
 *
 * Pure: the rows come in as arrays; nothing here reads files or a database.
 * Designs are one-stage (each response is its own sampling unit), as `svydesign(ids = ~1, …)`.
 */

export interface DesignInput {
  weights: readonly number[];
  /** The stratum of each row; omit for an unstratified design. */
  strata?: readonly string[];
  /** Each row's stratum population size N_h (the same within a stratum); omit for no fpc. */
  population?: readonly number[];
  /** For a raked design: the group of each row in every margin it was raked to. */
  calibration?: readonly (readonly string[])[];
}

export interface Design {
  n: number;
  weights: Float64Array;
  /** Stratum index of each row. */
  stratum: Int32Array;
  stratumNames: string[];
  /** n_h: rows in each stratum in the full sample. */
  stratumSize: Int32Array;
  /** (N_h − n_h)/N_h, or 1 with no fpc. */
  fpcFactor: Float64Array;
  /** Group index of each row, one array per raking margin; empty if not raked. */
  calibration: Int32Array[];
}

export class DesignError extends Error {
  override name = 'DesignError';
}

function indexOf(labels: readonly string[]): { index: Int32Array; names: string[] } {
  const names: string[] = [];
  const seen = new Map<string, number>();
  const index = new Int32Array(labels.length);
  labels.forEach((label, i) => {
    let k = seen.get(label);
    if (k === undefined) {
      k = names.length;
      names.push(label);
      seen.set(label, k);
    }
    index[i] = k;
  });
  return { index, names };
}

export function makeDesign(input: DesignInput): Design {
  const n = input.weights.length;
  const weights = Float64Array.from(input.weights);
  weights.forEach((w, i) => {
    if (!(w > 0) || !Number.isFinite(w)) throw new DesignError(`row ${i + 1} has weight ${w}; weights must be positive numbers`);
  });
  const { index: stratum, names: stratumNames } = indexOf(input.strata ?? new Array<string>(n).fill('all'));
  const stratumSize = new Int32Array(stratumNames.length);
  for (const h of stratum) stratumSize[h]!++;
  stratumSize.forEach((size, h) => {
    // survey's default (options(survey.lonely.psu = "fail")): a variance needs two units a stratum.
    if (size < 2) throw new DesignError(`stratum ${stratumNames[h]} has only one response; a stratum needs at least two for a variance`);
  });
  const fpcFactor = new Float64Array(stratumNames.length).fill(1);
  if (input.population) {
    const seen = new Float64Array(stratumNames.length).fill(NaN);
    input.population.forEach((N, i) => {
      const h = stratum[i]!;
      if (!(N > 0)) throw new DesignError(`row ${i + 1} has population size ${N}; it must be a positive number`);
      if (!Number.isNaN(seen[h]!) && seen[h] !== N) {
        throw new DesignError(`stratum ${stratumNames[h]} has two population sizes (${seen[h]} and ${N}); it must have one`);
      }
      seen[h] = N;
    });
    seen.forEach((N, h) => {
      if (N < stratumSize[h]!) throw new DesignError(`stratum ${stratumNames[h]} has ${stratumSize[h]} responses but a population of ${N}`);
      fpcFactor[h] = (N - stratumSize[h]!) / N;
    });
  }
  const calibration = (input.calibration ?? []).map((groups) => indexOf(groups).index);
  return { n, weights, stratum, stratumNames, stratumSize, fpcFactor, calibration };
}

/** The same design with other weights (after raking), keeping the margins for the variance. */
export function withWeights(design: Design, weights: Float64Array, calibration: Int32Array[]): Design {
  return { ...design, weights, calibration };
}
