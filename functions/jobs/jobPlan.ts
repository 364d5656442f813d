import type { ListingRecord } from '../../lib/listingRecords';
import type { Policy } from '../../lib/policy';
import type { GradeRecord } from '../../lib/records';
import type { RunCounts, RunRecord } from '../data/runsRepository';
import type { Store } from '../data/store';
import type { PolicySource } from './runPolicy';

/** A shard message for the fan-out (SQS in AWS). */
interface ShardTask {
  runId: string;
  job: RunRecord['job'];
  period: string;
  shardId: string;
}

interface RunDependencies {
  store: Store;
  /** the pinned policy; under `published`, the base one a run replaces with its version */
  policy: Policy;
  /** set by a run from its record: the version its status rebuilds follow (the one in force on its `asOf`) */
  statusPolicy?: Policy;
  /** where a run finds its policy (functions/jobs/runPolicy.ts); absent: pinned */
  policySource?: PolicySource;
  /** wall-clock ISO time, for run bookkeeping only (never for periods) */
  now: () => string;
  /** sends unfinished shards elsewhere (AWS); absent: run them here on a bounded pool */
  dispatch?: (tasks: ShardTask[]) => Promise<void>;
  concurrency?: number;
  /** how long a claimed run is considered alive before another attempt may resume it */
  leaseSeconds?: number;
}

/** What a group of shards changed, in all and shard by shard (none by shard on a dry run). */
interface GroupOutcome {
  counts: RunCounts;
  changed: (GradeRecord | ListingRecord)[];
  byShard: Map<string, RunCounts>;
}

/**
 * What a run evaluates, job by job: its shards, and how a group of them is built and written in
 * one change-only pass: one strategy per job, functions/jobs/sellerRun.ts and functions/jobs/growthRun.ts.
 */
interface JobPlan {
  referenceRevision: number;
  /** `size`: the sellers (or listings) a shard writes, for the write groups */
  shards: { shardId: string; size: number }[];
  /** the rows quarantined inside the run's windows */
  quarantined(): Promise<number>;
  /** builds a group of planned shards, and writes their records while the run is still held */
  evaluate(shardIds: string[], assertHeld: () => void): Promise<GroupOutcome>;
}

/**
 * The plan of a run. `entry`: the run's own invocation (which folds order changes first, and may
 * send the shards out) or a fan-out worker (which reads the data its run's planning read, when it
 * shares its process). `fresh`: a period never evaluated before.
 */
type PlanOf = (run: RunRecord, deps: RunDependencies, options: { entry: 'run' | 'worker'; fresh: boolean }) => Promise<JobPlan>;

export type { GroupOutcome, JobPlan, PlanOf, RunDependencies, ShardTask };
