import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { score } from '../../bin/cli/score';
import { GradesRepository } from '../../functions/data/gradesRepository';
import { ComplianceRepository } from '../../functions/data/complianceRepository';
import { OrdersRepository } from '../../functions/data/ordersRepository';
import { importData } from '../../functions/jobs/importData';
import { handleOperatorRequest } from '../../functions/operator';
import { ingestOrderMessages } from '../../functions/orderIngest';
import { prng } from '../../functions/local/syntheticMarketplace';
import { DEFAULT_POLICY } from '../../lib/policy';
import { beforeBatchWrites } from '../helpers/faultyStore';
import { smallMarket } from '../helpers/fixtures';
import { localStore } from '../helpers/localStore';
import { orderFeed, withoutOrderFields } from '../helpers/orderFeed';

const m = smallMarket(45, '2026-03-01', '2026-07-31', 9);
const onFeed = m.market.sellers.filter((_, i) => i % 2 === 0).map((s) => s.sellerId);
const rows = withoutOrderFields(m.rows, new Set(onFeed));
const feed = orderFeed(onFeed, { start: '2026-04-01', end: '2026-06-30' }, 23, 1);
const jsonl = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n');
let env: Awaited<ReturnType<typeof localStore>>;

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
  env = await localStore();
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
    // one delivery dies after it marked its seller-days, before its orders are written: SQS delivers it again
    const faulty = beforeBatchWrites(env.store, (tables) => {
      if (tables.includes(env.store.tables.orders)) throw new Error('injected: the worker stopped here');
    });
    for (const [i, event] of events.entries()) {
      const store = i === Math.floor(events.length / 2) ? faulty : env.store;
      await ingestOrderMessages(event, { ...env.deps, store }).catch(() => {
        failed++;
        return ingestOrderMessages(event, env.deps);
      });
      // at least once: some batches come twice, one of them much later
      if (i % 4 === 0) await ingestOrderMessages(event, env.deps);
    }
    await ingestOrderMessages(events[0]!, env.deps);
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
