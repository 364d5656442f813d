import { windowLength } from '../../lib/calendar';
import type { GoodSellerGrant } from '../../lib/goodSeller';
import { dailyRecords, monthlyRecords, quarterlyRecords, type JobContext, type JobSeller } from '../../lib/jobs';
import type { Policy } from '../../lib/policy';
import { validateRecord, type GradeRecord, type StatusRecord } from '../../lib/records';
import { shardGrades, type Shard } from '../../lib/shards';
import { goodSellerStateOn, statusOn } from '../../lib/status';
import { GradesRepository } from '../data/gradesRepository';
import type { RunCounts } from '../data/runsRepository';
import type { Store } from '../data/store';
import type { JobData } from './jobData';
import { dailyStatusInputs, grantOfRecord, readStatusInputs } from './statusInputs';

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
}

interface ShardOutcome {
  counts: RunCounts;
  changed: GradeRecord[];
}

const PERIOD_KINDS = new Set(['dailyScore', 'operationTier', 'serviceLevel', 'merchantAssessment']);

/** Loads the live grants once per daily run. */
async function loadActiveGrants(store: Store): Promise<Map<string, GoodSellerGrant>> {
  const records = await new GradesRepository(store).activeGrants();
  return new Map(records.map((r) => [r.sellerId, grantOfRecord(r)]));
}

/** A shard's records, built and validated, with the stored hashes its reads already found. */
interface BuiltShard {
  shard: Shard;
  records: GradeRecord[];
  knownHashes: Map<string, string>;
}

/** Builds one shard's records with lib/ and validates each before anything is written. */
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
    records.push(...monthlyRecords(jobCtx, data.period, { scoring: scoring!, previousGmvCents: data.previousGmvCents, service: data.totals.service! }, shardGrading));
  } else {
    const sellerIds = shard.sellers.map((s) => data.sellers[s]!.sellerId);
    const { inputs, statusHashes } = await dailyStatusInputs(new GradesRepository(ctx.store), sellerIds, data.period, policy, ctx.activeGrants);
    knownHashes = statusHashes;
    const of = (s: number) => inputs.get(data.sellers[s]!.sellerId)!;
    const windowDays = windowLength(data.windows.scoring!);
    records.push(...dailyRecords(
      { ...jobCtx, inForce: (s) => of(s).inForce, grantOf: (s) => of(s).grant, goodSellerOf: (s) => of(s).goodSeller },
      data.period,
      { scoring: scoring!, previousGmvCents: data.previousGmvCents, merchant: data.totals.merchant! },
      shardGrades(shard, scoring!, data.previousGmvCents, windowDays, policy),
    ));
  }
  records.forEach((r) => validateRecord(r));
  // A daily re-run of a past date rebuilds its daily scores only: status and grants are current
  // records, and a past date must not overwrite them.
  const current = data.job !== 'daily' || ctx.asOf <= data.period;
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
  const [outcome, statuses] = await settleBoth(
    grades.writeChanged(records, {
      dryRun: ctx.dryRun,
      knownAbsent: ctx.fresh ? (r) => PERIOD_KINDS.has(r.kind) : undefined,
      knownHashes,
      now: ctx.now(),
    }),
    refresh ? buildStatuses(ctx, ctx.data.jobSellers.filter((_, i) => sellers.has(i)), records) : Promise.resolve([]),
  );
  let { written } = outcome;
  const changed = [...outcome.changed];
  if (statuses.length > 0) {
    const refreshed = await grades.writeChanged(statuses, { now: ctx.now() });
    written += refreshed.written;
    changed.push(...refreshed.changed);
  }
  return { counts: { sellers: sellers.size, written, unchanged: outcome.unchanged, quarantined: 0, failed: 0 }, changed };
}

/** Both results, once both have settled: a failure propagates only when nothing is left in flight. */
async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}

/** Evaluates one shard: builds its records, writes those that changed. */
async function evaluateShard(ctx: ShardContext, shard: Shard): Promise<ShardOutcome> {
  return writeShards(ctx, [await buildShard(ctx, shard)]);
}

/** Each seller's status as of the run's date, from the records in hand and the other grades in force. */
async function buildStatuses(
  ctx: Pick<ShardContext, 'store' | 'policy' | 'runId' | 'asOf' | 'now' | 'activeGrants'>,
  sellers: JobSeller[],
  known: GradeRecord[] = [],
): Promise<StatusRecord[]> {
  const inputs = await readStatusInputs(new GradesRepository(ctx.store), sellers.map((s) => s.sellerId), ctx.asOf, ctx.policy, known);
  return sellers.map((seller) => {
    const sellerId = seller.sellerId;
    const input = inputs.get(sellerId)!;
    const grant = ctx.activeGrants.get(sellerId) ?? input.grant;
    return validateRecord(statusOn({
      sellerId, categoryId: seller.categoryId, date: ctx.asOf, programs: seller, inForce: input.inForce,
      goodSeller: grant ? goodSellerStateOn(grant, ctx.asOf, ctx.policy) : null,
      policy: ctx.policy, runId: ctx.runId,
    }));
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

export { buildShard, evaluateShard, loadActiveGrants, refreshStatuses, writeShards };
export type { BuiltShard, ShardContext, ShardOutcome };
