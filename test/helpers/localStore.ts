import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { followGradesStream } from '../../functions/local/streamFollower';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { openMemoryStore } from '../../functions/data/memoryStore';
import { openStore, type Store } from '../../functions/data/store';
import type { HandlerDependencies } from '../../functions/environment';
import { startEmbeddedStore, type EmbeddedStore } from '../../functions/local/embeddedStore';
import { DEFAULT_POLICY } from '../../lib/policy';
import { recordChanges, type StreamRecord } from '../../functions/data/gradeStream';

/** A fresh in-memory DynamoDB Local with the product's tables, for one test file. */
async function localStore(): Promise<{ store: Store; embedded: EmbeddedStore; deps: HandlerDependencies; stop: () => Promise<void> }> {
  const embedded = await startEmbeddedStore();
  const store = openStore({ endpoint: embedded.endpoint, env: {} });
  const deps: HandlerDependencies = { store, policy: DEFAULT_POLICY, now: () => new Date().toISOString() };
  return {
    store,
    embedded,
    deps,
    stop: async () => {
      store.client.destroy();
      await embedded.stop();
    },
  };
}

/**
 * A fresh in-memory store with the product's tables and the grades stream, for tests of jobs and
 * handlers that need no more of DynamoDB than the store contract (test/integration/storeContract.test.ts).
 */
function memoryStore(): { store: Store; embedded: { endpoint: string }; deps: HandlerDependencies; stop: () => Promise<void> } {
  const store = openMemoryStore();
  const deps: HandlerDependencies = { store, policy: DEFAULT_POLICY, now: () => new Date().toISOString() };
  return { store, embedded: { endpoint: '' }, deps, stop: async () => {} };
}

interface StreamChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  key: string;
  oldRecord: StreamRecord | null;
  newRecord: StreamRecord | null;
  /** the event changed no record (a rewrite of equal content) */
  noOp?: true;
}

/** Reads the grades table's stream over HTTP, as a consumer would: `drain()` returns the changes since the last drain. */
async function gradesStream(store: Store, endpoint: string) {
  const follower = await followGradesStream(store, endpoint);
  const image = (i: unknown) => (i ? (unmarshall(i as never) as Record<string, unknown>) : undefined);

  async function drain(): Promise<StreamChange[]> {
    return (await follower.next()).flatMap(change);
  }

  /** A stream record as record-level changes: a daily-score pack yields one change per seller whose score changed. */
  function change(r: _Record): StreamChange[] {
    const eventName = r.eventName as StreamChange['eventName'];
    const changes = recordChanges(image(r.dynamodb?.OldImage), image(r.dynamodb?.NewImage)).map((c) => ({ eventName, ...c }));
    if (changes.length > 0) return changes;
    // an event that changed no record: consumers would see it, so tests must too
    const keys = unmarshall(r.dynamodb?.Keys as never) as Record<string, unknown>;
    return [{ eventName, key: `${String(keys.sellerId)}|${String(keys.sk)}`, oldRecord: null, newRecord: null, noOp: true }];
  }

  return { drain, close: follower.close };
}

export { gradesStream, localStore, memoryStore };
export type { StreamChange };
