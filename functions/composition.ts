import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Policy } from '../lib/policy';
import { openStore, type Store } from './data/store';
import { policyFromEnvironment, policySourceOf, type HandlerDependencies } from './environment';
import { startEmbeddedStore, type EmbeddedStore } from './local/embeddedStore';
import { localContext, localFanOut } from './local/simulate';
import { operatorHandler } from './operator';
import type { OperatorResponse } from './operatorActions';

/**
 * The CLI's composition root: the one place that opens its tables and builds the dependencies
 * of the actions it invokes (bin/cli parses flags, invokes and formats).
 */

interface Where {
  aws?: boolean;
  memory?: boolean;
}

/** Where a command's tables are: GRADER_DYNAMODB_ENDPOINT, AWS (--aws), or an embedded store persisted under GRADER_HOME. */
async function connect(options: Where): Promise<{ store: Store; embedded: EmbeddedStore | null; where: string }> {
  const endpoint = process.env.GRADER_DYNAMODB_ENDPOINT;
  if (options.aws)
    return { store: openStore({ endpoint: undefined, env: { ...process.env, GRADER_DYNAMODB_ENDPOINT: undefined } }), embedded: null, where: 'AWS' };
  if (endpoint) return { store: openStore({ endpoint }), embedded: null, where: endpoint };
  const home = resolve(process.env.GRADER_HOME ?? '.grader');
  if (!options.memory) mkdirSync(home, { recursive: true });
  const embedded = await startEmbeddedStore(options.memory ? {} : { persistPath: home });
  return {
    store: openStore({ endpoint: embedded.endpoint }),
    embedded,
    where: options.memory ? 'embedded DynamoDB Local (in memory)' : `embedded DynamoDB Local persisted in ${home}`,
  };
}

/** Runs a command against a store and always stops the embedded one. */
async function withStore<T>(options: Where, fn: (store: Store, where: string) => Promise<T>): Promise<T> {
  const { store, embedded, where } = await connect(options);
  try {
    return await fn(store, where);
  } finally {
    store.client.destroy();
    await embedded?.stop();
  }
}

/** The CLI's dependencies: GRADER_POLICY_FILE pins the policy, else each run reads the version in force for its period. */
function dependencies(store: Store, policy: Policy = policyFromEnvironment()): HandlerDependencies {
  return { store, policy, policySource: policySourceOf(), now: () => new Date().toISOString() };
}

/** The operator Lambda as the CLI invokes it: `invoke` sends a request, `drain` waits for the shards a re-run fanned out to the local queue. */
interface LocalOperator {
  invoke(request: unknown): Promise<OperatorResponse>;
  drain(): Promise<void>;
}

/** Runs a command against the operator handler over a store, its re-runs fanned out through a local shard queue. */
async function withOperator<T>(options: Where, fn: (operator: LocalOperator) => Promise<T>): Promise<T> {
  return withStore(options, async (store) => {
    const fanOut = localFanOut(dependencies(store));
    const handler = operatorHandler(() => fanOut.deps);
    try {
      return await fn({ invoke: (request) => handler(request, localContext('operator')), drain: () => fanOut.queue.drain() });
    } finally {
      fanOut.queue.close();
    }
  });
}

export { connect, dependencies, withOperator, withStore };
export type { HandlerDependencies, LocalOperator, Store };
