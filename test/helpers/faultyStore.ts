import type { Store } from '../../functions/data/store';

/** A command as the document client is sent it: its class name and its input. */
interface SentCommand {
  constructor: { name: string };
  input?: Record<string, unknown>;
}

type WriteRequests = Record<string, { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[]>;

/** The store with a hook before every command it sends: to record what a handler touches, or to fail it. */
function beforeSends(store: Store, hook: (command: SentCommand) => Promise<void> | void): Store {
  const doc = new Proxy(store.doc, {
    get(target, name, receiver) {
      if (name !== 'send') return Reflect.get(target, name, receiver);
      return async (command: SentCommand) => {
        await hook(command);
        return target.send(command as never);
      };
    },
  });
  return { ...store, doc };
}

/**
 * The store with a hook before every batch write, given the tables and the requests: one that
 * throws injects a failure a real server will not produce on demand; one that waits makes a run
 * slow enough to overlap another.
 */
function beforeBatchWrites(store: Store, hook: (tables: string[], requests: WriteRequests) => Promise<void> | void): Store {
  return beforeSends(store, async (command) => {
    if (command.constructor.name !== 'BatchWriteCommand') return;
    const requests = (command.input?.RequestItems ?? {}) as WriteRequests;
    await hook(Object.keys(requests), requests);
  });
}

export { beforeBatchWrites, beforeSends };
export type { SentCommand, WriteRequests };
