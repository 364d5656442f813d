import type { Job } from './calendar';
import { gradePool, INACTIVE, planWindowPools, type PoolMembership, type TotalsMatrix, type WindowGrade } from './grading';
import type { Policy } from './policy';
import type { Pool } from './pools';

/**
 * An independent unit of a job: a pool evaluated as a whole (SPEC §5.1), or — for the quarterly
 * job, which has no pools — the sellers of one category. Every category lies in exactly one shard
 * (its inactive sellers go with the pool of its active ones; a category with none goes to
 * `inactive`), so the daily scores of one pack (one category) are written by one shard (data-model.md).
 */
interface Shard {
  shardId: string;
  pool: Pool | null;
  /** the sellers whose records this shard builds */
  sellers: number[];
}

/** Plans a job's shards over the sellers it writes (`wanted`); pools still count every member. */
function planShards(
  job: Job,
  sellers: PoolMembership[],
  scoring: TotalsMatrix | null,
  policy: Policy,
  wanted: (seller: number) => boolean = () => true,
): Shard[] {
  if (job === 'quarterly' || !scoring) {
    const byCategory = new Map<string, number[]>();
    sellers.forEach((s, i) => {
      if (!wanted(i)) return;
      const list = byCategory.get(s.categoryId);
      if (list) list.push(i);
      else byCategory.set(s.categoryId, [i]);
    });
    return [...byCategory].sort(([a], [b]) => (a < b ? -1 : 1)).map(([categoryId, list]) => ({ shardId: `category:${categoryId}`, pool: null, sellers: list }));
  }
  const plan = planWindowPools(sellers, scoring, policy);
  const poolOfCategory = new Map<string, string>();
  sellers.forEach((s, i) => plan.poolIdOf[i] !== null && poolOfCategory.set(s.categoryId, plan.poolIdOf[i]!));
  const assigned = new Map<string, number[]>(plan.pools.map((pool) => [pool.poolId, []]));
  const inactive: number[] = [];
  sellers.forEach((s, i) => {
    if (!wanted(i)) return;
    const poolId = plan.poolIdOf[i] ?? poolOfCategory.get(s.categoryId);
    (poolId ? assigned.get(poolId)! : inactive).push(i);
  });
  const shards: Shard[] = plan.pools
    .map((pool) => ({ shardId: pool.poolId, pool, sellers: assigned.get(pool.poolId)! }))
    .filter((shard) => shard.sellers.length > 0);
  if (inactive.length > 0) shards.push({ shardId: 'inactive', pool: null, sellers: inactive });
  return shards;
}

/** The window grades of a shard's sellers: its pool scored in full; its sellers outside the pool inactive. */
function shardGrades(shard: Shard, scoring: TotalsMatrix, previousGmvCents: Float64Array, windowDays: number, policy: Policy): [number, WindowGrade][] {
  const wanted = new Set(shard.sellers);
  const graded = shard.pool ? gradePool(shard.pool, scoring, previousGmvCents, windowDays, policy, (s) => wanted.has(s)) : new Map<number, WindowGrade>();
  return shard.sellers.map((s): [number, WindowGrade] => [s, graded.get(s) ?? INACTIVE]);
}

export { planShards, shardGrades };
export type { Shard };
