import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { openStore, type Store } from '../../functions/data/store';
import { policyFromEnvironment, policySourceOf, type HandlerDependencies } from '../../functions/environment';
import { startEmbeddedStore, type EmbeddedStore } from '../../functions/local/embeddedStore';
import type { Policy } from '../../lib/policy';

/** Where a command's tables are: GRADER_DYNAMODB_ENDPOINT, AWS (--aws), or an embedded store persisted under GRADER_HOME. */
async function connect(options: { aws?: boolean; memory?: boolean }): Promise<{ store: Store; embedded: EmbeddedStore | null; where: string }> {
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
async function withStore<T>(options: { aws?: boolean; memory?: boolean }, fn: (store: Store, where: string) => Promise<T>): Promise<T> {
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

export { connect, dependencies, withStore };
