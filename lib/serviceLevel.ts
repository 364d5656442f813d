import type { Policy, ServiceLevel } from './policy';
import { ASSESSED_SERVICE_LEVELS, GRANTED_SERVICE_LEVELS, SERVICE_LEVELS, serviceLevelRank } from './serviceLevels';
import { rawRate, total, type WindowTotals } from './totals';

interface UnmetCondition {
  id: 'closedOrders' | 'badExperienceRate' | 'sellerResponsibleArbitrationRate' | 'positiveRatingRate';
  actual: number | null;
  required: string;
  for: string;
}

interface ServiceLevelAssessment {
  level: ServiceLevel;
  closedOrders: number;
  badExperienceRate: number | null;
  sellerResponsibleArbitrationRate: number | null;
  positiveRatingRate: number | null;
  unmet: UnmetCondition[];
}

type LevelRule = Policy['serviceLevel']['levels'][number];

/**
 * The service level over a window (SPEC §7.1): notAssessed below the closed-order minimum, else
 * the first level whose conditions all hold, else fail; `unmet` lists the next level up's failures.
 */
function assessServiceLevel(t: WindowTotals, policy: Policy): ServiceLevelAssessment {
  const rates = {
    closedOrders: total(t, 'closedOrders'),
    badExperienceRate: rawRate(t, 'badExperienceOrders', 'closedOrders'),
    sellerResponsibleArbitrationRate: rawRate(t, 'sellerResponsibleArbitrations', 'closedOrders'),
    positiveRatingRate: rawRate(t, 'positiveRatings', 'ratings'),
  };
  const { minClosedOrders, levels } = policy.serviceLevel;
  if (rates.closedOrders < minClosedOrders) {
    const unmet: UnmetCondition[] = [{ id: 'closedOrders', actual: rates.closedOrders, required: `>= ${minClosedOrders}`, for: 'assessed' }];
    return { level: 'notAssessed', ...rates, unmet };
  }
  const index = levels.findIndex((rule) => unmetConditions(rule, rates).length === 0);
  const level: ServiceLevel = index === -1 ? 'fail' : levels[index]!.level;
  const nextUp = index === -1 ? levels[levels.length - 1] : levels[index - 1];
  return { level, ...rates, unmet: nextUp ? unmetConditions(nextUp, rates) : [] };
}

function unmetConditions(
  rule: LevelRule,
  rates: { badExperienceRate: number | null; sellerResponsibleArbitrationRate: number | null; positiveRatingRate: number | null },
): UnmetCondition[] {
  const unmet: UnmetCondition[] = [];
  const below = (id: UnmetCondition['id'], actual: number | null, max: number | undefined) => {
    if (max !== undefined && !(actual !== null && actual < max)) unmet.push({ id, actual, required: `< ${max}`, for: rule.level });
  };
  below('badExperienceRate', rates.badExperienceRate, rule.maxBadExperienceRate);
  below('sellerResponsibleArbitrationRate', rates.sellerResponsibleArbitrationRate, rule.maxSellerResponsibleArbitrationRate);
  const min = rule.minPositiveRatingRate;
  if (min !== undefined && !(rates.positiveRatingRate !== null && rates.positiveRatingRate >= min)) {
    unmet.push({ id: 'positiveRatingRate', actual: rates.positiveRatingRate, required: `>= ${min}`, for: rule.level });
  }
  return unmet;
}

export { ASSESSED_SERVICE_LEVELS, GRANTED_SERVICE_LEVELS, SERVICE_LEVELS, assessServiceLevel, serviceLevelRank };
export type { ServiceLevelAssessment, UnmetCondition };
