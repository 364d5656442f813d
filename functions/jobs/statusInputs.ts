import { addMonths, addQuarters, monthOf, quarterInForceOn, quarterlyWindows } from '../../lib/calendar';
import { grantOfRecord, type GoodSellerGrant } from '../../lib/goodSeller';
import type { Policy } from '../../lib/policy';
import type { GoodSellerGrantRecord, GradeRecord, PeriodKind, StatusRecord } from '../../lib/records';
import { gradesInForce, statusIsStale, type GoodSellerState, type GradesInForce } from '../../lib/status';
import { mapLimit } from '../data/batch';
import { gradeSortKey, type GradesRepository, type StoredVersion } from '../data/gradesRepository';

/** What a seller's status is built from on a date. */
interface StatusInputs {
  inForce: GradesInForce;
  grant: GoodSellerGrant | null;
  goodSeller: GoodSellerState | null;
}

/** The sort keys that can hold a seller's grades in force on a date: this and last month, this and last quarter in force. */
function inForceKeys(date: string, policy: Policy): string[] {
  const month = monthOf(date);
  const quarter = quarterInForceOn(date, policy.merchantTier.effectiveFromDay);
  return [
    `operationTier#${month}`,
    `operationTier#${addMonths(month, -1)}`,
    `serviceLevel#${month}`,
    `serviceLevel#${addMonths(month, -1)}`,
    `merchantAssessment#${quarter}`,
    `merchantAssessment#${addQuarters(quarter, -1)}`,
    'goodSellerGrant',
  ];
}

/**
 * Reads every record a status could depend on, for sellers whose current status cannot be trusted.
 * Records the caller already holds (`known`, e.g. those a monthly run just wrote) are not read
 * again, nor is the older key they make irrelevant.
 */
async function readStatusInputs(
  grades: GradesRepository,
  sellerIds: string[],
  date: string,
  policy: Policy,
  known: GradeRecord[] = [],
  /** each seller's categories (now, and as its last status has it): with many sellers, period records are read through the period index */
  categoriesOf?: (sellerId: string) => string[],
): Promise<Map<string, StatusInputs>> {
  const keys = inForceKeys(date, policy);
  const knownBySeller = new Map<string, GradeRecord[]>();
  for (const r of known) knownBySeller.set(r.sellerId, [...(knownBySeller.get(r.sellerId) ?? []), r]);
  const fetched =
    categoriesOf && sellerIds.length >= BY_CATEGORY_FROM
      ? await readByCategory(grades, sellerIds, keys, categoriesOf, new Set(known.map((r) => `${r.sellerId}|${gradeSortKey(r)}`)))
      : await grades.getMany(
          sellerIds.flatMap((sellerId) => {
            const held = new Set((knownBySeller.get(sellerId) ?? []).map(gradeSortKey));
            // keys come in pairs (this period, the one before): holding the first makes the second irrelevant
            return keys.filter((sk, i) => !held.has(sk) && !(i < 6 && i % 2 === 1 && held.has(keys[i - 1]!))).map((sk) => ({ sellerId, sk }));
          }),
        );
  const records = [...fetched, ...known];
  const bySeller = new Map<string, GradeRecord[]>();
  for (const r of records) bySeller.set(r.sellerId, [...(bySeller.get(r.sellerId) ?? []), r]);
  return new Map(
    sellerIds.map((sellerId) => {
      const own = bySeller.get(sellerId) ?? [];
      const grantRecord = own.find((r): r is GoodSellerGrantRecord => r.kind === 'goodSellerGrant');
      return [sellerId, { inForce: gradesInForce(own, date), grant: grantRecord ? grantOfRecord(grantRecord) : null, goodSeller: null }];
    }),
  );
}

/** From this many sellers on, period records are read by category (range reads) rather than by key. */
const BY_CATEGORY_FROM = 50;

/**
 * The period records of `keys` for many sellers through the period index, one query per category
 * and period (a range read costs DynamoDB Local ~2.5x less than a key, and a missing record
 * nothing); grants by key. Records the caller holds (`held`) are left out.
 */
async function readByCategory(
  grades: GradesRepository,
  sellerIds: string[],
  keys: string[],
  categoriesOf: (sellerId: string) => string[],
  held: Set<string>,
): Promise<GradeRecord[]> {
  const wanted = new Set(sellerIds);
  const categories = [...new Set(sellerIds.flatMap(categoriesOf))];
  // a period is read only if some seller lacks it and does not hold the newer period of its pair
  // (a monthly run holds this month's records of all its sellers: it reads neither month)
  const needed = (sk: string, i: number) => sellerIds.some((id) => !held.has(`${id}|${sk}`) && !(i % 2 === 1 && held.has(`${id}|${keys[i - 1]}`)));
  const periodKeys = keys.filter((sk, i) => sk.includes('#') && needed(sk, i)).map((sk) => sk.split('#') as [PeriodKind, string]);
  const [byPeriod, grants] = await Promise.all([
    mapLimit(
      categories.flatMap((c) => periodKeys.map(([kind, period]) => ({ c, kind, period }))),
      8,
      ({ c, kind, period }) => grades.listPeriod(kind, period, c),
    ),
    grades.getMany(sellerIds.map((sellerId) => ({ sellerId, sk: 'goodSellerGrant' }))),
  ]);
  return [...byPeriod.flat(), ...grants].filter((r) => wanted.has(r.sellerId) && !held.has(`${r.sellerId}|${gradeSortKey(r)}`));
}

/**
 * The cheap path of the daily job and of monthly and quarterly runs: a seller's current status,
 * read by category through the index (or by key), already names the grades in force; only a seller
 * without one, or for whom a month or quarter turned since, has its records read again. A run's own
 * records (`known`) are laid over what the statuses say.
 */
async function currentStatusInputs(
  grades: GradesRepository,
  sellers: { sellerId: string; categoryId: string }[],
  /** read the statuses by category through the index; null: by key */
  categoryIds: string[] | null,
  date: string,
  policy: Policy,
  activeGrants: Map<string, GoodSellerGrant>,
  /** records the caller holds (a monthly or quarterly run's own), laid over the statuses' grades */
  known: GradeRecord[] = [],
): Promise<{ inputs: Map<string, StatusInputs>; statusVersions: Map<string, StoredVersion> }> {
  const sellerIds = sellers.map((s) => s.sellerId);
  const previous = new Map<string, StatusRecord>();
  const statusVersions = new Map<string, StoredVersion>();
  const wanted = new Set(sellerIds);
  const stored = categoryIds
    ? await grades.statusesOf(categoryIds)
    : (await grades.getManyWithHashes(sellerIds.map((sellerId) => ({ sellerId, sk: 'status' })))).flatMap(({ record, hash }) =>
        record.kind === 'status' ? [{ record, hash }] : [],
      );
  for (const { record, hash } of stored) {
    if (!wanted.has(record.sellerId)) continue;
    previous.set(record.sellerId, record);
    statusVersions.set(`${record.sellerId}|status`, { hash, runId: record.runId });
  }
  // sellers with no status filed under their category yet: written without a read (a status filed
  // under a former category differs in its categoryId anyway)
  for (const sellerId of sellerIds) if (!statusVersions.has(`${sellerId}|status`)) statusVersions.set(`${sellerId}|status`, { hash: '', runId: '' });
  // a stale status's records are read again; the others are taken as the status shows them
  const stale = sellerIds.filter((id) => statusIsStale(previous.get(id), date, activeGrants.has(id), policy));
  const staleSet = new Set(stale);
  const profileCategory = new Map(sellers.map((s) => [s.sellerId, s.categoryId]));
  const categoriesOf = (id: string) => [...new Set([profileCategory.get(id)!, previous.get(id)?.categoryId ?? profileCategory.get(id)!])];
  const reread = await readStatusInputs(
    grades,
    stale,
    date,
    policy,
    known.filter((r) => staleSet.has(r.sellerId)),
    categoriesOf,
  );
  const knownBySeller = new Map<string, GradeRecord[]>();
  for (const r of known) if (!staleSet.has(r.sellerId)) knownBySeller.set(r.sellerId, [...(knownBySeller.get(r.sellerId) ?? []), r]);
  const inputs = new Map(
    sellerIds.map((sellerId): [string, StatusInputs] => {
      const grant = activeGrants.get(sellerId) ?? null;
      const fresh = reread.get(sellerId);
      if (fresh) return [sellerId, { ...fresh, grant: grant ?? fresh.grant }];
      const p = previous.get(sellerId)!;
      const inForce: GradesInForce = overlay(
        {
          operationTier: p.operationTier,
          serviceLevel: p.serviceLevel,
          assessment: p.merchantTier.quarter ? { assessedTier: p.merchantTier.assessed, quarter: p.merchantTier.quarter } : null,
        },
        knownBySeller.get(sellerId) ?? [],
        date,
        policy,
      );
      return [sellerId, { inForce, grant, goodSeller: p.goodSeller }];
    }),
  );
  return { inputs, statusVersions };
}

/**
 * The grades in force with a run's own records laid over them: a record replaces the grade of the
 * same or an earlier period when it is in force on the date (SPEC §6, §7.2).
 */
function overlay(inForce: GradesInForce, records: GradeRecord[], date: string, policy: Policy): GradesInForce {
  const month = monthOf(date);
  const day = policy.merchantTier.effectiveFromDay;
  const effectiveFrom = (quarter: string) => quarterlyWindows(quarter, policy.merchantTier.windowDays, day).effectiveFrom;
  const out = { ...inForce };
  for (const r of records) {
    if (r.kind === 'operationTier' && r.period <= month && (!out.operationTier || r.period >= out.operationTier.period)) {
      out.operationTier = { tier: r.tier, period: r.period };
    } else if (r.kind === 'serviceLevel' && r.period <= month && (!out.serviceLevel || r.period >= out.serviceLevel.period)) {
      out.serviceLevel = { level: r.level, period: r.period };
    } else if (r.kind === 'merchantAssessment' && r.effectiveFrom <= date && (!out.assessment || r.effectiveFrom >= effectiveFrom(out.assessment.quarter))) {
      out.assessment = { assessedTier: r.assessedTier, quarter: r.quarter };
    }
  }
  return out;
}

export { currentStatusInputs, readStatusInputs };
export type { StatusInputs };
