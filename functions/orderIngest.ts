import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { businessDateOf } from '../lib/calendar';
import { InputBoundary } from '../lib/inputBoundary';
import { parseJsonLine } from '../lib/jsonLines';
import { OrderFeed } from '../lib/orderFeed';
import { QuarantineRepository } from './data/quarantineRepository';
import { ReferenceRepository } from './data/referenceRepository';
import { defaultDependencies, type HandlerDependencies } from './environment';
import { storeOrderFeed, withOrdersLock } from './jobs/orders';
import { logger, logInvocation } from './middleware';

/**
 * The order system's feed into the product (SPEC §3.4), in AWS: each SQS message carries order
 * outcomes as JSON Lines. A batch is read through the input boundary and merged with the stored
 * histories under the orders lock, marking the seller-days it changes; the next run folds the
 * marks into the order blocks before it reads them (one fold a run, not one a batch: a fold
 * rewrites each touched block from its oldest marked day, up to 180 days). Merging is idempotent
 * and order-insensitive, so a batch delivered again, or batches out of order, end in the same
 * histories; a batch that fails is retried whole and then goes to the dead-letter queue.
 */
async function ingestOrderMessages(event: SQSEvent, deps: HandlerDependencies): Promise<SQSBatchResponse> {
  const now = deps.now();
  const { store, policy } = deps;
  const sellers = await new ReferenceRepository(store).sellers();
  const boundary = new InputBoundary({ policy, ingestedOn: businessDateOf(now, policy.timeZone) }, { sellers });
  const feed = new OrderFeed(boundary);
  for (const message of event.Records) {
    message.body.split('\n').forEach((text, i) => {
      const line = parseJsonLine(text, i + 1);
      if (line) feed.addOutcome(line);
    });
  }
  const summary = await withOrdersLock(store, `ingest:${event.Records[0]?.messageId ?? 'empty'}:${now}`, () =>
    storeOrderFeed(store, feed, now, (r) => boundary.quarantined.push(r)),
  );
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
