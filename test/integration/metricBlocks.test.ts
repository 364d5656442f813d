import { deflateRawSync } from 'node:zlib';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsRepository, windowSums } from '../../functions/data/metricsRepository';
import { ReferenceRepository } from '../../functions/data/referenceRepository';
import { assignBlocks, importData } from '../../functions/jobs/importData';
import { F, FIELD_COUNT } from '../../lib/metrics';
import { DEFAULT_POLICY } from '../../lib/policy';
import { localStore } from '../helpers/localStore';
import { metricRow } from '../lib/fixtures';

let env: Awaited<ReturnType<typeof localStore>>;
const categories = [{ categoryId: 'shoes', parentId: 'fashion', name: 'Shoes' }];
const sellers = [{ sellerId: 's1', categoryId: 'shoes', storeType: 'official', openedOn: '2025-01-01' }];
const orders = (sellerId: string, date: string, orders: number) => metricRow(sellerId, date, { orders });
const importRows = async (rows: unknown[]) =>
  expect(
    (await importData(env.store, { categories, sellers, metrics: rows }, { policy: DEFAULT_POLICY, importId: 'test', now: '2026-05-01T00:00:00Z' }))
      .quarantined,
  ).toBe(0);

/** s1's orders over a window, as a job computes it (with the reference revision it read). */
async function ordersIn(start: string, end: string): Promise<number> {
  const { revision, sellers: stored } = await new ReferenceRepository(env.store).snapshot();
  const seller = stored.find((s) => s.sellerId === 's1')!;
  const cumulative = await new MetricsRepository(env.store).cumulativeAt([seller.block], [end, addDay(start, -1)], revision);
  const out = new Float64Array(FIELD_COUNT);
  windowSums(cumulative, seller, { start, end }, out);
  return out[F.orders]!;
}

function addDay(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

beforeAll(async () => {
  env = await localStore();
});

afterAll(async () => {
  await env?.stop();
});

describe('window sums over cumulative metric blocks', () => {
  it("reads zeros before a block's first date, carries the last totals past its last date, and sees rows imported earlier than it later", async () => {
    await importRows([orders('s1', '2026-03-01', 2), orders('s1', '2026-03-02', 3), orders('s1', '2026-03-31', 5)]);
    expect(await ordersIn('2026-01-01', '2026-02-28')).toBe(0);
    expect(await ordersIn('2026-02-01', '2026-03-02')).toBe(5);
    expect(await ordersIn('2026-03-02', '2026-04-15')).toBe(8);
    // a backfill before the block's first date moves the revision: the earlier window is read again
    await importRows([orders('s1', '2026-02-10', 7)]);
    expect(await ordersIn('2026-01-01', '2026-02-28')).toBe(7);
    expect(await ordersIn('2026-02-01', '2026-03-02')).toBe(12);
    expect(await ordersIn('2026-03-02', '2026-04-15')).toBe(8);
  });

  it("keeps blocks' first dates of two revisions read alternately (the seller jobs' and the growth job's): no query per block again", async () => {
    await importRows([orders('s1', '2026-03-01', 2)]);
    const { revision, sellers: stored } = await new ReferenceRepository(env.store).snapshot();
    const metrics = new MetricsRepository(env.store);
    const read = async (key: number | string) => {
      const before = env.store.stats.requests;
      await metrics.cumulativeAt([stored[0]!.block], ['2026-03-05'], key);
      return env.store.stats.requests - before;
    };
    await read(revision);
    await read(`${revision}.growth`);
    // one BatchGetItem each, the first dates kept for both
    expect(await read(revision)).toBe(1);
    expect(await read(`${revision}.growth`)).toBe(1);
  });

  it('keeps totals beyond 32 bits exact', async () => {
    await importRows([metricRow('s1', '2026-04-01', { gmvCents: 2 ** 40 + 3 }), metricRow('s1', '2026-04-02', { gmvCents: 2 ** 45 + 5 })]);
    const { sellers: stored } = await new ReferenceRepository(env.store).snapshot();
    const blocks = await new MetricsRepository(env.store).blockFrom(stored[0]!.block, '2026-04-01');
    expect(blocks.map((b) => b.cum[F.gmvCents])).toEqual([2 ** 40 + 3, 2 ** 40 + 2 ** 45 + 8]);
    expect(blocks.map((b) => b.daily?.[F.gmvCents])).toEqual([2 ** 40 + 3, 2 ** 45 + 5]);
  });

  it('reads a block item written as deflated doubles, before the varint encoding', async () => {
    const cum = new Float64Array(FIELD_COUNT);
    cum[F.orders] = 41;
    await env.store.doc.send(
      new PutCommand({
        TableName: env.store.tables.metrics,
        Item: { block: 'legacy#000', date: '2026-01-31', slots: 1, cum: deflateRawSync(new Uint8Array(cum.buffer), { level: 1 }) },
      }),
    );
    const found = await new MetricsRepository(env.store).cumulativeAt(['legacy#000'], ['2026-02-03']);
    expect(found.get('legacy#000|2026-02-03')?.[F.orders]).toBe(41);
  });
});

describe('metric blocks and daily-score packs', () => {
  const profile = (sellerId: string, categoryId: string) => ({ sellerId, categoryId, storeType: 'official' as const, openedOn: '2025-01-01' });

  it('fills blocks of 256 sellers across categories and packs of 256 sellers within one', () => {
    const incoming = Array.from({ length: 600 }, (_, i) => profile(`s${i}`, i < 300 ? 'shoes' : `c${i % 3}`));
    const stored = assignBlocks([], incoming);
    const count = (key: (s: (typeof stored)[number]) => string) => [
      ...stored.reduce((m, s) => m.set(key(s), (m.get(key(s)) ?? 0) + 1), new Map<string, number>()),
    ];
    expect(count((s) => s.block)).toEqual([
      ['block-0000', 256],
      ['block-0001', 256],
      ['block-0002', 88],
    ]);
    expect(count((s) => s.pack)).toEqual([
      ['shoes#000', 256],
      ['shoes#001', 44],
      ['c0#000', 100],
      ['c1#000', 100],
      ['c2#000', 100],
    ]);
    expect(new Set(stored.map((s) => `${s.block}|${s.slot}`)).size).toBe(600);
  });

  it("keeps a known seller's place, and moves only its pack when its category changed", () => {
    const [a, b] = assignBlocks([], [profile('a', 'shoes'), profile('b', 'shoes')]);
    const again = assignBlocks([a!, b!], [profile('a', 'shoes'), profile('b', 'bags'), profile('c', 'shoes')]);
    expect(again.map((s) => [s.sellerId, s.block, s.slot, s.pack])).toEqual([
      ['a', 'block-0000', 0, 'shoes#000'],
      ['b', 'block-0000', 1, 'bags#000'],
      ['c', 'block-0000', 2, 'shoes#000'],
    ]);
  });

  it('leaves blocks of the earlier one-category naming to their sellers', () => {
    const legacy = { ...profile('old', 'shoes'), block: 'shoes#000', slot: 0, pack: 'shoes#000' };
    const [kept, added] = assignBlocks([legacy], [profile('old', 'shoes'), profile('new', 'shoes')]);
    expect(kept).toMatchObject({ block: 'shoes#000', slot: 0, pack: 'shoes#000' });
    expect(added).toMatchObject({ block: 'block-0000', slot: 0, pack: 'shoes#000' });
  });
});
