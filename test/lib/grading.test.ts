import { describe, expect, it } from 'vitest';
import { gradesOfWindow, isScorable, matrixOf, type TotalsMatrix } from '../../lib/grading';
import { F, FIELD_COUNT } from '../../lib/metrics';
import { policyWith } from './fixtures';

function matrix(rows: { orders?: number; visitors?: number }[]): TotalsMatrix {
  const m = matrixOf(rows.length);
  rows.forEach((r, s) => {
    m.sums[s * FIELD_COUNT + F.orders] = r.orders ?? 0;
    m.sums[s * FIELD_COUNT + F.visitors] = r.visitors ?? 0;
  });
  return m;
}

describe('isScorable', () => {
  it('scores a seller with one visitor and no orders, or one order and no visitors, but not one with neither', () => {
    const m = matrix([{ visitors: 1 }, { orders: 1 }, {}]);
    expect([0, 1, 2].map((s) => isScorable(m, s))).toEqual([true, true, false]);
  });
});

describe('gradesOfWindow', () => {
  const sellers = [
    { sellerId: 's-1', categoryId: 'c-11', parentId: 'p-1' },
    { sellerId: 's-2', categoryId: 'c-11', parentId: 'p-1' },
    { sellerId: 's-3', categoryId: 'c-12', parentId: 'p-1' },
  ];
  const scoring = matrix([{ visitors: 100, orders: 5 }, { visitors: 50, orders: 1 }, {}]);
  const policy = policyWith({ pool: { minSize: 2 } });

  it("yields inactive sellers first, then each pool's graded sellers", () => {
    const grades = [...gradesOfWindow(sellers, scoring, new Float64Array(3), 30, policy)];
    expect(grades.map(([s, g]) => [s, g.reason, g.poolId])).toEqual([
      [2, 'inactive', null],
      [0, 'scored', 'cat:c-11'],
      [1, 'scored', 'cat:c-11'],
    ]);
  });

  it("builds only the wanted sellers' grades, scored against the whole pool", () => {
    const all = new Map(gradesOfWindow(sellers, scoring, new Float64Array(3), 30, policy));
    const one = [...gradesOfWindow(sellers, scoring, new Float64Array(3), 30, policy, (s) => s === 1)];
    expect(one).toEqual([[1, all.get(1)]]);
  });

  it('gives the better of two sellers top and the other basic', () => {
    // Two members: T_mid = c1 + 0.5·(c2 − c1) lies between them.
    const grades = new Map(gradesOfWindow(sellers, scoring, new Float64Array(3), 30, policy));
    expect(grades.get(0)?.tier).toBe('top');
    expect(grades.get(1)?.tier).toBe('basic');
    expect(grades.get(1)?.nextTier?.tier).toBe('mid');
  });
});
