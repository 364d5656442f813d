import { addDays, type DateWindow } from '../../lib/calendar';
import { growthWindow, idleRecords, planGrowth, poolRecords, type GrowthDay, type GrowthInForce, type GrowthListing, type GrowthPool } from '../../lib/growth';
import type { ListingIncentiveRecord, ListingRecord } from '../../lib/listingRecords';
import { LISTING_FIELD_COUNT } from '../../lib/listings';
import type { Policy } from '../../lib/policy';
import { writesCurrentRecords } from '../../lib/status';
import { asStageRecord, GrowthStates, stageInForce, type GrowthState, type ListingState } from '../data/growthStates';
import { ListingRecordsRepository } from '../data/listingRecordsRepository';
import { ListingsRepository, type StoredListing } from '../data/listingsRepository';
import { MetricsRepository } from '../data/metricsRepository';
import { QuarantineRepository } from '../data/quarantineRepository';
import { ReferenceRepository } from '../data/referenceRepository';
import type { RunCounts } from '../data/runsRepository';
import type { Store } from '../data/store';
import { mapLimit } from '../data/batch';
import type { PlanOf } from './jobPlan';

/** What the growth job of D reads once: every listing and its sums over the window D-30..D-1. */
interface GrowthData {
  period: string;
  window: DateWindow;
  stored: StoredListing[];
  listings: GrowthListing[];
  sums: Float64Array;
  referenceRevision: number;
}

/**
 * A shard of the growth job: one pool's assigned listings, with the idle listings of the
 * categories the pool holds, or idle listings of categories without a pool. Every category, and
 * so every listing block, lies in one shard: each block's state is written by one shard.
 */
interface GrowthShard {
  shardId: string;
  pool: GrowthPool | null;
  assigned: number[];
  idle: number[];
}

/** Idle listings of categories without a pool, per shard: whole categories, about this many listings. */
const IDLE_SHARD_LISTINGS = 20_000;

/** Reads every listing and two cumulative block items per listing block (SPEC §7.6 window; docs/data-model.md). */
async function loadGrowthData(store: Store, period: string): Promise<GrowthData> {
  const { revision, categories } = await new ReferenceRepository(store).snapshot();
  const parentOf = new Map(categories.map((c) => [c.categoryId, c.parentId]));
  const listingStore = new ListingsRepository(store);
  const version = listingVersion(revision, await listingStore.revision());
  const stored = await listingStore.all(version);
  const window = growthWindow(period);
  const [end, before] = [window.end, addDays(window.start, -1)];
  const blocks = [...new Set(stored.map((l) => l.block))];
  const cumulative = await new MetricsRepository(store).cumulativeAt(blocks, [end, before], version);
  const sums = new Float64Array(stored.length * LISTING_FIELD_COUNT);
  stored.forEach((l, i) => {
    const e = cumulative.get(`${l.block}|${end}`);
    const b = cumulative.get(`${l.block}|${before}`);
    const o = l.slot * LISTING_FIELD_COUNT;
    for (let f = 0; f < LISTING_FIELD_COUNT; f++) {
      sums[i * LISTING_FIELD_COUNT + f] = (e && o + f < e.length ? e[o + f]! : 0) - (b && o + f < b.length ? b[o + f]! : 0);
    }
  });
  const listings = stored.map((l) => ({
    listingId: l.listingId,
    sellerId: l.sellerId,
    categoryId: l.categoryId,
    parentId: parentOf.get(l.categoryId) ?? l.categoryId,
    listedOn: l.listedOn,
    delistedOn: l.delistedOn,
  }));
  return { period, window, stored, listings, sums, referenceRevision: revision };
}

/** What the listings and their rows are as of: imports move the reference revision, the listing feed its own counters. */
const listingVersion = (reference: number, listings: { listings: number; rows: number }) => `${reference}.${listings.listings}.${listings.rows}`;

const runDataCache = new WeakMap<Store['client'], Map<string, GrowthData>>();

/** The growth data of a run, read once per worker while the reference revision stays where it was. */
async function loadGrowthRunData(store: Store, run: { runId: string; period: string }): Promise<GrowthData> {
  const { revision } = await new ReferenceRepository(store).snapshot();
  const key = `${run.runId}|${run.period}|${listingVersion(revision, await new ListingsRepository(store).revision())}`;
  let kept = runDataCache.get(store.client);
  if (!kept) runDataCache.set(store.client, (kept = new Map()));
  const hit = kept.get(key);
  if (hit) return hit;
  const data = await loadGrowthData(store, run.period);
  kept.set(key, data);
  while (kept.size > 2) kept.delete(kept.keys().next().value!);
  return data;
}

/** The listings a run writes: those of the sellers named or in the categories named (their own); all when neither is given. */
function wantedListings(data: GrowthData, req: { sellers?: string[] | null | undefined; categories?: string[] | null | undefined }) {
  const sellers = req.sellers?.length ? new Set(req.sellers) : null;
  const categories = req.categories?.length ? new Set(req.categories) : null;
  if (!sellers && !categories) return () => true;
  return (i: number) => (sellers?.has(data.listings[i]!.sellerId) ?? false) || (categories?.has(data.listings[i]!.categoryId) ?? false);
}

/** Plans the growth job's shards: pools computed in full over every listing, records built for the wanted ones. */
function planGrowthShards(data: GrowthData, policy: Policy, wanted: (i: number) => boolean): GrowthShard[] {
  const plan = planGrowth({ date: data.period, listings: data.listings, sums: data.sums, policy });
  const shards: GrowthShard[] = plan.pools.map((pool) => ({ shardId: pool.poolId, pool, assigned: pool.assigned.filter(wanted), idle: [] }));
  const shardOfCategory = new Map<string, GrowthShard>();
  for (const shard of shards) for (const i of shard.pool!.assigned) shardOfCategory.set(data.listings[i]!.categoryId, shard);
  const idleByCategory = new Map<string, number[]>();
  for (const i of plan.idle) {
    if (!wanted(i)) continue;
    const category = data.listings[i]!.categoryId;
    const shard = shardOfCategory.get(category);
    if (shard) shard.idle.push(i);
    else idleByCategory.set(category, [...(idleByCategory.get(category) ?? []), i]);
  }
  let chunk: GrowthShard | null = null;
  for (const [category, idle] of [...idleByCategory].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!chunk || chunk.idle.length + idle.length > IDLE_SHARD_LISTINGS)
      shards.push((chunk = { shardId: `idle:${category}`, pool: null, assigned: [], idle: [] }));
    chunk.idle.push(...idle);
  }
  return shards.filter((s) => s.assigned.length + s.idle.length > 0);
}

interface GrowthContext {
  store: Store;
  policy: Policy;
  data: GrowthData;
  runId: string;
  asOf: string;
  dryRun: boolean;
  /** a date never evaluated before: its records cannot be stored yet */
  fresh: boolean;
  now: () => string;
}

interface BuiltGrowthShard {
  shard: GrowthShard;
  /** records that differ from the state in force before D: to be written when they differ from the table */
  candidates: ListingRecord[];
  /** the listings' stage records equal to the one in force */
  unchanged: number;
  states: Map<string, GrowthState>;
}

const NONE: GrowthInForce = { stage: null, incentives: [] };

/** Builds one shard's records with lib/growth.ts, against each block's state before D. */
async function buildGrowthShard(ctx: GrowthContext, shard: GrowthShard): Promise<BuiltGrowthShard> {
  const { data } = ctx;
  const date = data.period;
  const members = [...shard.assigned, ...shard.idle];
  // every member's stage in force counts (the benchmarks of a stage are taken over the pool's
  // listings in it): a parent's or the global pool reads the states of other shards' blocks too
  const blocks = [...new Set([...(shard.pool?.members ?? []), ...members].map((i) => data.stored[i]!.block))];
  const around = await new GrowthStates(ctx.store).around(blocks, date);
  const stateOf = (i: number): ListingState | null => around.get(data.stored[i]!.block)?.before?.listings[data.listings[i]!.listingId] ?? null;
  const inForce = new Map<number, GrowthInForce>();
  const inShard = new Set(members);
  const day: GrowthDay = {
    date,
    listings: data.listings,
    sums: data.sums,
    policy: ctx.policy,
    runId: ctx.runId,
    inForce: (i) => {
      let found = inForce.get(i);
      if (!found) {
        const s = stateOf(i);
        inForce.set(i, (found = s ? { stage: s.stage ? asStageRecord(s.stage) : null, incentives: s.incentives } : NONE));
      }
      return found;
    },
    wanted: (i) => inShard.has(i),
  };
  const records = [
    ...(shard.pool ? poolRecords(day, { ...shard.pool, assigned: shard.assigned }, data.window) : []),
    ...idleRecords(day, shard.idle, data.window),
  ];
  const current = writesCurrentRecords('growth', date, ctx.asOf);
  // a stage record dated before D is the one in force, returned as it stood: stored already
  const candidates = current ? records.filter((r) => r.kind === 'listingIncentive' || r.asOf === date) : [];
  const unchanged = records.length - candidates.length;
  return { shard, candidates, unchanged, states: current ? nextStates(ctx, around, members, records, stateOf) : new Map() };
}

/**
 * Each touched block's state after D: the state a run of D already wrote (a partial re-run keeps
 * the other listings' results), else the state before D, with the evaluated listings' new stage
 * and incentives. Only states that differ are returned.
 */
function nextStates(
  ctx: GrowthContext,
  around: Map<string, { before: GrowthState | null; on: GrowthState | null }>,
  members: number[],
  records: ListingRecord[],
  stateOf: (i: number) => ListingState | null,
): Map<string, GrowthState> {
  const { data } = ctx;
  const byListing = new Map<string, ListingRecord[]>();
  for (const r of records) byListing.set(r.listingId, [...(byListing.get(r.listingId) ?? []), r]);
  const out = new Map<string, GrowthState>();
  for (const i of members) {
    const listing = data.stored[i]!;
    const was = stateOf(i);
    const yielded = byListing.get(listing.listingId) ?? [];
    const stage = yielded.find((r) => r.kind === 'listingStage');
    const incentives = new Map((was?.incentives ?? []).map((r) => [r.grantedOn, r]));
    for (const r of yielded) {
      if (r.kind !== 'listingIncentive') continue;
      if (r.status === 'active') incentives.set(r.grantedOn, r);
      else incentives.delete(r.grantedOn);
    }
    const next: ListingState = {
      stage: stage?.kind === 'listingStage' ? (stage.asOf === data.period ? stageInForce(stage) : (was?.stage ?? null)) : (was?.stage ?? null),
      incentives: [...incentives.values()].sort((a, b) => (a.grantedOn < b.grantedOn ? -1 : 1)) as ListingIncentiveRecord[],
    };
    const { on, before } = around.get(listing.block) ?? { on: null, before: null };
    const base = out.get(listing.block) ?? on ?? before;
    const held = base?.listings[listing.listingId];
    if (held && JSON.stringify(held) === JSON.stringify(next)) continue;
    if (!held && next.stage === null && next.incentives.length === 0) continue;
    let state = out.get(listing.block);
    if (!state) out.set(listing.block, (state = { asOf: data.period, listings: { ...(base?.listings ?? {}) } }));
    state.listings[listing.listingId] = next;
  }
  // a run of D on a block whose state before D is the same as after writes nothing
  for (const [block, state] of out) {
    const { on, before } = around.get(block)!;
    if (!on && before && JSON.stringify(before.listings) === JSON.stringify(state.listings)) out.delete(block);
  }
  return out;
}

interface GrowthOutcome {
  counts: RunCounts;
  changed: ListingRecord[];
  byShard: Map<string, RunCounts>;
}

/** Writes the changed records of built shards in one change-only pass, then the blocks' states that follow them. */
async function writeGrowthShards(ctx: GrowthContext, built: BuiltGrowthShard[]): Promise<GrowthOutcome> {
  const outcome = await new ListingRecordsRepository(ctx.store).writeChanged(
    built.flatMap((b) => b.candidates),
    { dryRun: ctx.dryRun, knownAbsent: ctx.fresh, now: ctx.now() },
  );
  const states = new Map(built.flatMap((b) => [...b.states]));
  if (!ctx.dryRun && states.size > 0) await new GrowthStates(ctx.store).put(states);
  const changed = new Set(outcome.changed);
  const byShard = new Map<string, RunCounts>();
  for (const b of built) {
    const written = b.candidates.filter((r) => changed.has(r)).length;
    byShard.set(b.shard.shardId, {
      sellers: b.shard.assigned.length + b.shard.idle.length,
      written: ctx.dryRun ? 0 : written,
      unchanged: b.unchanged + b.candidates.length - written,
      quarantined: 0,
      failed: 0,
    });
  }
  const counts: RunCounts = { sellers: 0, written: 0, unchanged: 0, quarantined: 0, failed: 0 };
  for (const c of byShard.values()) {
    counts.sellers += c.sellers;
    counts.written += c.written;
    counts.unchanged += c.unchanged;
  }
  return { counts, changed: outcome.changed, byShard: ctx.dryRun ? new Map() : byShard };
}

/** Quarantined listing rows of the growth window, and every undated one. */
function growthQuarantined(store: Store, data: GrowthData): Promise<number> {
  return new QuarantineRepository(store).countListingRowsForWindow(data.window);
}

/**
 * The growth job's strategy: shards of listing pools and idle categories (lib/growth.ts), each block's
 * state read before D and written after it. It touches no seller status.
 */
const growthPlan: PlanOf = async (run, deps, { fresh }) => {
  const data = await loadGrowthRunData(deps.store, run);
  const shards = planGrowthShards(data, deps.policy, wantedListings(data, run));
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  const ctx: GrowthContext = { store: deps.store, policy: deps.policy, data, runId: run.runId, asOf: run.asOf, dryRun: run.dryRun, fresh, now: deps.now };
  return {
    referenceRevision: data.referenceRevision,
    shards: shards.map((s) => ({ shardId: s.shardId, size: s.assigned.length + s.idle.length })),
    quarantined: () => growthQuarantined(deps.store, data),
    async evaluate(shardIds, assertHeld) {
      const built = await mapLimit(shardIds, deps.concurrency ?? 4, async (id) => buildGrowthShard(ctx, byId.get(id)!));
      assertHeld();
      return writeGrowthShards(ctx, built);
    },
  };
};

export { growthPlan, buildGrowthShard, growthQuarantined, loadGrowthData, loadGrowthRunData, planGrowthShards, wantedListings, writeGrowthShards };
export type { BuiltGrowthShard, GrowthContext, GrowthData, GrowthOutcome, GrowthShard };
