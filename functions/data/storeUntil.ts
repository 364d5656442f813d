import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Store } from './store';

/** A request an invocation would send after its stop time (functions/jobs/invocationFence.ts). */
class InvocationStoppedError extends Error {
  constructor(at: number) {
    super(`this invocation sends no request after ${new Date(at).toISOString()}: its writes must land before its shard claims lapse`);
    this.name = 'InvocationStoppedError';
  }
}

type SentCommand = Parameters<DynamoDBDocumentClient['send']>[0];

let gates = 0;

/**
 * The store as an invocation may use it until `at` (ms since epoch). The check runs on every
 * attempt, just before the request leaves, so an SDK retry after `at` is stopped too. A late
 * request is refused (`refuse`: the worker fails its shards and says why), or never answered
 * (`hang`: the local stand-in for Lambda stopping a timed-out invocation, which cannot be stopped
 * in-process).
 */
function storeUntil(store: Store, at: number, late: 'refuse' | 'hang'): Store {
  const name = `storeUntil${++gates}`;
  const doc = new Proxy(store.doc, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: SentCommand) => {
        command.middlewareStack.add(
          (next) => (args) => {
            if (Date.now() <= at) return next(args);
            return late === 'refuse' ? Promise.reject(new InvocationStoppedError(at)) : new Promise(() => {});
          },
          // override: a document-client command's stack is applied twice, its own and its inner command's
          { step: 'deserialize', priority: 'low', name, override: true },
        );
        return target.send(command);
      };
    },
  });
  return { ...store, doc };
}

export { InvocationStoppedError, storeUntil };
