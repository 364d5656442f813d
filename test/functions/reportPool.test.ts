import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packCount, POOL_PACKS, poolOfPacks } from '../../functions/reportPools';
import { DailyScorePacks } from '../../functions/data/dailyScorePacks';
import type { DailyScoreRecord } from '../../lib/records';
import { ABILITY_ORDER } from '../../lib/report';
import { smallMarket } from '../helpers/fixtures';
import { scoredRecords } from '../helpers/gradeRecords';
import { memoryStore } from '../helpers/localStore';

let env: Awaited<ReturnType<typeof memoryStore>>;
const DATE = '2026-07-31';
const template = (await scoredRecords(smallMarket(40, '2026-05-01', '2026-07-31', 2), { months: [], day: DATE })).find(
  (r): r is DailyScoreRecord => r.kind === 'dailyScore' && r.abilities !== null,
)!;
/** A seller of pack n of category c-big: every ability is n, so a pack's mean says which packs were read. */
const member = (n: number, i: number): DailyScoreRecord => ({
  ...template,
  sellerId: `s-${n}-${i}`,
  categoryId: 'c-big',
  poolId: 'cat:c-big',
  abilities: Object.fromEntries(ABILITY_ORDER.map((a) => [a, n])) as DailyScoreRecord['abilities'],
});
const pack = (n: number) => `c-big#${String(n).padStart(3, '0')}`;

beforeAll(async () => {
  env = await memoryStore();
  const records = Array.from({ length: 20 }, (_, n) => Array.from({ length: n === 19 ? 10 : 256 }, (_, i) => member(n, i))).flat();
  await new DailyScorePacks(env.store).writeChanged(records, (id) => pack(Number(id.split('-')[1])), {
    knownAbsent: true,
    now: '2026-08-01T00:00:00Z',
    runId: 'test',
  });
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

describe('a seller page’s pool means, from the pool’s packs of daily scores', () => {
  it('reads at most POOL_PACKS packs spread evenly over a larger pool, found in a few probes, and names the sample and the pool’s size', async () => {
    env.store.stats.requests = 0;
    const pool = await poolOfPacks(env.store, 'cat:c-big', DATE, []);
    const picked = Array.from({ length: POOL_PACKS }, (_, i) => Math.floor((i * 20) / POOL_PACKS));
    const sizes = picked.map((n) => (n === 19 ? 10 : 256));
    expect(pool?.sampled).toBe(sizes.reduce((a, b) => a + b, 0));
    // every pack read was full: the pool's size is what its packs hold
    expect(pool?.members).toBe(19 * 256 + 10);
    const mean = picked.reduce((s, n, i) => s + n * sizes[i]!, 0) / pool!.sampled;
    for (const m of pool!.means) expect(m).toBeCloseTo(mean, 1);
    expect(env.store.stats.requests).toBeLessThanOrEqual(3 + POOL_PACKS / 4);
  });

  it('reads the whole pool when it spans POOL_PACKS packs or fewer', async () => {
    const records = Array.from({ length: 300 }, (_, i) => ({
      ...member(i < 256 ? 1 : 4, i),
      categoryId: 'c-small',
      poolId: 'cat:c-small',
      sellerId: `t-${i}`,
    }));
    await new DailyScorePacks(env.store).writeChanged(records, (id) => `c-small#${String(Math.floor(Number(id.slice(2)) / 256)).padStart(3, '0')}`, {
      knownAbsent: true,
      now: '2026-08-01T00:00:00Z',
      runId: 'test',
    });
    const pool = await poolOfPacks(env.store, 'cat:c-small', DATE, []);
    expect(pool).toMatchObject({ members: 300, sampled: 300 });
    expect(pool!.means[0]).toBeCloseTo((256 * 1 + 44 * 4) / 300, 1);
  });

  it('counts a category’s packs, however many, in a few probes', async () => {
    const sizes = { 'c-one': 1, 'c-17': 17, 'c-64': 64, 'c-65': 65, 'c-1100': 1100 };
    const records = Object.entries(sizes).flatMap(([c, n]) => Array.from({ length: n }, (_, i) => ({ ...member(1, i), sellerId: `${c}-${i}`, categoryId: c })));
    await new DailyScorePacks(env.store).writeChanged(
      records,
      (id) => `${id.slice(0, id.lastIndexOf('-'))}#${String(Number(id.slice(id.lastIndexOf('-') + 1))).padStart(3, '0')}`,
      {
        knownAbsent: true,
        now: '2026-08-01T00:00:00Z',
        runId: 'test',
      },
    );
    const packs = new DailyScorePacks(env.store);
    expect(await packCount(packs, 'c-none', DATE)).toEqual({ packs: 0, scores: 0 });
    for (const [c, n] of Object.entries(sizes)) {
      env.store.stats.requests = 0;
      expect(await packCount(packs, c, DATE)).toEqual({ packs: n, scores: (n - 1) * 256 + 1 });
      expect(env.store.stats.requests).toBeLessThanOrEqual(5);
    }
  });
});
