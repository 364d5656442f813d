import { describe, expect, it } from 'vitest';
import { gradesOfWindow, matrixOf } from '../../lib/grading';
import { F, FIELD_COUNT } from '../../lib/metrics';
import { planShards, shardGrades } from '../../lib/shards';
import { policyWith } from './fixtures';

const sellers = [
  { sellerId: 's-0', categoryId: 'c-12', parentId: 'p-1' },
  { sellerId: 's-1', categoryId: 'c-11', parentId: 'p-1' },
  { sellerId: 's-2', categoryId: 'c-11', parentId: 'p-1' },
  { sellerId: 's-3', categoryId: 'c-21', parentId: 'p-2' },
];
const scoring = matrixOf(4);
[
  [0, 10],
  [1, 20],
  [2, 30],
].forEach(([s, visitors]) => (scoring.sums[s! * FIELD_COUNT + F.visitors] = visitors!));
scoring.sums[2 * FIELD_COUNT + F.orders] = 3;
const policy = policyWith({ pool: { minSize: 2 } });

describe('planShards', () => {
  it('splits the quarterly job by category, in category order', () => {
    expect(planShards('quarterly', sellers, null, policy).map((s) => [s.shardId, s.sellers])).toEqual([
      ['category:c-11', [1, 2]],
      ['category:c-12', [0]],
      ['category:c-21', [3]],
    ]);
  });

  it('splits a scored job by pool, with the sellers of categories without a pool last', () => {
    // c-11 has 2 (own pool); c-12 has 1 → parent p-1 (3 members); s-3 has no activity.
    expect(planShards('monthly', sellers, scoring, policy).map((s) => [s.shardId, s.sellers, s.pool?.members ?? null])).toEqual([
      ['parent:p-1', [0], [0, 1, 2]],
      ['cat:c-11', [1, 2], [1, 2]],
      ['inactive', [3], null],
    ]);
  });

  it('puts an inactive seller in the shard of its category, so a category lies in one shard', () => {
    const withIdle = [...sellers, { sellerId: 's-4', categoryId: 'c-11', parentId: 'p-1' }, { sellerId: 's-5', categoryId: 'c-12', parentId: 'p-1' }];
    const totals = matrixOf(6);
    totals.sums.set(scoring.sums);
    const shards = planShards('daily', withIdle, totals, policy);
    expect(shards.map((s) => [s.shardId, s.sellers])).toEqual([
      ['parent:p-1', [0, 5]],
      ['cat:c-11', [1, 2, 4]],
      ['inactive', [3]],
    ]);
    const grades = new Map(shards.flatMap((shard) => shardGrades(shard, totals, new Float64Array(6), 30, policy)));
    expect([4, 5, 3].map((s) => grades.get(s)!.reason)).toEqual(['inactive', 'inactive', 'inactive']);
    expect(grades).toEqual(new Map(gradesOfWindow(withIdle, totals, new Float64Array(6), 30, policy)));
  });

  it('drops the shards with no wanted seller', () => {
    expect(planShards('monthly', sellers, scoring, policy, (s) => s === 0).map((s) => s.shardId)).toEqual(['parent:p-1']);
  });

  it('gives, shard by shard, the same grades as the whole window', () => {
    const whole = new Map(gradesOfWindow(sellers, scoring, new Float64Array(4), 30, policy));
    const sharded = new Map(
      planShards('daily', sellers, scoring, policy).flatMap((shard) => [...shardGrades(shard, scoring, new Float64Array(4), 30, policy)]),
    );
    expect(sharded).toEqual(whole);
  });
});
