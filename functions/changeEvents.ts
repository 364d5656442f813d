import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { EVENT_SOURCE, gradeEvents, type GradeEvent } from '../lib/gradeEvents';
import { recordChanges } from './data/gradeStream';
import { eventBridgePublisher, type Publish } from './eventBus';
import { logger, logInvocation } from './middleware';

/** The events of one stream record: every record-level change it carries (a pack holds many), each turned into events. */
function eventsOfStreamRecord(record: { eventID?: string; dynamodb?: { OldImage?: unknown; NewImage?: unknown } }): GradeEvent[] {
  const image = (i: unknown) => (i ? (unmarshall(i as never) as Record<string, unknown>) : undefined);
  const changes = recordChanges(image(record.dynamodb?.OldImage), image(record.dynamodb?.NewImage));
  return changes.flatMap((c) => gradeEvents(c, `${record.eventID ?? ''}|${c.key}`));
}

const PUT_EVENTS_BATCH = 10;

/**
 * Turns the grades stream into events on the stack's bus (SPEC §8.1): the event source mapping's
 * filter passes only status, grant, health-check and listing items (functions/data/gradeStream.ts). Records are published in stream
 * order; on a failure the batch reports the first failed record, so Lambda retries from it and
 * nothing after it is skipped (a retried record may publish again: consumers dedupe on `eventId`).
 */
async function publishChanges(event: DynamoDBStreamEvent, publish: Publish): Promise<DynamoDBBatchResponse> {
  let published = 0;
  for (const record of event.Records) {
    try {
      const events = eventsOfStreamRecord(record);
      for (let i = 0; i < events.length; i += PUT_EVENTS_BATCH) {
        const chunk = events.slice(i, i + PUT_EVENTS_BATCH);
        const failed = await publish(chunk.map((e) => ({ Source: EVENT_SOURCE, DetailType: e.detailType, Detail: JSON.stringify(e.detail) })));
        if (failed.length > 0) throw new Error(`EventBridge refused ${failed.length} of ${chunk.length} events`);
        published += chunk.length;
      }
    } catch (e) {
      logger.error('could not publish the events of a stream record', { eventID: record.eventID, error: (e as Error).message, published });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  logger.info('grade changes published', { records: event.Records.length, events: published });
  return { batchItemFailures: [] };
}

function changeEventsHandler(publish: () => Publish) {
  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(logInvocation('changeEvents'))
    .handler((event) => publishChanges(event, publish()));
}

let publisher: Publish | undefined;
const handler = changeEventsHandler(() => (publisher ??= eventBridgePublisher(process.env.EVENT_BUS_NAME ?? 'default')));

export { changeEventsHandler, eventsOfStreamRecord, handler, publishChanges };
export type { Publish };
