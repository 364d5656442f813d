import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { HandlerDependencies } from '../../functions/environment';
import { LocalQueue } from '../../functions/local/localQueue';
import { localFanOut } from '../../functions/local/simulate';

const fast = { visibilityTimeoutMs: 60, invocationTimeoutMs: 50, maxReceiveCount: 3, batchSize: 3, concurrency: 2 };

describe('the local queue (SQS semantics)', () => {
  it('delivers every message in SQS-shaped batches, at most `concurrency` invocations at once', async () => {
    let running = 0;
    let most = 0;
    const seen: string[] = [];
    const queue = new LocalQueue(
      'q',
      async (event: SQSEvent) => {
        most = Math.max(most, ++running);
        expect(event.Records.length).toBeLessThanOrEqual(3);
        for (const r of event.Records) {
          expect(r.eventSource).toBe('aws:sqs');
          expect(r.attributes.ApproximateReceiveCount).toBe('1');
          seen.push(r.body);
        }
        await new Promise((r) => setTimeout(r, 5));
        running--;
      },
      fast,
    );
    queue.send(Array.from({ length: 20 }, (_, i) => `m${i}`));
    await queue.drain();
    expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    expect(most).toBe(2);
    expect(queue.stats).toMatchObject({ sent: 20, deliveries: 20, redeliveries: 0, deleted: 20, deadLettered: 0 });
  });

  it('delivers a reported failure again after the visibility timeout, then dead-letters it after maxReceiveCount', async () => {
    const receipts: number[] = [];
    const queue = new LocalQueue(
      'q',
      async (event: SQSEvent) => {
        const failures = event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId }));
        for (const r of event.Records) if (r.body === 'poison') receipts.push(Date.now());
        return { batchItemFailures: failures };
      },
      fast,
    );
    queue.send(['ok-1', 'poison', 'ok-2']);
    await queue.drain();
    expect(receipts).toHaveLength(3);
    // each redelivery waited out the visibility timeout
    expect(receipts[1]! - receipts[0]!).toBeGreaterThanOrEqual(55);
    expect(queue.deadLetters.map((m) => m.body)).toEqual(['poison']);
    expect(queue.stats).toMatchObject({ deleted: 2, deadLettered: 1, redeliveries: 2 });
  });

  it('fails a whole batch when the invocation throws or times out, and delivers it again', async () => {
    let calls = 0;
    const queue = new LocalQueue(
      'q',
      async () => {
        calls++;
        if (calls === 1) throw new Error('crash');
        if (calls === 2) await new Promise(() => {}); // a worker that hangs until its timeout
        return { batchItemFailures: [] };
      },
      { ...fast, batchSize: 10 },
    );
    queue.send(['a', 'b']);
    await queue.drain();
    expect(calls).toBe(3);
    expect(queue.stats).toMatchObject({ failedInvocations: 2, redeliveries: 4, deleted: 2, deadLettered: 0 });
  });

  it('delivers a message again while its first delivery still runs past the visibility timeout, and ignores the stale delete', async () => {
    const bodies: string[] = [];
    let first = true;
    const queue = new LocalQueue(
      'q',
      async (event: SQSEvent) => {
        bodies.push(...event.Records.map((r) => `${r.body}@${r.attributes.ApproximateReceiveCount}`));
        if (first) {
          first = false;
          await new Promise((r) => setTimeout(r, 120));
        }
      },
      { ...fast, visibilityTimeoutMs: 30, invocationTimeoutMs: 500 },
    );
    queue.send(['slow']);
    await queue.drain();
    expect(bodies).toEqual(['slow@1', 'slow@2']);
    expect(queue.stats).toMatchObject({ deleted: 1, redeliveries: 1 });
  });

  it("refuses, for the local fan-out, a visibility timeout that a timed-out worker's shard claims would outlast", () => {
    const deps = {} as HandlerDependencies;
    // a worker of 50 s holds its shards until 5 s past its deadline (functions/jobs/invocationFence.ts)
    expect(() => localFanOut(deps, { invocationTimeoutMs: 50_000, visibilityTimeoutMs: 55_000 })).toThrow(/visibilityTimeoutMs \(55000\) must exceed 55000 ms/);
    expect(() => localFanOut(deps, { invocationTimeoutMs: 5_000, visibilityTimeoutMs: 5_500 })).toThrow(/must exceed 9000 ms/);
    localFanOut(deps).queue.close();
  });
});
