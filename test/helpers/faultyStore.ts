import type { Store } from '../../functions/data/store';

/**
 * The store with a hook before every batch write: one that throws injects a failure a real server
 * will not produce on demand; one that waits makes a run slow enough to overlap another.
 */
function beforeBatchWrites(store: Store, hook: (tables: string[]) => Promise<void> | void): Store {
  const doc = new Proxy(store.doc, {
    get(target, name, receiver) {
      if (name !== 'send') return Reflect.get(target, name, receiver);
      return async (command: { constructor: { name: string }; input?: { RequestItems?: Record<string, unknown> } }) => {
        if (command.constructor.name === 'BatchWriteCommand') await hook(Object.keys(command.input?.RequestItems ?? {}));
        return target.send(command as never);
      };
    },
  });
  return { ...store, doc };
}

export { beforeBatchWrites };
