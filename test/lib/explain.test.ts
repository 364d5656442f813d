import { describe, expect, it } from 'vitest';
import { rowsOver, syntheticMarketplace } from '../../functions/local/syntheticMarketplace';
import { explainSeller } from '../../lib/explain';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { DailyScoreRecord, GradeRecord, OperationTierRecord } from '../../lib/records';
import { targetSentence } from '../../lib/targetSentences';
import { scoreLines } from '../helpers/offlineJob';
import { policyWith } from './fixtures';

const market = syntheticMarketplace({ sellers: 40, from: '2026-03-01', to: '2026-06-30', seed: 5 });
const rows = [...rowsOver(market, { start: '2026-03-01', end: '2026-06-30' })];

async function records(job: 'monthly' | 'quarterly', period: string): Promise<GradeRecord[]> {
  return (await scoreLines(job, period, { categories: market.categories, sellers: market.sellers, metrics: rows })).records;
}

const all = [...(await records('monthly', '2026-07')), ...(await records('quarterly', '2026-Q2'))];
const scored = all.find((r) => r.kind === 'operationTier' && r.reason === 'scored' && r.tier !== 'top')!;
const own = all.filter((r) => r.sellerId === scored.sellerId);

/** The daily projection of the same window as a monthly tier. */
function dailyScoreOf(t: OperationTierRecord): DailyScoreRecord {
  return {
    kind: 'dailyScore',
    sellerId: t.sellerId,
    categoryId: t.categoryId,
    date: '2026-07-01',
    window: t.window,
    poolId: t.poolId,
    composite: t.composite,
    abilities: t.abilities,
    indicators: t.indicators,
    projectedTier: { tier: t.tier, reason: t.reason, thresholds: t.thresholds, nextTier: t.nextTier },
    projectedMerchant: { assessedTier: 'ordinary', window: { start: '2026-04-02', end: '2026-06-30' }, unmet: { gold: [], silver: [] } },
    expiresAt: 0,
    policyVersion: t.policyVersion,
    runId: t.runId,
  };
}

describe('explainSeller', () => {
  it('explains the operation tier in force with its pool, thresholds, gap and weakest indicators', () => {
    const e = explainSeller(scored.sellerId, own, '2026-07-05', DEFAULT_POLICY);
    expect(e.grades.operationTier).toEqual(scored);
    expect(e.explanation[0]).toMatch(/^Operation tier 2026-07: \w+ — composite [\d.]+ in pool \S+ over 2026-06-01\.\.2026-06-30/);
    expect(e.explanation[1]).toMatch(/points short of \w+; improving \w+ and \w+ pays most\./);
    expect(e.explanation.some((l) => /^ {2}Weakest indicators against the pool: /.test(l))).toBe(true);
    expect(e.explanation.some((l) => l.startsWith('Service level 2026-07: '))).toBe(true);
  });

  it('takes the quarterly assessment into account only from its effective date', () => {
    expect(explainSeller(scored.sellerId, own, '2026-07-14', DEFAULT_POLICY).grades.merchantAssessment).toBeNull();
    expect(explainSeller(scored.sellerId, own, '2026-07-14', DEFAULT_POLICY).explanation).toContain('Merchant tier: ordinary — no assessment in force yet.');
    expect(explainSeller(scored.sellerId, own, '2026-07-15', DEFAULT_POLICY).grades.merchantAssessment).toMatchObject({
      quarter: '2026-Q2',
      effectiveFrom: '2026-07-15',
    });
  });

  it('takes the effective day from the policy it is given, not from the default one', () => {
    const later = policyWith({ merchantTier: { ...DEFAULT_POLICY.merchantTier, effectiveFromDay: 20 } });
    expect(explainSeller(scored.sellerId, own, '2026-07-16', DEFAULT_POLICY).grades.merchantAssessment).not.toBeNull();
    expect(explainSeller(scored.sellerId, own, '2026-07-16', later).grades.merchantAssessment).toBeNull();
  });

  it("lists the targets of the next tier as sentences in the seller's units, under the tier and under the projection", () => {
    const tier = all.find((r) => r.kind === 'operationTier' && (r.nextTier?.targets.length ?? 0) >= 2) as OperationTierRecord;
    const lines = explainSeller(
      tier.sellerId,
      all.filter((r) => r.sellerId === tier.sellerId),
      '2026-07-05',
      DEFAULT_POLICY,
    ).explanation;
    const at = lines.indexOf(`  Any one of these alone reaches ${tier.nextTier!.tier}:`);
    expect(at).toBe(2);
    expect(lines.slice(at + 1, at + 1 + tier.nextTier!.targets.length)).toEqual(tier.nextTier!.targets.map((t) => `    ${targetSentence(t, 30)}`));
    const withProjection = explainSeller(
      tier.sellerId,
      [...all.filter((r) => r.sellerId === tier.sellerId), dailyScoreOf(tier)],
      '2026-07-05',
      DEFAULT_POLICY,
    ).explanation;
    expect(withProjection.filter((l) => l.startsWith('  Any one of these alone reaches'))).toHaveLength(2);
  });

  it('says why no indicator has a target when none is reachable, and nothing of it with tiers.maxTargets 0', () => {
    const tier = all.find((r) => r.kind === 'operationTier' && r.nextTier?.targets.length === 0) as OperationTierRecord;
    const own = all.filter((r) => r.sellerId === tier.sellerId);
    const lines = explainSeller(tier.sellerId, own, '2026-07-05', DEFAULT_POLICY).explanation;
    expect(lines[2]).toBe(`  No indicator alone closes the gap of ${tier.nextTier!.scoreGap.toFixed(1)} points:`);
    expect(lines[3]).toMatch(/^ {4}\d+ would need more than 100\/100 against the pool; the most one can add is [\d.]+ points \(.+\)\.$/);
    const none = policyWith({ tiers: { ...DEFAULT_POLICY.tiers, maxTargets: 0 } });
    expect(explainSeller(tier.sellerId, own, '2026-07-05', none).explanation.some((l) => l.includes('No indicator alone'))).toBe(false);
  });

  it('says so when nothing was computed yet', () => {
    expect(explainSeller('s-none', [], '2026-07-05', DEFAULT_POLICY).explanation[0]).toBe('Operation tier: none computed up to 2026-07.');
  });
});
