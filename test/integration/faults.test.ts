import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchPut, RequestStats } from '../../functions/data/batch';
import { GradesRepository } from '../../functions/data/gradesRepository';
import { RunsRepository } from '../../functions/data/runsRepository';
import { runJob, type RunRequest } from '../../functions/jobs/runJob';
import { prepareJob } from '../../lib/evaluateJob';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { GradeRecord } from '../../lib/records';
import { importMarket, smallMarket } from '../helpers/fixtures';
import { gradesStream, localStore } from '../helpers/localStore';

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
    const items = Array.from({ length: 20 }, (_, i) => ({ jobPeriod: 'fault#test', item: `i${i}` }));
    await batchPut(flaky, env.store.tables.runs, items, stats);
    expect(calls).toBe(2);
    expect(stats.retries).toBe(1);
    expect(stats.itemsWritten).toBe(20);
    const runs = await env.store.doc.send(new (await import('@aws-sdk/lib-dynamodb')).QueryCommand({
      TableName: env.store.tables.runs, KeyConditionExpression: 'jobPeriod = :p', ExpressionAttributeValues: { ':p': 'fault#test' },
    }));
    expect(runs.Count).toBe(20);
  });
});

describe('a run that died part-way', () => {
  it('is finished by the next attempt with the outcome of a clean run', async () => {
    const stream = await gradesStream(env.store, env.embedded.endpoint);
    await stream.drain();
    const request: RunRequest = { job: 'monthly', period: '2026-07', trigger: 'schedule', requestedBy: 'scheduler', reason: 'scheduled', asOf: '2026-07-02', runId: 'schedule-monthly-2026-07' };
    // The first attempt dies at its third batch write to the grades table.
    let gradeWrites = 0;
    const real = env.store.doc;
    const dying = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: { input?: { RequestItems?: Record<string, unknown> } }) => {
          if (command instanceof BatchWriteCommand && command.input.RequestItems?.[env.store.tables.grades] && ++gradeWrites === 3) {
            throw new Error('Lambda timed out');
          }
          return real.send(command as never);
        };
      },
    });
    await expect(runJob(request, { ...env.deps, store: { ...env.store, doc: dying }, concurrency: 1 })).rejects.toThrow('Lambda timed out');
    const failed = await new RunsRepository(env.store).get('monthly', '2026-07', request.runId);
    expect(failed?.status).toBe('failed');

    const second = await runJob(request, { ...env.deps, concurrency: 1 });
    expect(second.state).toBe('succeeded');
    expect(second.run.attempts).toBe(2);
    const third = await runJob(request, env.deps);
    expect(third.state).toBe('alreadyDone');

    const prepared = prepareJob('monthly', '2026-07', { categories: m.market.categories, sellers: m.market.sellers }, DEFAULT_POLICY, 'clean');
    for (const row of m.rows) prepared.addMetricRow(row);
    const clean = [...prepared.records()];
    const stored = await new GradesRepository(env.store).getMany(clean.map((r) => ({ sellerId: r.sellerId, sk: `${r.kind}#2026-07` })));
    const strip = (r: GradeRecord): GradeRecord => ({ ...r, runId: 'any' });
    expect(stored.map(strip).sort(order)).toEqual(clean.map(strip).sort(order));
    // every record reached the stream exactly once: no duplicate inserts from the second attempt
    const changes = (await stream.drain()).filter((c) => c.newRecord?.kind !== 'status');
    expect(changes).toHaveLength(clean.length);
    stream.close();
  });
});

function order(a: GradeRecord, b: GradeRecord): number {
  return `${a.sellerId}|${a.kind}` < `${b.sellerId}|${b.kind}` ? -1 : 1;
}
