import { describe, expect, it } from 'vitest';
import { InvalidRecordError, validateRecord, type GoodSellerGrantRecord, type OperationTierRecord } from '../../lib/records';

const inactiveTier: OperationTierRecord = {
  kind: 'operationTier',
  sellerId: 's-042',
  categoryId: 'c-11',
  period: '2026-07',
  window: { start: '2026-06-01', end: '2026-06-30' },
  poolId: null,
  tier: 'basic',
  reason: 'inactive',
  composite: null,
  abilities: null,
  indicators: null,
  thresholds: null,
  nextTier: null,
  benefits: { current: [], next: [] },
  policyVersion: '2026.1',
  runId: 'r',
};

describe('validateRecord', () => {
  it('passes a well-formed record through unchanged', () => {
    expect(validateRecord(inactiveTier)).toBe(inactiveTier);
  });

  it('fails loudly on a NaN composite, naming the kind, the seller and the field', () => {
    expect(() => validateRecord({ ...inactiveTier, composite: Number.NaN })).toThrow(InvalidRecordError);
    expect(() => validateRecord({ ...inactiveTier, composite: Number.NaN })).toThrow(/^operationTier record of seller s-042 fails its schema: composite/);
  });

  it('refuses a composite above 100 and a period that is not a month', () => {
    expect(() => validateRecord({ ...inactiveTier, composite: 100.5 })).toThrow(/composite/);
    expect(() => validateRecord({ ...inactiveTier, period: '2026-7' })).toThrow(/period/);
  });

  it('refuses a grant record whose date is not a calendar date', () => {
    const grant: GoodSellerGrantRecord = {
      kind: 'goodSellerGrant',
      sellerId: 's-042',
      categoryId: 'c-11',
      appliedOn: '2026-02-20',
      approvedOn: '2026-02-30',
      approvedBy: 'ops-li',
      note: null,
      expiresOn: '2026-08-28',
      status: 'active',
      endedOn: null,
      revokedBy: null,
      policyVersion: '2026.1',
      runId: 'r',
    };
    expect(() => validateRecord(grant)).toThrow(/approvedOn/);
  });
});
