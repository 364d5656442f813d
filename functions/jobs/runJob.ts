import { randomUUID } from 'node:crypto';
import type { Job } from '../../lib/calendar';
import type { ListingRecord } from '../../lib/listingRecords';
import type { GradeRecord } from '../../lib/records';
import { mapLimit } from '../data/batch';
import { RunsRepository, ZERO_COUNTS, type RunClaim, type RunCounts, type RunRecord } from '../data/runsRepository';
import { policiesOfRun, policyForRun } from './runPolicy';
import type { GroupOutcome, JobPlan, PlanOf, RunDependencies, ShardTask } from './jobPlan';
import { growthPlan } from './growthRun';
import { planRun, sellerPlan, wantedOf } from './sellerRun';
import { heartbeat, LeaseLostError, leaseTimes, lockPeriod, RunBusyError, ShardsNotSentError, type LeaseTimes } from './runLease';

/** A request to evaluate one job for one period (SPEC §8.2, §8.3). */
interface RunRequest {
  job: Job;
  period: string;
  trigger: 'schedule' | 'operator';
  requestedBy: string;
  reason: string;
  /** business date the run happens on: status refreshes are as of this date */
  asOf: string;
  dryRun?: boolean;
  sellers?: string[] | undefined;
  categories?: string[] | undefined;
  runId: string;
  /** a version the operator named (checked by the caller: in force, or a dry run); else the one in force */
  policyVersion?: string | undefined;
}

interface RunResult {
  state: 'succeeded' | 'failed' | 'alreadyDone' | 'dispatched';
  run: RunRecord;
  /** what changed (or, for a dry run, would change) */
  changed: (GradeRecord | ListingRecord)[];
}

/**
 * Sellers per write group. Monthly and quarterly runs write three records per seller: groups of
 * 500 keep the store fed while the next group is built. A daily run writes one pack per up to 256
 * sellers, so its groups are larger: each group costs a pack batch and a marker batch of its own.
 * A growth run writes only the listings whose stage or incentives changed: its groups count listings.
 */
const WRITE_GROUP: Record<Job, number> = { daily: 2000, monthly: 500, quarterly: 500, growth: 20_000 };

/** Consecutive shards grouped up to WRITE_GROUP sellers (a pool larger than that is a group alone). */
function writeGroups<S extends { size: number }>(shards: S[], job: Job): S[][] {
  const groups: S[][] = [];
  let size = Infinity;
  for (const shard of shards) {
    if (size + shard.size > WRITE_GROUP[job]) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1]!.push(shard);
    size += shard.size;
  }
  return groups;
}

function addCounts(a: RunCounts, b: RunCounts): RunCounts {
  return {
    sellers: a.sellers + b.sellers,
    written: a.written + b.written,
    unchanged: a.unchanged + b.unchanged,
    quarantined: a.quarantined + b.quarantined,
    failed: a.failed + b.failed,
  };
}

/**
 * Runs a job: claims the run (a finished one is not evaluated twice, a dead one is resumed), reads
 * its data once, plans pool shards, evaluates each unfinished shard, and records the outcome. It
 * evaluates with the policy version in force for its period, or the one named, and records it.
 */
async function runJob(req: RunRequest, base: RunDependencies): Promise<RunResult> {
  const policy = await policyForRun(base, req.job, req.period, req.policyVersion);
  // a monthly or quarterly run rebuilds statuses as of its date: under the version in force then
  const statusPolicy = req.job === 'daily' ? policy : await policyForRun(base, 'daily', req.asOf);
  const deps = { ...base, policy, statusPolicy };
  const runs = new RunsRepository(deps.store);
  const times = leaseTimes(deps.leaseSeconds);
  const owner = randomUUID();
  // a run that writes holds its period's lock: runs of one period never write at once, so each
  // change reaches the stream once (SPEC §8.1); a dry run writes nothing and needs none
  const writes = !(req.dryRun ?? false);
  if (writes) await lockPeriod(runs, req, owner, times, deps.now);
  let handedOver = false;
  try {
    const result = await claimAndRun(req, deps, runs, owner, times, writes);
    // a fanned-out run keeps the lock: its shard workers renew it, and the last one gives it back
    handedOver = result.state === 'dispatched';
    return result;
  } catch (e) {
    // so does a run whose shards went out in part: the workers of those hold it while they work
    handedOver = e instanceof ShardsNotSentError;
    throw e;
  } finally {
    if (writes && !handedOver) await runs.unlockPeriod(req.job, req.period, owner);
  }
}

/** A run taken over more often than this ends failed and raises the alarm: it cannot finish. */
const MAX_ATTEMPTS = 5;

async function claimAndRun(
  req: RunRequest,
  runDeps: RunDependencies,
  runs: RunsRepository,
  owner: string,
  times: LeaseTimes,
  writes: boolean,
): Promise<RunResult> {
  let deps = runDeps;
  const claim = await runs.claim(
    {
      runId: req.runId,
      job: req.job,
      period: req.period,
      trigger: req.trigger,
      requestedBy: req.requestedBy,
      reason: req.reason,
      asOf: req.asOf,
      policyVersion: deps.policy.version,
      statusPolicyVersion: deps.statusPolicy && deps.statusPolicy.version !== deps.policy.version ? deps.statusPolicy.version : null,
      dryRun: req.dryRun ?? false,
      sellers: req.sellers ?? null,
      categories: req.categories ?? null,
      startedAt: deps.now(),
      leaseUntil: new Date(Date.parse(deps.now()) + times.leaseMs).toISOString(),
      owner,
    },
    deps.now(),
    { holdsLock: writes },
  );
  if (claim.state === 'done') return { state: 'alreadyDone', run: claim.run, changed: [] };
  // a resumed run keeps the version its first attempt recorded, whatever was published since
  if (claim.state === 'resumed') deps = { ...deps, ...(await policiesOfRun(deps, claim.run)) };
  // only a dry run claims without the lock: it never reports work it did not do
  if (claim.state === 'busy') throw new RunBusyError(req.job, req.period, claim.run.runId);
  if (claim.state === 'resumed' && claim.run.attempts > MAX_ATTEMPTS) {
    const error = `gave up after ${MAX_ATTEMPTS} attempts: each one stopped before it finished`;
    const failed = await runs.finish(claim.run, { status: 'failed', counts: claim.run.counts, error }, deps.now());
    throw Object.assign(new Error(`run ${claim.run.runId}: ${error}`), { run: failed });
  }
  const beat = heartbeat(runs, claim.run, times, deps.now, { lock: writes });
  try {
    return await evaluateRun(req, deps, runs, claim, beat.assertHeld);
  } finally {
    beat.stop();
  }
}

async function evaluateRun(
  req: RunRequest,
  deps: RunDependencies,
  runs: RunsRepository,
  claim: Extract<RunClaim, { state: 'started' | 'resumed' }>,
  assertHeld: () => void,
): Promise<RunResult> {
  const run = claim.run;
  try {
    const [plan, finished] = await Promise.all([
      planOf(run, deps, { entry: 'run', fresh: claim.state === 'started' && claim.fresh }),
      // a run just started has no finished shard yet
      claim.state === 'started' ? new Map<string, RunCounts>() : runs.finishedShards(run),
    ]);
    const quarantined = await plan.quarantined();
    const pending = plan.shards.filter((s) => !finished.has(s.shardId));
    if (deps.dispatch && pending.length > 0) {
      await runs.setShards(run, plan.shards.length, plan.referenceRevision);
      await deps.dispatch(pending.map((s) => ({ runId: run.runId, job: req.job, period: req.period, shardId: s.shardId }))).catch((e: unknown) => {
        throw new ShardsNotSentError(run, e);
      });
      return { state: 'dispatched', run, changed: [] };
    }
    // Locally, shards are built on a bounded pool and written in groups of up to WRITE_GROUP
    // sellers (full 25-item batches); two groups are in flight at once, so that the store always
    // has writes queued while the next group is built and a group's statuses wait for its reads.
    // After a failure no new group starts, and the run fails only once the groups in flight have
    // settled: no write of a failed run lands after a retry began.
    const outcomes = await mapLimit(writeGroups(pending, req.job), 2, (group) => evaluateGroup(plan, group, runs, run, deps, assertHeld));
    const counts = outcomes.map((o) => o.counts).reduce(addCounts, [...finished.values()].reduce(addCounts, { ...ZERO_COUNTS }));
    const changed = outcomes.flatMap((o) => o.changed);
    assertHeld();
    const done = await runs.finish(
      run,
      { status: 'succeeded', counts: { ...counts, quarantined }, shards: plan.shards.length, referenceRevision: plan.referenceRevision },
      deps.now(),
    );
    if (done.owner !== run.owner || done.status !== 'succeeded') throw new LeaseLostError(run);
    return { state: 'succeeded', run: done, changed };
  } catch (e) {
    if (e instanceof ShardsNotSentError) {
      // its lease ends now: the next delivery takes the run over as soon as no worker renews it
      const left = await runs.release(run, e.message, deps.now()).catch(() => run);
      throw Object.assign(e, { run: left });
    }
    const failed = await runs.finish(run, { status: 'failed', counts: run.counts, error: (e as Error).message }, deps.now()).catch(() => run);
    throw Object.assign(e as Error, { run: failed });
  }
}

interface ShardsOutcome {
  counts: RunCounts;
  runFinished: boolean;
  /** shards that are not part of the run any more (its data changed since planning): those messages fail */
  unknown: string[];
  /** shards another live invocation is evaluating: those messages come back later */
  busy: string[];
}

/** Who a worker invocation is, and until when its shard claims hold (functions/jobs/invocationFence.ts). */
interface Invocation {
  id: string;
  claimUntil: string;
}

/**
 * A fan-out worker's part of a run: the shards of one run that arrived in one batch. It re-plans
 * the run's shards, evaluates those not finished yet together (their writes in full batches, like
 * a group of the inline path), marks them finished, and closes the run when every shard is.
 */
async function runShards(tasks: ShardTask[], base: RunDependencies, invocation: Invocation): Promise<ShardsOutcome> {
  const { runId, job, period } = tasks[0]!;
  if (tasks.some((t) => t.runId !== runId || t.job !== job || t.period !== period)) throw new Error('runShards takes the shards of one run');
  const runs = new RunsRepository(base.store);
  const run = await runs.get(job, period, runId);
  if (!run) throw new Error(`shards ${tasks.map((t) => t.shardId).join(', ')}: run ${runId} of ${job} ${period} does not exist`);
  // an abandoned run: its next attempt plans and sends its pending shards again
  if (run.status === 'failed') return { counts: { ...ZERO_COUNTS }, runFinished: false, unknown: [], busy: [] };
  // every shard evaluates with the version its run recorded (a published version is read once per container)
  const deps = { ...base, ...(await policiesOfRun(base, run)) };
  // a worker alive on the run keeps it, and its period lock, from being taken over; one that finds
  // them taken over stops, and its message comes back to read the run anew
  const times = leaseTimes(deps.leaseSeconds);
  if (run.status === 'running' && !(await runs.renew(run, new Date(Date.parse(deps.now()) + times.leaseMs).toISOString(), { lock: !run.dryRun }))) {
    throw new LeaseLostError(run);
  }
  const beat = run.status === 'running' ? heartbeat(runs, run, times, deps.now, { lock: !run.dryRun }) : null;
  try {
    return await evaluateShards(tasks, deps, invocation, runs, run, beat?.assertHeld ?? (() => {}));
  } finally {
    beat?.stop();
  }
}

async function evaluateShards(
  tasks: ShardTask[],
  deps: RunDependencies,
  invocation: Invocation,
  runs: RunsRepository,
  run: RunRecord,
  assertHeld: () => void,
): Promise<ShardsOutcome> {
  const [finished, plan] = await Promise.all([runs.finishedShards(run), planOf(run, deps, { entry: 'worker', fresh: false })]);
  const planned = new Map(plan.shards.map((s) => [s.shardId, s]));
  const unknown = tasks.filter((t) => !planned.has(t.shardId)).map((t) => t.shardId);
  const open = [...new Set(tasks.map((t) => t.shardId))].filter((id) => planned.has(id) && !finished.has(id));
  const claimed = open.length > 0 ? await runs.claimShards(run, open, invocation.id, invocation.claimUntil, deps.now()) : new Set<string>();
  const busy = open.filter((id) => !claimed.has(id));
  const todo = open.filter((id) => claimed.has(id)).map((id) => planned.get(id)!);
  let counts = tasks.map((t) => finished.get(t.shardId)).reduce<RunCounts>((a, c) => (c ? addCounts(a, c) : a), { ...ZERO_COUNTS });
  try {
    if (todo.length > 0) counts = addCounts(counts, (await evaluateGroup(plan, todo, runs, run, deps, assertHeld)).counts);
  } catch (e) {
    // a failed invocation gives its shards back, its writes settled (a killed one's claims lapse)
    await runs.releaseShards(
      run,
      todo.map((s) => s.shardId),
      invocation.id,
    );
    throw e;
  }
  // a worker that died between its markers and closing the run: the next delivery closes it
  const all = todo.length > 0 ? await runs.finishedShards(run) : finished;
  const runFinished = run.status === 'succeeded' || plan.shards.every((s) => all.has(s.shardId));
  if (runFinished && run.status !== 'succeeded') await closeRun(runs, run, plan, all, deps);
  return { counts, runFinished, unknown, busy };
}

/**
 * Builds a group of shards, writes their records in one change-only pass (full batches) while the
 * run is still held, and marks the shards finished (not on a dry run), each with its own counts.
 */
async function evaluateGroup(
  plan: JobPlan,
  group: { shardId: string }[],
  runs: RunsRepository,
  run: RunRecord,
  deps: RunDependencies,
  assertHeld: () => void,
): Promise<GroupOutcome> {
  const outcome = await plan.evaluate(
    group.map((s) => s.shardId),
    assertHeld,
  );
  if (!run.dryRun) {
    await runs.finishShards(
      run,
      group.map((shard) => ({ shardId: shard.shardId, counts: outcome.byShard.get(shard.shardId)! })),
      deps.now(),
    );
  }
  return outcome;
}

/**
 * Ends a fanned-out run failed when one of its shards has used up its deliveries (its message goes
 * to the dead-letter queue): the run cannot finish, and its period's lock is given back.
 */
async function failRunOfShards(task: ShardTask, error: string, deps: RunDependencies): Promise<void> {
  const runs = new RunsRepository(deps.store);
  const run = await runs.get(task.job, task.period, task.runId);
  if (run?.status !== 'running') return;
  const failed = await runs.finish(run, { status: 'failed', counts: run.counts, error }, deps.now());
  if (failed.status === 'failed' && failed.owner === run.owner && !run.dryRun) await runs.unlockPeriod(run.job, run.period, run.owner);
}

/** Each job's strategy: adding a job is adding one here, and one schedule. */
const PLANS: Record<Job, PlanOf> = { daily: sellerPlan, monthly: sellerPlan, quarterly: sellerPlan, growth: growthPlan };

function planOf(run: RunRecord, deps: RunDependencies, options: { entry: 'run' | 'worker'; fresh: boolean }): Promise<JobPlan> {
  return PLANS[run.job](run, deps, options);
}

async function closeRun(runs: RunsRepository, run: RunRecord, plan: JobPlan, shards: Map<string, RunCounts>, deps: RunDependencies): Promise<void> {
  const quarantined = await plan.quarantined();
  const counts = [...shards.values()].reduce(addCounts, { ...ZERO_COUNTS });
  await runs.finish(
    run,
    { status: 'succeeded', counts: { ...counts, quarantined }, shards: shards.size, referenceRevision: plan.referenceRevision },
    deps.now(),
  );
  if (!run.dryRun) await runs.unlockPeriod(run.job, run.period, run.owner);
}

export { failRunOfShards, LeaseLostError, planRun, RunBusyError, runJob, runShards, ShardsNotSentError, wantedOf };
export type { Invocation, RunDependencies, RunRequest, RunResult, ShardsOutcome, ShardTask };
