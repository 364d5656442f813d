import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../functions/data/store';
import { runJob, type RunRequest } from '../../functions/jobs/runJob';
import { importMarket, smallMarket } from '../helpers/fixtures';
import { gradesStream, memoryStore } from '../helpers/localStore';

// 40 categories of 3 sellers: a quarterly run of 40 shards in one write group, whose finished
// markers take two batch writes (25 items each at most)
const base = smallMarket(120, '2026-03-01', '2026-07-10', 29);
const categories = Array.from({ length: 40 }, (_, i) => ({
  ...base.market.categories[i % base.market.categories.length]!,
  categoryId: `k-${String(i).padStart(2, '0')}`,
}));
const m = {
  ...base,
  market: { ...base.market, categories, sellers: base.market.sellers.map((s, i) => ({ ...s, categoryId: categories[i % 40]!.categoryId })) },
};
let env: Awaited<ReturnType<typeof memoryStore>>;

beforeAll(async () => {
  env = await memoryStore();
  await importMarket(env.store, m);
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

/** The store with the n-th batch write of finished shard markers failing: a crash between a group's marker batches. */
function failingMarkerBatch(store: Store, n: number): Store {
  let batches = 0;
  const doc = new Proxy(store.doc, {
    get(target, name, receiver) {
      if (name !== 'send') return Reflect.get(target, name, receiver);
      return async (command: unknown) => {
        const items = command instanceof BatchWriteCommand ? (command.input.RequestItems?.[store.tables.runs] ?? []) : [];
        if (items.some((i) => String(i.PutRequest?.Item?.item).startsWith('shard#')) && ++batches === n)
          throw new Error('worker killed between marker batches');
        return target.send(command as never);
      };
    },
  });
  return { ...store, doc };
}

describe('a run that dies between the batch writes of a write group’s finished markers', () => {
  it('is resumed with the counts of a clean run: each shard counts what it wrote, once', async () => {
    const stream = await gradesStream(env.store, env.embedded.endpoint);
    await stream.drain();
    const request: RunRequest = {
      job: 'quarterly',
      period: '2026-Q2',
      trigger: 'schedule',
      requestedBy: 'scheduler',
      reason: 'scheduled',
      asOf: '2026-07-10',
      runId: 'schedule-quarterly-2026-Q2',
    };
    await expect(runJob(request, { ...env.deps, store: failingMarkerBatch(env.store, 2) })).rejects.toThrow('worker killed between marker batches');
    const resumed = await runJob(request, env.deps);
    expect(resumed.state).toBe('succeeded');
    expect(resumed.run.attempts).toBe(2);
    expect(resumed.run.shards).toBe(40);
    const changes = await stream.drain();
    // a fresh quarter: every assessment and every seller's status is new
    expect(changes.filter((c) => c.newRecord?.kind === 'merchantAssessment')).toHaveLength(120);
    expect(resumed.run.counts).toMatchObject({ sellers: 120, written: changes.length, unchanged: 0, failed: 0 });
    stream.close();
  }, 120_000);
});
