import { windowLength } from '../../lib/calendar';
import { grantOfRecord, type GoodSellerGrant } from '../../lib/goodSeller';
import { dailyRecords, monthlyRecords, quarterlyRecords, type HealthContext, type JobContext, type JobSeller } from '../../lib/jobs';
import type { Policy } from '../../lib/policy';
import { isPeriodKind, type GradeRecord, type StatusRecord } from '../../lib/records';
import { shardGrades, type Shard } from '../../lib/shards';
import { goodSellerStateOn, statusOn, writesCurrentRecords } from '../../lib/status';
import { ComplianceRepository, type SellerCompliance } from '../data/complianceRepository';
import { DailyScorePacks } from '../data/dailyScorePacks';
import { contentHash, GradesRepository, type StoredVersion, type WriteOutcome } from '../data/gradesRepository';
import { HealthStates, type HealthState } from '../data/healthStates';
import { QuarantineRepository } from '../data/quarantineRepository';
import { ReferenceRepository } from '../data/referenceRepository';
import type { RunCounts } from '../data/runsRepository';
import type { Store } from '../data/store';
import type { JobData } from './jobData';
import { currentStatusInputs, readStatusInputs } from './statusInputs';

/** Everything a shard needs besides itself; built once per run. */
interface ShardContext {
  store: Store;
  policy: Policy;
  /** the version status rebuilds as of `asOf` follow; the run's own when absent */
  statusPolicy?: Policy;
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
  /** daily job: the stored versions of those grants' records, keyed `${sellerId}|goodSellerGrant` */
  activeGrantVersions?: Map<string, StoredVersion>;
  /** daily job: the sellers (by index) whose status and grant are refreshed; all when absent */
  statusRefresh?: ((seller: number) => boolean) | undefined;
  /** daily job: what the health check reads besides the windows (SPEC §7.5) */
  health?: HealthInputs;
}

interface HealthInputs {
  compliance: Map<string, SellerCompliance>;
  flags: Map<string, readonly string[]>;
  /** quarantined metric rows per seller in the daily window */
  quarantined: Map<string, number>;
}

/** Loads the health check's inputs once per daily run: compliance rows, category flags, quarantine counts. */
async function loadHealthInputs(store: Store, data: JobData): Promise<Pick<ShardContext, 'health'>> {
  const [compliance, categories, quarantined] = await Promise.all([
    new ComplianceRepository(store).all(data.referenceRevision),
    new ReferenceRepository(store).categories(),
    new QuarantineRepository(store).countsBySeller(data.windows.scoring!, data.referenceRevision),
  ]);
  return { health: { compliance, flags: new Map(categories.map((c) => [c.categoryId, c.flags ?? []])), quarantined } };
}

interface ShardOutcome {
  counts: RunCounts;
  changed: GradeRecord[];
  /** each shard's part of `counts` (none on a dry run) */
  byShard: Map<string, RunCounts>;
}

/** Loads the live grants, and their records' stored hashes, once per daily run. */
async function loadActiveGrants(store: Store): Promise<Pick<ShardContext, 'activeGrants' | 'activeGrantVersions'>> {
  const live = await new GradesRepository(store).activeGrants();
  return {
    activeGrants: new Map(live.map(({ record }) => [record.sellerId, grantOfRecord(record)])),
    activeGrantVersions: new Map(live.map(({ record, hash }) => [`${record.sellerId}|goodSellerGrant`, { hash, runId: record.runId }])),
  };
}

/** A shard's records, built and validated, with the stored versions its reads already found. */
interface BuiltShard {
  shard: Shard;
  records: GradeRecord[];
  knownStored: Map<string, StoredVersion>;
  /** daily job: the packs' health states after this run, to write with its records */
  healthStates?: Map<string, HealthState>;
}

/** Builds one shard's records with lib/ (the write path validates those that changed). */
async function buildShard(ctx: ShardContext, shard: Shard): Promise<BuiltShard> {
  const { data, policy } = ctx;
  const jobCtx: JobContext = { sellers: data.jobSellers, policy, runId: ctx.runId };
  const scoring = data.totals.scoring;
  const records: GradeRecord[] = [];
  let knownStored = new Map<string, StoredVersion>();
  let healthStates: Map<string, HealthState> | undefined;
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
    const { inputs, statusVersions } = await currentStatusInputs(
      new GradesRepository(ctx.store),
      refreshedSellers,
      categories,
      data.period,
      policy,
      ctx.activeGrants,
    );
    knownStored = new Map([...statusVersions, ...(ctx.activeGrantVersions ?? [])]);
    const of = (s: number) => inputs.get(data.sellers[s]!.sellerId)!;
    const windowDays = windowLength(data.windows.scoring!);
    const health = ctx.health ? await shardHealth(ctx, ctx.health, shard) : undefined;
    records.push(
      ...dailyRecords(
        {
          ...jobCtx,
          inForce: (s) => of(s).inForce,
          grantOf: (s) => of(s).grant,
          goodSellerOf: (s) => of(s).goodSeller,
          refresh: ctx.statusRefresh,
          health: health?.context,
        },
        data.period,
        { scoring: scoring!, previousGmvCents: data.previousGmvCents, merchant: data.totals.merchant! },
        shardGrades(shard, scoring!, data.previousGmvCents, windowDays, policy),
      ),
    );
    if (health) {
      healthStates = health.next(records);
      for (const [k, version] of health.knownStored(records)) knownStored.set(k, version);
    }
  }
  const current = writesCurrentRecords(data.job, data.period, ctx.asOf);
  if (!current) return { shard, records: records.filter((r) => r.kind === 'dailyScore'), knownStored };
  return { shard, records, knownStored, ...(healthStates ? { healthStates } : {}) };
}

/**
 * A shard's health-check context: each seller's previous record and the status it is judged
 * against, from its pack's health state (one read per pack); sellers the state does not know yet
 * are read by key. `next` gives the packs' states after the run's records.
 */
async function shardHealth(ctx: ShardContext, inputs: HealthInputs, shard: Shard) {
  const { data } = ctx;
  const packs = [...new Set(shard.sellers.map((s) => data.sellers[s]!.pack))];
  const states = await new HealthStates(ctx.store).get(packs);
  const held = (s: number) => states.get(data.sellers[s]!.pack)?.sellers[data.sellers[s]!.sellerId] ?? null;
  const unknown = shard.sellers.filter((s) => !held(s)).map((s) => data.sellers[s]!.sellerId);
  const read = unknown.length
    ? await new GradesRepository(ctx.store).getMany(
        unknown.flatMap((sellerId) => [
          { sellerId, sk: 'status' },
          { sellerId, sk: 'healthCheck' },
        ]),
      )
    : [];
  const statusRead = new Map(read.flatMap((r) => (r.kind === 'status' ? [[r.sellerId, r] as const] : [])));
  const healthRead = new Map(read.flatMap((r) => (r.kind === 'healthCheck' ? [[r.sellerId, r] as const] : [])));
  // A record equal to the state's is what the table holds: the state follows the table, and a
  // dead attempt of this run that got ahead of the state wrote this same record. Any other record
  // is checked against the table.
  const knownStored = (records: GradeRecord[]) => {
    const known = new Map<string, StoredVersion>();
    const heldRecords = new Map(shard.sellers.flatMap((s) => (held(s) ? [[data.sellers[s]!.sellerId, held(s)!] as const] : [])));
    for (const r of records) {
      const was = r.kind === 'healthCheck' ? heldRecords.get(r.sellerId) : undefined;
      if (was && was.hash === contentHash(r)) known.set(`${r.sellerId}|healthCheck`, { hash: was.hash, runId: was.record.runId });
    }
    return known;
  };
  const context: HealthContext = {
    previous: (s) => held(s)?.record ?? healthRead.get(data.sellers[s]!.sellerId) ?? null,
    inputs: (s) => {
      const id = data.sellers[s]!.sellerId;
      const c = inputs.compliance.get(id);
      return { exposure: c?.exposure ?? [], registrations: c?.registrations ?? [], quarantinedRows: inputs.quarantined.get(id) ?? 0 };
    },
    flagsOf: (categoryId) => inputs.flags.get(categoryId) ?? [],
    statusOf: (s) => held(s)?.inForce ?? statusRead.get(data.sellers[s]!.sellerId) ?? null,
  };
  // a pack's state is written only when one of its sellers' records or statuses in force changed
  const next = (records: GradeRecord[]): Map<string, HealthState> => {
    const out = new Map<string, HealthState>();
    const healthOf = new Map(records.flatMap((r) => (r.kind === 'healthCheck' ? [[r.sellerId, r] as const] : [])));
    const statusOf = new Map(records.flatMap((r) => (r.kind === 'status' ? [[r.sellerId, r] as const] : [])));
    for (const s of shard.sellers) {
      const seller = data.sellers[s]!;
      const record = healthOf.get(seller.sellerId);
      const status = statusOf.get(seller.sellerId) ?? context.statusOf!(s);
      if (!record || !status) continue;
      const { operationTier, serviceLevel, merchantTier, goodSeller } = status;
      const inForce = { operationTier, serviceLevel, merchantTier, goodSeller };
      const hash = contentHash(record);
      const was = held(s);
      if (was && was.hash === hash && JSON.stringify(was.inForce) === JSON.stringify(inForce)) continue;
      let state = out.get(seller.pack);
      if (!state) out.set(seller.pack, (state = { asOf: data.period, sellers: { ...(states.get(seller.pack)?.sellers ?? {}) } }));
      // an equal record is not written: the state keeps the stored one, and with it the run that wrote it
      const stored = was?.record ?? healthRead.get(seller.sellerId);
      state.sellers[seller.sellerId] = { record: stored && contentHash(stored) === hash ? stored : record, hash, inForce };
    }
    return out;
  };
  return { context, knownStored, next };
}

/**
 * Writes the changed records of built shards in one change-only pass (full batches), then
 * rebuilds the status of sellers whose monthly or quarterly records changed.
 */
async function writeShards(ctx: ShardContext, built: BuiltShard[]): Promise<ShardOutcome> {
  const records = built.flatMap((b) => b.records);
  const knownStored = new Map(built.flatMap((b) => [...b.knownStored]));
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
        knownAbsent: ctx.fresh ? (r) => isPeriodKind(r.kind) : undefined,
        knownStored,
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
  const refreshed = statuses.length > 0 ? await grades.writeChanged(statuses, { now: ctx.now() }) : null;
  // the health states follow the records they describe: a run that died before this point is redone whole
  const healthStates = new Map(built.flatMap((b) => [...(b.healthStates ?? [])]));
  if (!ctx.dryRun && healthStates.size > 0) await new HealthStates(ctx.store).put(healthStates);
  return {
    // a refreshed status counts as written when it changed, never as unchanged
    counts: {
      sellers: sellers.size,
      written: perSeller.written + packed.written + (refreshed?.written ?? 0),
      unchanged: perSeller.unchanged + packed.unchanged,
      quarantined: 0,
      failed: 0,
    },
    changed: [...packed.changed, ...perSeller.changed, ...(refreshed?.changed ?? [])],
    byShard: ctx.dryRun ? new Map() : countsByShard(ctx.data, built, [perSeller, packed], refreshed),
  };
}

/**
 * Each shard's part of a group's counts, from the records it built and those written: a shard's
 * finished marker carries its own counts, so that the markers of a group, written in several
 * batches, add up right whichever of them a crash left behind.
 */
function countsByShard(data: JobData, built: BuiltShard[], outcomes: WriteOutcome[], refreshed: WriteOutcome | null): Map<string, RunCounts> {
  const counts = new Map<string, RunCounts>();
  const ofSeller = new Map<string, RunCounts>();
  for (const b of built) {
    const c: RunCounts = { sellers: b.shard.sellers.length, written: 0, unchanged: b.records.length, quarantined: 0, failed: 0 };
    counts.set(b.shard.shardId, c);
    for (const s of b.shard.sellers) ofSeller.set(data.sellers[s]!.sellerId, c);
  }
  for (const r of outcomes.flatMap((o) => [...o.changed, ...o.earlier])) {
    const c = ofSeller.get(r.sellerId)!;
    c.written++;
    c.unchanged--;
  }
  for (const r of refreshed ? [...refreshed.changed, ...refreshed.earlier] : []) ofSeller.get(r.sellerId)!.written++;
  return counts;
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
  run: Pick<ShardContext, 'store' | 'policy' | 'statusPolicy' | 'runId' | 'asOf' | 'now' | 'activeGrants'>,
  sellers: JobSeller[],
  known: GradeRecord[] = [],
  byKey = true,
): Promise<StatusRecord[]> {
  const ctx = { ...run, policy: run.statusPolicy ?? run.policy };
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

export { buildShard, loadActiveGrants, loadHealthInputs, refreshStatuses, writeShards };
export type { BuiltShard, ShardContext, ShardOutcome };
