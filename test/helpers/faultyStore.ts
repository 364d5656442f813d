import type { Store } from '../../functions/data/store';

/**
 * The store with a hook before every batch write: one that throws injects a failure a real server
 * will not produce on demand; one that waits makes a run slow enough to overlap another.
 */
function beforeBatchWrites(store: Store, hook: () => Promise<void> | void): Store {
  const doc = new Proxy(store.doc, {
    get(target, name, receiver) {
      if (name !== 'send') return Reflect.get(target, name, receiver);
      return async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'BatchWriteCommand') await hook();
        return target.send(command as never);
      };
    },
  });
  return { ...store, doc };
}

export { beforeBatchWrites };
