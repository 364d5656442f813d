import { businessDateOf, monthOf, type Job } from '../../lib/calendar';
import type { Policy } from '../../lib/policy';
import { policyMonthOf, versionInForce, type Publication } from '../../lib/policyVersions';
import { PolicyRepository } from '../data/policyRepository';
import type { Store } from '../data/store';

/**
 * Where a run finds its policy. `published`: the version in force for its period, read from the
 * store (docs/operations.md, "Publishing a policy"). `pinned`: `policy` for every run, whatever is
 * published (GRADER_POLICY_FILE, `npm start`, tests).
 */
type PolicySource = 'pinned' | 'published';

interface PolicyDependencies {
  store: Store;
  /** the pinned policy, or under `published` the base one: its time zone derives dates before a version is chosen */
  policy: Policy;
  /** absent: pinned */
  policySource?: PolicySource;
  now: () => string;
}

const published = (deps: PolicyDependencies) => deps.policySource === 'published';

/** The publication in force for a job's period, and the publications it was chosen from. */
async function publicationInForce(deps: PolicyDependencies, job: Job, period: string): Promise<{ inForce: Publication; all: Publication[] }> {
  const all = await new PolicyRepository(deps.store).list();
  return { inForce: versionInForce(all, policyMonthOf(job, period)), all };
}

/** A version's document: published, or the pinned policy when it has that version; null when there is none. */
async function policyOfVersion(deps: PolicyDependencies, version: string): Promise<Policy | null> {
  if (!published(deps)) return version === deps.policy.version ? deps.policy : null;
  return new PolicyRepository(deps.store).get(version);
}

/** The policy a run of a period evaluates with: the version named (validated by the caller), else the one in force. */
async function policyForRun(deps: PolicyDependencies, job: Job, period: string, named?: string): Promise<Policy> {
  if (!published(deps) && named === undefined) return deps.policy;
  const version = named ?? (await publicationInForce(deps, job, period)).inForce.version;
  const policy = await policyOfVersion(deps, version);
  if (!policy) throw new Error(`${job} ${period}: policy version ${version} is not ${published(deps) ? 'published' : 'the pinned one'}`);
  return policy;
}

/** The policy a run record names: every attempt and every shard of a run evaluates with the same version. */
async function policyOfRun(deps: PolicyDependencies, run: { runId: string; policyVersion: string }): Promise<Policy> {
  if (run.policyVersion === deps.policy.version && !published(deps)) return deps.policy;
  const policy = await policyOfVersion(deps, run.policyVersion);
  if (!policy) {
    throw new Error(
      `run ${run.runId} evaluates with policy ${run.policyVersion}, which ${published(deps) ? 'is not published' : `is not the pinned one (${deps.policy.version})`}`,
    );
  }
  return policy;
}

/** The versions a run record names: the one it grades with, and the one its status rebuilds follow. */
async function policiesOfRun(
  deps: PolicyDependencies,
  run: { runId: string; policyVersion: string; statusPolicyVersion: string | null },
): Promise<{ policy: Policy; statusPolicy: Policy }> {
  const policy = await policyOfRun(deps, run);
  const statusVersion = run.statusPolicyVersion ?? run.policyVersion;
  return { policy, statusPolicy: statusVersion === policy.version ? policy : await policyOfRun(deps, { runId: run.runId, policyVersion: statusVersion }) };
}

/** The version in force today, for actions outside a run (approvals, programs, explanations). */
async function policyInForceToday(deps: PolicyDependencies): Promise<Policy> {
  if (!published(deps)) return deps.policy;
  const today = businessDateOf(deps.now(), deps.policy.timeZone);
  return policyForRun(deps, 'monthly', monthOf(today));
}

export { policiesOfRun, policyForRun, policyInForceToday, policyOfRun, policyOfVersion, publicationInForce };
export type { PolicyDependencies, PolicySource };
