import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { businessDateOf } from '../lib/calendar';
import { MESSAGE_DELIVERIES, readFeedMessage, setAsideRecords, type FeedMessage, type FeedSource } from '../lib/feedMessage';
import { InputBoundary } from '../lib/inputBoundary';
import { OrderFeed } from '../lib/orderFeed';
import type { QuarantineRecord } from '../lib/records';
import { ComplianceRepository, type SellerCompliance } from './data/complianceRepository';
import { QuarantineRepository } from './data/quarantineRepository';
import { ReferenceRepository } from './data/referenceRepository';
import type { Store } from './data/store';
import { defaultDependencies, type HandlerDependencies } from './environment';
import { storeOrderFeed, withOrdersLock, type OrderIngestSummary } from './jobs/orders';
import { logger, logInvocation } from './middleware';

/** What one message came to: stored (with what it changed), set aside on its last delivery, or failed (SQS delivers it again). */
type MessageOutcome =
  | { messageId: string; state: 'stored'; orders: OrderIngestSummary; complianceChanged: number; quarantined: number }
  | { messageId: string; state: 'set aside' | 'failed'; error: string };

const SOURCES: ReadonlySet<string> = new Set<FeedSource>(['exposure', 'registrations']);

function feedMessage(record: SQSRecord): FeedMessage {
  const kind = record.messageAttributes?.kind?.stringValue ?? 'orders';
  const deliveries = Number(record.attributes?.ApproximateReceiveCount);
  return {
    messageId: record.messageId,
    body: record.body,
    source: SOURCES.has(kind) ? (kind as FeedSource) : 'orders',
    deliveries: Number.isInteger(deliveries) && deliveries > 0 ? deliveries : 1,
  };
}

const errorText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** Reads one message through the input boundary and stores it: its quarantine, its orders, its compliance rows. Hold the orders lock. */
async function storeMessage(store: Store, boundary: InputBoundary, message: FeedMessage, now: string): Promise<MessageOutcome> {
  // a message that failed before may have left records behind
  boundary.quarantined.length = 0;
  const feed = new OrderFeed(boundary);
  const compliance = new Map<string, Partial<SellerCompliance>>();
  const rowsOf = (sellerId: string) => compliance.get(sellerId) ?? compliance.set(sellerId, {}).get(sellerId)!;
  const quarantined: QuarantineRecord[] = readFeedMessage(message, boundary.quarantined, (line) => {
    if (message.source === 'exposure') {
      const e = boundary.exposure(line);
      if (e) (rowsOf(e.sellerId).exposure ??= []).push(e);
    } else if (message.source === 'registrations') {
      const r = boundary.registration(line);
      if (r) (rowsOf(r.sellerId).registrations ??= []).push(r);
    } else feed.addOutcome(line);
  });
  // the quarantine is written before any valid line, as an import does
  const orders = await storeOrderFeed(
    store,
    feed,
    now,
    (r) => quarantined.push(r),
    async () => {
      // the lines of conflicted versions, which the feed quarantines through the boundary
      quarantined.push(...boundary.quarantined.splice(0));
      await new QuarantineRepository(store).put(quarantined, `orders-${now}`, now);
    },
  );
  const complianceChanged = compliance.size > 0 ? await new ComplianceRepository(store).merge(compliance) : 0;
  return { messageId: message.messageId, state: 'stored', orders, complianceChanged, quarantined: quarantined.length };
}

/**
 * A message that failed: on its last delivery its lines go to quarantine and SQS is told it is
 * done; before that, or when even the quarantine cannot be written, it stays failed and is
 * delivered again (in the end, to the dead-letter queue).
 */
async function failedMessage(store: Store, message: FeedMessage, error: unknown, now: string): Promise<MessageOutcome> {
  const outcome = { messageId: message.messageId, error: errorText(error) };
  logger.error('order feed message failed', { messageId: message.messageId, deliveries: message.deliveries, error: error as Error });
  if (message.deliveries < MESSAGE_DELIVERIES) return { ...outcome, state: 'failed' };
  try {
    await new QuarantineRepository(store).put(setAsideRecords(message, outcome.error), `orders-${now}`, now);
    logger.error('order feed message set aside in quarantine', { messageId: message.messageId });
    return { ...outcome, state: 'set aside' };
  } catch (e) {
    logger.error('order feed message could not be set aside; it goes to the dead-letter queue', { messageId: message.messageId, error: e as Error });
    return { ...outcome, state: 'failed' };
  }
}

/**
 * The input feed of the product in AWS: each SQS message carries JSON Lines of one kind, named by
 * its `kind` attribute — order outcomes (SPEC §3.4, the default), or the compliance inputs
 * `exposure` and `registrations` (SPEC §7.5), merged into the compliance table.
 * A batch takes the orders lock once and stores its messages one after another, each read through
 * the input boundary and merged with the stored histories, marking the seller-days it changes; the
 * next run folds the marks into the order blocks before it reads them (one fold a run, not one a
 * batch: a fold rewrites each touched block from its oldest marked day, up to 180 days). Merging is
 * idempotent and order-insensitive, so a message delivered again, or messages out of order, end in
 * the same histories. A message that fails is reported alone (ReportBatchItemFailures) and
 * delivered again; on its last delivery it is set aside in quarantine. A failure of the batch
 * itself (the reference data, the lock) throws: SQS delivers the whole batch again.
 */
async function ingestOrderMessages(event: SQSEvent, deps: HandlerDependencies): Promise<SQSBatchResponse> {
  const now = deps.now();
  const { store, policy } = deps;
  const reference = new ReferenceRepository(store);
  const [sellers, categories] = await Promise.all([reference.sellers(), reference.categories()]);
  const boundary = new InputBoundary({ policy, ingestedOn: businessDateOf(now, policy.timeZone) }, { sellers, categories });
  const messages = event.Records.map(feedMessage);
  const outcomes = await withOrdersLock(store, `ingest:${messages[0]?.messageId ?? 'empty'}:${now}`, async () => {
    const done: MessageOutcome[] = [];
    // one message at a time: two messages may carry versions of one order
    for (const message of messages) done.push(await storeMessage(store, boundary, message, now).catch((e: unknown) => failedMessage(store, message, e, now)));
    return done;
  });
  if (outcomes.some((o) => o.state === 'stored' && o.complianceChanged > 0)) await reference.bumpRevision();
  logger.info('order feed messages ingested', summarize(outcomes));
  return { batchItemFailures: outcomes.filter((o) => o.state === 'failed').map((o) => ({ itemIdentifier: o.messageId })) };
}

/** The log line of a batch: its messages by outcome, and the order counts of those stored, added up. */
function summarize(outcomes: MessageOutcome[]): Record<string, number> {
  const totals: Record<string, number> = { messages: outcomes.length, failed: 0, setAside: 0, quarantined: 0 };
  for (const o of outcomes) {
    if (o.state === 'stored') {
      totals.quarantined! += o.quarantined;
      for (const [name, n] of Object.entries(o.orders) as [string, number][]) totals[name] = (totals[name] ?? 0) + n;
    } else if (o.state === 'set aside') totals.setAside!++;
    else totals.failed!++;
  }
  return totals;
}

function orderIngestHandler(deps: () => HandlerDependencies) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(logInvocation('orderIngest'))
    .handler((event) => ingestOrderMessages(event, deps()));
}

const handler = orderIngestHandler(defaultDependencies);

export { handler, ingestOrderMessages, orderIngestHandler };
