/** What pooling needs to know of a seller in one window (SPEC §5.1). */
interface PoolCandidate {
  sellerId: string;
  categoryId: string;
  parentId: string;
  scorable: boolean;
}

/** A pool: every member feeds its statistics; only `assigned` sellers take their grade from it. */
interface Pool {
  poolId: string;
  members: number[];
  assigned: number[];
}

interface PoolPlan {
  pools: Pool[];
  /** per seller index: its pool id, or null when inactive */
  poolIdOf: (string | null)[];
}

/**
 * Assigns each scorable seller to its category pool when the category has at least `minSize`
 * scorable sellers, else to all scorable sellers under its parent when they are enough, else to
 * all scorable sellers (SPEC §5.1). Returns only pools that grade at least one seller.
 */
function planPools(candidates: PoolCandidate[], minSize: number): PoolPlan {
  const byCategory = new Map<string, number[]>();
  const byParent = new Map<string, number[]>();
  const everyone: number[] = [];
  candidates.forEach((c, i) => {
    if (!c.scorable) return;
    push(byCategory, c.categoryId, i);
    push(byParent, c.parentId, i);
    everyone.push(i);
  });
  // members in sellerId order: a pool's sums then come out bit for bit the same whatever order the
  // sellers were read in (a file, a table scan, a shard)
  const bySellerId = (a: number, b: number) =>
    candidates[a]!.sellerId < candidates[b]!.sellerId ? -1 : candidates[a]!.sellerId > candidates[b]!.sellerId ? 1 : 0;
  for (const list of [...byCategory.values(), ...byParent.values(), everyone]) list.sort(bySellerId);
  const pools = new Map<string, Pool>();
  const poolIdOf: (string | null)[] = candidates.map(() => null);
  candidates.forEach((c, i) => {
    if (!c.scorable) return;
    const category = byCategory.get(c.categoryId)!;
    const parent = byParent.get(c.parentId)!;
    const [poolId, members] =
      category.length >= minSize ? [`cat:${c.categoryId}`, category] : parent.length >= minSize ? [`parent:${c.parentId}`, parent] : ['global', everyone];
    let pool = pools.get(poolId);
    if (!pool) pools.set(poolId, (pool = { poolId, members, assigned: [] }));
    pool.assigned.push(i);
    poolIdOf[i] = poolId;
  });
  return { pools: [...pools.values()], poolIdOf };
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export { planPools };
export type { Pool, PoolCandidate, PoolPlan };
