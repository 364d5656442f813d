import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchPut, RequestStats } from '../../functions/data/batch';
import { GradesRepository } from '../../functions/data/gradesRepository';
import { RunsRepository } from '../../functions/data/runsRepository';
import { runJob, type RunRequest } from '../../functions/jobs/runJob';
import { importData } from '../../functions/jobs/importData';
import { MetricsRepository } from '../../functions/data/metricsRepository';
import { ReferenceRepository } from '../../functions/data/referenceRepository';
import { loadJobData } from '../../functions/jobs/jobData';
import { jobWindows } from '../../lib/jobs';
import { FIELD_COUNT, METRIC_FIELDS } from '../../lib/metrics';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { GradeRecord } from '../../lib/records';
import { importMarket, smallMarket } from '../helpers/fixtures';
import { gradesStream, localStore } from '../helpers/localStore';
import { scoreLines } from '../helpers/offlineJob';

const m = smallMarket(140, '2026-03-01', '2026-07-31', 5);
let env: Awaited<ReturnType<typeof localStore>>;

beforeAll(async () => {
  env = await localStore();
  await importMarket(env.store, m);
});

afterAll(async () => {
  await env?.stop();
});

describe('batched writes', () => {
  it('retries unprocessed items with backoff until every item is written', async () => {
    // A real server does not throttle on demand: this client hands back half of each batch once.
    let calls = 0;
    const real = env.store.doc;
    const flaky = {
      send: async (command: BatchWriteCommand) => {
        calls++;
        const requests = command.input.RequestItems![env.store.tables.runs]!;
        if (calls === 1) {
          const half = requests.slice(0, Math.floor(requests.length / 2));
          await real.send(new BatchWriteCommand({ RequestItems: { [env.store.tables.runs]: half } }));
          return { UnprocessedItems: { [env.store.tables.runs]: requests.slice(half.length) } };
        }
        return real.send(command);
      },
    } as unknown as DynamoDBDocumentClient;
    const stats = new RequestStats();
    const written = env.store.stats.itemsWritten;
    const items = Array.from({ length: 20 }, (_, i) => ({ jobPeriod: 'fault#test', item: `i${i}` }));
    await batchPut(flaky, env.store.tables.runs, items, stats);
    expect(calls).toBe(2);
    expect(stats.retries).toBe(1);
    expect(env.store.stats.itemsWritten - written).toBe(20);
    const runs = await env.store.doc.send(
      new (await import('@aws-sdk/lib-dynamodb')).QueryCommand({
        TableName: env.store.tables.runs,
        KeyConditionExpression: 'jobPeriod = :p',
        ExpressionAttributeValues: { ':p': 'fault#test' },
      }),
    );
    expect(runs.Count).toBe(20);
  });
});

describe('a run that died part-way', () => {
  it('is finished by the next attempt with the outcome of a clean run', async () => {
    const stream = await gradesStream(env.store, env.embedded.endpoint);
    await stream.drain();
    const request: RunRequest = {
      job: 'monthly',
      period: '2026-07',
      trigger: 'schedule',
      requestedBy: 'scheduler',
      reason: 'scheduled',
      asOf: '2026-07-02',
      runId: 'schedule-monthly-2026-07',
    };
    // The first attempt dies at its third batch write to the grades table.
    const dying = failingBatchWrite(env.store.doc, env.store.tables.grades, 3, 'Lambda timed out');
    await expect(runJob(request, { ...env.deps, store: { ...env.store, doc: dying }, concurrency: 1 })).rejects.toThrow('Lambda timed out');
    const failed = await new RunsRepository(env.store).get('monthly', '2026-07', request.runId);
    expect(failed?.status).toBe('failed');

    const second = await runJob(request, { ...env.deps, concurrency: 1 });
    expect(second.state).toBe('succeeded');
    expect(second.run.attempts).toBe(2);
    const third = await runJob(request, env.deps);
    expect(third.state).toBe('alreadyDone');

    const { records: clean } = await scoreLines('monthly', '2026-07', { categories: m.market.categories, sellers: m.market.sellers, metrics: m.rows });
    const stored = await new GradesRepository(env.store).getMany(clean.map((r) => ({ sellerId: r.sellerId, sk: `${r.kind}#2026-07` })));
    const strip = (r: GradeRecord): GradeRecord => ({ ...r, runId: 'any' });
    expect(stored.map(strip).sort(order)).toEqual(clean.map(strip).sort(order));
    // every record reached the stream exactly once: no duplicate inserts from the second attempt
    const all = await stream.drain();
    const changes = all.filter((c) => c.newRecord?.kind !== 'status');
    expect(changes).toHaveLength(clean.length);
    // the run's count takes in what its dead first attempt wrote
    expect(second.run.counts.written).toBe(all.length);
    stream.close();
  });
});

describe('an import that died part-way', () => {
  it('keeps every running total equal to the sum of the stored days, even when a later import comes first', async () => {
    const target = m.market.sellers[9]!.sellerId;
    const seller = (await new ReferenceRepository(env.store).seller(target))!;
    const bump = (from: string, to: string) =>
      m.rows.filter((r) => r.sellerId === target && r.date >= from && r.date <= to).map((r) => ({ ...r, orders: r.orders + 3, visitors: r.visitors + 30 }));
    const dying = failingBatchWrite(env.store.doc, env.store.tables.metrics, 1, 'connection reset');
    await expect(
      importData(
        { ...env.store, doc: dying },
        { metrics: bump('2026-05-01', '2026-05-31') },
        { policy: DEFAULT_POLICY, importId: 'broken', now: '2026-08-01T00:00:00Z' },
      ),
    ).rejects.toThrow('connection reset');
    await importData(env.store, { metrics: bump('2026-07-20', '2026-07-31') }, { policy: DEFAULT_POLICY, importId: 'later', now: '2026-08-01T00:00:00Z' });
    const items = await new MetricsRepository(env.store).blockFrom(seller.block, '0000-00-00');
    expect(items.length).toBeGreaterThan(100);
    for (let i = 1; i < items.length; i++) {
      const [before, item] = [items[i - 1]!, items[i]!];
      for (let k = 0; k < item.cum.length; k++) expect(item.cum[k], `${item.date}[${k}]`).toBe((before.cum[k] ?? 0) + item.daily![k]!);
    }
  });

  it('leaves no wrong running totals: the next import rebuilds the block in full', async () => {
    const target = m.market.sellers[7]!.sellerId;
    const corrected = m.rows
      .filter((r) => r.sellerId === target && r.date >= '2026-06-01' && r.date <= '2026-06-30')
      .map((r) => ({ ...r, orders: r.orders + 5, gmvCents: r.gmvCents + 9_000, visitors: r.visitors + 50 }));
    const dying = failingBatchWrite(env.store.doc, env.store.tables.metrics, 2, 'connection reset');
    await expect(
      importData({ ...env.store, doc: dying }, { metrics: corrected }, { policy: DEFAULT_POLICY, importId: 'broken', now: '2026-08-01T00:00:00Z' }),
    ).rejects.toThrow('connection reset');
    await importData(env.store, { metrics: corrected }, { policy: DEFAULT_POLICY, importId: 'retry', now: '2026-08-01T00:00:00Z' });

    const fixed = new Map(corrected.map((r) => [`${r.sellerId}|${r.date}`, r]));
    const rows = m.rows.map((r) => fixed.get(`${r.sellerId}|${r.date}`) ?? r);
    const windows = jobWindows('monthly', '2026-07', DEFAULT_POLICY);
    /** A seller's window sums, added up from the rows in the order they come. */
    const sumsOf = (sellerId: string, name: string) => {
      const sums = new Array<number>(FIELD_COUNT).fill(0);
      for (const row of rows) {
        if (row.sellerId !== sellerId || row.date < windows[name]!.start || row.date > windows[name]!.end) continue;
        METRIC_FIELDS.forEach((f, i) => (sums[i]! += row[f]));
      }
      return sums;
    };
    const loaded = await loadJobData(env.store, 'monthly', '2026-07', DEFAULT_POLICY);
    for (const name of ['scoring', 'previous', 'service']) {
      const got = loaded.totals[name]!;
      loaded.sellers.forEach((seller, s) => {
        if (seller.sellerId === m.market.sellers[9]!.sellerId) return; // changed by the test above
        expect(Array.from(got.sums.subarray(s * FIELD_COUNT, (s + 1) * FIELD_COUNT)), `${name} ${seller.sellerId}`).toEqual(sumsOf(seller.sellerId, name));
      });
    }
  });
});

/** A document client that fails the n-th BatchWriteItem on one table: a fault a real server will not produce on demand. */
function failingBatchWrite(real: DynamoDBDocumentClient, table: string, n: number, message: string): DynamoDBDocumentClient {
  let calls = 0;
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: { input?: { RequestItems?: Record<string, unknown> } }) => {
        if (command instanceof BatchWriteCommand && command.input.RequestItems?.[table] && ++calls === n) throw new Error(message);
        return real.send(command as never);
      };
    },
  });
}

function order(a: GradeRecord, b: GradeRecord): number {
  return `${a.sellerId}|${a.kind}` < `${b.sellerId}|${b.kind}` ? -1 : 1;
}
