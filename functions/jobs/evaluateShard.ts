import { windowLength } from '../../lib/calendar';
import type { GoodSellerGrant } from '../../lib/goodSeller';
import { dailyRecords, monthlyRecords, quarterlyRecords, type JobContext, type JobSeller } from '../../lib/jobs';
import type { Policy } from '../../lib/policy';
import type { GradeRecord, StatusRecord } from '../../lib/records';
import { shardGrades, type Shard } from '../../lib/shards';
import { goodSellerStateOn, statusOn, writesCurrentRecords } from '../../lib/status';
import { DailyScorePacks } from '../data/dailyScorePacks';
import { GradesRepository, type WriteOutcome } from '../data/gradesRepository';
import type { RunCounts } from '../data/runsRepository';
import type { Store } from '../data/store';
import type { JobData } from './jobData';
import { currentStatusInputs, grantOfRecord, readStatusInputs } from './statusInputs';

/** Everything a shard needs besides itself; built once per run. */
interface ShardContext {
  store: Store;
  policy: Policy;
  data: JobData;
  runId: string;
  dryRun: boolean;
  /** a period never evaluated before: its period-keyed records cannot exist yet */
  fresh: boolean;
  /** business date of the run, for status refreshes */
  asOf: string;
  now: () => string;
  /** daily job: live Good Seller grants by seller */
  activeGrants: Map<string, GoodSellerGrant>;
  /** daily job: the stored content hashes of those grants' records, keyed `${sellerId}|goodSellerGrant` */
  activeGrantHashes?: Map<string, string>;
  /** daily job: the sellers (by index) whose status and grant are refreshed; all when absent */
  statusRefresh?: ((seller: number) => boolean) | undefined;
}

interface ShardOutcome {
  counts: RunCounts;
  changed: GradeRecord[];
}

const PERIOD_KINDS = new Set(['operationTier', 'serviceLevel', 'merchantAssessment']);

/** Loads the live grants, and their records' stored hashes, once per daily run. */
async function loadActiveGrants(store: Store): Promise<Pick<ShardContext, 'activeGrants' | 'activeGrantHashes'>> {
  const live = await new GradesRepository(store).activeGrants();
  return {
    activeGrants: new Map(live.map(({ record }) => [record.sellerId, grantOfRecord(record)])),
    activeGrantHashes: new Map(live.map(({ record, hash }) => [`${record.sellerId}|goodSellerGrant`, hash])),
  };
}

/** A shard's records, built and validated, with the stored hashes its reads already found. */
interface BuiltShard {
  shard: Shard;
  records: GradeRecord[];
  knownHashes: Map<string, string>;
}

/** Builds one shard's records with lib/ (the write path validates those that changed). */
async function buildShard(ctx: ShardContext, shard: Shard): Promise<BuiltShard> {
  const { data, policy } = ctx;
  const jobCtx: JobContext = { sellers: data.jobSellers, policy, runId: ctx.runId };
  const scoring = data.totals.scoring;
  const records: GradeRecord[] = [];
  let knownHashes = new Map<string, string>();
  if (data.job === 'quarterly') {
    records.push(...quarterlyRecords(jobCtx, data.period, { assessment: data.totals.assessment! }, shard.sellers));
  } else if (data.job === 'monthly') {
    const windowDays = windowLength(data.windows.scoring!);
    const shardGrading = shardGrades(shard, scoring!, data.previousGmvCents, windowDays, policy);
    records.push(
      ...monthlyRecords(
        jobCtx,
        data.period,
        { scoring: scoring!, previousGmvCents: data.previousGmvCents, service: data.totals.service!, serviceExtended: data.totals.serviceExtended },
        shardGrading,
      ),
    );
  } else {
    const refreshed = ctx.statusRefresh ? shard.sellers.filter(ctx.statusRefresh) : shard.sellers;
    const refreshedSellers = refreshed.map((s) => data.sellers[s]!);
    // a full refresh reads the shard's statuses by category (range reads), a partial one by key
    const categories = ctx.statusRefresh ? null : [...new Set(refreshed.map((s) => data.sellers[s]!.categoryId))];
    const { inputs, statusHashes } = await currentStatusInputs(
      new GradesRepository(ctx.store),
      refreshedSellers,
      categories,
      data.period,
      policy,
      ctx.activeGrants,
    );
    knownHashes = new Map([...statusHashes, ...(ctx.activeGrantHashes ?? [])]);
    const of = (s: number) => inputs.get(data.sellers[s]!.sellerId)!;
    const windowDays = windowLength(data.windows.scoring!);
    records.push(
      ...dailyRecords(
        { ...jobCtx, inForce: (s) => of(s).inForce, grantOf: (s) => of(s).grant, goodSellerOf: (s) => of(s).goodSeller, refresh: ctx.statusRefresh },
        data.period,
        { scoring: scoring!, previousGmvCents: data.previousGmvCents, merchant: data.totals.merchant! },
        shardGrades(shard, scoring!, data.previousGmvCents, windowDays, policy),
      ),
    );
  }
  const current = writesCurrentRecords(data.job, data.period, ctx.asOf);
  return { shard, records: current ? records : records.filter((r) => r.kind === 'dailyScore'), knownHashes };
}

/**
 * Writes the changed records of built shards in one change-only pass (full batches), then
 * rebuilds the status of sellers whose monthly or quarterly records changed.
 */
async function writeShards(ctx: ShardContext, built: BuiltShard[]): Promise<ShardOutcome> {
  const records = built.flatMap((b) => b.records);
  const knownHashes = new Map(built.flatMap((b) => [...b.knownHashes]));
  const grades = new GradesRepository(ctx.store);
  // Monthly and quarterly runs rebuild their sellers' statuses from the records in hand; the other
  // grades in force are read while the records are written, and the statuses written after them.
  const refresh = ctx.data.job !== 'daily' && !ctx.dryRun;
  const sellers = new Set(built.flatMap((b) => b.shard.sellers));
  const dailyScores = records.filter((r) => r.kind === 'dailyScore');
  const packs = new Map(ctx.data.sellers.map((s) => [s.sellerId, s.pack]));
  const [perSeller, packed, statuses] = await settleAll(
    grades.writeChanged(
      records.filter((r) => r.kind !== 'dailyScore'),
      {
        dryRun: ctx.dryRun,
        knownAbsent: ctx.fresh ? (r) => PERIOD_KINDS.has(r.kind) : undefined,
        knownHashes,
        now: ctx.now(),
      },
    ),
    new DailyScorePacks(ctx.store).writeChanged(dailyScores, (sellerId) => packs.get(sellerId)!, {
      dryRun: ctx.dryRun,
      knownAbsent: ctx.fresh,
      now: ctx.now(),
      runId: ctx.runId,
    }),
    refresh
      ? buildStatuses(
          ctx,
          ctx.data.jobSellers.filter((_, i) => sellers.has(i)),
          records,
          false,
        )
      : Promise.resolve([]),
  );
  const outcome: WriteOutcome = {
    written: perSeller.written + packed.written,
    unchanged: perSeller.unchanged + packed.unchanged,
    changed: [...packed.changed, ...perSeller.changed],
  };
  let { written } = outcome;
  const changed = [...outcome.changed];
  if (statuses.length > 0) {
    const refreshed = await grades.writeChanged(statuses, { now: ctx.now() });
    written += refreshed.written;
    changed.push(...refreshed.changed);
  }
  return { counts: { sellers: sellers.size, written, unchanged: outcome.unchanged, quarantined: 0, failed: 0 }, changed };
}

/** Every result, once all have settled: a failure propagates only when nothing is left in flight. */
async function settleAll<T extends unknown[]>(...promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as T;
}

/**
 * Each seller's status as of the run's date, from the records in hand and the other grades in
 * force: read record by record (`byKey`, an operator's one seller), or — for a run's sellers — from
 * their current statuses read by category, the run's own records laid over them.
 */
async function buildStatuses(
  ctx: Pick<ShardContext, 'store' | 'policy' | 'runId' | 'asOf' | 'now' | 'activeGrants'>,
  sellers: JobSeller[],
  known: GradeRecord[] = [],
  byKey = true,
): Promise<StatusRecord[]> {
  const grades = new GradesRepository(ctx.store);
  const ids = sellers.map((s) => s.sellerId);
  const inputs = byKey
    ? await readStatusInputs(grades, ids, ctx.asOf, ctx.policy, known)
    : (await currentStatusInputs(grades, sellers, [...new Set(sellers.map((s) => s.categoryId))], ctx.asOf, ctx.policy, ctx.activeGrants, known)).inputs;
  return sellers.map((seller) => {
    const sellerId = seller.sellerId;
    const input = inputs.get(sellerId)!;
    const grant = ctx.activeGrants.get(sellerId) ?? input.grant;
    return statusOn({
      sellerId,
      categoryId: seller.categoryId,
      date: ctx.asOf,
      programs: seller,
      inForce: input.inForce,
      goodSeller: grant ? goodSellerStateOn(grant, ctx.asOf, ctx.policy) : input.goodSeller,
      policy: ctx.policy,
      runId: ctx.runId,
    });
  });
}

/** Rebuilds the status of some sellers as of the run's date from their records in force, writing those that changed. */
async function refreshStatuses(
  ctx: Pick<ShardContext, 'store' | 'policy' | 'runId' | 'asOf' | 'now' | 'activeGrants'>,
  sellers: JobSeller[],
  known: GradeRecord[] = [],
) {
  return new GradesRepository(ctx.store).writeChanged(await buildStatuses(ctx, sellers, known), { now: ctx.now() });
}

export { buildShard, loadActiveGrants, refreshStatuses, writeShards };
export type { BuiltShard, ShardContext, ShardOutcome };
