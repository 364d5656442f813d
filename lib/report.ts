import { ABILITIES } from './abilities';
import { windowLength } from './calendar';
import { GrowthTally, sellerGrowth, type GrowthSection, type SellerGrowth, type StageVersion } from './growthReport';
import { AREAS } from './healthCheck';
import type { ListingIncentiveRecord, ListingRecord } from './listingRecords';
import { MERCHANT_TIERS } from './merchantTier';
import { OPERATION_TIERS } from './operationTier';
import type { Policy } from './policy';
import { SERVICE_LEVELS } from './serviceLevel';
import { SEVERITIES } from './severity';
import { targetSentence } from './targetSentences';
import type {
  DailyScoreRecord,
  GradeRecord,
  HealthCheckRecord,
  MerchantAssessmentRecord,
  OperationTierRecord,
  ServiceLevelRecord,
  StatusRecord,
} from './records';

/** The order of a view's ability columns. */
const ABILITY_ORDER = ABILITIES;
const RATES = ['badExperienceRate', 'sellerResponsibleArbitrationRate', 'positiveRatingRate'] as const;

/** The sellers a migration cell names on the page; a command lists them all. */
const CELL_SELLERS = 20;
/** Up to this many sellers the marketplace page holds every seller's view; above, the views of the sellers it names. */
const INLINE_SELLERS = 500;
/** The categories the page lists, the largest first; a command lists them all. */
const LISTED_CATEGORIES = 200;
/** The months of tiers and service levels the report covers, up to its period. */
const REPORT_MONTHS = 12;
/** The bad-experience orders a seller's view lists; `grader orders` lists them all. */
const VIEW_ORDERS = 100;

type Counts = Record<string, number>;
/** Counts keyed by ids from the data: no prototype, so an id like `constructor` is only a key. */
const counts = (): Counts => Object.create(null) as Counts;
const bump = (c: Counts, key: string, by = 1) => {
  c[key] = (c[key] ?? 0) + by;
};
const round = (v: number | null, digits: number) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

interface BadOrder {
  orderId: string;
  closedOn: string;
  reasons: string[];
  excluded: boolean;
}

/** A seller's page: where it stands, its gap, what to fix first (issue 13's seller view); compact, as a page holds hundreds. */
interface SellerView {
  sellerId: string;
  categoryId: string;
  /** [month, tier, composite] */
  tiers: [string, string, number | null][];
  daily: {
    date: string;
    composite: number | null;
    tier: string;
    /** in the order of `constants.abilities` */
    abilities: number[] | null;
    poolAbilities: number[] | null;
    pool: { poolId: string; members: number; sampled: number } | null;
    /** `targets`: what any one indicator alone would have to become (SPEC §6), as sentences in the seller's units */
    nextTier: { tier: string; scoreGap: number; focus: string[]; targets: string[] } | null;
  } | null;
  service: { period: string; level: string; window: { start: string; end: string }; closedOrders: number; rates: (number | null)[] } | null;
  /** [tier, criterion, actual, required, met] */
  merchant: { quarter: string; assessedTier: string; criteria: [string, string, number | string | null, string, boolean][] } | null;
  status: { operationTier: string | null; serviceLevel: string | null; merchantTier: string; frontBadge: string | null } | null;
  /** [id, severity, since, deadline, action] */
  findings: [string, string, string, string, string][];
  /** [orderId, closedOn, reasons, excluded]: the first VIEW_ORDERS */
  badOrders: [string, string, string, boolean][];
  /** how many bad-experience orders there are in all, when more than listed */
  badOrdersTotal: number | null;
  /** its listings in the product growth centre, when the records hold them */
  growth: SellerGrowth | null;
}

/** What every seller view shares: the policy's thresholds and benefits, the names of the series. */
interface ViewConstants {
  serviceThresholds: Policy['serviceLevel']['levels'];
  benefits: Policy['tiers']['benefits'];
  constants: {
    tiers: readonly string[];
    levels: readonly string[];
    merchant: readonly string[];
    areas: readonly string[];
    severities: readonly string[];
    abilities: readonly string[];
    rates: readonly string[];
  };
}

interface MigrationCell {
  from: string;
  to: string;
  count: number;
  /** the first CELL_SELLERS sellers by id */
  first: string[];
}

/** The marketplace page's data: aggregates and bounded lists, the same size at 1,000 sellers as at 1,000,000. */
interface MarketplaceModel extends ViewConstants {
  title: string;
  period: string;
  sellers: number;
  months: string[];
  tiersByMonth: { month: string; counts: Counts }[];
  migration: { from: string; to: string; cells: MigrationCell[] } | null;
  serviceByMonth: { month: string; counts: Counts }[];
  merchantByQuarter: { quarter: string; counts: Counts }[];
  grants: { month: string; active: number; expiring: number }[];
  grantStatuses: Counts;
  labels: Counts;
  /** the LISTED_CATEGORIES largest categories by sellers graded in the last month */
  categories: { categoryId: string; sellers: number; shares: Counts; thresholds: { month: string; top: number; highPotential: number; mid: number }[] }[];
  categoryCount: number;
  findings: Record<string, Counts>;
  quarantine: Counts;
  /** the product growth section, when the records hold listing records */
  growth: GrowthSection | null;
}

/** Pool means of the seven abilities on the latest date seen: sums per pool, whatever the number of sellers. */
class PoolMeans {
  date: string | null = null;
  private sums = new Map<string, { members: number; sums: number[] }>();

  add(r: Pick<DailyScoreRecord, 'date' | 'poolId' | 'abilities'>): void {
    if (this.date === null || r.date > this.date) {
      this.date = r.date;
      this.sums = new Map();
    } else if (r.date < this.date) return;
    if (!r.abilities || !r.poolId) return;
    let pool = this.sums.get(r.poolId);
    if (!pool) this.sums.set(r.poolId, (pool = { members: 0, sums: ABILITY_ORDER.map(() => 0) }));
    pool.members++;
    ABILITY_ORDER.forEach((a, i) => {
      pool.sums[i]! += r.abilities![a];
    });
  }

  /** A pool's means in the order of ABILITY_ORDER, and how many members they are over; null for a pool not seen on `date`. */
  of(poolId: string, date: string): { means: number[]; members: number } | null {
    const pool = date === this.date ? this.sums.get(poolId) : undefined;
    return pool ? { means: pool.sums.map((s) => round(s / pool.members, 1)!), members: pool.members } : null;
  }
}

/** A pool's means of the seven abilities, how many sellers it holds, and how many of their scores the means are over. */
interface PoolSample {
  means: number[];
  members: number;
  sampled: number;
}

/** The means of some daily scores' abilities, in the order of ABILITY_ORDER, to one decimal. */
function abilityMeans(records: Pick<DailyScoreRecord, 'abilities'>[]): number[] {
  return ABILITY_ORDER.map((a) => Math.round((records.reduce((s, r) => s + r.abilities![a], 0) / records.length) * 10) / 10);
}

/**
 * The grading report's marketplace aggregates (issue 22), fed one record at a time — from the
 * tables page by page, or from a `grader score` file line by line — so that no list of every
 * record is held. What it keeps per seller: its id, and its tier in the two latest months (for
 * the migration). Everything else is a count, a sum or a bounded list.
 */
class ReportTally {
  readonly pools = new PoolMeans();
  private readonly growth = new GrowthTally();
  private readonly sellerIds = new Set<string>();
  private readonly tiers = new Map<string, Counts>();
  /** month → seller → tier, for the two latest months only */
  private readonly tierOf = new Map<string, Map<string, string>>();
  private readonly service = new Map<string, Counts>();
  private readonly merchant = new Map<string, Counts>();
  private readonly grantsActive = counts();
  private readonly grantsExpiring = counts();
  private readonly grantStatuses = counts();
  private readonly labels = counts();
  private readonly categories = new Map<
    string,
    { byMonth: Map<string, Counts>; thresholds: Map<string, { own: boolean; t: { top: number; highPotential: number; mid: number } }> }
  >();
  private readonly findings: Record<string, Counts> = Object.fromEntries(AREAS.map((a) => [a, counts()]));

  private readonly upTo: string;

  /** `period`: the report's month, later monthly records left out; by default the latest month of operation tiers. */
  constructor(private readonly period?: string) {
    this.upTo = period ?? '9999-12';
  }

  add(record: GradeRecord): void {
    this.sellerIds.add(record.sellerId);
    switch (record.kind) {
      case 'operationTier':
        this.addTier(record);
        return;
      case 'serviceLevel':
        if (record.period <= this.upTo) bump(this.of(this.service, record.period), record.level);
        return;
      case 'merchantAssessment':
        bump(this.of(this.merchant, record.quarter), record.assessedTier);
        return;
      case 'goodSellerGrant': {
        bump(this.grantStatuses, record.status);
        bump(this.grantsExpiring, record.expiresOn.slice(0, 7));
        const last = (record.endedOn ?? record.expiresOn).slice(0, 7);
        for (let m = record.approvedOn.slice(0, 7); m <= last; m = nextMonth(m)) bump(this.grantsActive, m);
        return;
      }
      case 'status':
        bump(this.labels, record.frontBadge ?? 'none');
        return;
      case 'healthCheck':
        for (const f of record.findings) if (Object.hasOwn(this.findings, f.area)) bump(this.findings[f.area]!, f.severity);
        return;
      case 'dailyScore':
        this.pools.add(record);
        return;
    }
  }

  /** A listing record (SPEC §7.6): counted in the product growth section only. */
  addListing(r: StageVersion | ListingIncentiveRecord): void {
    this.growth.add(r);
  }

  /** A daily score of which the page uses only the seller, its pool and abilities (the pools' means). */
  addDaily(r: Pick<DailyScoreRecord, 'sellerId' | 'date' | 'poolId' | 'abilities'>): void {
    this.sellerIds.add(r.sellerId);
    this.pools.add(r);
  }

  private of<K>(map: Map<K, Counts>, key: K): Counts {
    let c = map.get(key);
    if (!c) map.set(key, (c = counts()));
    return c;
  }

  private addTier(r: OperationTierRecord): void {
    if (r.period > this.upTo) return;
    bump(this.of(this.tiers, r.period), r.tier);
    let category = this.categories.get(r.categoryId);
    if (!category) this.categories.set(r.categoryId, (category = { byMonth: new Map(), thresholds: new Map() }));
    bump(this.of(category.byMonth, r.period), r.tier);
    if (r.thresholds) {
      const own = r.poolId === `cat:${r.categoryId}`;
      const kept = category.thresholds.get(r.period);
      if (!kept || (own && !kept.own)) category.thresholds.set(r.period, { own, t: r.thresholds });
    }
    let sellers = this.tierOf.get(r.period);
    if (!sellers) {
      const kept = [...this.tierOf.keys()].sort();
      if (kept.length >= 2 && r.period < kept[0]!) return;
      this.tierOf.set(r.period, (sellers = new Map()));
      if (kept.length >= 2) this.tierOf.delete(kept[0]!);
    }
    sellers.set(r.sellerId, r.tier);
  }

  /** The marketplace page's data. */
  marketplace(input: { policy: Policy; quarantine?: Counts }): MarketplaceModel {
    const months = [...this.tiers.keys()].sort().slice(-REPORT_MONTHS);
    const kept = [...this.tierOf.keys()].sort();
    const last = kept.at(-1);
    const previous = kept.length > 1 ? kept[0] : undefined;
    const period = this.period ?? months.at(-1) ?? 'no month';
    const byMonth = <T>(map: Map<string, Counts>, label: 'month' | 'quarter') =>
      [...map.keys()].sort().map((key) => ({ [label]: key, counts: map.get(key)! }) as T);
    const categories = [...this.categories].map(([categoryId, c]) => {
      const shares = (last && c.byMonth.get(last)) || counts();
      return {
        categoryId,
        sellers: Object.values(shares).reduce((a, b) => a + b, 0),
        shares,
        thresholds: months.flatMap((month) => {
          const t = c.thresholds.get(month)?.t;
          return t ? [{ month, ...t }] : [];
        }),
      };
    });
    categories.sort((a, b) => b.sellers - a.sellers || (a.categoryId < b.categoryId ? -1 : 1));
    return {
      title: `Seller grading report, ${period}`,
      period,
      sellers: this.sellerIds.size,
      months,
      tiersByMonth: months.map((month) => ({ month, counts: this.tiers.get(month)! })),
      migration: previous && last ? { from: previous, to: last, cells: migrationCells(this.tierOf.get(previous)!, this.tierOf.get(last)!) } : null,
      serviceByMonth: byMonth<{ month: string; counts: Counts }>(this.service, 'month').slice(-REPORT_MONTHS),
      merchantByQuarter: byMonth<{ quarter: string; counts: Counts }>(this.merchant, 'quarter'),
      grants: months.map((month) => ({ month, active: this.grantsActive[month] ?? 0, expiring: this.grantsExpiring[month] ?? 0 })),
      grantStatuses: this.grantStatuses,
      labels: this.labels,
      categories: categories.slice(0, LISTED_CATEGORIES),
      categoryCount: categories.length,
      findings: this.findings,
      quarantine: input.quarantine ?? counts(),
      growth: this.growth.section(),
      ...viewConstants(input.policy),
    };
  }

  /** The sellers whose views the page holds: every seller up to INLINE_SELLERS, else those its migration cells name. */
  inlined(model: MarketplaceModel): string[] {
    if (this.sellerIds.size <= INLINE_SELLERS) return [...this.sellerIds].sort();
    return [...new Set((model.migration?.cells ?? []).flatMap((c) => c.first))].sort().slice(0, INLINE_SELLERS);
  }
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Who moved where between two sets of operation tiers: a count per cell and its first sellers by id ('none': no tier before). */
function migrationCells(before: Map<string, string>, after: Map<string, string>, listed = CELL_SELLERS): MigrationCell[] {
  const cells = new Map<string, { from: string; to: string; ids: string[] }>();
  for (const [sellerId, to] of after) {
    const from = before.get(sellerId) ?? 'none';
    const key = `${from}>${to}`;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { from, to, ids: [] }));
    cell.ids.push(sellerId);
  }
  const order = [...OPERATION_TIERS, 'none'];
  return [...cells.values()]
    .sort((a, b) => order.indexOf(a.from) - order.indexOf(b.from) || order.indexOf(a.to) - order.indexOf(b.to))
    .map((c) => ({ from: c.from, to: c.to, count: c.ids.length, first: firstIds(c.ids, listed) }));
}

/** The `n` smallest ids, without sorting them all. */
function firstIds(ids: string[], n: number): string[] {
  if (ids.length <= n * 4) return ids.sort().slice(0, n);
  const first: string[] = [];
  for (const id of ids) {
    if (first.length === n && id >= first[n - 1]!) continue;
    let i = first.length;
    while (i > 0 && first[i - 1]! > id) i--;
    first.splice(i, 0, id);
    if (first.length > n) first.pop();
  }
  return first;
}

function viewConstants(policy: Policy): ViewConstants {
  return {
    serviceThresholds: policy.serviceLevel.levels,
    benefits: policy.tiers.benefits,
    constants: {
      tiers: OPERATION_TIERS,
      levels: SERVICE_LEVELS,
      merchant: MERCHANT_TIERS,
      areas: AREAS,
      severities: SEVERITIES,
      abilities: ABILITY_ORDER,
      rates: RATES,
    },
  };
}

/**
 * One seller's view from its own records (every kind, any periods): its tiers over the report's
 * months up to `period`, its latest daily score against its pool's means, its latest service
 * level, merchant assessment, status and health check, and its bad-experience orders.
 */
function sellerView(
  sellerId: string,
  records: GradeRecord[],
  options: {
    period: string;
    pool?: { means: number[]; members: number; sampled?: number } | null;
    badOrders?: BadOrder[];
    badOrdersTotal?: number | null;
    /** its listing records, and how many of its listings the view lists with their suggestions */
    listings?: ListingRecord[];
    listedListings?: number;
  },
): SellerView {
  const own = records.filter((r) => r.sellerId === sellerId);
  const tiers = own
    .filter((r): r is OperationTierRecord => r.kind === 'operationTier' && r.period <= options.period)
    .sort((a, b) => (a.period < b.period ? -1 : 1))
    .slice(-REPORT_MONTHS);
  const latest = <T extends GradeRecord>(kind: T['kind'], keyOf: (r: T) => string, upTo?: string) =>
    (own.filter((r) => r.kind === kind) as T[]).filter((r) => upTo === undefined || keyOf(r) <= upTo).sort((a, b) => (keyOf(a) < keyOf(b) ? 1 : -1))[0] ?? null;
  const d = latest<DailyScoreRecord>('dailyScore', (r) => r.date);
  const status = latest<StatusRecord>('status', (r) => r.asOf);
  const service = latest<ServiceLevelRecord>('serviceLevel', (r) => r.period, options.period);
  const merchant = latest<MerchantAssessmentRecord>('merchantAssessment', (r) => r.quarter);
  const health = latest<HealthCheckRecord>('healthCheck', (r) => r.asOf);
  const next = d?.projectedTier?.nextTier ?? null;
  const pool = d?.poolId && d.abilities ? (options.pool ?? null) : null;
  const badOrders = options.badOrders ?? [];
  return {
    sellerId,
    categoryId: (status ?? tiers.at(-1) ?? own[0])?.categoryId ?? '',
    tiers: tiers.map((t) => [t.period, t.tier, round(t.composite, 1)]),
    daily: d
      ? {
          date: d.date,
          composite: round(d.composite, 1),
          tier: d.projectedTier.tier,
          abilities: d.abilities ? ABILITY_ORDER.map((a) => round(d.abilities![a], 1)!) : null,
          poolAbilities: pool ? pool.means : null,
          pool: pool && d.poolId ? { poolId: d.poolId, members: pool.members, sampled: pool.sampled ?? pool.members } : null,
          nextTier: next
            ? {
                tier: next.tier,
                scoreGap: round(next.scoreGap, 1)!,
                focus: next.focus,
                targets: next.targets.map((t) => targetSentence(t, windowLength(d.window))),
              }
            : null,
        }
      : null,
    service: service
      ? { period: service.period, level: service.level, window: service.window, closedOrders: service.closedOrders, rates: RATES.map((r) => service[r]) }
      : null,
    merchant: merchant
      ? {
          quarter: merchant.quarter,
          assessedTier: merchant.assessedTier,
          criteria: (['gold', 'silver'] as const).flatMap((tier) =>
            merchant.criteria[tier].map(
              (c) =>
                [tier, c.id, typeof c.actual === 'number' ? round(c.actual, 4) : c.actual, c.required, c.met] as [
                  string,
                  string,
                  number | string | null,
                  string,
                  boolean,
                ],
            ),
          ),
        }
      : null,
    status: status
      ? {
          operationTier: status.operationTier?.tier ?? null,
          serviceLevel: status.serviceLevel?.level ?? null,
          merchantTier: status.merchantTier.effective,
          frontBadge: status.frontBadge,
        }
      : null,
    findings: (health?.findings ?? []).map((f) => [f.id, f.severity, f.since, f.deadline ?? '', f.action]),
    badOrders: badOrders.slice(0, VIEW_ORDERS).map((o) => [o.orderId, o.closedOn, o.reasons.join(', '), o.excluded]),
    badOrdersTotal: options.badOrdersTotal ?? (badOrders.length > VIEW_ORDERS ? badOrders.length : null),
    growth: options.listings ? sellerGrowth(options.listings, options.listedListings) : null,
  };
}

/** The pool a seller view compares against, from a tally's pool means. */
function poolOf(pools: PoolMeans, records: GradeRecord[]): { means: number[]; members: number } | null {
  const d = records.filter((r): r is DailyScoreRecord => r.kind === 'dailyScore').sort((a, b) => (a.date < b.date ? 1 : -1))[0];
  return d?.poolId ? pools.of(d.poolId, d.date) : null;
}

/**
 * What-if (issue 13): two `grader score` outputs of the same data under two policies — who moves
 * where, overall and per category, with the first sellers behind each cell.
 */
function compareModel(current: GradeRecord[], draft: GradeRecord[], listed = 200) {
  const tiersOf = (records: GradeRecord[]) =>
    new Map(
      records.flatMap((r) =>
        r.kind === 'operationTier'
          ? [[r.sellerId, { tier: r.tier, categoryId: r.categoryId }] as const]
          : r.kind === 'dailyScore'
            ? [[r.sellerId, { tier: r.projectedTier.tier, categoryId: r.categoryId }] as const]
            : [],
      ),
    );
  const [a, b] = [tiersOf(current), tiersOf(draft)];
  const categories = [...new Set([...b.values()].map((v) => v.categoryId))].sort();
  const cellsFor = (categoryId: string | null) =>
    migrationCells(
      new Map([...a].filter(([, v]) => !categoryId || v.categoryId === categoryId).map(([s, v]) => [s, v.tier])),
      new Map([...b].filter(([, v]) => !categoryId || v.categoryId === categoryId).map(([s, v]) => [s, v.tier])),
      listed,
    );
  // SPEC §6: how many sellers below top could reach the next tier by moving one indicator, under each policy
  const reachable = (records: GradeRecord[]) => {
    const nexts = records.flatMap((r) =>
      r.kind === 'operationTier' && r.nextTier ? [r.nextTier] : r.kind === 'dailyScore' && r.projectedTier.nextTier ? [r.projectedTier.nextTier] : [],
    );
    return { belowTop: nexts.length, withTarget: nexts.filter((n) => n.targets.length > 0).length };
  };
  return {
    overall: cellsFor(null),
    byCategory: categories.map((c) => ({ categoryId: c, cells: cellsFor(c) })),
    tiers: OPERATION_TIERS,
    targets: { current: reachable(current), draft: reachable(draft) },
  };
}

export {
  ABILITY_ORDER,
  CELL_SELLERS,
  INLINE_SELLERS,
  LISTED_CATEGORIES,
  PoolMeans,
  ReportTally,
  VIEW_ORDERS,
  abilityMeans,
  compareModel,
  migrationCells,
  poolOf,
  sellerView,
  viewConstants,
};
export type { BadOrder, MarketplaceModel, MigrationCell, PoolSample, SellerView, ViewConstants };
