import { ABILITIES, type Ability } from './abilities';
import type { Policy } from './policy';
import { quantileSorted } from './quantile';
import { ranksBestFirst } from './ranks';
import type { Target } from './targets';

/** The operation tiers (SPEC §6), the best first: the order reports list them in and their rank. */
const OPERATION_TIERS = ['top', 'highPotential', 'mid', 'basic'] as const;
type OperationTierName = (typeof OPERATION_TIERS)[number];
const operationTierRank = ranksBestFirst(OPERATION_TIERS);

interface TierThresholds {
  top: number;
  highPotential: number;
  mid: number;
}

interface NextTier {
  tier: Exclude<OperationTierName, 'basic'>;
  scoreGap: number;
  focus: Ability[];
  targets: Target[];
}

/** The pool's tier thresholds: quantiles of its members' composites (SPEC §6). */
function tierThresholds(composites: ArrayLike<number>, policy: Policy): TierThresholds {
  const sorted = Float64Array.from(composites).sort();
  const q = policy.tiers.quantiles;
  return { top: quantileSorted(sorted, q.top), highPotential: quantileSorted(sorted, q.highPotential), mid: quantileSorted(sorted, q.mid) };
}

/** top if C ≥ T_top, else highPotential if C ≥ T_highPotential, else mid if C ≥ T_mid, else basic. */
function operationTierOf(composite: number, t: TierThresholds): OperationTierName {
  if (composite >= t.top) return 'top';
  if (composite >= t.highPotential) return 'highPotential';
  if (composite >= t.mid) return 'mid';
  return 'basic';
}

/**
 * The next tier up, the score still missing, the two abilities where improvement pays most, and the
 * targets that alone would close the gap (SPEC §6).
 */
function nextTierOf(
  tier: OperationTierName,
  composite: number,
  t: TierThresholds,
  abilities: Record<Ability, number>,
  policy: Policy,
  targetsFor: (gap: number) => Target[],
): NextTier | null {
  if (tier === 'top') return null;
  const next = tier === 'highPotential' ? 'top' : tier === 'mid' ? 'highPotential' : 'mid';
  const scoreGap = t[next] - composite;
  return { tier: next, scoreGap, focus: focusAbilities(abilities, policy), targets: targetsFor(scoreGap) };
}

/** The two abilities with the largest weighted headroom a·(100 − A); ties keep the abilities' order. */
function focusAbilities(abilities: Record<Ability, number>, policy: Policy, count = 2): Ability[] {
  return ABILITIES.map((a, order) => ({ a, order, headroom: policy.abilityWeights[a] * (100 - abilities[a]) }))
    .sort((x, y) => y.headroom - x.headroom || x.order - y.order)
    .slice(0, count)
    .map((x) => x.a);
}

/** The next tier name above a tier, for benefits (null above top). */
function tierAbove(tier: OperationTierName): OperationTierName | null {
  const i = OPERATION_TIERS.indexOf(tier);
  return i === 0 ? null : OPERATION_TIERS[i - 1]!;
}

/** The tier's benefits and the next tier's, from the policy (SPEC §6). */
function tierBenefits(tier: OperationTierName, policy: Policy): { current: string[]; next: string[] } {
  const above = tierAbove(tier);
  return { current: [...policy.tiers.benefits[tier]], next: above ? [...policy.tiers.benefits[above]] : [] };
}

export { OPERATION_TIERS, focusAbilities, operationTierRank, nextTierOf, operationTierOf, tierAbove, tierBenefits, tierThresholds };
export type { NextTier, OperationTierName, TierThresholds };
