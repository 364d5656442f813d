import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planPools, type PoolCandidate } from '../../lib/pools';

const MIN = 3;

let next = 0;
function sellers(count: number, categoryId: string, parentId: string, scorable = true): PoolCandidate[] {
  return Array.from({ length: count }, () => ({ sellerId: `s-${String(next++).padStart(4, '0')}`, categoryId, parentId, scorable }));
}

describe('planPools', () => {
  it('pools a category with exactly minSize scorable sellers on its own', () => {
    const plan = planPools(sellers(MIN, 'c-11', 'p-1'), MIN);
    expect(plan.poolIdOf).toEqual(['cat:c-11', 'cat:c-11', 'cat:c-11']);
    expect(plan.pools).toEqual([{ poolId: 'cat:c-11', members: [0, 1, 2], assigned: [0, 1, 2] }]);
  });

  it('sends a category with minSize − 1 scorable sellers to its parent when the parent has enough', () => {
    // c-11 has 2 (< 3), c-12 has 1: parent p-1 has 3.
    const plan = planPools([...sellers(MIN - 1, 'c-11', 'p-1'), ...sellers(1, 'c-12', 'p-1')], MIN);
    expect(plan.poolIdOf).toEqual(['parent:p-1', 'parent:p-1', 'parent:p-1']);
    expect(plan.pools).toEqual([{ poolId: 'parent:p-1', members: [0, 1, 2], assigned: [0, 1, 2] }]);
  });

  it('counts every scorable seller under the parent, including those of categories big enough for their own pool', () => {
    // c-11 has 3 (own pool); c-12 has 1 → parent p-1 holds all 4, and grades only the c-12 seller.
    const plan = planPools([...sellers(3, 'c-11', 'p-1'), ...sellers(1, 'c-12', 'p-1')], MIN);
    expect(plan.poolIdOf).toEqual(['cat:c-11', 'cat:c-11', 'cat:c-11', 'parent:p-1']);
    const parent = plan.pools.find((p) => p.poolId === 'parent:p-1');
    expect(parent).toEqual({ poolId: 'parent:p-1', members: [0, 1, 2, 3], assigned: [3] });
  });

  it('sends a seller whose parent has minSize − 1 scorable sellers to the global pool of all scorable sellers', () => {
    // p-1 has 2; p-2 has 3 in c-21 (own pool). The p-1 sellers go global, whose members are all 5.
    const plan = planPools([...sellers(2, 'c-11', 'p-1'), ...sellers(3, 'c-21', 'p-2')], MIN);
    expect(plan.poolIdOf).toEqual(['global', 'global', 'cat:c-21', 'cat:c-21', 'cat:c-21']);
    expect(plan.pools.find((p) => p.poolId === 'global')).toEqual({ poolId: 'global', members: [0, 1, 2, 3, 4], assigned: [0, 1] });
  });

  it('uses the global pool even when it is smaller than minSize', () => {
    const plan = planPools(sellers(1, 'c-11', 'p-1'), 30);
    expect(plan.poolIdOf).toEqual(['global']);
    expect(plan.pools).toEqual([{ poolId: 'global', members: [0], assigned: [0] }]);
  });

  it('gives inactive sellers no pool, and does not count them toward minSize', () => {
    // c-11: 2 scorable + 5 inactive: still below 3, and p-1 has no one else → global.
    const candidates = [...sellers(2, 'c-11', 'p-1'), ...sellers(5, 'c-11', 'p-1', false)];
    const plan = planPools(candidates, MIN);
    expect(plan.poolIdOf).toEqual(['global', 'global', null, null, null, null, null]);
    expect(plan.pools).toEqual([{ poolId: 'global', members: [0, 1], assigned: [0, 1] }]);
  });

  it('returns no pools when nobody is scorable', () => {
    expect(planPools(sellers(4, 'c-11', 'p-1', false), MIN)).toEqual({ pools: [], poolIdOf: [null, null, null, null] });
  });

  it('assigns every scorable seller to exactly one pool that contains it, and no inactive seller (property)', () => {
    const candidate = fc
      .record({
        categoryId: fc.constantFrom('c-11', 'c-12', 'c-21', 'c-22', 'c-31'),
        scorable: fc.boolean(),
      })
      .map((c) => ({ ...c, parentId: `p-${c.categoryId[2]}` }));
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 40 }), fc.integer({ min: 1, max: 8 }), (drawn, minSize) => {
        const candidates = drawn.map((c, i) => ({ ...c, sellerId: `s-${String(i).padStart(3, '0')}` }));
        const plan = planPools(candidates, minSize);
        const assigned = plan.pools.flatMap((p) => p.assigned).sort((a, b) => a - b);
        const scorable = candidates.flatMap((c, i) => (c.scorable ? [i] : []));
        expect(assigned).toEqual(scorable);
        for (const pool of plan.pools) {
          expect(pool.assigned.length).toBeGreaterThan(0);
          for (const s of pool.assigned) {
            expect(plan.poolIdOf[s]).toBe(pool.poolId);
            expect(pool.members).toContain(s);
          }
          if (pool.poolId !== 'global') expect(pool.members.length).toBeGreaterThanOrEqual(minSize);
          expect(pool.members.every((m) => candidates[m]!.scorable)).toBe(true);
        }
        candidates.forEach((c, i) => c.scorable || expect(plan.poolIdOf[i]).toBeNull());
      }),
      { numRuns: 150 },
    );
  });
});
