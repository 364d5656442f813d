import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { SHARD_RECEIVES } from '../dispatch';

/** What the SQS event source mapping and the queue in infra/ do, with times a laptop can wait for. */
interface LocalQueueOptions {
  /** a received message stays hidden this long; not deleted by then, it is delivered again */
  visibilityTimeoutMs: number;
  /** a message received this many times without success moves to the dead-letter queue */
  maxReceiveCount: number;
  /** messages per invocation (the event source mapping's batch size) */
  batchSize: number;
  /** invocations at once (the mapping's maximum concurrency) */
  concurrency: number;
  /** an invocation still running after this long is treated as timed out (its messages fail) */
  invocationTimeoutMs: number;
}

/**
 * As in infra/constructs/jobs.ts (3 receives), with shorter times: a failed shard comes back after
 * a minute, not after AWS's six function timeouts. The visibility timeout stays above the
 * invocation timeout plus the tenth its shard claims outlast it (functions/jobs/invocationFence.ts),
 * so a live invocation's messages are never delivered twice, and a redelivery finds the shards of
 * a timed-out one free. Batches of 10:
 * AWS's batch of 5 is sized for its timeout at a million sellers; local shards are small, and
 * each invocation costs a round of run bookkeeping.
 */
const DEFAULT_OPTIONS: LocalQueueOptions = {
  visibilityTimeoutMs: 60_000,
  maxReceiveCount: SHARD_RECEIVES,
  batchSize: 10,
  concurrency: 4,
  invocationTimeoutMs: 50_000,
};

interface QueuedMessage {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt: number | null;
  /** hidden until then (ms since epoch); 0 when never received */
  visibleAt: number;
  /** the delivery that may delete it (a receipt handle goes stale on redelivery) */
  receipt: number;
}

interface QueueStats {
  sent: number;
  deliveries: number;
  /** deliveries of a message that had been delivered before */
  redeliveries: number;
  deleted: number;
  deadLettered: number;
  invocations: number;
  failedInvocations: number;
}

/** The handler, given the event and the time its invocation must end by (ms since epoch). */
type BatchHandler = (event: SQSEvent, deadline: number) => Promise<unknown>;

/**
 * An in-process queue with SQS's semantics, feeding a Lambda-style handler SQS-shaped events:
 * at-least-once delivery, a visibility timeout (a message not deleted in time comes back, even
 * while its first delivery still runs), partial batch failures, `maxReceiveCount` then a
 * dead-letter queue, and a concurrency limit. `drain()` resolves when every message is deleted or
 * dead-lettered.
 */
class LocalQueue {
  readonly stats: QueueStats = { sent: 0, deliveries: 0, redeliveries: 0, deleted: 0, deadLettered: 0, invocations: 0, failedInvocations: 0 };
  readonly deadLetters: QueuedMessage[] = [];
  private readonly messages = new Map<string, QueuedMessage>();
  private readonly options: LocalQueueOptions;
  private running = 0;
  private receipts = 0;
  private timer: NodeJS.Timeout | null = null;
  private idle: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly handler: BatchHandler,
    options: Partial<LocalQueueOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  send(bodies: string[]): void {
    for (const body of bodies) {
      const messageId = randomUUID();
      this.messages.set(messageId, { messageId, body, sentAt: Date.now(), receiveCount: 0, firstReceivedAt: null, visibleAt: 0, receipt: 0 });
    }
    this.stats.sent += bodies.length;
    this.pump();
  }

  /** Messages not yet deleted nor dead-lettered. */
  get depth(): number {
    return this.messages.size;
  }

  /** Resolves once the queue is empty and no invocation runs. */
  drain(): Promise<void> {
    if (this.messages.size === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    const now = Date.now();
    while (this.running < this.options.concurrency) {
      const batch = this.receive(now);
      if (batch.length === 0) break;
      this.running++;
      void this.invoke(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
    this.schedule(now);
    if (this.messages.size === 0 && this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Up to a batch of visible messages, hidden from now on for the visibility timeout. */
  private receive(now: number): { message: QueuedMessage; receipt: number }[] {
    const batch: { message: QueuedMessage; receipt: number }[] = [];
    for (const message of this.messages.values()) {
      if (batch.length >= this.options.batchSize) break;
      if (message.visibleAt > now) continue;
      if (message.receiveCount >= this.options.maxReceiveCount) {
        // received too often without success: the redrive policy moves it on its next receive
        this.messages.delete(message.messageId);
        this.deadLetters.push(message);
        this.stats.deadLettered++;
        continue;
      }
      if (message.receiveCount > 0) this.stats.redeliveries++;
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.options.visibilityTimeoutMs;
      message.receipt = ++this.receipts;
      this.stats.deliveries++;
      batch.push({ message, receipt: message.receipt });
    }
    return batch;
  }

  /** Wakes up when the next hidden message becomes visible again. */
  private schedule(now: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let next = Infinity;
    for (const m of this.messages.values()) if (m.visibleAt > now) next = Math.min(next, m.visibleAt);
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.pump(), next - now + 1);
  }

  private async invoke(batch: { message: QueuedMessage; receipt: number }[]): Promise<void> {
    this.stats.invocations++;
    const event: SQSEvent = { Records: batch.map(({ message }) => this.record(message)) };
    let failed: Set<string>;
    try {
      // a handler that returns nothing succeeded with every message, as with Lambda
      const response = (await withTimeout(this.handler(event, Date.now() + this.options.invocationTimeoutMs), this.options.invocationTimeoutMs)) as
        | SQSBatchResponse
        | undefined;
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      // the invocation failed as a whole (an error, a crash, a timeout): every message of it comes back
      this.stats.failedInvocations++;
      failed = new Set(batch.map(({ message }) => message.messageId));
    }
    for (const { message, receipt } of batch) {
      if (failed.has(message.messageId)) continue;
      // a delete with a stale receipt handle (the message was delivered again meanwhile) does nothing
      if (this.messages.get(message.messageId)?.receipt !== receipt) continue;
      this.messages.delete(message.messageId);
      this.stats.deleted++;
    }
  }

  private record(message: QueuedMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receipt}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${this.name}`,
      awsRegion: 'local',
    };
  }

  /** Counts another queue's traffic and dead letters as this one's: the lanes of a simulation report as one queue. */
  absorb(other: LocalQueue): void {
    for (const key of Object.keys(this.stats) as (keyof QueueStats)[]) this.stats[key] += other.stats[key];
    this.deadLetters.push(...other.deadLetters);
  }

  /** Stops the wake-up timer (the queue can be dropped with messages still in it). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`invocation timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export { DEFAULT_OPTIONS as LOCAL_QUEUE_DEFAULTS, LocalQueue };
export type { LocalQueueOptions, QueueStats, QueuedMessage };
