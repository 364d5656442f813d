import { addDays, epochDay } from './calendar';
import { FINDING_ORDER, type FindingId } from './findings';
import type { Exposure, Registration } from './inputs';
import { type MerchantAssessment, type MerchantTierName, merchantTierRank } from './merchantTier';
import { type OperationTierName, operationTierRank } from './operationTier';
import { lookupByCategory, type Policy, type ServiceLevel } from './policy';
import type { StatusRecord } from './records';
import { type ServiceLevelAssessment, serviceLevelRank } from './serviceLevel';
import type { Severity } from './severity';
import { rawRate, total, type WindowTotals } from './totals';

/** The areas findings fall in, in the order reports list them. */
const AREAS = ['service', 'merchant', 'operation', 'logistics', 'compliance', 'data'] as const;
type Area = (typeof AREAS)[number];

const AREA: Record<FindingId, Area> = {
  serviceLevelAtRisk: 'service',
  merchantTierAtRisk: 'merchant',
  goodSellerExpiring: 'merchant',
  operationTierAtRisk: 'operation',
  fulfilmentBelowSilver: 'logistics',
  messagesUnanswered: 'service',
  complianceMissing: 'compliance',
  complianceExpiring: 'compliance',
  dataQuality: 'data',
};

/** An open finding (SPEC §7.5). */
interface Finding {
  id: FindingId;
  area: string;
  severity: Severity;
  since: string;
  deadline?: string;
  action: string;
  evidence: Record<string, unknown>;
}

type FindingDraft = Omit<Finding, 'since'>;

/** What the daily job knows of a seller on date D (windows end D−1). */
interface HealthCheckInputs {
  date: string;
  categoryId: string;
  parentId: string;
  /** the grades in force: the status on D (SPEC §8.1) */
  inForce: {
    operationTier: OperationTierName | null;
    serviceLevel: ServiceLevel | null;
    /** the assessed merchant tier in force (not the effective one) */
    merchantAssessed: MerchantTierName;
    goodSeller: { status: string; expiresOn: string } | null;
  };
  /** the daily job's projections (SPEC §6, §7.1, §7.2): tier on the 30-day window, assessments on the trailing 90 days */
  projected: { operationTier: OperationTierName; merchant: MerchantAssessment; serviceLevel: ServiceLevelAssessment };
  /** the daily window's totals (D−30..D−1) */
  daily: WindowTotals;
  /** the seller's metric rows dated in the daily window that were quarantined */
  quarantinedRows: number;
  exposure: readonly Exposure[];
  registrations: readonly Registration[];
  /** a category's flags (SPEC §3.1) */
  flagsOf: (categoryId: string) => readonly string[];
}

/** The grades a status holds, as the health check weighs them against the projections. */
function gradesHeld(status: Pick<StatusRecord, 'operationTier' | 'serviceLevel' | 'merchantTier' | 'goodSeller'>): HealthCheckInputs['inForce'] {
  return {
    operationTier: status.operationTier?.tier ?? null,
    serviceLevel: status.serviceLevel?.level ?? null,
    merchantAssessed: status.merchantTier.assessed,
    goodSeller: status.goodSeller,
  };
}

const percent = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)}%`);

/** A registration valid on D: `validFrom ≤ D` and no `validUntil` or `D ≤ validUntil`. */
const validOn = (r: Registration, date: string) => r.validFrom <= date && (r.validUntil == null || date <= r.validUntil);

/**
 * Active listings per market and category as of D: per (category, market) the row with the latest
 * `asOf` not after D stands.
 */
function standingExposure(rows: readonly Exposure[], date: string): Map<string, Exposure> {
  const standing = new Map<string, Exposure>();
  for (const e of rows) {
    if (e.asOf > date) continue;
    const key = `${e.categoryId}|${e.market}`;
    const was = standing.get(key);
    if (!was || e.asOf > was.asOf) standing.set(key, e);
  }
  return standing;
}

/** The compliance findings: one per scheme, market and scope a rule requires of the seller (SPEC §7.5). */
function complianceFindings(input: HealthCheckInputs, policy: Policy): FindingDraft[] {
  const { rules, compliance, complianceExpiringDays } = policy.healthCheck;
  const exposure = [...standingExposure(input.exposure, input.date).values()].filter((e) => e.activeListings > 0);
  const required = new Map<string, { scheme: 'epr' | 'cpc'; market: string; scope: string; activeListings: number; categories: string[] }>();
  for (const rule of compliance) {
    for (const e of exposure) {
      if (!rule.markets.includes(e.market)) continue;
      if (rule.appliesTo !== '*' && !input.flagsOf(e.categoryId).includes(rule.appliesTo)) continue;
      const key = `${rule.scheme}|${e.market}|${rule.scope}`;
      const need = required.get(key) ?? { scheme: rule.scheme, market: e.market, scope: rule.scope, activeListings: 0, categories: [] };
      need.activeListings += e.activeListings;
      if (!need.categories.includes(e.categoryId)) need.categories.push(e.categoryId);
      required.set(key, need);
    }
  }
  const missing: FindingDraft[] = [];
  const expiring: FindingDraft[] = [];
  const byMarketAndScope = [...required.values()].sort((a, b) => (a.market === b.market ? (a.scope < b.scope ? -1 : 1) : a.market < b.market ? -1 : 1));
  for (const need of byMarketAndScope) {
    const valid = input.registrations.filter((r) => r.scheme === need.scheme && r.market === need.market && r.scope === need.scope && validOn(r, input.date));
    const scheme = need.scheme.toUpperCase();
    const evidence = { scheme: need.scheme, market: need.market, scope: need.scope, activeListings: need.activeListings, categories: need.categories.sort() };
    if (valid.length === 0) {
      if (rules.complianceMissing.enabled) {
        missing.push({
          id: 'complianceMissing',
          area: AREA.complianceMissing,
          severity: rules.complianceMissing.severity,
          action: `register for ${scheme} ${need.scope} in ${need.market} and enter the registration number`,
          evidence,
        });
      }
      continue;
    }
    // coverage ends with the last valid registration's validUntil (none: it does not end)
    if (!rules.complianceExpiring.enabled || valid.some((r) => r.validUntil == null)) continue;
    const last = valid.reduce((a, b) => (a.validUntil! >= b.validUntil! ? a : b));
    const daysLeft = epochDay(last.validUntil!) - epochDay(input.date);
    if (daysLeft < complianceExpiringDays) {
      expiring.push({
        id: 'complianceExpiring',
        area: AREA.complianceExpiring,
        severity: rules.complianceExpiring.severity,
        deadline: last.validUntil!,
        action: `renew ${scheme} ${need.scope} registration ${last.registrationId} in ${need.market} before ${last.validUntil}`,
        evidence: { ...evidence, registrationId: last.registrationId, validUntil: last.validUntil, daysLeft },
      });
    }
  }
  return [...missing, ...expiring];
}

/** The open findings of a seller on D (SPEC §7.5), in the table's order, then by market and scope; `since` comes from carryForward. */
function openFindings(input: HealthCheckInputs, policy: Policy): FindingDraft[] {
  const { rules } = policy.healthCheck;
  const found: FindingDraft[] = [];
  const { projected, inForce } = input;

  const sl = projected.serviceLevel;
  if (rules.serviceLevelAtRisk.enabled && sl.level !== 'notAssessed') {
    const held = inForce.serviceLevel;
    const worse = held !== null && held !== 'notAssessed' && serviceLevelRank[sl.level] < serviceLevelRank[held];
    if (sl.level === 'fail' || worse) {
      found.push({
        id: 'serviceLevelAtRisk',
        area: AREA.serviceLevelAtRisk,
        severity: sl.level === 'fail' ? rules.serviceLevelAtRisk.failSeverity : rules.serviceLevelAtRisk.severity,
        action: `reduce bad-experience orders and seller-responsible disputes: the last 90 days grade ${sl.level}${held ? `, below the ${held} in force` : ''} (bad-experience ${percent(sl.badExperienceRate)})`,
        evidence: {
          projected: sl.level,
          inForce: held,
          closedOrders: sl.closedOrders,
          badExperienceRate: sl.badExperienceRate,
          sellerResponsibleArbitrationRate: sl.sellerResponsibleArbitrationRate,
          positiveRatingRate: sl.positiveRatingRate,
          unmet: sl.unmet,
        },
      });
    }
  }

  const merchant = projected.merchant;
  if (rules.merchantTierAtRisk.enabled && merchantTierRank[merchant.assessedTier] < merchantTierRank[inForce.merchantAssessed]) {
    const tier = inForce.merchantAssessed as Exclude<MerchantTierName, 'ordinary'>;
    const unmet = merchant.criteria[tier].filter((c) => !c.met);
    found.push({
      id: 'merchantTierAtRisk',
      area: AREA.merchantTierAtRisk,
      severity: rules.merchantTierAtRisk.severity,
      action: `meet the ${tier} criteria again before the quarter ends: ${unmet.map((c) => c.id).join(', ')}`,
      evidence: { projectedTier: merchant.assessedTier, inForce: tier, unmet },
    });
  }

  const grant = inForce.goodSeller;
  if (rules.goodSellerExpiring.enabled && grant?.status === 'active' && merchant.assessedTier === 'ordinary') {
    const daysLeft = epochDay(grant.expiresOn) - epochDay(input.date);
    if (daysLeft <= policy.healthCheck.goodSellerWarningDays) {
      found.push({
        id: 'goodSellerExpiring',
        area: AREA.goodSellerExpiring,
        severity: rules.goodSellerExpiring.severity,
        deadline: grant.expiresOn,
        action: `reach silver on your own before the Good Seller grant ends on ${grant.expiresOn}: ${merchant.criteria.silver
          .filter((c) => !c.met)
          .map((c) => c.id)
          .join(', ')}`,
        evidence: { projectedTier: merchant.assessedTier, expiresOn: grant.expiresOn, daysLeft },
      });
    }
  }

  const held = inForce.operationTier;
  if (rules.operationTierAtRisk.enabled && held !== null && operationTierRank[projected.operationTier] < operationTierRank[held]) {
    found.push({
      id: 'operationTierAtRisk',
      area: AREA.operationTierAtRisk,
      severity: rules.operationTierAtRisk.severity,
      action: `the last 30 days project ${projected.operationTier}, below the ${held} in force: work on the abilities your daily score names`,
      evidence: { projected: projected.operationTier, inForce: held },
    });
  }

  const orders = total(input.daily, 'orders');
  const online = rawRate(input.daily, 'trackingOnline72h', 'orders');
  const silver = lookupByCategory(policy.merchantTier.criteria, input.categoryId, input.parentId).silver.minOnline72hRate;
  if (rules.fulfilmentBelowSilver.enabled && orders > 0 && online !== null && online < silver) {
    found.push({
      id: 'fulfilmentBelowSilver',
      area: AREA.fulfilmentBelowSilver,
      severity: rules.fulfilmentBelowSilver.severity,
      action: `hand orders to the carrier sooner: ${percent(online)} were scanned within 72 h in the last 30 days, silver needs ${percent(silver)}`,
      evidence: { actual: online, required: silver, orders },
    });
  }

  const received = total(input.daily, 'messagesReceived');
  const answered = rawRate(input.daily, 'messagesAnswered24h', 'messagesReceived');
  const minAnswered = policy.healthCheck.minMessagesAnsweredRate;
  if (rules.messagesUnanswered.enabled && received > 0 && answered !== null && answered < minAnswered) {
    found.push({
      id: 'messagesUnanswered',
      area: AREA.messagesUnanswered,
      severity: rules.messagesUnanswered.severity,
      action: `answer buyer messages within 24 hours: ${percent(answered)} were in the last 30 days, ${percent(minAnswered)} is expected`,
      evidence: { actual: answered, required: minAnswered, messagesReceived: received },
    });
  }

  found.push(...complianceFindings(input, policy));

  if (rules.dataQuality.enabled && input.quarantinedRows > 0) {
    found.push({
      id: 'dataQuality',
      area: AREA.dataQuality,
      severity: rules.dataQuality.severity,
      action: `fix the ${input.quarantinedRows} daily rows of the last 30 days that were quarantined, then ask for a re-run`,
      evidence: { quarantinedRows: input.quarantinedRows, window: { start: addDays(input.date, -30), end: addDays(input.date, -1) } },
    });
  }
  return found;
}

/** What makes two findings the same open finding (SPEC §7.5): id, severity, and for compliance the market and scope. */
function findingKey(f: Pick<Finding, 'id' | 'severity' | 'evidence'>): string {
  return f.id.startsWith('compliance') ? `${f.id}|${f.severity}|${String(f.evidence.market)}|${String(f.evidence.scope)}` : `${f.id}|${f.severity}`;
}

/** The same finding regardless of severity: it keeps its `since` while it stays open. */
const openKey = (f: Pick<Finding, 'id' | 'evidence'>) =>
  f.id.startsWith('compliance') ? `${f.id}|${String(f.evidence.market)}|${String(f.evidence.scope)}` : f.id;

/**
 * Today's findings with their history: a finding still open keeps its `since`, and its evidence
 * and deadline as of the day it opened or changed severity; a new one opens on D.
 */
function carryForward(previous: readonly Finding[], drafts: readonly FindingDraft[], date: string): Finding[] {
  const before = new Map(previous.map((f) => [openKey(f), f]));
  return drafts.map((d) => {
    const was = before.get(openKey(d));
    if (!was) return { ...d, since: date };
    if (was.severity === d.severity) return was;
    return { ...d, since: was.since };
  });
}

/** Whether the set of open findings changed: what decides a write of the healthCheck record. */
function findingsChanged(previous: readonly Finding[] | null, current: readonly Finding[]): boolean {
  if (previous === null) return true;
  const a = previous.map(findingKey).sort();
  const b = current.map(findingKey).sort();
  return a.length !== b.length || a.some((k, i) => k !== b[i]);
}

export { AREA, AREAS, FINDING_ORDER, carryForward, findingKey, findingsChanged, gradesHeld, openFindings, standingExposure, validOn };
export type { Area, Finding, FindingDraft, FindingId, HealthCheckInputs };
