import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { businessDateOf } from '../lib/calendar';
import { InputBoundary } from '../lib/inputBoundary';
import { parseJsonLine } from '../lib/jsonLines';
import { OrderFeed } from '../lib/orderFeed';
import { ComplianceRepository, type SellerCompliance } from './data/complianceRepository';
import { QuarantineRepository } from './data/quarantineRepository';
import { ReferenceRepository } from './data/referenceRepository';
import { defaultDependencies, type HandlerDependencies } from './environment';
import { storeOrderFeed, withOrdersLock } from './jobs/orders';
import { logger, logInvocation } from './middleware';

/**
 * The input feed of the product in AWS: each SQS message carries JSON Lines of one kind, named by
 * its `kind` attribute — order outcomes (SPEC §3.4, the default), or the compliance inputs
 * `exposure` and `registrations` (SPEC §7.5), merged into the compliance table.
 * Order outcomes: A batch is read through the input boundary and merged with the stored
 * histories under the orders lock, marking the seller-days it changes; the next run folds the
 * marks into the order blocks before it reads them (one fold a run, not one a batch: a fold
 * rewrites each touched block from its oldest marked day, up to 180 days). Merging is idempotent
 * and order-insensitive, so a batch delivered again, or batches out of order, end in the same
 * histories; a batch that fails is retried whole and then goes to the dead-letter queue.
 */
async function ingestOrderMessages(event: SQSEvent, deps: HandlerDependencies): Promise<SQSBatchResponse> {
  const now = deps.now();
  const { store, policy } = deps;
  const reference = new ReferenceRepository(store);
  const [sellers, categories] = await Promise.all([reference.sellers(), reference.categories()]);
  const boundary = new InputBoundary({ policy, ingestedOn: businessDateOf(now, policy.timeZone) }, { sellers, categories });
  const feed = new OrderFeed(boundary);
  const compliance = new Map<string, Partial<SellerCompliance>>();
  const rowsOf = (sellerId: string) => compliance.get(sellerId) ?? compliance.set(sellerId, {}).get(sellerId)!;
  for (const message of event.Records) {
    // the message attribute `kind` says what the lines are: order outcomes unless it says otherwise
    const kind = message.messageAttributes?.kind?.stringValue ?? 'orders';
    message.body.split('\n').forEach((text, i) => {
      const line = parseJsonLine(text, i + 1);
      if (!line) return;
      if (kind === 'exposure') {
        const e = boundary.exposure(line);
        if (e) (rowsOf(e.sellerId).exposure ??= []).push(e);
      } else if (kind === 'registrations') {
        const r = boundary.registration(line);
        if (r) (rowsOf(r.sellerId).registrations ??= []).push(r);
      } else feed.addOutcome(line);
    });
  }
  const summary = await withOrdersLock(store, `ingest:${event.Records[0]?.messageId ?? 'empty'}:${now}`, () =>
    storeOrderFeed(store, feed, now, (r) => boundary.quarantined.push(r)),
  );
  if (compliance.size > 0 && (await new ComplianceRepository(store).merge(compliance)) > 0) await reference.bumpRevision();
  await new QuarantineRepository(store).put(boundary.quarantined, `orders-${now}`, now);
  logger.info('order outcomes ingested', { messages: event.Records.length, ...summary, quarantined: boundary.quarantined.length });
  return { batchItemFailures: [] };
}

function orderIngestHandler(deps: () => HandlerDependencies) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(logInvocation('orderIngest'))
    .handler((event) => ingestOrderMessages(event, deps()));
}

const handler = orderIngestHandler(defaultDependencies);

export { handler, ingestOrderMessages, orderIngestHandler };
