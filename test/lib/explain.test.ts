import { describe, expect, it } from 'vitest';
import { rowsOver, syntheticMarketplace } from '../../functions/local/syntheticMarketplace';
import { prepareJob } from '../../lib/evaluateJob';
import { explainSeller } from '../../lib/explain';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { GradeRecord } from '../../lib/records';
import { policyWith } from './fixtures';

const market = syntheticMarketplace({ sellers: 40, from: '2026-03-01', to: '2026-06-30', seed: 5 });
const rows = [...rowsOver(market, { start: '2026-03-01', end: '2026-06-30' })];

function records(job: 'monthly' | 'quarterly', period: string): GradeRecord[] {
  const prepared = prepareJob(job, period, { categories: market.categories, sellers: market.sellers }, DEFAULT_POLICY, 'explain');
  for (const row of rows) prepared.addMetricRow(row);
  return [...prepared.records()];
}

const all = [...records('monthly', '2026-07'), ...records('quarterly', '2026-Q2')];
const scored = all.find((r) => r.kind === 'operationTier' && r.reason === 'scored' && r.tier !== 'top')!;
const own = all.filter((r) => r.sellerId === scored.sellerId);

describe('explainSeller', () => {
  it('explains the operation tier in force with its pool, thresholds, gap and weakest indicators', () => {
    const e = explainSeller(scored.sellerId, own, '2026-07-05', DEFAULT_POLICY);
    expect(e.grades.operationTier).toEqual(scored);
    expect(e.explanation[0]).toMatch(/^Operation tier 2026-07: \w+ — composite [\d.]+ in pool \S+ over 2026-06-01\.\.2026-06-30/);
    expect(e.explanation[1]).toMatch(/points short of \w+; improving \w+ and \w+ pays most\./);
    expect(e.explanation[2]).toMatch(/^ {2}Weakest indicators against the pool: /);
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

  it('says so when nothing was computed yet', () => {
    expect(explainSeller('s-none', [], '2026-07-05', DEFAULT_POLICY).explanation[0]).toBe('Operation tier: none computed up to 2026-07.');
  });
});
