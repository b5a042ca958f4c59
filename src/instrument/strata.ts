/**
 * The strata a study watches its responses by: the sector, and for individuals the management
 * tier. They are the single-choice questions with those ids, as in both of the 2010 review's
 * surveys; an instrument without them has no strata, and its waves take no targets.
 */
import { questionsOf, type Instrument, type Option } from './schema.ts';

export const SECTOR_QUESTION = 'sector';
export const TIER_QUESTION = 'tier';

export interface Strata {
  sectors: readonly Option[];
  /** Empty when the instrument asks no tier: then each sector is one stratum. */
  tiers: readonly Option[];
}

export interface StratumKey {
  sector: string;
  /** '' when the instrument asks no tier. */
  tier: string;
}

function singleOptions(instrument: Instrument, id: string): Option[] | undefined {
  const question = questionsOf(instrument).find((q) => q.id === id);
  return question?.type === 'single' ? question.options : undefined;
}

export function strataOf(instrument: Instrument): Strata | undefined {
  const sectors = singleOptions(instrument, SECTOR_QUESTION);
  if (!sectors) return undefined;
  return { sectors, tiers: singleOptions(instrument, TIER_QUESTION) ?? [] };
}

/** Every sector × tier, sectors first, in the instrument's order. */
export function strataCells(strata: Strata): StratumKey[] {
  const tiers = strata.tiers.length > 0 ? strata.tiers.map((t) => t.id) : [''];
  return strata.sectors.flatMap((sector) => tiers.map((tier) => ({ sector: sector.id, tier })));
}
