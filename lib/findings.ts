/** The rules in SPEC §7.5's table order: findings are listed in it, then by market and scope. */
const FINDING_ORDER = [
  'serviceLevelAtRisk',
  'merchantTierAtRisk',
  'goodSellerExpiring',
  'operationTierAtRisk',
  'fulfilmentBelowSilver',
  'messagesUnanswered',
  'complianceMissing',
  'complianceExpiring',
  'dataQuality',
] as const;
type FindingId = (typeof FINDING_ORDER)[number];

export { FINDING_ORDER };
export type { FindingId };
