/**
 * The strata a study watches its responses by: the sector, and for individuals the management
 * tier. They are the single-choice questions with those ids, as in both of the 2010 review's
 * surveys; an instrument without them has no strata, and its waves take no targets.
 */
import { optionIds, questionsOf, type Instrument, type Option } from './schema.ts';

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

/** A stratum as the command line writes it: `public/senior`, or `public` when there is no tier. */
export function stratumText(key: StratumKey): string {
  return key.tier === '' ? key.sector : `${key.sector}/${key.tier}`;
}

/**
 * What is wrong with `key` as a stratum of these strata, or undefined: a phrase to follow the
 * instrument's id ("leadership-individual has no tier boss (its tiers: …)"), naming the valid ids.
 */
export function stratumProblem(strata: Strata, key: StratumKey): string | undefined {
  const sectors = optionIds(strata.sectors);
  const tiers = optionIds(strata.tiers);
  if (!sectors.includes(key.sector)) return `has no sector ${key.sector} (its sectors: ${sectors.join(', ')})`;
  if (tiers.length === 0 && key.tier !== '') return `asks no tier, so a stratum is a sector alone, such as ${sectors[0]} (its sectors: ${sectors.join(', ')})`;
  if (tiers.length > 0 && key.tier === '') return `asks a tier too, so a stratum is a sector and a tier, such as ${sectors[0]}/${tiers[0]} (its tiers: ${tiers.join(', ')})`;
  if (tiers.length > 0 && !tiers.includes(key.tier)) return `has no tier ${key.tier} (its tiers: ${tiers.join(', ')})`;
  return undefined;
}
