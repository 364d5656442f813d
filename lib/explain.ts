import { monthOf, quarterInForceOn, windowLength, type DateWindow } from './calendar';
import type { NextTier } from './operationTier';
import type { Policy } from './policy';
import type { Publication } from './policyVersions';
import type {
  DailyScoreRecord,
  IndicatorsField,
  GoodSellerGrantRecord,
  GradeRecord,
  MerchantAssessmentRecord,
  OperationTierRecord,
  ServiceLevelRecord,
  StatusRecord,
} from './records';
import { targetSentence, whyNoTargets } from './targetSentences';

/** A seller's grades in force on a date, each with the sentences that explain it (SPEC §8.3). */
interface SellerExplanation {
  sellerId: string;
  date: string;
  status: StatusRecord | null;
  grades: {
    operationTier: OperationTierRecord | null;
    serviceLevel: ServiceLevelRecord | null;
    merchantAssessment: MerchantAssessmentRecord | null;
    goodSellerGrant: GoodSellerGrantRecord | null;
    dailyScore: DailyScoreRecord | null;
  };
  explanation: string[];
}

const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined ? 'n/a' : n.toFixed(digits));
const rate = (n: number | string | null | undefined) => (typeof n === 'number' ? `${(100 * n).toFixed(2)}%` : String(n ?? 'n/a'));

/** Picks the records in force on the date and says, in sentences, why each grade is what it is. */
function explainSeller(sellerId: string, records: GradeRecord[], date: string, policy: Policy): SellerExplanation {
  const { effectiveFromDay } = policy.merchantTier;
  const latest = <T extends GradeRecord>(kind: T['kind'], keyOf: (r: T) => string, limit: string) =>
    (records.filter((r) => r.kind === kind) as T[]).filter((r) => keyOf(r) <= limit).sort((a, b) => (keyOf(a) < keyOf(b) ? 1 : -1))[0] ?? null;
  const operationTier = latest<OperationTierRecord>('operationTier', (r) => r.period, monthOf(date));
  const serviceLevel = latest<ServiceLevelRecord>('serviceLevel', (r) => r.period, monthOf(date));
  const merchantAssessment = latest<MerchantAssessmentRecord>('merchantAssessment', (r) => r.quarter, quarterInForceOn(date, effectiveFromDay));
  const dailyScore = latest<DailyScoreRecord>('dailyScore', (r) => r.date, date);
  const goodSellerGrant = (records.find((r) => r.kind === 'goodSellerGrant') as GoodSellerGrantRecord | undefined) ?? null;
  const status = (records.find((r) => r.kind === 'status') as StatusRecord | undefined) ?? null;
  const lines: string[] = [];
  if (operationTier) {
    const t = operationTier;
    if (t.reason === 'inactive') lines.push(`Operation tier ${t.period}: basic — no orders or visitors in ${t.window.start}..${t.window.end}.`);
    else {
      lines.push(
        `Operation tier ${t.period}: ${t.tier} — composite ${fmt(t.composite)} in pool ${t.poolId} over ${t.window.start}..${t.window.end} (top ≥ ${fmt(t.thresholds?.top)}, highPotential ≥ ${fmt(t.thresholds?.highPotential)}, mid ≥ ${fmt(t.thresholds?.mid)}).`,
      );
      if (t.nextTier) {
        lines.push(`  ${fmt(t.nextTier.scoreGap)} points short of ${t.nextTier.tier}; improving ${t.nextTier.focus.join(' and ')} pays most.`);
        lines.push(...targetLines(t.nextTier, t.indicators, t.window, policy));
      }
      if (t.indicators) {
        const weakest = Object.entries(t.indicators)
          .sort(([, a], [, b]) => a.value - b.value)
          .slice(0, 3);
        lines.push(
          `  Weakest indicators against the pool: ${weakest.map(([id, v]) => `${id} ${fmt(v.value)}/100 (raw ${v.raw === null ? 'n/a' : fmt(v.raw, 4)})`).join(', ')}.`,
        );
      }
    }
  } else lines.push(`Operation tier: none computed up to ${monthOf(date)}.`);
  if (serviceLevel) {
    const s = serviceLevel;
    lines.push(
      `Service level ${s.period}: ${s.level} — ${s.closedOrders} closed orders, bad-experience ${rate(s.badExperienceRate)}, seller-responsible arbitration ${rate(s.sellerResponsibleArbitrationRate)}, positive ${rate(s.positiveRatingRate)}.`,
    );
    for (const u of s.unmet)
      lines.push(
        `  For ${u.for}: ${u.id} is ${typeof u.actual === 'number' && u.id !== 'closedOrders' ? rate(u.actual) : String(u.actual ?? 'n/a')}, needs ${u.required}.`,
      );
    const bad = s.badExperienceRate === null ? 0 : Math.round(s.badExperienceRate * s.closedOrders);
    lines.push(
      `  ${bad} bad-experience orders behind it (${s.window.start}..${s.window.end}); list them: grader orders --seller ${sellerId} --from ${s.window.start} --to ${s.window.end} --bad-only`,
    );
  }
  if (merchantAssessment) {
    const m = merchantAssessment;
    lines.push(`Merchant tier assessed for ${m.quarter}: ${m.assessedTier} (in force from ${m.effectiveFrom}).`);
    const next = m.assessedTier === 'ordinary' ? m.criteria.silver : m.assessedTier === 'silver' ? m.criteria.gold : [];
    for (const c of next.filter((c) => !c.met))
      lines.push(
        `  Missing for ${m.assessedTier === 'ordinary' ? 'silver' : 'gold'}: ${c.id} is ${typeof c.actual === 'number' ? fmt(c.actual, 4) : String(c.actual ?? 'n/a')}, needs ${c.required}.`,
      );
  } else lines.push('Merchant tier: ordinary — no assessment in force yet.');
  if (goodSellerGrant)
    lines.push(
      `China Good Seller: ${goodSellerGrant.status}, approved ${goodSellerGrant.approvedOn} by ${goodSellerGrant.approvedBy}, ${goodSellerGrant.endedOn ? `ended ${goodSellerGrant.endedOn}` : `expires ${goodSellerGrant.expiresOn}`}.`,
    );
  if (status)
    lines.push(
      `Storefront label: ${status.frontBadge ?? 'none'}; effective merchant tier ${status.merchantTier.effective} (from ${status.merchantTier.source}).`,
    );
  if (dailyScore) {
    const projected = dailyScore.projectedTier;
    lines.push(
      `Projection on ${dailyScore.date}: operation tier ${projected.tier}${projected.nextTier ? ` (${fmt(projected.nextTier.scoreGap)} points short of ${projected.nextTier.tier})` : ''}, merchant tier ${dailyScore.projectedMerchant.assessedTier}.`,
    );
    if (projected.nextTier) lines.push(...targetLines(projected.nextTier, dailyScore.indicators, dailyScore.window, policy));
  }
  return { sellerId, date, status, grades: { operationTier, serviceLevel, merchantAssessment, goodSellerGrant, dailyScore }, explanation: lines };
}

/** The targets of a next tier as sentences in the seller's units, or why there is none (SPEC §6). */
function targetLines(next: NextTier, indicators: IndicatorsField | null, window: DateWindow, policy: Policy): string[] {
  const days = windowLength(window);
  if (next.targets.length > 0) return [`  Any one of these alone reaches ${next.tier}:`, ...next.targets.map((t) => `    ${targetSentence(t, days)}`)];
  if (!indicators || policy.tiers.maxTargets === 0) return [];
  return whyNoTargets(next.scoreGap, indicators, days, policy).map((line, i) => (i === 0 ? `  ${line}` : `    ${line}`));
}

/**
 * Names the policy version each explained grade was computed with, and how that version came to
 * be (SPEC §9: any past grade can be recomputed and explained).
 */
function policyVersionLines(explained: SellerExplanation, publications: Publication[]): string[] {
  const { status, grades: g } = explained;
  const named: [string | undefined, string][] = [
    [g.operationTier?.policyVersion, `operation tier ${g.operationTier?.period}`],
    [g.serviceLevel?.policyVersion, `service level ${g.serviceLevel?.period}`],
    [g.merchantAssessment?.policyVersion, `merchant assessment ${g.merchantAssessment?.quarter}`],
    [g.goodSellerGrant?.policyVersion, 'Good Seller grant'],
    [g.dailyScore?.policyVersion, `daily score ${g.dailyScore?.date}`],
    [status?.policyVersion, `status as of ${status?.asOf}`],
  ];
  const byVersion = new Map<string, string[]>();
  for (const [version, what] of named) if (version !== undefined) byVersion.set(version, [...(byVersion.get(version) ?? []), what]);
  return [...byVersion].map(([version, what]) => {
    const p = publications.find((candidate) => candidate.version === version);
    const origin = !p
      ? 'not published in this store: a pinned policy (GRADER_POLICY_FILE)'
      : p.from === null
        ? 'the built-in default, in force from the beginning'
        : `in force from ${p.from}, published ${p.publishedAt} by ${p.publishedBy}: ${p.reason}`;
    return `Policy ${version} (${origin}) computed the ${what.join(', ')}.`;
  });
}

export { explainSeller, policyVersionLines };
export type { SellerExplanation };
