import { z } from 'zod';
import { dailyWindows } from '../lib/calendar';
import { AREAS, carryForward, gradesHeld, openFindings, type Finding } from '../lib/healthCheck';
import { assessMerchant } from '../lib/merchantTier';
import { FIELD_COUNT } from '../lib/metrics';
import { lookupByCategory } from '../lib/policy';
import type { DailyScoreRecord, GradeRecord, HealthCheckRecord, StatusRecord } from '../lib/records';
import { assessServiceLevel } from '../lib/serviceLevel';
import { SEVERITIES, severityRank } from '../lib/severity';
import { ComplianceRepository } from './data/complianceRepository';
import { GradesRepository } from './data/gradesRepository';
import { blocksOf, boundaryDates, MetricsRepository, windowSums } from './data/metricsRepository';
import { QuarantineRepository } from './data/quarantineRepository';
import { ReferenceRepository, type StoredSeller } from './data/referenceRepository';
import { answerSchema } from './answers';
import type { HandlerDependencies } from './environment';

/**
 * A seller's findings as of a date with live evidence (SPEC §7.5: "the operator's explanation of
 * a seller shows the findings with live evidence"): the rules run now on the stored windows, the
 * status and the latest daily score's projection; each finding keeps its `since` from the record.
 */
async function liveFindings(
  deps: HandlerDependencies,
  seller: StoredSeller,
  date: string,
  records: GradeRecord[],
  dailyScore: DailyScoreRecord | null,
): Promise<Finding[] | null> {
  const status = records.find((r): r is StatusRecord => r.kind === 'status');
  if (!status || !dailyScore?.projectedTier) return null;
  const reference = new ReferenceRepository(deps.store);
  const { revision, categories } = await reference.snapshot();
  const w = dailyWindows(date, deps.policy.merchantTier.windowDays);
  const [cumulative, compliance, quarantined] = await Promise.all([
    new MetricsRepository(deps.store).cumulativeAt(blocksOf([seller]), [...new Set([...boundaryDates(w.scoring), ...boundaryDates(w.merchant)])]),
    new ComplianceRepository(deps.store).of([seller.sellerId]),
    new QuarantineRepository(deps.store).countsBySeller(w.scoring, revision),
  ]);
  const daily = new Float64Array(FIELD_COUNT);
  const merchantTotals = new Float64Array(FIELD_COUNT);
  windowSums(cumulative, seller, w.scoring, daily);
  windowSums(cumulative, seller, w.merchant, merchantTotals);
  const category = categories.find((c) => c.categoryId === seller.categoryId);
  const parentId = category?.parentId ?? seller.categoryId;
  const criteria = lookupByCategory(deps.policy.merchantTier.criteria, seller.categoryId, parentId);
  const drafts = openFindings(
    {
      date,
      categoryId: seller.categoryId,
      parentId,
      inForce: gradesHeld(status),
      projected: {
        operationTier: dailyScore.projectedTier.tier,
        merchant: assessMerchant(merchantTotals, criteria, deps.policy),
        serviceLevel: assessServiceLevel(merchantTotals, deps.policy),
      },
      daily,
      quarantinedRows: quarantined.get(seller.sellerId) ?? 0,
      exposure: compliance.get(seller.sellerId)?.exposure ?? [],
      registrations: compliance.get(seller.sellerId)?.registrations ?? [],
      flagsOf: (id) => categories.find((c) => c.categoryId === id)?.flags ?? [],
    },
    deps.policy,
  );
  const stored = records.find((r): r is HealthCheckRecord => r.kind === 'healthCheck');
  // since from the record; evidence live
  const since = new Map(
    carryForward(stored?.findings ?? [], drafts, date).map((f) => [`${f.id}|${String(f.evidence.market)}|${String(f.evidence.scope)}`, f.since]),
  );
  return drafts.map((d) => ({ ...d, since: since.get(`${d.id}|${String(d.evidence.market)}|${String(d.evidence.scope)}`) ?? date }));
}

/** The operators' worklist across sellers (`grader findings`): every open finding of the current health checks. */
const findingsSchema = z
  .object({
    action: z.literal('findings'),
    severity: z.enum(SEVERITIES).optional(),
    area: z.enum(AREAS).optional(),
  })
  .strict();

/** An open finding of a seller's current health check, with the seller. */
type FindingRow = Finding & { sellerId: string; categoryId: string; asOf: string };
const findingsAnswerSchema = answerSchema(z.literal('findings'), { findings: z.custom<FindingRow[]>() });

async function listFindings(r: z.infer<typeof findingsSchema>, deps: HandlerDependencies): Promise<z.infer<typeof findingsAnswerSchema>> {
  const sellers = await new ReferenceRepository(deps.store).sellers();
  const records = await new GradesRepository(deps.store).getMany(sellers.map((s) => ({ sellerId: s.sellerId, sk: 'healthCheck' })));
  const rows = records
    .flatMap((h) => (h.kind === 'healthCheck' ? h.findings.map((f) => ({ sellerId: h.sellerId, categoryId: h.categoryId, asOf: h.asOf, ...f })) : []))
    .filter((f) => (!r.severity || f.severity === r.severity) && (!r.area || f.area === r.area));
  rows.sort(
    (a, b) => severityRank[b.severity] - severityRank[a.severity] || (a.since < b.since ? -1 : a.since > b.since ? 1 : a.sellerId < b.sellerId ? -1 : 1),
  );
  return { ok: true, action: 'findings', findings: rows };
}

export { findingsAnswerSchema, findingsSchema, listFindings, liveFindings };
