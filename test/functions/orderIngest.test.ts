import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { score } from '../../bin/cli/score';
import { GradesRepository } from '../../functions/data/gradesRepository';
import { ComplianceRepository } from '../../functions/data/complianceRepository';
import { OrdersRepository } from '../../functions/data/ordersRepository';
import { importData } from '../../functions/jobs/importData';
import { handleOperatorRequest } from '../../functions/operator';
import { queryAll } from '../../functions/data/query';
import { localContext } from '../../functions/local/simulate';
import { ingestOrderMessages, orderIngestHandler } from '../../functions/orderIngest';
import type { HandlerDependencies } from '../../functions/environment';
import { ORDER_FEED_ACCESS } from '../../infra/constructs/orderFeed';
import { prng } from '../../functions/local/syntheticMarketplace';
import { DEFAULT_POLICY } from '../../lib/policy';
import { beforeBatchWrites, beforeSends } from '../helpers/faultyStore';
import { smallMarket } from '../helpers/fixtures';
import { memoryStore } from '../helpers/localStore';
import { orderFeed, withoutOrderFields } from '../helpers/orderFeed';

const m = smallMarket(45, '2026-03-01', '2026-07-31', 9);
const onFeed = m.market.sellers.filter((_, i) => i % 2 === 0).map((s) => s.sellerId);
const rows = withoutOrderFields(m.rows, new Set(onFeed));
const feed = orderFeed(onFeed, { start: '2026-04-01', end: '2026-06-30' }, 23, 1);
const jsonl = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n');
let env: Awaited<ReturnType<typeof memoryStore>>;

/** The feed as SQS batches of a few messages each, as the order system would send it. */
function batches(lines: unknown[], perMessage: number, perBatch: number): SQSEvent[] {
  const messages = [];
  for (let i = 0; i < lines.length; i += perMessage) messages.push(jsonl(lines.slice(i, i + perMessage)));
  const events: SQSEvent[] = [];
  for (let i = 0; i < messages.length; i += perBatch) {
    events.push({
      Records: messages.slice(i, i + perBatch).map((body, k) => ({ messageId: `m-${i + k}`, body, attributes: { ApproximateReceiveCount: '1' } })),
    } as unknown as SQSEvent);
  }
  return events;
}

beforeAll(async () => {
  env = await memoryStore();
  await importData(
    env.store,
    { categories: m.market.categories, sellers: m.market.sellers, metrics: rows },
    { policy: DEFAULT_POLICY, importId: 'base', now: new Date().toISOString() },
  );
});

afterAll(async () => {
  await env?.stop();
});

describe('the AWS order feed: at least once, out of order (SPEC §3.4)', () => {
  it('ends in the grades of the whole feed scored offline, whatever the delivery: shuffled, repeated, and after a fold that died', async () => {
    const random = prng(5);
    const events = batches(feed.orders, 40, 3)
      .map((e) => [random(), e] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, e]) => e);
    let failed = 0;
    // one message dies after it marked its seller-days, before its orders are written: SQS delivers it again
    let died = false;
    const faulty = beforeBatchWrites(env.store, (tables) => {
      if (died || !tables.includes(env.store.tables.orders)) return;
      died = true;
      throw new Error('injected: the worker stopped here');
    });
    for (const [i, event] of events.entries()) {
      const store = i === Math.floor(events.length / 2) ? faulty : env.store;
      const { batchItemFailures } = await deliver(event.Records, { ...env.deps, store });
      failed += batchItemFailures.length;
      const again = event.Records.filter((r) => batchItemFailures.some((f) => f.itemIdentifier === r.messageId));
      if (again.length > 0) expect((await deliver(again, env.deps)).batchItemFailures).toEqual([]);
      // at least once: some batches come twice, one of them much later
      if (i % 4 === 0) await deliver(event.Records, env.deps);
    }
    await deliver(events[0]!.Records, env.deps);
    // the first message of the batch that died, reported alone: its partners were stored
    expect(failed).toBe(1);

    // the run folds the marks first; its first attempt dies in the middle of the fold's block writes
    expect(await new OrdersRepository(env.store).pendingSince()).not.toBeNull();
    const request = { action: 'rerun', job: 'monthly', period: '2026-07', reason: 'feed test', requestedBy: 'test', asOf: '2026-07-20' };
    let blockWrites = 0;
    const dying = beforeBatchWrites(env.store, (tables) => {
      if (tables.includes(env.store.tables.metrics) && ++blockWrites === 2) throw new Error('injected: the run stopped in its fold');
    });
    await expect(handleOperatorRequest(request, { ...env.deps, store: dying })).rejects.toThrow(/stopped in its fold/);
    expect(blockWrites).toBeGreaterThanOrEqual(2);
    const run = await handleOperatorRequest({ ...request, reason: 'feed test, again' }, env.deps);
    expect(run.ok).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'grader-feed-'));
    writeFileSync(join(dir, 'categories.jsonl'), jsonl(m.market.categories));
    writeFileSync(join(dir, 'sellers.jsonl'), jsonl(m.market.sellers));
    writeFileSync(join(dir, 'metrics.jsonl'), jsonl(rows));
    writeFileSync(join(dir, 'orders.jsonl'), jsonl(feed.orders));
    await score({ job: 'monthly', period: '2026-07', data: dir, out: join(dir, 'out.jsonl') });
    const offline = readFileSync(join(dir, 'out.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.kind === 'serviceLevel');
    const grades = new GradesRepository(env.store);
    for (const expected of offline) {
      const [stored] = await grades.listSeller(String(expected.sellerId), 'serviceLevel');
      expect({ ...stored, runId: null }).toEqual({ ...expected, runId: null });
    }
    expect(offline.some((r) => onFeed.includes(String(r.sellerId)) && (r.closedOrders as number) > 0)).toBe(true);
    expect(await new OrdersRepository(env.store).pendingSince()).toBeNull();
  });

  it('takes the compliance inputs on the same feed, named by the message attribute kind', async () => {
    const seller = m.market.sellers[0]!;
    const message = (kind: string, lines: unknown[]) =>
      ({
        Records: [
          {
            messageId: `c-${kind}`,
            body: jsonl(lines),
            attributes: { ApproximateReceiveCount: '1' },
            messageAttributes: { kind: { stringValue: kind, dataType: 'String' } },
          },
        ],
      }) as unknown as SQSEvent;
    const exposure = { sellerId: seller.sellerId, categoryId: seller.categoryId, market: 'DE', activeListings: 12, asOf: '2026-07-01' };
    const registration = { sellerId: seller.sellerId, scheme: 'epr', market: 'DE', scope: 'packaging', registrationId: 'DE-1', validFrom: '2026-01-01' };
    await ingestOrderMessages(message('exposure', [exposure, { ...exposure, market: 'Germany' }]), env.deps);
    await ingestOrderMessages(message('registrations', [registration]), env.deps);
    const held = (await new ComplianceRepository(env.store).of([seller.sellerId])).get(seller.sellerId);
    expect(held).toEqual({ exposure: [exposure], registrations: [{ ...registration }] });
  });
});

/** A message of the input feed as SQS hands it to the function: its body, and how often it was received. */
function message(messageId: string, body: string, receives = 1, kind?: string): SQSRecord {
  return {
    messageId,
    body,
    attributes: { ApproximateReceiveCount: String(receives) },
    messageAttributes: kind ? { kind: { stringValue: kind, dataType: 'String' } } : {},
  } as unknown as SQSRecord;
}

/** Hands a batch to the function as Lambda would, and returns what it answers SQS. */
function deliver(records: SQSRecord[], deps: HandlerDependencies): Promise<SQSBatchResponse> {
  return orderIngestHandler(() => deps)({ Records: records }, localContext('orderIngest')) as Promise<SQSBatchResponse>;
}

const outcome = (orderId: string, overallRating: number) => ({
  orderId,
  sellerId: m.market.sellers[1]!.sellerId,
  closedOn: '2026-07-10',
  overallRating,
  unshippedBySeller: false,
  arbitrated: false,
  sellerResponsible: false,
  disputeTimeout: false,
  notReceivedDisputeClosed: false,
  updatedAt: '2026-07-10T12:00:00+08:00',
});

/** Fails every batch write of the orders table that carries `orderId`: a message that can never be stored. */
const failingOrder = (orderId: string) =>
  beforeBatchWrites(env.store, (_tables, requests) => {
    if ((requests[env.store.tables.orders] ?? []).some((r) => r.PutRequest?.Item.orderId === orderId)) {
      throw new Error(`injected: order ${orderId} cannot be written`);
    }
  });

const quarantined = async (source: string) =>
  (
    await queryAll(env.store.doc, {
      TableName: env.store.tables.quarantine,
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': 'source' },
      ExpressionAttributeValues: { ':s': source },
    })
  ).map((i) => ({ key: i.key as Record<string, unknown>, reason: String(i.reason) }));

describe('a message that fails, in a batch of the AWS order feed', () => {
  it('fails alone: its partner is stored, and the answer to SQS lists only the poison message', async () => {
    const poison = message('poison-1', jsonl([outcome('poison-o-1', 4), outcome('poison-o-2', 2)]));
    const partner = message('partner-1', jsonl([outcome('partner-o-1', 5), outcome('partner-o-2', 1)]));
    const response = await deliver([poison, partner], { ...env.deps, store: failingOrder('poison-o-1') });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'poison-1' }]);
    const held = await new OrdersRepository(env.store).histories(['partner-o-1', 'partner-o-2', 'poison-o-1']);
    expect([...held.keys()].sort()).toEqual(['partner-o-1', 'partner-o-2']);
  });

  it('is set aside on its last delivery: its lines are quarantined naming the message and the error, and it is acknowledged', async () => {
    const body = jsonl([outcome('poison-o-3', 4), outcome('poison-o-4', 2)]);
    const store = failingOrder('poison-o-3');
    for (let receives = 1; receives < 5; receives++) {
      const response = await deliver([message('poison-2', body, receives)], { ...env.deps, store });
      expect(response.batchItemFailures, `delivery ${receives}`).toEqual([{ itemIdentifier: 'poison-2' }]);
    }
    expect((await quarantined('orders')).filter((q) => q.key.messageId === 'poison-2')).toEqual([]);
    const last = await deliver([message('poison-2', body, 5), message('partner-2', jsonl([outcome('partner-o-3', 3)]), 5)], { ...env.deps, store });
    expect(last.batchItemFailures).toEqual([]);
    const setAside = (await quarantined('orders')).filter((q) => q.key.messageId === 'poison-2').sort((a, b) => Number(a.key.line) - Number(b.key.line));
    expect(setAside.map((q) => q.key)).toEqual([
      { messageId: 'poison-2', line: 1 },
      { messageId: 'poison-2', line: 2 },
    ]);
    for (const q of setAside) {
      expect(q.reason).toMatch(
        /^message poison-2, line \d: failed 5 deliveries \(Error: injected: order poison-o-3 cannot be written\); set aside, not retried: \{"orderId":"poison-o-/,
      );
    }
    expect((await new OrdersRepository(env.store).histories(['partner-o-3'])).has('partner-o-3')).toBe(true);
  });

  it('stays on the queue, for the dead-letter queue, when even its quarantine cannot be written', async () => {
    const failing = beforeBatchWrites(failingOrder('poison-o-5'), (tables) => {
      if (tables.includes(env.store.tables.quarantine)) throw new Error('injected: the quarantine cannot be written');
    });
    const response = await deliver([message('poison-3', jsonl([outcome('poison-o-5', 4)]), 5)], { ...env.deps, store: failing });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'poison-3' }]);
  });

  it('does not hold back its partner when it carries an orderId of 2,000 characters: the line is quarantined, the message acknowledged', async () => {
    const long = message('long-id-1', jsonl([outcome('o'.repeat(2_000), 4)]));
    const response = await deliver([long, message('partner-5', jsonl([outcome('partner-o-5', 5)]))], env.deps);
    expect(response.batchItemFailures).toEqual([]);
    expect((await new OrdersRepository(env.store).histories(['partner-o-5'])).has('partner-o-5')).toBe(true);
    expect((await quarantined('orders')).filter((q) => q.reason.includes('(2000 characters'))).toHaveLength(1);
  });

  it('quarantines at most 100 bad lines of a message, and one record that counts the rest (256 KB of garbage)', async () => {
    const garbage = message('garbage-1', 'x\n'.repeat(131_072));
    const started = Date.now();
    const response = await deliver([garbage, message('partner-4', jsonl([outcome('partner-o-4', 5)]))], env.deps);
    const millis = Date.now() - started;
    expect(response.batchItemFailures).toEqual([]);
    const records = (await quarantined('orders')).filter((q) => /^line \d+ is not JSON: x$/.test(q.reason) || q.key.messageId === 'garbage-1');
    expect(records).toHaveLength(101);
    expect(
      records
        .filter((q) => q.key.line !== undefined)
        .map((q) => q.key.line as number)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(records.filter((q) => q.key.messageId === 'garbage-1')).toEqual([
      { key: { messageId: 'garbage-1' }, reason: '… and 130,972 more bad lines in message garbage-1' },
    ]);
    expect((await new OrdersRepository(env.store).histories(['partner-o-4'])).has('partner-o-4')).toBe(true);
    console.log(`256 KB of bad lines and a partner ingested in ${millis} ms`);
  }, 120_000);

  it('touches no item of the runs table outside the leading keys its role is granted', async () => {
    const runs = env.store.tables.runs;
    const touched: string[] = [];
    const recording = beforeSends(env.store, (command) => {
      const input = command.input ?? {};
      if (input.TableName === runs) {
        const item = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
        touched.push(item ? String(item.jobPeriod) : `${command.constructor.name} without a key`);
      }
      const requests = (
        input.RequestItems as Record<string, { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[]> | undefined
      )?.[runs];
      for (const r of requests ?? []) touched.push(String((r.PutRequest?.Item ?? r.DeleteRequest?.Key)?.jobPeriod));
    });
    const seller = m.market.sellers[2]!;
    const exposure = { sellerId: seller.sellerId, categoryId: seller.categoryId, market: 'FR', activeListings: 3, asOf: '2026-07-01' };
    const response = await deliver(
      [
        message('scope-1', jsonl([outcome('scope-o-1', 2), { ...outcome('scope-o-2', 4), sellerId: seller.sellerId }])),
        message('scope-2', jsonl([exposure]), 1, 'exposure'),
      ],
      { ...env.deps, store: recording },
    );
    expect(response.batchItemFailures).toEqual([]);
    // IAM's StringLike, for the patterns the role uses: exact, or a prefix and *
    const granted = ORDER_FEED_ACCESS.runs.keyed?.leadingKeys ?? [];
    const allowed = (key: string) => granted.some((p) => (p.endsWith('*') ? key.startsWith(p.slice(0, -1)) : key === p));
    expect(touched).toEqual(expect.arrayContaining(['orders#lock', 'reference', expect.stringMatching(/^orders#pending#\d+$/)]));
    expect(touched.filter((k) => !allowed(k))).toEqual([]);
    expect(ORDER_FEED_ACCESS.runs.table).toEqual([]);
  });
});
