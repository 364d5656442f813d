import { readFileSync } from 'node:fs';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../lib/policy';
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
  return parsePolicy(JSON.parse(readFileSync(file, 'utf8')), file);
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
