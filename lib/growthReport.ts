import { addDays } from './calendar';
import { INCENTIVE_STAGES, INCENTIVE_STATUSES, LISTING_STAGES, STAGE_RANK } from './growthIndicators';
import type { ListingIncentiveRecord, ListingRecord, ListingStageRecord } from './listingRecords';

/** The categories the growth section lists, the largest first. */
const GROWTH_CATEGORIES = 200;
/** The listings a move cell names on the page; `grader listings --moved-on` lists them all. */
const MOVED_LISTINGS = 20;
/** An incentive in force that expires within this many days after the growth date is "expiring soon". */
const EXPIRING_DAYS = 7;
/** The listings a seller's page lists with their suggestions; the rest are counted by stage. */
const SELLER_LISTINGS = 50;
/** The active incentives a seller's page lists. */
const SELLER_INCENTIVES = 50;

/** The stages as the page shows them, highest first. */
const STAGES_SHOWN = [...LISTING_STAGES].reverse();
/** The stage a moved listing came from when the records file holds no earlier version of it. */
const NO_EARLIER = 'none';

type Counts = Record<string, number>;
const counts = (): Counts => Object.create(null) as Counts;
const bump = (c: Counts, key: string, by = 1) => {
  c[key] = (c[key] ?? 0) + by;
};
const round = (v: number | null, digits: number) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

interface MoveCell {
  from: string;
  to: string;
  /** 'up' or 'down' the life cycle; 'entered' when no earlier version is in the records */
  direction: 'up' | 'down' | 'entered' | 'same';
  count: number;
  /** the first MOVED_LISTINGS by listing id: [listingId, sellerId] */
  first: [string, string][];
}

/** The marketplace page's product growth section: counts and bounded lists, whatever the number of listings. */
interface GrowthSection {
  /** the latest growth date in the records: the latest `asOf`, grant or end */
  date: string;
  listings: number;
  stages: readonly string[];
  byStage: Counts;
  /** the GROWTH_CATEGORIES largest categories by listings */
  categories: { categoryId: string; listings: number; counts: Counts }[];
  categoryCount: number;
  /** `from`: the stages moved from, in the order of `stages`, then NO_EARLIER */
  moves: { up: number; down: number; entered: number; from: string[]; noEarlier: string; cells: MoveCell[] };
  /** per incentive stage: in force on `date`, granted on it, expiring within EXPIRING_DAYS, ended on it */
  incentives: { stage: string; inForce: number; granted: number; expiringSoon: number; ended: number }[];
  expiringDays: number;
  /** every incentive in the records by its latest status */
  incentiveStatuses: Counts;
  /**
   * 'records': every version in a records file; 'tables': each listing's stage in force and the
   * one before it, and the incentives in force on `date` or ended on it (the growth job's states)
   */
  source?: 'records' | 'tables';
}

/** What the tally reads of a stage record: a whole record, or a version of it that the growth job's state keeps. */
type StageVersion = Pick<ListingStageRecord, 'kind' | 'listingId' | 'sellerId' | 'categoryId' | 'stage' | 'since' | 'asOf'>;

/** Strings by number, so that a listing's columns hold small integers. */
class Interned {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  of(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) this.index.set(value, (i = this.values.push(value) - 1));
    return i;
  }
}

/** A Map per first character's code, mod 16: V8 caps one Map at 2^24 entries, and a marketplace lists 10^8 listings. */
class ShardedIndex {
  private readonly shards = Array.from({ length: 16 }, () => new Map<string, number>());
  private shard(key: string) {
    return this.shards[(key.charCodeAt(key.length - 1) ^ key.charCodeAt(key.length >> 1)) & 15]!;
  }
  get(key: string): number | undefined {
    return this.shard(key).get(key);
  }
  set(key: string, value: number): void {
    this.shard(key).set(key, value);
  }
  *entries(): Generator<[string, number]> {
    for (const shard of this.shards) yield* shard;
  }
}

const STAGE_INDEX = new Map<string, number>(LISTING_STAGES.map((s, i) => [s, i]));
const NONE = 255;

/**
 * The growth section's tally, fed one listing record at a time (the records file may hold several
 * versions of a listing: the outputs of consecutive days). What it keeps per listing: its latest
 * version's stage, `since`, `asOf`, category and seller, and the stage of the version before it —
 * small integers in typed columns. Incentives are kept by (listing, grant), the latest version each.
 */
class GrowthTally {
  private readonly ids = new ShardedIndex();
  private readonly strings = new Interned();
  private size = 0;
  private cols = GrowthTally.columns(1024);
  private readonly incentives = new Map<string, ListingIncentiveRecord>();
  private latest = '';

  private static columns(n: number) {
    return {
      category: new Int32Array(n),
      seller: new Int32Array(n),
      asOf: new Int32Array(n),
      since: new Int32Array(n),
      stage: new Uint8Array(n),
      prevAsOf: new Int32Array(n),
      prevStage: new Uint8Array(n),
    };
  }

  add(r: StageVersion | ListingIncentiveRecord): void {
    if (r.kind === 'listingIncentive') {
      this.addIncentive(r);
      return;
    }
    if (r.asOf > this.latest) this.latest = r.asOf;
    const asOf = this.strings.of(r.asOf);
    const stage = STAGE_INDEX.get(r.stage)!;
    let i = this.ids.get(r.listingId);
    if (i === undefined) {
      i = this.grow();
      this.ids.set(r.listingId, i);
      this.set(i, r, asOf, stage);
      this.cols.prevStage[i] = NONE;
      this.cols.prevAsOf[i] = -1;
      return;
    }
    const c = this.cols;
    const was = this.strings.values[c.asOf[i]!]!;
    if (r.asOf > was) {
      c.prevAsOf[i] = c.asOf[i]!;
      c.prevStage[i] = c.stage[i]!;
      this.set(i, r, asOf, stage);
    } else if (r.asOf < was && (c.prevAsOf[i] === -1 || r.asOf > this.strings.values[c.prevAsOf[i]!]!)) {
      c.prevAsOf[i] = asOf;
      c.prevStage[i] = stage;
    }
  }

  private set(i: number, r: StageVersion, asOf: number, stage: number): void {
    const c = this.cols;
    c.asOf[i] = asOf;
    c.stage[i] = stage;
    c.since[i] = this.strings.of(r.since);
    c.category[i] = this.strings.of(r.categoryId);
    c.seller[i] = this.strings.of(r.sellerId);
  }

  private grow(): number {
    if (this.size === this.cols.stage.length) {
      const next = GrowthTally.columns(this.size * 2);
      for (const [k, col] of Object.entries(this.cols)) (next[k as keyof typeof next] as Int32Array).set(col);
      this.cols = next;
    }
    return this.size++;
  }

  private addIncentive(r: ListingIncentiveRecord): void {
    for (const d of [r.grantedOn, r.endedOn]) if (d !== null && d > this.latest) this.latest = d;
    const key = `${r.listingId}|${r.grantedOn}`;
    const was = this.incentives.get(key);
    // an incentive's later version is the one that ended it
    if (!was || (r.endedOn !== null && (was.endedOn === null || r.endedOn > was.endedOn))) this.incentives.set(key, r);
  }

  /** The latest growth date in the records. */
  get date(): string {
    return this.latest;
  }

  /** Every listing that moved on `date` (its latest record starts its stay there), with the stage it came from, by listing id. */
  moved(date = this.latest): { listingId: string; sellerId: string; categoryId: string; from: string; to: string }[] {
    const S = this.strings.values;
    const c = this.cols;
    const out: { listingId: string; sellerId: string; categoryId: string; from: string; to: string }[] = [];
    for (const [listingId, i] of this.ids.entries())
      if (S[c.asOf[i]!] === date && S[c.since[i]!] === date)
        out.push({
          listingId,
          sellerId: S[c.seller[i]!]!,
          categoryId: S[c.category[i]!]!,
          from: c.prevStage[i] === NONE ? NO_EARLIER : LISTING_STAGES[c.prevStage[i]!]!,
          to: LISTING_STAGES[c.stage[i]!]!,
        });
    return out.sort((a, b) => (a.listingId < b.listingId ? -1 : 1));
  }

  /** The section, or null when the records hold no listing record. */
  section(): GrowthSection | null {
    if (this.size === 0 && this.incentives.size === 0) return null;
    const date = this.latest;
    const S = this.strings.values;
    const c = this.cols;
    const byStage = counts();
    const byCategory = new Map<string, Counts>();
    for (let i = 0; i < this.size; i++) {
      const stage = LISTING_STAGES[c.stage[i]!]!;
      const categoryId = S[c.category[i]!]!;
      bump(byStage, stage);
      let cat = byCategory.get(categoryId);
      if (!cat) byCategory.set(categoryId, (cat = counts()));
      bump(cat, stage);
    }
    // moved() lists them by id: each cell's first ones are its first ones
    const cells = new Map<string, { from: string; to: string; n: number; first: [string, string][] }>();
    for (const m of this.moved(date)) {
      const key = `${m.from}>${m.to}`;
      let cell = cells.get(key);
      if (!cell) cells.set(key, (cell = { from: m.from, to: m.to, n: 0, first: [] }));
      cell.n++;
      if (cell.first.length < MOVED_LISTINGS) cell.first.push([m.listingId, m.sellerId]);
    }
    const order = [...STAGES_SHOWN, NO_EARLIER];
    const moves = [...cells.values()]
      .map((m): MoveCell => ({ from: m.from, to: m.to, direction: directionOf(m.from, m.to), count: m.n, first: m.first }))
      .sort((a, b) => order.indexOf(a.from) - order.indexOf(b.from) || order.indexOf(a.to) - order.indexOf(b.to));
    const categories = [...byCategory]
      .map(([categoryId, n]) => ({ categoryId, listings: Object.values(n).reduce((a, b) => a + b, 0), counts: n }))
      .sort((a, b) => b.listings - a.listings || (a.categoryId < b.categoryId ? -1 : 1));
    const soon = addDays(date, EXPIRING_DAYS);
    const incentives = INCENTIVE_STAGES.map((stage) => ({ stage, inForce: 0, granted: 0, expiringSoon: 0, ended: 0 }));
    const statuses = counts();
    for (const r of this.incentives.values()) {
      bump(statuses, r.status);
      const row = incentives[INCENTIVE_STAGES.indexOf(r.stage)]!;
      if (r.grantedOn === date) row.granted++;
      if (r.endedOn === date) row.ended++;
      if (r.status === 'active' && r.grantedOn <= date && r.expiresOn > date) {
        row.inForce++;
        if (r.expiresOn <= soon) row.expiringSoon++;
      }
    }
    const total = (d: MoveCell['direction']) => moves.filter((m) => m.direction === d).reduce((a, m) => a + m.count, 0);
    return {
      date,
      listings: this.size,
      stages: STAGES_SHOWN,
      byStage,
      categories: categories.slice(0, GROWTH_CATEGORIES),
      categoryCount: categories.length,
      moves: {
        up: total('up'),
        down: total('down'),
        entered: total('entered'),
        from: order.filter((s) => moves.some((m) => m.from === s)),
        noEarlier: NO_EARLIER,
        cells: moves,
      },
      incentives,
      expiringDays: EXPIRING_DAYS,
      incentiveStatuses: Object.fromEntries(INCENTIVE_STATUSES.flatMap((s) => (statuses[s] ? [[s, statuses[s]]] : []))),
    };
  }
}

function directionOf(from: string, to: string): MoveCell['direction'] {
  if (from === NO_EARLIER) return 'entered';
  const [a, b] = [STAGE_INDEX.get(from)!, STAGE_INDEX.get(to)!];
  return b > a ? 'up' : b < a ? 'down' : 'same';
}

/** A listing on a seller's page: [listingId, categoryId, stage, since, growthScore, next stage, suggestions]. */
type SellerListing = [string, string, string, string, number | null, string | null, [string, number, number, string][]];

/** A seller's listings in the growth centre (issue 19): by stage, the ones with the most to gain and their suggestions, its incentives. */
interface SellerGrowth {
  date: string;
  listings: number;
  byStage: Counts;
  /** the SELLER_LISTINGS with the most to gain: the highest next stage first, then the highest growth score, then by id */
  listed: SellerListing[];
  /** the listings not listed, by stage */
  rest: Counts;
  /** active incentives: [listingId, stage, grantedOn, expiresOn, benefit], the latest granted first */
  incentives: [string, string, string, string, string][];
  incentivesTotal: number;
}

const nextRank = (s: ListingStageRecord) => (s.next ? STAGE_RANK[s.next.stage] : 0);

/**
 * A seller's listings from its records (any versions, any order): the latest stage record of each,
 * the most to gain first (the highest next stage, then the highest growth score, then by id), the
 * latest version of each incentive, and the latest date in them.
 */
function latestListings(records: ListingRecord[]): { date: string; stages: ListingStageRecord[]; incentives: ListingIncentiveRecord[] } {
  const stages = new Map<string, ListingStageRecord>();
  const incentives = new Map<string, ListingIncentiveRecord>();
  let date = '';
  for (const r of records) {
    if (r.kind === 'listingStage') {
      if (r.asOf > date) date = r.asOf;
      const was = stages.get(r.listingId);
      if (!was || r.asOf > was.asOf) stages.set(r.listingId, r);
      continue;
    }
    for (const d of [r.grantedOn, r.endedOn]) if (d !== null && d > date) date = d;
    const key = `${r.listingId}|${r.grantedOn}`;
    const was = incentives.get(key);
    if (!was || (r.endedOn !== null && (was.endedOn === null || r.endedOn > was.endedOn))) incentives.set(key, r);
  }
  const sorted = [...stages.values()].sort(
    (a, b) => nextRank(b) - nextRank(a) || (b.growthScore ?? -1) - (a.growthScore ?? -1) || (a.listingId < b.listingId ? -1 : 1),
  );
  return { date, stages: sorted, incentives: [...incentives.values()] };
}

/** A seller's growth view from its listing records (any versions, any order); `listed` bounds the listings shown. */
function sellerGrowth(records: ListingRecord[], listed = SELLER_LISTINGS): SellerGrowth | null {
  const { date, stages: all, incentives } = latestListings(records);
  if (all.length === 0 && incentives.length === 0) return null;
  const byStage = counts();
  const rest = counts();
  for (const [i, s] of all.entries()) {
    bump(byStage, s.stage);
    if (i >= listed) bump(rest, s.stage);
  }
  const active = incentives
    .filter((r) => r.status === 'active' && r.expiresOn > date)
    .sort((a, b) => (a.grantedOn === b.grantedOn ? (a.listingId < b.listingId ? -1 : 1) : a.grantedOn < b.grantedOn ? 1 : -1));
  return {
    date,
    listings: all.length,
    byStage,
    listed: all
      .slice(0, listed)
      .map((s) => [
        s.listingId,
        s.categoryId,
        s.stage,
        s.since,
        round(s.growthScore, 1),
        s.next?.stage ?? null,
        (s.next?.suggestions ?? []).map((g) => [g.indicator, round(g.actual, 4)!, round(g.benchmark, 4)!, g.action]),
      ]),
    rest,
    incentives: active.slice(0, SELLER_INCENTIVES).map((r) => [r.listingId, r.stage, r.grantedOn, r.expiresOn, r.benefit]),
    incentivesTotal: active.length,
  };
}

export {
  EXPIRING_DAYS,
  GROWTH_CATEGORIES,
  GrowthTally,
  MOVED_LISTINGS,
  NO_EARLIER,
  SELLER_INCENTIVES,
  SELLER_LISTINGS,
  STAGES_SHOWN,
  latestListings,
  sellerGrowth,
};
export type { GrowthSection, MoveCell, SellerGrowth, SellerListing, StageVersion };
