import { addDays, type DateWindow } from './calendar';
import { GROWTH_INDICATORS, STAGE_RANK, type GrowthIndicatorId, type IncentiveStage, type ListingStage } from './growthIndicators';
import type { ListingIncentiveRecord, ListingStageRecord, Suggestion } from './listingRecords';
import { LF, LISTING_FIELD_COUNT } from './listings';
import type { Policy } from './policy';
import { quantileSorted } from './quantile';

// Module-local copies of imported constants read in the hottest loops: a loader may turn import
// bindings into getters (tsx does).
const FIELDS = LISTING_FIELD_COUNT;
const ORDERS = LF.orders;
const VISITORS = LF.visitors;
const RATINGS = LF.ratings;
const POSITIVE_RATINGS = LF.positiveRatings;
const INDICATORS = GROWTH_INDICATORS;
const RANK = STAGE_RANK;

/** A listing as the growth job sees it: identity, its pool keys and its listed days (SPEC §3.5). */
interface GrowthListing {
  listingId: string;
  sellerId: string;
  categoryId: string;
  parentId: string;
  listedOn: string;
  delistedOn: string | null;
}

/**
 * What was in force for a listing before date D: its latest `listingStage` dated before D and its
 * incentives as they stood before D (SPEC §7.6). A re-run of D sees the same state as the first run.
 */
interface GrowthInForce {
  stage: ListingStageRecord | null;
  /** the incentives active before D */
  incentives: readonly ListingIncentiveRecord[];
}

interface GrowthDay {
  /** the job's date D */
  date: string;
  listings: readonly GrowthListing[];
  /** each listing's sums over the window D-30..D-1, FIELDS per listing (lib/listings.ts order) */
  sums: Float64Array;
  policy: Policy;
  runId: string;
  inForce: (listing: number) => GrowthInForce;
  /** the listings whose records are built (SPEC §8.3: pools are still computed in full); all when absent */
  wanted?: ((listing: number) => boolean) | undefined;
}

/** A pool of active listings (SPEC §7.6 "Pools"): every member feeds its statistics; `assigned` take their stage from it. */
interface GrowthPool {
  poolId: string;
  members: number[];
  assigned: number[];
}

interface GrowthPlan {
  window: DateWindow;
  pools: GrowthPool[];
  /** evaluated listings that are not active, and listings delisted before D-1: no pool */
  idle: number[];
}

type ListingRecordOut = ListingStageRecord | ListingIncentiveRecord;

const FLAT_SPAN = 1e-12;
const UNINFORMATIVE = 50;
const INDICATOR_COUNT = INDICATORS.length;
const NO_SUGGESTIONS: readonly Suggestion[] = [];

/** The growth job's window for date D: the 30 days D-30..D-1 (SPEC §2). */
function growthWindow(date: string): DateWindow {
  return { start: addDays(date, -30), end: addDays(date, -1) };
}

/** Whether the job of D evaluates the listing, or only closes it as delisted (SPEC §7.6 "Evaluated listings"). */
function listingStateOn(listing: GrowthListing, date: string): 'notListed' | 'evaluated' | 'delisted' {
  return stateBefore(listing, addDays(date, -1));
}

function stateBefore(listing: GrowthListing, dayBefore: string): 'notListed' | 'evaluated' | 'delisted' {
  if (listing.listedOn > dayBefore) return 'notListed';
  if (listing.delistedOn !== null && listing.delistedOn < dayBefore) return 'delisted';
  return 'evaluated';
}

/** Plans the pools of D over the active listings, as SPEC §5.1 does over scorable sellers. */
function planGrowth(day: Pick<GrowthDay, 'date' | 'listings' | 'sums' | 'policy'>): GrowthPlan {
  const { listings, sums, date } = day;
  const minSize = day.policy.growth.pool.minSize;
  const byCategory = new Map<string, number[]>();
  const byParent = new Map<string, number[]>();
  const everyone: number[] = [];
  const idle: number[] = [];
  const dayBefore = addDays(date, -1);
  for (let i = 0; i < listings.length; i++) {
    const l = listings[i]!;
    const state = stateBefore(l, dayBefore);
    if (state === 'notListed') continue;
    if (state === 'delisted' || sums[i * FIELDS + VISITORS]! <= 0) {
      idle.push(i);
      continue;
    }
    push(byCategory, l.categoryId, i);
    push(byParent, l.parentId, i);
    everyone.push(i);
  }
  const pools = new Map<string, GrowthPool>();
  // a category's listings share their parent: its pool is found once
  const poolOf = new Map<string, { parentId: string; pool: GrowthPool }>();
  for (const i of everyone) {
    const l = listings[i]!;
    const known = poolOf.get(l.categoryId);
    if (known && known.parentId === l.parentId) {
      known.pool.assigned.push(i);
      continue;
    }
    const category = byCategory.get(l.categoryId)!;
    const parent = byParent.get(l.parentId)!;
    const [poolId, members] =
      category.length >= minSize ? [`cat:${l.categoryId}`, category] : parent.length >= minSize ? [`parent:${l.parentId}`, parent] : ['global', everyone];
    let pool = pools.get(poolId);
    if (!pool) pools.set(poolId, (pool = { poolId, members, assigned: [] }));
    if (!known) poolOf.set(l.categoryId, { parentId: l.parentId, pool });
    pool.assigned.push(i);
  }
  return { window: growthWindow(date), pools: [...pools.values()], idle };
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** One indicator over a pool: raw values, smoothed and normalized values, and the scale that maps any raw value. */
interface IndicatorColumn {
  raw: Float64Array;
  value: Float64Array;
  /** N of SPEC §7.6: a raw value in the indicator's own unit mapped to 0–100 with the pool's lo and hi */
  normalizeRaw: (raw: number) => number;
}

function scaled(x: number, lo: number, hi: number, higherIsBetter: boolean): number {
  const span = hi - lo;
  if (span <= FLAT_SPAN) return UNINFORMATIVE;
  const c = x < lo ? lo : Math.min(x, hi);
  const v = higherIsBetter ? (100 * (c - lo)) / span : (100 * (hi - c)) / span;
  return v < 0 ? 0 : Math.min(v, 100);
}

/** SPEC §5.2 and §5.3 for one indicator over the pool's members. */
function indicatorColumn(def: (typeof GROWTH_INDICATORS)[number], members: readonly number[], sums: Float64Array, policy: Policy): IndicatorColumn {
  const n = members.length;
  const raw = new Float64Array(n);
  // the smoothed values first, then the normalized ones in their place
  const value = new Float64Array(n);
  if (def.kind === 'volume') {
    const field = LF[def.field];
    const perUnit = 'perUnit' in def ? def.perUnit : 1;
    for (let k = 0; k < n; k++) value[k] = raw[k] = Math.log1p(sums[members[k]! * FIELDS + field]! / perUnit);
  } else {
    let totalNum = 0;
    let totalDen = 0;
    const numAt = LF[def.num];
    const denAt = LF[def.den];
    const cap = 'capAtDen' in def && def.capAtDen;
    for (let k = 0; k < n; k++) {
      const at = members[k]! * FIELDS;
      const den = sums[at + denAt]!;
      const num = cap ? Math.min(sums[at + numAt]!, den) : sums[at + numAt]!;
      totalNum += num;
      totalDen += den;
      raw[k] = den === 0 ? Number.NaN : num / den;
    }
    if (totalDen === 0) {
      value.fill(UNINFORMATIVE);
      return { raw, value, normalizeRaw: () => UNINFORMATIVE };
    }
    const mu = totalNum / totalDen;
    const m = policy.smoothing.rate;
    for (let k = 0; k < n; k++) {
      const at = members[k]! * FIELDS;
      const den = sums[at + denAt]!;
      const num = cap ? Math.min(sums[at + numAt]!, den) : sums[at + numAt]!;
      value[k] = den === 0 ? mu : (num + m * mu) / (den + m);
    }
  }
  const work = scratchOf(n);
  work.set(value);
  const lo = selectQuantile(work, policy.normalization.lower);
  const hi = selectQuantile(work, policy.normalization.upper);
  for (let k = 0; k < n; k++) value[k] = scaled(value[k]!, lo, hi, def.higherIsBetter);
  const normalizeRaw =
    def.kind === 'volume' ? (x: number) => scaled(Math.log1p(x), lo, hi, def.higherIsBetter) : (x: number) => scaled(x, lo, hi, def.higherIsBetter);
  return { raw, value, normalizeRaw };
}

let scratch = new Float64Array(1024);

/** A work array of n values, reused: its holder must be done with it before the next call. */
function scratchOf(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  return scratch.subarray(0, n);
}

/**
 * quantileSorted of the values as if sorted, found by selection in O(n): the order statistics at
 * ⌊h⌋ and ⌊h⌋+1 are exactly those of the sorted values. Reorders `values`.
 */
function selectQuantile(values: Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) throw new RangeError('quantile of an empty sample');
  const h = (n - 1) * q;
  const at = Math.floor(h);
  const below = selectKth(values, at);
  if (at + 1 >= n) return below;
  const fraction = h - at;
  if (fraction === 0) return below;
  // after the selection every value past `at` is at least `below`: the next order statistic is their least
  let next = values[at + 1]!;
  for (let k = at + 2; k < n; k++) if (values[k]! < next) next = values[k]!;
  return below + fraction * (next - below);
}

/** The k-th smallest value (0-based) by Hoare's selection; values before k end up <= it and after k >= it. */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const x = a[lo]!;
    const y = a[(lo + hi) >>> 1]!;
    const z = a[hi]!;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** The raw value a suggestion quotes (SPEC §7.6): a rate as is, a volume as its window sum in its unit; NaN when undefined. */
function suggestionRaw(def: (typeof GROWTH_INDICATORS)[number], sums: Float64Array, listing: number): number {
  const at = listing * FIELDS;
  if (def.kind === 'volume') return sums[at + LF[def.field]]! / ('perUnit' in def ? def.perUnit : 1);
  const den = sums[at + LF[def.den]]!;
  if (den === 0) return Number.NaN;
  const num = sums[at + LF[def.num]]!;
  return ('capAtDen' in def && def.capAtDen ? Math.min(num, den) : num) / den;
}

interface PoolLines {
  superHot: number;
  hot: number;
  newPotential: number;
}

/** Each stage's line in the pool on D (SPEC §7.6 "Stages"). */
function poolLines(members: readonly number[], growthScore: Float64Array, isNew: Uint8Array, sums: Float64Array, policy: Policy): PoolLines {
  const g = policy.growth;
  const n = members.length;
  const orders = scratchOf(n);
  for (let k = 0; k < n; k++) orders[k] = sums[members[k]! * FIELDS + ORDERS]!;
  const superHot = Math.max(selectQuantile(orders, g.superHot.quantile), g.superHot.minOrders);
  const hot = Math.max(selectQuantile(orders, g.hot.quantile), g.hot.minOrders);
  let newCount = 0;
  for (let k = 0; k < n; k++) if (isNew[k]) newCount++;
  const scores = scratchOf(n);
  if (newCount >= g.newPotential.minNewListings) {
    for (let k = 0, at = 0; k < n; k++) if (isNew[k]) scores[at++] = growthScore[k]!;
  } else scores.set(growthScore);
  const used = newCount >= g.newPotential.minNewListings ? newCount : n;
  return { superHot, hot, newPotential: selectQuantile(scores.subarray(0, used), g.newPotential.quantile) };
}

/**
 * A listing's stage on D: the first rule that matches, then hysteresis against the stage in force
 * (SPEC §7.6). `positive` is S(positiveRatings)/S(ratings), NaN without ratings (which fails).
 */
function stageOf(
  facts: { orders: number; positive: number; isNew: boolean; growthScore: number },
  lines: PoolLines,
  inForce: ListingStage | null,
  policy: Policy,
): ListingStage {
  return stageFrom(facts.orders, facts.positive, facts.isNew, facts.growthScore, lines, inForce, policy);
}

function stageFrom(
  orders: number,
  positive: number,
  isNew: boolean,
  growthScore: number,
  lines: PoolLines,
  inForce: ListingStage | null,
  policy: Policy,
): ListingStage {
  const g = policy.growth;
  const positiveEnough = positive >= g.minPositiveRate;
  const fresh: ListingStage =
    positiveEnough && orders >= lines.superHot
      ? 'superHot'
      : positiveEnough && orders >= lines.hot
        ? 'hot'
        : isNew && growthScore >= lines.newPotential
          ? 'newPotential'
          : 'standard';
  if (fresh === 'superHot' || !positiveEnough) return fresh;
  if (inForce === 'superHot' && orders >= g.keepFactor * lines.superHot) return 'superHot';
  if ((inForce === 'superHot' || inForce === 'hot') && orders >= g.keepFactor * lines.hot) return 'hot';
  return fresh;
}

/** The stage a listing is advised toward (SPEC §7.6 "Suggestions"); null for superHot. */
function nextStageOf(stage: ListingStage, isNew: boolean): IncentiveStage | null {
  switch (stage) {
    case 'standard':
      return isNew ? 'newPotential' : 'hot';
    case 'newPotential':
      return 'hot';
    case 'hot':
      return 'superHot';
    default:
      return null;
  }
}

/** Whether two stage records say the same thing: their stage, next stage and suggested indicators (SPEC §7.6 "Records"). */
function sameStageRecord(a: Pick<ListingStageRecord, 'stage' | 'next'>, b: Pick<ListingStageRecord, 'stage' | 'next'>): boolean {
  if (a.stage !== b.stage || (a.next?.stage ?? null) !== (b.next?.stage ?? null)) return false;
  // indicator ids hold no comma: the lists are the same when their ids are, one by one
  const x = a.next?.suggestions ?? NO_SUGGESTIONS;
  const y = b.next?.suggestions ?? NO_SUGGESTIONS;
  if (x.length !== y.length) return false;
  for (let k = 0; k < x.length; k++) if (x[k]!.indicator !== y[k]!.indicator) return false;
  return true;
}

/** The stage record as it stood, with only the fields of SPEC §10 (an earlier record may come from elsewhere). */
function keptRecord(r: ListingStageRecord): ListingStageRecord {
  return {
    kind: 'listingStage',
    listingId: r.listingId,
    sellerId: r.sellerId,
    categoryId: r.categoryId,
    asOf: r.asOf,
    stage: r.stage,
    since: r.since,
    poolId: r.poolId,
    window: r.window,
    growthScore: r.growthScore,
    lines: r.lines,
    indicators: r.indicators,
    next: r.next,
    policyVersion: r.policyVersion,
    runId: r.runId,
  };
}

/**
 * The records of one pool's assigned listings on D: stage, growth score, lines, indicators,
 * suggestions toward the next stage, and the incentives that change (SPEC §7.6).
 */
function* poolRecords(day: GrowthDay, pool: GrowthPool, window: DateWindow = growthWindow(day.date)): Generator<ListingRecordOut> {
  const { listings, sums, policy, date } = day;
  const g = policy.growth;
  const { members } = pool;
  const n = members.length;
  const columns = INDICATORS.map((def) => indicatorColumn(def, members, sums, policy));
  const growthScore = new Float64Array(n);
  const isNew = new Uint8Array(n);
  // new when D − listedOn <= newDays: ISO dates compare as the days they name
  const newSince = addDays(date, -g.newDays);
  const weights = INDICATORS.map((def) => g.weights[def.id]);
  const values = columns.map((c) => c.value);
  for (let k = 0; k < n; k++) {
    let gs = 0;
    for (let j = 0; j < INDICATOR_COUNT; j++) gs += weights[j]! * values[j]![k]!;
    growthScore[k] = Math.min(gs, 100);
    isNew[k] = listings[members[k]!]!.listedOn >= newSince ? 1 : 0;
  }
  const lines = poolLines(members, growthScore, isNew, sums, policy);
  // every member's stage: the benchmarks of a stage are taken over the pool's listings in it on D
  const stages: ListingStage[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const at = members[k]! * FIELDS;
    const ratings = sums[at + RATINGS]!;
    const positive = ratings > 0 ? sums[at + POSITIVE_RATINGS]! / ratings : Number.NaN;
    stages[k] = stageFrom(sums[at + ORDERS]!, positive, isNew[k] === 1, growthScore[k]!, lines, day.inForce(members[k]!).stage?.stage ?? null, policy);
  }
  const benchmarks = new Map<IncentiveStage, Benchmarks>();
  const benchmarksOf = (stage: IncentiveStage) => {
    let found = benchmarks.get(stage);
    if (!found) {
      const raw = stageBenchmarks(stage, members, stages, sums, policy);
      const normalized = raw.map((b, j) => (b === null ? Number.NaN : columns[j]!.normalizeRaw(b)));
      benchmarks.set(stage, (found = { raw, normalized }));
    }
    return found;
  };
  const picked: Picked = { order: new Int32Array(INDICATOR_COUNT), gap: new Float64Array(INDICATOR_COUNT), actual: new Float64Array(INDICATOR_COUNT) };
  let positionOf: Map<number, number> | undefined;
  let k = 0;
  for (const i of pool.assigned) {
    if (day.wanted && !day.wanted(i)) continue;
    // assigned and members ascend (planGrowth); any other order is looked up
    while (k < n && members[k]! < i) k++;
    if (members[k] !== i) k = (positionOf ??= new Map(members.map((m, at) => [m, at]))).get(i)!;
    const listing = listings[i]!;
    const inForce = day.inForce(i);
    const stage = stages[k]!;
    const nextStage = nextStageOf(stage, isNew[k] === 1);
    const benchmarksNext = nextStage ? benchmarksOf(nextStage) : null;
    const count = benchmarksNext ? suggestionsFor(i, k, benchmarksNext, columns, sums, policy, picked) : 0;
    if (inForce.stage && keepsRecord(inForce.stage, stage, nextStage, picked, count)) {
      yield keptRecord(inForce.stage);
    } else {
      const indicators = {} as Record<GrowthIndicatorId, { raw: number | null; value: number }>;
      for (let j = 0; j < INDICATOR_COUNT; j++) {
        const raw = columns[j]!.raw[k]!;
        indicators[INDICATORS[j]!.id] = { raw: Number.isNaN(raw) ? null : raw, value: values[j]![k]! };
      }
      yield {
        kind: 'listingStage',
        listingId: listing.listingId,
        sellerId: listing.sellerId,
        categoryId: listing.categoryId,
        asOf: date,
        stage,
        since: inForce.stage?.stage === stage ? inForce.stage.since : date,
        poolId: pool.poolId,
        window,
        growthScore: growthScore[k]!,
        lines: { hot: lines.hot, superHot: lines.superHot, newPotential: lines.newPotential },
        indicators,
        next: nextStage && benchmarksNext ? { stage: nextStage, suggestions: suggestionsOf(picked, count, benchmarksNext, policy) } : null,
        policyVersion: policy.version,
        runId: day.runId,
      };
    }
    if (inForce.incentives.length > 0 || RANK[stage] > RANK[inForce.stage?.stage ?? 'standard']) yield* incentiveChanges(day, listing, inForce, stage);
  }
}

/** Per indicator, the benchmark of a stage in the pool (SPEC §7.6 "Suggestions"); null when no raw value is defined. */
function stageBenchmarks(
  stage: IncentiveStage,
  members: readonly number[],
  stages: readonly ListingStage[],
  sums: Float64Array,
  policy: Policy,
): (number | null)[] {
  const inStage: number[] = [];
  for (let k = 0; k < members.length; k++) if (stages[k] === stage) inStage.push(members[k]!);
  const few = inStage.length < policy.growth.benchmark.minListings;
  const over = few ? members : inStage;
  return INDICATORS.map((def) => {
    const values: number[] = [];
    for (const i of over) {
      const v = suggestionRaw(def, sums, i);
      if (!Number.isNaN(v)) values.push(v);
    }
    if (values.length === 0) return null;
    const sorted = Float64Array.from(values).sort();
    if (!few) return quantileSorted(sorted, 0.5);
    const q = policy.growth.benchmark.quantile;
    return quantileSorted(sorted, def.higherIsBetter ? q : 1 - q);
  });
}

/** A stage's benchmark per indicator (null when undefined) and its normalized value N(benchmark) in the pool. */
interface Benchmarks {
  raw: (number | null)[];
  normalized: number[];
}

/** The indicators on which a listing trails the next stage's benchmark, the largest weighted gaps first (SPEC §7.6). */
function suggestionsFor(
  listing: number,
  k: number,
  benchmarks: Benchmarks,
  columns: readonly IndicatorColumn[],
  sums: Float64Array,
  policy: Policy,
  picked: Picked,
): number {
  const g = policy.growth;
  let found = 0;
  for (let j = 0; j < INDICATOR_COUNT; j++) {
    const def = INDICATORS[j]!;
    const benchmark = benchmarks.raw[j];
    if (benchmark === null || benchmark === undefined) continue;
    const actual = suggestionRaw(def, sums, listing);
    if (Number.isNaN(actual)) continue;
    const worse = def.higherIsBetter ? actual < benchmark : actual > benchmark;
    if (!worse) continue;
    const gap = g.weights[def.id] * (benchmarks.normalized[j]! - columns[j]!.value[k]!);
    picked.actual[j] = actual;
    picked.gap[j] = gap;
    // insertion by gap, largest first, ties by indicator id: the order of the comparator of SPEC §7.6
    let at = found++;
    for (; at > 0; at--) {
      const before = picked.order[at - 1]!;
      const first = gap - picked.gap[before]! || (INDICATORS[before]!.id < def.id ? -1 : 1);
      if (first < 0) break;
      picked.order[at] = before;
    }
    picked.order[at] = j;
  }
  return Math.min(found, g.maxSuggestions);
}

/** The suggestions picked for a listing, as its record lists them. */
function suggestionsOf(picked: Picked, count: number, benchmarks: Benchmarks, policy: Policy): Suggestion[] {
  const out: Suggestion[] = [];
  for (let p = 0; p < count; p++) {
    const j = picked.order[p]!;
    const indicator = INDICATORS[j]!.id;
    out.push({ indicator, actual: picked.actual[j]!, benchmark: benchmarks.raw[j]!, action: policy.growth.actions[indicator] });
  }
  return out;
}

/** Whether a listing's stage record in force says what its record of D would (sameStageRecord), before that record is built. */
function keepsRecord(r: ListingStageRecord, stage: ListingStage, nextStage: IncentiveStage | null, picked: Picked, count: number): boolean {
  if (r.stage !== stage || (r.next?.stage ?? null) !== nextStage) return false;
  const ids = r.next?.suggestions ?? NO_SUGGESTIONS;
  if (ids.length !== (nextStage ? count : 0)) return false;
  for (let p = 0; p < ids.length; p++) if (ids[p]!.indicator !== INDICATORS[picked.order[p]!]!.id) return false;
  return true;
}

/** Work arrays of suggestionsFor, per indicator: filled and read between two records, never across a yield. */
interface Picked {
  order: Int32Array;
  gap: Float64Array;
  actual: Float64Array;
}

/**
 * The incentives of a listing that change on D (SPEC §7.6 "Traffic incentives"): those that expire,
 * those a delisting ends, those a move up supersedes, and the grant of the move up.
 */
function* incentiveChanges(
  day: Pick<GrowthDay, 'date' | 'policy' | 'runId'>,
  listing: GrowthListing,
  inForce: GrowthInForce,
  stage: ListingStage,
): Generator<ListingIncentiveRecord> {
  const { date, policy } = day;
  const movedUp = RANK[stage] > RANK[inForce.stage?.stage ?? 'standard'];
  const active = inForce.incentives.filter((r) => r.status === 'active' || (r.endedOn !== null && r.endedOn >= date));
  for (const r of [...active].sort((a, b) => (a.grantedOn < b.grantedOn ? -1 : a.grantedOn > b.grantedOn ? 1 : 0))) {
    const base: ListingIncentiveRecord = {
      kind: 'listingIncentive',
      listingId: r.listingId,
      sellerId: r.sellerId,
      categoryId: r.categoryId,
      stage: r.stage,
      grantedOn: r.grantedOn,
      expiresOn: r.expiresOn,
      benefit: r.benefit,
      status: 'active',
      endedOn: null,
      policyVersion: r.policyVersion,
      runId: r.runId,
    };
    if (r.expiresOn <= date) yield { ...base, status: 'expired', endedOn: r.expiresOn, runId: day.runId };
    else if (stage === 'delisted') yield { ...base, status: 'ended', endedOn: date, runId: day.runId };
    else if (movedUp) yield { ...base, status: 'superseded', endedOn: date, runId: day.runId };
    else if (r.status !== 'active') yield { ...base, runId: day.runId };
  }
  if (movedUp && (stage === 'newPotential' || stage === 'hot' || stage === 'superHot')) {
    yield {
      kind: 'listingIncentive',
      listingId: listing.listingId,
      sellerId: listing.sellerId,
      categoryId: listing.categoryId,
      stage,
      grantedOn: date,
      expiresOn: addDays(date, policy.growth.incentiveDays[stage]),
      benefit: policy.growth.benefits[stage],
      status: 'active',
      endedOn: null,
      policyVersion: policy.version,
      runId: day.runId,
    };
  }
}

/** The records of listings without a pool on D: dormant ones, and those delisted before D-1 (SPEC §7.6). */
function* idleRecords(day: GrowthDay, idle: readonly number[], window: DateWindow = growthWindow(day.date)): Generator<ListingRecordOut> {
  const { listings, date, policy } = day;
  const dayBefore = addDays(date, -1);
  for (const i of idle) {
    if (day.wanted && !day.wanted(i)) continue;
    const listing = listings[i]!;
    const inForce = day.inForce(i);
    const delisted = stateBefore(listing, dayBefore) === 'delisted';
    // a delisted listing never staged gets nothing; one already closed as delisted keeps its record
    if (delisted && (inForce.stage === null || inForce.stage.stage === 'delisted')) {
      if (inForce.incentives.length > 0) yield* incentiveChanges(day, listing, inForce, 'delisted');
      continue;
    }
    const stage: ListingStage = delisted ? 'delisted' : 'dormant';
    // a dormant or delisted listing never moves up: only the incentives it has can change
    if (inForce.stage && sameStageRecord(inForce.stage, { stage, next: null })) {
      yield keptRecord(inForce.stage);
      if (inForce.incentives.length > 0) yield* incentiveChanges(day, listing, inForce, stage);
      continue;
    }
    const fresh: ListingStageRecord = {
      kind: 'listingStage',
      listingId: listing.listingId,
      sellerId: listing.sellerId,
      categoryId: listing.categoryId,
      asOf: date,
      stage,
      since: inForce.stage?.stage === stage ? inForce.stage.since : date,
      poolId: null,
      window,
      growthScore: null,
      lines: null,
      indicators: null,
      next: null,
      policyVersion: policy.version,
      runId: day.runId,
    };
    yield fresh;
    if (inForce.incentives.length > 0) yield* incentiveChanges(day, listing, inForce, stage);
  }
}

/** Every record of the growth job on D, pool by pool, then the listings without a pool. */
function* growthRecords(day: GrowthDay): Generator<ListingRecordOut> {
  const plan = planGrowth(day);
  for (const pool of plan.pools) yield* poolRecords(day, pool, plan.window);
  yield* idleRecords(day, plan.idle, plan.window);
}

export { growthRecords, growthWindow, idleRecords, listingStateOn, nextStageOf, planGrowth, poolRecords, sameStageRecord, stageOf };
export type { GrowthDay, GrowthInForce, GrowthListing, GrowthPlan, GrowthPool, PoolLines };
