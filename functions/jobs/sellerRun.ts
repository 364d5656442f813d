import { addDays, type SellerJob } from '../../lib/calendar';
import type { GoodSellerGrant } from '../../lib/goodSeller';
import type { Policy } from '../../lib/policy';
import { planShards, type Shard } from '../../lib/shards';
import { followsDayBefore, refreshesPartially, statusMayChangeOn } from '../../lib/status';
import { mapLimit } from '../data/batch';
import { QuarantineRepository } from '../data/quarantineRepository';
import { RunsRepository, scheduledRunId, type RunRecord } from '../data/runsRepository';
import { buildShard, loadActiveGrants, loadHealthInputs, writeShards, type ShardContext } from './evaluateShard';
import { jobSpan, loadJobData, loadRunData, type JobData } from './jobData';
import type { PlanOf } from './jobPlan';
import { foldOrdersBeforeRun } from './orders';

/** The sellers a run writes: the listed sellers and categories; everyone when neither is given. */
function wantedOf(data: JobData, req: { sellers?: string[] | undefined; categories?: string[] | undefined }): ((s: number) => boolean) | undefined {
  const sellers = req.sellers?.length ? new Set(req.sellers) : null;
  const categories = req.categories?.length ? new Set(req.categories) : null;
  if (!sellers && !categories) return undefined;
  return (s) => (sellers?.has(data.sellers[s]!.sellerId) ?? false) || (categories?.has(data.sellers[s]!.categoryId) ?? false);
}

/** The shard plan of a run: deterministic, so a worker re-plans it and finds its own shard. */
function planRun(data: JobData, policy: Policy, req: { sellers?: string[] | undefined; categories?: string[] | undefined }): Shard[] {
  return planShards(data.job, data.jobSellers, data.totals.scoring ?? null, policy, wantedOf(data, req));
}

/**
 * The seller jobs' strategy (daily, monthly, quarterly): pool shards of sellers, built by
 * functions/jobs/evaluateShard.ts. Statuses: a daily run refreshes them as of its date, all of
 * them or, after a like scheduled run the day before, only those a program or grant boundary can
 * change (statusRefreshAfter); a monthly or quarterly run rebuilds those of the sellers it grades,
 * as of its `asOf`, since their grades in force changed (evaluateShard.ts, writeShards).
 */
const sellerPlan: PlanOf = async (anyRun, deps, options) => {
  const run = anyRun as RunRecord & { job: SellerJob };
  // order changes stored by now apply to this run (SPEC §3.4)
  if (options.entry === 'run') await foldOrdersBeforeRun(deps.store, run.owner, deps.now());
  const cached = options.entry === 'worker' || deps.dispatch !== undefined;
  const data = cached ? await loadRunData(deps.store, run, deps.policy) : await loadJobData(deps.store, run.job, run.period, deps.policy);
  const shards = planRun(data, deps.policy, { sellers: run.sellers ?? undefined, categories: run.categories ?? undefined });
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  // what evaluating needs besides the data: read once, and only when a shard is evaluated here
  let context: Promise<ShardContext> | undefined;
  const contextOf = async (): Promise<ShardContext> => {
    const daily = run.job === 'daily';
    const [grants, dayBefore, health] = await Promise.all([
      daily ? loadActiveGrants(deps.store) : { activeGrants: new Map<string, GoodSellerGrant>() },
      daily ? dayBeforeRun(new RunsRepository(deps.store), run, deps.policy) : null,
      daily ? loadHealthInputs(deps.store, data) : {},
    ]);
    return {
      store: deps.store,
      policy: deps.policy,
      statusPolicy: deps.statusPolicy ?? deps.policy,
      data,
      runId: run.runId,
      dryRun: run.dryRun,
      fresh: options.fresh,
      asOf: run.asOf,
      now: deps.now,
      ...grants,
      ...health,
      statusRefresh: daily ? statusRefreshAfter(dayBefore, run, data, deps.policy, grants.activeGrants) : undefined,
    };
  };
  return {
    referenceRevision: data.referenceRevision,
    shards: shards.map((s) => ({ shardId: s.shardId, size: s.sellers.length })),
    quarantined: () => new QuarantineRepository(deps.store).countForWindow(jobSpan(data), data.referenceRevision),
    async evaluate(shardIds, assertHeld) {
      const ctx = await (context ??= contextOf());
      const built = await mapLimit(shardIds, deps.concurrency ?? 4, (id) => buildShard(ctx, byId.get(id)!));
      assertHeld();
      return writeShards(ctx, built);
    },
  };
};

/** The scheduled daily run of the day before, when this run may refresh only some statuses after it. */
async function dayBeforeRun(runs: RunsRepository, run: RunRecord, policy: Policy): Promise<RunRecord | null> {
  if (!followsDayBefore(run, policy)) return null;
  const dayBefore = addDays(run.period, -1);
  return runs.get('daily', dayBefore, scheduledRunId('daily', dayBefore));
}

/**
 * The sellers whose status a daily run refreshes. All of them, unless this is the scheduled run of
 * its own date and the day before was a successful scheduled run that read the same reference
 * revision under the same policy, and no month or quarter takes effect today: then every status
 * is as that run left it (monthly and quarterly runs and operator actions rebuild the statuses
 * they touch; imports and program changes move the revision), and only sellers with a program or
 * grant boundary on the date can change (lib/status.ts).
 */
function statusRefreshAfter(
  previous: RunRecord | null,
  run: RunRecord,
  data: JobData,
  policy: Policy,
  activeGrants: Map<string, GoodSellerGrant>,
): ((seller: number) => boolean) | undefined {
  if (!refreshesPartially({ ...run, referenceRevision: data.referenceRevision }, previous, policy)) return undefined;
  return (s) => statusMayChangeOn(run.period, data.sellers[s]!, activeGrants.get(data.sellers[s]!.sellerId) ?? null, policy);
}

export { planRun, sellerPlan, wantedOf };
