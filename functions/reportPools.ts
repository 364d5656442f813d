import type { Category } from '../lib/inputs';
import { abilityMeans, type PoolSample } from '../lib/report';
import { chunks, mapLimit } from './data/batch';
import { DailyScorePacks } from './data/dailyScorePacks';
import type { Store } from './data/store';
import { DAILY_SCORE_PACK_SIZE } from './data/tables';

/** Requests in flight while a pool's packs are counted. */
const CONCURRENCY = 16;
/**
 * Packs of daily scores read for a seller page's pool means: the whole pool up to this many (2,048
 * sellers), else as many spread evenly (the mean of 2,048 scores: within ~0.7 points of the pool's).
 */
const POOL_PACKS = 8;

/** The categories whose sellers a pool draws from (lib/pools.ts: `cat:`, `parent:`, `global`). */
function categoriesOfPool(poolId: string, categories: Category[]): string[] {
  if (poolId.startsWith('cat:')) return [poolId.slice(4)];
  if (poolId.startsWith('parent:')) return categories.filter((c) => c.parentId === poolId.slice(7)).map((c) => c.categoryId);
  return categories.map((c) => c.categoryId);
}

/**
 * How many packs of daily scores a category has on a date, and how many scores they hold: packs are
 * named `<categoryId>#<n>` from 0 up and filled to DAILY_SCORE_PACK_SIZE in turn (data-model.md), so
 * a search of 16 probes a round finds the last one reading a few dozen items, not every pack (a read
 * costs a whole item, projection or not).
 */
async function packCount(packs: DailyScorePacks, categoryId: string, date: string): Promise<{ packs: number; scores: number }> {
  const name = (n: number) => `${categoryId}#${String(n).padStart(3, '0')}`;
  const counted = (last: number, size: number) => ({ packs: last + 1, scores: last * DAILY_SCORE_PACK_SIZE + size });
  let base = 0;
  let baseSize = 0;
  let step = 64;
  for (;;) {
    const probes = Array.from({ length: 16 }, (_, i) => base + i * step);
    const found = await packs.sizes(probes.map(name), date);
    const last = probes.findLastIndex((n) => found.has(name(n)));
    if (last === -1) return base === 0 ? { packs: 0, scores: 0 } : counted(base, baseSize);
    [base, baseSize] = [probes[last]!, found.get(name(probes[last]!))!];
    if (step === 1 && last < 15) return counted(base, baseSize);
    if (last < 15) step = Math.max(1, step / 16);
  }
}

/**
 * A pool's means of the seven abilities on a date, from its packs of daily scores: the whole pool if
 * it spans at most POOL_PACKS packs, else POOL_PACKS packs spread evenly over it — a bounded read
 * whatever the pool's size, the sample and the pool's estimated size named on the page.
 */
async function poolOfPacks(
  store: Store,
  poolId: string,
  date: string,
  categories: Category[],
  counted: Map<string, Promise<{ packs: number; scores: number }>> = new Map(),
): Promise<PoolSample | null> {
  const packs = new DailyScorePacks(store);
  const counts = await mapLimit(
    categoriesOfPool(poolId, categories),
    CONCURRENCY,
    async (c) => [c, await (counted.get(c) ?? packCount(packs, c, date))] as const,
  );
  const all = counts.flatMap(([c, n]) => Array.from({ length: n.packs }, (_, i) => `${c}#${String(i).padStart(3, '0')}`));
  const picked = all.length <= POOL_PACKS ? all : Array.from({ length: POOL_PACKS }, (_, i) => all[Math.floor((i * all.length) / POOL_PACKS)]!);
  const read = (await mapLimit(chunks(picked, 4), 4, (group) => packs.poolMembersOf(group, date))).flat();
  const members = read.filter((r) => r.poolId === poolId && r.abilities);
  if (members.length === 0) return null;
  // the pool's share of the scores read, over all the scores its packs hold
  const scores = counts.reduce((a, [, n]) => a + n.scores, 0);
  return {
    means: abilityMeans(members),
    sampled: members.length,
    members: picked.length === all.length ? members.length : Math.round((members.length * scores) / read.length),
  };
}

export { POOL_PACKS, packCount, poolOfPacks };
