import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { growthRecords, type GrowthDay } from '../../lib/growth';
import { DEFAULT_POLICY, type Policy } from '../../lib/policy';
import { syntheticGrowth } from '../helpers/growthDay';

// Lower order minimums than the defaults, so that a day of 20,000 listings has super-hot ones too.
const policy: Policy = {
  ...DEFAULT_POLICY,
  growth: { ...DEFAULT_POLICY.growth, superHot: { quantile: 0.99, minOrders: 60 }, hot: { quantile: 0.9, minOrders: 12 } },
};

function digest(day: GrowthDay) {
  const hash = createHash('sha256');
  const tally: Record<string, number> = {};
  for (const r of growthRecords(day)) {
    hash.update(`${JSON.stringify(r)}\n`);
    const key = r.kind === 'listingStage' ? `${r.asOf === day.date ? 'written' : 'unchanged'} ${r.stage}` : `incentive ${r.status}`;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return { sha256: hash.digest('hex'), tally };
}

/**
 * Pins every record, in order and to the last bit, of the growth core on a seeded synthetic day:
 * an optimisation of lib/growth.ts must leave both hashes as they are. A deliberate change of the
 * rules (or of test/helpers/growthDay.ts) changes them, and the new hashes are then set here.
 */
describe('growthRecords on a seeded synthetic day (golden)', () => {
  const { day, dayBefore } = syntheticGrowth({ listings: 20_000, categories: 40, parents: 8, date: '2026-07-16', seed: 7, policy });

  it('gives the same records on the day before, without any state in force', () => {
    const { sha256, tally } = digest(dayBefore);
    expect(tally).toMatchObject({ 'written superHot': expect.any(Number), 'written hot': expect.any(Number), 'incentive active': expect.any(Number) });
    expect(sha256).toBe('b21436ce7ea0dba00f28a2c2b7714ba8bc48167e411aa223b2078f9d11256125');
  });

  it('gives the same records on the day, with the state in force from the day before', () => {
    const { sha256, tally } = digest(day);
    // the day exercises kept records, changes, hysteresis, grants, expiries and delistings
    expect(tally).toMatchObject({
      'unchanged dormant': expect.any(Number),
      'unchanged superHot': expect.any(Number),
      'unchanged hot': expect.any(Number),
      'written standard': expect.any(Number),
      'written newPotential': expect.any(Number),
      'written delisted': expect.any(Number),
      'incentive active': expect.any(Number),
      'incentive expired': expect.any(Number),
    });
    expect(sha256).toBe('df3d033aff1188a188be8b5c5a055b8f6abf1045212ec77ebd3924eddd1ddf9b');
  });
});
