import { readFileSync } from 'node:fs';
import { DEFAULT_POLICY, parsePolicy, PolicyError, type Policy } from '../lib/policy';
import { openStore, type Store } from './data/store';
import type { RunDependencies } from './jobs/runJob';
import type { PolicySource } from './jobs/runPolicy';

/** Sends one change event to the bus (functions/eventBus.ts in AWS); absent where there is no bus. */
type Announce = (event: { detailType: string; detail: object }) => Promise<void>;

/** What every handler needs; built once per cold start, or injected by the CLI and the tests. */
interface HandlerDependencies extends RunDependencies {
  store: Store;
  policy: Policy;
  /** sends a change event that no grade record carries (a policy publication); absent where there is no bus */
  announce?: Announce;
  /** how long a request already sent may take to land (functions/jobs/invocationFence.ts); a store in memory: at once */
  settleMs?: number;
}

/**
 * The base policy: GRADER_POLICY_FILE when set (validated, failing loudly), else the default.
 * A file pins it for every run; without one, each run reads the version in force for its period.
 */
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
  return { store: openStore({ env }), policy: policyFromEnvironment(env), policySource: policySourceOf(env), now: () => new Date().toISOString() };
}

/** GRADER_POLICY_FILE pins the policy (tests, development); otherwise runs use the published versions. */
function policySourceOf(env: NodeJS.ProcessEnv = process.env): PolicySource {
  return env.GRADER_POLICY_FILE ? 'pinned' : 'published';
}

let cached: HandlerDependencies | undefined;
/** Module-scope dependencies, created on first use (once per cold start). */
function defaultDependencies(): HandlerDependencies {
  return (cached ??= dependenciesFromEnvironment());
}

export { defaultDependencies, dependenciesFromEnvironment, policyFromEnvironment, policySourceOf };
export type { Announce, HandlerDependencies };
