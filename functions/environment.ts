import { readFileSync } from 'node:fs';
import { DEFAULT_POLICY, parsePolicy, PolicyError, type Policy } from '../lib/policy';
import { openStore, type Store } from './data/store';
import type { RunDependencies } from './jobs/runJob';

/** What every handler needs; built once per cold start, or injected by the CLI and the tests. */
interface HandlerDependencies extends RunDependencies {
  store: Store;
  policy: Policy;
}

/** The policy in force: GRADER_POLICY_FILE when set (validated, failing loudly), else the default. */
function policyFromEnvironment(env: NodeJS.ProcessEnv = process.env): Policy {
  const file = env.GRADER_POLICY_FILE;
  if (!file) return DEFAULT_POLICY;
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PolicyError(`GRADER_POLICY_FILE ${file} cannot be read as JSON: ${(e as Error).message}`, 'GRADER_POLICY_FILE', { cause: e });
  }
  return parsePolicy(document, file);
}

/** Production wiring: tables from the environment, wall clock for run bookkeeping only. */
function dependenciesFromEnvironment(env: NodeJS.ProcessEnv = process.env): HandlerDependencies {
  return { store: openStore({ env }), policy: policyFromEnvironment(env), now: () => new Date().toISOString() };
}

let cached: HandlerDependencies | undefined;
/** Module-scope dependencies, created on first use (once per cold start). */
function defaultDependencies(): HandlerDependencies {
  return (cached ??= dependenciesFromEnvironment());
}

export { defaultDependencies, dependenciesFromEnvironment, policyFromEnvironment };
export type { HandlerDependencies };
