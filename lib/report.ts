import type { Policy } from './policy';
import type {
  DailyScoreRecord,
  GoodSellerGrantRecord,
  GradeRecord,
  HealthCheckRecord,
  MerchantAssessmentRecord,
  OperationTierRecord,
  ServiceLevelRecord,
  StatusRecord,
} from './records';

const TIERS = ['top', 'highPotential', 'mid', 'basic'] as const;
const LEVELS = ['excellent', 'good', 'pass', 'fail', 'notAssessed'] as const;
const MERCHANT = ['gold', 'silver', 'ordinary'] as const;
const AREAS = ['service', 'merchant', 'operation', 'logistics', 'compliance', 'data'] as const;
const SEVERITIES = ['critical', 'warning', 'info'] as const;

type Counts = Record<string, number>;
const count = <T>(items: T[], key: (t: T) => string): Counts => {
  const out: Counts = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
};

/** A seller's page: where it stands, its gap, what to fix first (issue 13's seller view); compact, as a report holds thousands. */
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
    nextTier: { tier: string; scoreGap: number; focus: string[] } | null;
  } | null;
  service: { period: string; level: string; window: { start: string; end: string }; closedOrders: number; rates: (number | null)[] } | null;
  /** [tier, criterion, actual, required, met] */
  merchant: { quarter: string; assessedTier: string; criteria: [string, string, number | string | null, string, boolean][] } | null;
  status: { operationTier: string | null; serviceLevel: string | null; merchantTier: string; frontBadge: string | null } | null;
  /** [id, severity, since, deadline, action] */
  findings: [string, string, string, string, string][];
  /** [orderId, closedOn, reasons, excluded] */
  badOrders: [string, string, string, boolean][];
}

interface ReportModel {
  title: string;
  period: string;
  months: string[];
  tiersByMonth: { month: string; counts: Counts }[];
  migration: { from: string; to: string; cells: Record<string, Record<string, string[]>> } | null;
  serviceByMonth: { month: string; counts: Counts }[];
  merchantByQuarter: { quarter: string; counts: Counts }[];
  grants: { sellerId: string; approvedOn: string; expiresOn: string; status: string; endedOn: string | null }[];
  labels: Counts;
  categories: { categoryId: string; shares: Counts; thresholds: { month: string; top: number; highPotential: number; mid: number }[] }[];
  findings: Record<string, Counts>;
  quarantine: Counts;
  sellers: SellerView[];
  /** shared by every seller view */
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

/** Who moved where between two sets of operation tiers: cells[from][to] lists the sellers. */
function migrationCells(before: Map<string, string>, after: Map<string, string>): Record<string, Record<string, string[]>> {
  const cells: Record<string, Record<string, string[]>> = {};
  for (const [sellerId, to] of after) {
    const from = before.get(sellerId) ?? 'none';
    ((cells[from] ??= {})[to] ??= []).push(sellerId);
  }
  return cells;
}

/**
 * The grading report's data (issue 13): everything the page draws, computed from grade records
 * (of the tables, or of `grader score` files). Pure: the records in, the model out.
 */
function reportModel(input: {
  records: GradeRecord[];
  period: string;
  policy: Policy;
  quarantine?: Counts;
  badOrders?: Map<string, { orderId: string; closedOn: string; reasons: string[]; excluded: boolean }[]>;
}): ReportModel {
  const { records, period, policy } = input;
  const of = <K extends GradeRecord['kind']>(kind: K) => records.filter((r): r is Extract<GradeRecord, { kind: K }> => r.kind === kind);
  const tiers = of('operationTier').filter((r) => r.period <= period);
  const months = [...new Set(tiers.map((r) => r.period))].sort();
  const tierOf = (month: string) => new Map(tiers.filter((r) => r.period === month).map((r) => [r.sellerId, r.tier]));
  const last = months.at(-1);
  const previous = months.at(-2);
  const service = of('serviceLevel').filter((r) => r.period <= period);
  const merchant = of('merchantAssessment');
  const quarters = [...new Set(merchant.map((r) => r.quarter))].sort();
  const statuses = of('status');
  const health = of('healthCheck');
  const latestDate = of('dailyScore')
    .map((r) => r.date)
    .sort()
    .at(-1);
  const daily = of('dailyScore').filter((r) => r.date === latestDate);
  const poolMeans = new Map<string, Record<string, number>>();
  for (const [poolId, members] of Object.entries(
    groupBy(
      daily.filter((d) => d.abilities && d.poolId),
      (d) => d.poolId!,
    ),
  )) {
    const sums: Record<string, number> = {};
    for (const d of members) for (const [a, v] of Object.entries(d.abilities!)) sums[a] = (sums[a] ?? 0) + v;
    poolMeans.set(poolId, Object.fromEntries(Object.entries(sums).map(([a, v]) => [a, v / members.length])));
  }
  const byCategory = groupBy(tiers, (r) => r.categoryId);
  const sellerIds = [...new Set(records.map((r) => r.sellerId))].sort();
  const bySeller = groupBy(
    records.filter((r) => 'sellerId' in r),
    (r) => r.sellerId,
  );
  return {
    title: `Seller grading report, ${period}`,
    period,
    months,
    tiersByMonth: months.map((month) => ({ month, counts: count([...tierOf(month).values()], (t) => t) })),
    migration: last && previous ? { from: previous, to: last, cells: migrationCells(tierOf(previous), tierOf(last)) } : null,
    serviceByMonth: [...new Set(service.map((r) => r.period))].sort().map((month) => ({
      month,
      counts: count(
        service.filter((r) => r.period === month),
        (r) => r.level,
      ),
    })),
    merchantByQuarter: quarters.map((quarter) => ({
      quarter,
      counts: count(
        merchant.filter((r) => r.quarter === quarter),
        (r) => r.assessedTier,
      ),
    })),
    grants: of('goodSellerGrant').map((g: GoodSellerGrantRecord) => ({
      sellerId: g.sellerId,
      approvedOn: g.approvedOn,
      expiresOn: g.expiresOn,
      status: g.status,
      endedOn: g.endedOn,
    })),
    labels: count(statuses, (s) => s.frontBadge ?? 'none'),
    categories: Object.entries(byCategory)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([categoryId, rs]) => ({
        categoryId,
        shares: count(
          rs.filter((r) => r.period === last),
          (r) => r.tier,
        ),
        thresholds: months.flatMap((month) => {
          const t =
            rs.find((r) => r.period === month && r.thresholds && r.poolId === `cat:${categoryId}`)?.thresholds ??
            rs.find((r) => r.period === month && r.thresholds)?.thresholds;
          return t ? [{ month, ...t }] : [];
        }),
      })),
    findings: Object.fromEntries(
      AREAS.map((area) => [
        area,
        count(
          health.flatMap((h) => h.findings).filter((f) => f.area === area),
          (f) => f.severity,
        ),
      ]),
    ),
    quarantine: input.quarantine ?? {},
    sellers: sellerIds.map((sellerId) => sellerView(sellerId, bySeller[sellerId] ?? [], months, latestDate, poolMeans, input.badOrders?.get(sellerId) ?? [])),
    serviceThresholds: policy.serviceLevel.levels,
    benefits: policy.tiers.benefits,
    constants: { tiers: TIERS, levels: LEVELS, merchant: MERCHANT, areas: AREAS, severities: SEVERITIES, abilities: ABILITY_ORDER, rates: RATES },
  };
}

const ABILITY_ORDER = ['product', 'channel', 'traffic', 'logistics', 'service', 'customerOps', 'growth'] as const;
const RATES = ['badExperienceRate', 'sellerResponsibleArbitrationRate', 'positiveRatingRate'] as const;
const round = (v: number | null, digits: number) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

function sellerView(
  sellerId: string,
  records: GradeRecord[],
  months: string[],
  date: string | undefined,
  poolMeans: Map<string, Record<string, number>>,
  badOrders: { orderId: string; closedOn: string; reasons: string[]; excluded: boolean }[],
): SellerView {
  const tiers = records.filter((r): r is OperationTierRecord => r.kind === 'operationTier');
  const d = records.find((r): r is DailyScoreRecord => r.kind === 'dailyScore' && r.date === date) ?? null;
  const latest = <T extends GradeRecord>(kind: T['kind'], keyOf: (r: T) => string) =>
    (records.filter((r) => r.kind === kind) as T[]).sort((a, b) => (keyOf(a) < keyOf(b) ? 1 : -1))[0] ?? null;
  const status = latest<StatusRecord>('status', (r) => r.asOf);
  const service = latest<ServiceLevelRecord>('serviceLevel', (r) => r.period);
  const merchant = latest<MerchantAssessmentRecord>('merchantAssessment', (r) => r.quarter);
  const next = d?.projectedTier?.nextTier ?? null;
  const pool = d?.poolId ? poolMeans.get(d.poolId) : undefined;
  return {
    sellerId,
    categoryId: records[0]?.categoryId ?? '',
    tiers: months.flatMap((month) => {
      const t = tiers.find((r) => r.period === month);
      return t ? [[month, t.tier, round(t.composite, 1)] as [string, string, number | null]] : [];
    }),
    daily: d
      ? {
          date: d.date,
          composite: round(d.composite, 1),
          tier: d.projectedTier.tier,
          abilities: d.abilities ? ABILITY_ORDER.map((a) => round(d.abilities![a], 1)!) : null,
          poolAbilities: pool ? ABILITY_ORDER.map((a) => round(pool[a] ?? 0, 1)!) : null,
          nextTier: next ? { tier: next.tier, scoreGap: round(next.scoreGap, 1)!, focus: next.focus } : null,
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
    findings: (latest<HealthCheckRecord>('healthCheck', (r) => r.asOf)?.findings ?? []).map((f) => [f.id, f.severity, f.since, f.deadline ?? '', f.action]),
    badOrders: badOrders.map((o) => [o.orderId, o.closedOn, o.reasons.join(', '), o.excluded]),
  };
}

function groupBy<T>(items: T[], key: (t: T) => string): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const i of items) (out[key(i)] ??= []).push(i);
  return out;
}

/**
 * What-if (issue 13): two `grader score` outputs of the same data under two policies — who moves
 * where, overall and per category, with the sellers behind each cell.
 */
function compareModel(current: GradeRecord[], draft: GradeRecord[]) {
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
    );
  return { overall: cellsFor(null), byCategory: Object.fromEntries(categories.map((c) => [c, cellsFor(c)])), tiers: TIERS };
}

export { compareModel, migrationCells, reportModel };
export type { ReportModel, SellerView };
