import type { Job } from './calendar';
import { gradePool, INACTIVE, planWindowPools, type PoolMembership, type TotalsMatrix, type WindowGrade } from './grading';
import type { Policy } from './policy';
import type { Pool } from './pools';

/**
 * An independent unit of a job: a pool evaluated as a whole (SPEC §5.1), the sellers without a
 * pool, or — for the quarterly job, which has no pools — the sellers of one category.
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
  const shards: Shard[] = plan.pools
    .map((pool) => ({ shardId: pool.poolId, pool, sellers: pool.assigned.filter(wanted) }))
    .filter((shard) => shard.sellers.length > 0);
  const inactive = sellers.flatMap((_, i) => (plan.poolIdOf[i] === null && wanted(i) ? [i] : []));
  if (inactive.length > 0) shards.push({ shardId: 'inactive', pool: null, sellers: inactive });
  return shards;
}

/** The window grades of a shard's sellers: its pool scored in full, or inactive. */
function shardGrades(shard: Shard, scoring: TotalsMatrix, previousGmvCents: Float64Array, windowDays: number, policy: Policy): Iterable<[number, WindowGrade]> {
  if (!shard.pool) return shard.sellers.map((s): [number, WindowGrade] => [s, INACTIVE]);
  const wanted = new Set(shard.sellers);
  return gradePool(shard.pool, scoring, previousGmvCents, windowDays, policy, (s) => wanted.has(s));
}

export { planShards, shardGrades };
export type { Shard };
