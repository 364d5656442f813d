import type { MerchantTierName } from './merchantTier';
import type { FrontBadge } from './policy';

/** A store program (SPEC §3.2); active on d when since ≤ d and (no until or d ≤ until). */
interface ProgramSpan {
  since: string;
  until?: string | null | undefined;
}

function programActiveOn(program: ProgramSpan | null | undefined, date: string): boolean {
  return !!program && program.since <= date && (program.until == null || date <= program.until);
}

/**
 * The one storefront label: the first badge of the policy's priority that applies on the date
 * (SPEC §7.4). MALL shows `plus` and never changes the merchant tier.
 */
function storefrontLabel(
  applies: { jbp: boolean; styled: boolean; mall: boolean; effectiveTier: MerchantTierName },
  priority: readonly FrontBadge[],
): FrontBadge | null {
  const holds: Record<FrontBadge, boolean> = {
    jbp: applies.jbp,
    styled: applies.styled,
    plus: applies.mall,
    gold: applies.effectiveTier === 'gold',
    silver: applies.effectiveTier === 'silver',
  };
  return priority.find((badge) => holds[badge]) ?? null;
}

export { programActiveOn, storefrontLabel };
export type { ProgramSpan };
