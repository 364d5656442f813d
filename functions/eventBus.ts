import { EVENT_SOURCE } from '../lib/gradeEvents';

/** Puts events on the bus; resolves to the entries that failed (EventBridge answers per entry). */
type Publish = (entries: { DetailType: string; Detail: string; Source: string }[]) => Promise<number[]>;

/** The production publisher: PutEvents on a bus, answering the indexes of refused entries. */
function eventBridgePublisher(busName: string): Publish {
  let client: import('@aws-sdk/client-eventbridge').EventBridgeClient | undefined;
  return async (entries) => {
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    client ??= new EventBridgeClient({});
    const out = await client.send(new PutEventsCommand({ Entries: entries.map((e) => ({ ...e, EventBusName: busName })) }));
    return (out.Entries ?? []).flatMap((entry, i) => (entry.ErrorCode ? [i] : []));
  };
}

/** Sends one event and fails when the bus refuses it. */
function announcer(publish: Publish) {
  return async (event: { detailType: string; detail: object }): Promise<void> => {
    const failed = await publish([{ Source: EVENT_SOURCE, DetailType: event.detailType, Detail: JSON.stringify(event.detail) }]);
    if (failed.length > 0) throw new Error(`EventBridge refused the ${event.detailType} event`);
  };
}

export { announcer, eventBridgePublisher };
export type { Publish };
