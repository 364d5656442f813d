import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isCalendarDate, isMonth, isQuarter, JOBS } from '../lib/calendar';
import { explainSeller, policyVersionLines, type SellerExplanation } from '../lib/explain';
import { goodSellerEligibility, goodSellerLookback, grantOfRecord } from '../lib/goodSeller';
import type { Finding } from '../lib/healthCheck';
import { idSchema, LIST_LIMITS, PROGRAMS, sellerIdSchema, TEXT_LIMITS } from '../lib/inputs';
import { approvalViolation, dateViolation, rerunViolation, revocationViolation, type BoundsViolation } from '../lib/operatorBounds';
import { grantRecord } from '../lib/jobs';
import { FIELD_COUNT } from '../lib/metrics';
import { lookupByCategory } from '../lib/policy';
import { namedVersionViolation } from '../lib/policyVersions';
import { validateRecord, type GoodSellerGrantRecord, type GradeRecord } from '../lib/records';
import type { ListingRecord } from '../lib/listingRecords';
import { DailyScorePacks } from './data/dailyScorePacks';
import { GradesRepository } from './data/gradesRepository';
import { blocksOf, boundaryDates, MetricsRepository, windowSums } from './data/metricsRepository';
import { ReferenceRepository, type StoredSeller } from './data/referenceRepository';
import { answerSchema, refusalSchema } from './answers';
import type { HandlerDependencies } from './environment';
import type { RunCounts } from './data/runsRepository';
import { refreshStatuses } from './jobs/evaluateShard';
import { runJob } from './jobs/runJob';
import { policyForRun, policyOfVersion, publicationInForce } from './jobs/runPolicy';
import { PolicyRepository } from './data/policyRepository';
import { BadRequestError } from './middleware';
import { findingsAnswerSchema, findingsSchema, liveFindings } from './healthActions';
import { appealAnswerSchema, appealSchema, ordersAnswerSchema, ordersSchema } from './orderActions';
import {
  checkPolicyAnswerSchema,
  checkPolicySchema,
  diffPoliciesAnswerSchema,
  diffPoliciesSchema,
  listPoliciesAnswerSchema,
  listPoliciesSchema,
  publishPolicyAnswerSchema,
  publishPolicySchema,
  showPolicyAnswerSchema,
  showPolicySchema,
} from './policyActions';
import { runsAnswerSchema, runsSchema } from './runActions';
import { explainListingAnswerSchema, explainListingSchema, listingsAnswerSchema, listingsSchema } from './listingActions';
import { listingsByStage } from '../lib/explainListing';
import type { ListingStageRecord } from '../lib/listingRecords';

const date = z.iso.date();
const text = (limit: number) => z.string().max(limit, `must be at most ${limit} characters`);
const who = text(TEXT_LIMITS.who).trim().min(1, 'must name the operator');
/** Optional business date the action is taken on; defaults to today's (back-dated corrections, tests). */
const asOf = date.optional();

const rerunSchema = z
  .object({
    action: z.literal('rerun'),
    job: z.enum(JOBS),
    period: z.string().max(16, 'must be a date, month or quarter'),
    sellers: z.array(sellerIdSchema).max(LIST_LIMITS.sellers, `may name at most ${LIST_LIMITS.sellers} sellers: re-run their categories instead`).optional(),
    categories: z
      .array(idSchema('categoryId'))
      .max(LIST_LIMITS.categories, `may name at most ${LIST_LIMITS.categories} categories: re-run everyone instead`)
      .optional(),
    dryRun: z.boolean().default(false),
    /** a published version to evaluate with: any one in a dry run (a what-if), else only the one in force */
    policyVersion: z.string().min(1).max(32, 'must be at most 32 characters').optional(),
    reason: text(TEXT_LIMITS.reason).trim().min(1, 'a re-run needs a reason'),
    requestedBy: who,
    asOf,
  })
  .strict()
  .superRefine((r, ctx) => {
    const [valid, shape] =
      r.job === 'daily' || r.job === 'growth' ? [isCalendarDate, 'YYYY-MM-DD'] : r.job === 'monthly' ? [isMonth, 'YYYY-MM'] : [isQuarter, 'YYYY-Qn'];
    if (!valid(r.period)) ctx.addIssue({ code: 'custom', path: ['period'], message: `must be ${shape} for the ${r.job} job, got "${r.period}"` });
  });
const approveSchema = z
  .object({
    action: z.literal('approveGoodSeller'),
    sellerId: sellerIdSchema,
    appliedOn: date,
    approvedOn: date,
    approvedBy: who,
    note: text(TEXT_LIMITS.note).optional(),
    asOf,
  })
  .strict();
const revokeSchema = z
  .object({
    action: z.literal('revokeGoodSeller'),
    sellerId: sellerIdSchema,
    on: date,
    by: who,
    reason: text(TEXT_LIMITS.reason).optional(),
    asOf,
  })
  .strict();
const programSchema = z
  .object({
    action: z.enum(['setProgram', 'endProgram']),
    sellerId: sellerIdSchema,
    program: z.enum(PROGRAMS),
    on: date,
    by: who,
    asOf,
  })
  .strict();
const explainSchema = z.object({ action: z.literal('explain'), sellerId: sellerIdSchema, date: date.optional() }).strict();

/** Every operator request (SPEC §8.3), discriminated by `action`. */
const operatorRequestSchema = z.discriminatedUnion('action', [
  rerunSchema,
  approveSchema,
  revokeSchema,
  programSchema,
  explainSchema,
  appealSchema,
  ordersSchema,
  findingsSchema,
  showPolicySchema,
  listPoliciesSchema,
  checkPolicySchema,
  diffPoliciesSchema,
  publishPolicySchema,
  listingsSchema,
  explainListingSchema,
  runsSchema,
]);
type OperatorRequest = z.infer<typeof operatorRequestSchema>;

const rerunAnswerSchema = answerSchema(z.literal('rerun'), {
  job: rerunSchema.shape.job,
  period: z.string(),
  /** `dispatched`: the shards went to the workers; the CLI waits for them and answers with the run's end */
  state: z.enum(['succeeded', 'failed', 'alreadyDone', 'dispatched']),
  runId: z.string(),
  policyVersion: z.string(),
  counts: z.custom<RunCounts>(),
  dryRun: z.boolean(),
  changes: z.array(z.object({ kind: z.string(), sellerId: z.string() })),
  /** a dry run's records, as they would be written */
  wouldChange: z.custom<(GradeRecord | ListingRecord)[]>().optional(),
  shards: z.number().nullable().optional(),
});
const approveAnswerSchema = answerSchema(z.literal('approveGoodSeller'), {
  grant: z.custom<GoodSellerGrantRecord>(),
  lookback: z.custom<ReturnType<typeof goodSellerLookback>>(),
  criteriaChecked: z.boolean(),
});
const revokeAnswerSchema = answerSchema(z.literal('revokeGoodSeller'), { grant: z.custom<GoodSellerGrantRecord>() });
const programAnswerSchema = answerSchema(programSchema.shape.action, {
  sellerId: z.string(),
  program: programSchema.shape.program,
  span: z.object({ since: z.string(), until: z.string().nullable().optional() }),
});
const explainAnswerSchema = answerSchema(z.literal('explain'), {
  sellerId: z.string(),
  date: z.string(),
  status: z.custom<SellerExplanation['status']>(),
  grades: z.custom<SellerExplanation['grades']>(),
  explanation: z.array(z.string()),
  /** the open findings with live evidence; null without a status and a projected tier */
  findings: z.custom<Finding[] | null>(),
});

/** What the operator answers to a request it carried out, discriminated by `action`. */
const operatorAnswerSchema = z.discriminatedUnion('action', [
  rerunAnswerSchema,
  approveAnswerSchema,
  revokeAnswerSchema,
  programAnswerSchema,
  explainAnswerSchema,
  appealAnswerSchema,
  ordersAnswerSchema,
  findingsAnswerSchema,
  showPolicyAnswerSchema,
  listPoliciesAnswerSchema,
  checkPolicyAnswerSchema,
  diffPoliciesAnswerSchema,
  publishPolicyAnswerSchema,
  listingsAnswerSchema,
  explainListingAnswerSchema,
  runsAnswerSchema,
]);
/** Every answer of the operator (SPEC §8.3): what it carried out, or a refusal naming the field. */
const operatorResponseSchema = z.union([operatorAnswerSchema, refusalSchema]);
type OperatorResponse = z.infer<typeof operatorResponseSchema>;
type OperatorAnswers = z.infer<typeof operatorAnswerSchema>;
type OperatorAction = OperatorRequest['action'];
/** The answer to an action (setProgram and endProgram share theirs). */
type OperatorAnswer<A extends OperatorAction> = OperatorAnswers extends infer S ? (S extends { action: infer N } ? (A extends N ? S : never) : never) : never;

/** Whether a response is the answer to `action`, carried out. */
function isAnswerTo<A extends OperatorAction>(response: OperatorResponse, action: A): response is OperatorAnswer<A> {
  return response.ok && response.action === action;
}

function refuse(violation: BoundsViolation | null): void {
  if (violation) throw new BadRequestError(violation.field, violation.message);
}

async function sellerOrFail(deps: HandlerDependencies, sellerId: string, field = 'sellerId'): Promise<StoredSeller> {
  const seller = await new ReferenceRepository(deps.store).seller(sellerId);
  if (!seller) throw new BadRequestError(field, `seller ${sellerId} does not exist`);
  return seller;
}

/** Re-runs a job for a period, for everyone or some sellers or categories; a dry run writes no grade. */
async function rerun(r: z.infer<typeof rerunSchema>, deps: HandlerDependencies, today: string): Promise<z.infer<typeof rerunAnswerSchema>> {
  refuse(rerunViolation(r, today, deps.policy));
  const reference = new ReferenceRepository(deps.store);
  if (r.sellers?.length) {
    const known = new Set((await reference.sellers()).map((s) => s.sellerId));
    const index = r.sellers.findIndex((s) => !known.has(s));
    if (index >= 0) throw new BadRequestError(`sellers.${index}`, `seller ${r.sellers[index]} does not exist`);
  }
  if (r.categories?.length) {
    const known = new Set((await reference.categories()).map((c) => c.categoryId));
    const index = r.categories.findIndex((c) => !known.has(c));
    if (index >= 0) throw new BadRequestError(`categories.${index}`, `category ${r.categories[index]} does not exist`);
  }
  if (r.policyVersion !== undefined) await refuseNamedVersion(r, r.policyVersion, deps);
  const result = await runJob(
    {
      job: r.job,
      period: r.period,
      trigger: 'operator',
      requestedBy: r.requestedBy,
      reason: r.reason,
      asOf: r.asOf ?? today,
      dryRun: r.dryRun,
      sellers: r.sellers,
      categories: r.categories,
      runId: `operator-${r.job}-${r.period}-${randomUUID().slice(0, 8)}`,
      policyVersion: r.policyVersion,
    },
    // a dry run answers with what would change, so it is evaluated here, never fanned out
    r.dryRun ? { ...deps, dispatch: undefined } : deps,
  );
  return {
    ok: true,
    action: 'rerun',
    job: r.job,
    period: r.period,
    state: result.state,
    runId: result.run.runId,
    policyVersion: result.run.policyVersion,
    counts: result.run.counts,
    dryRun: r.dryRun,
    changes: result.changed.map((c) => ({ kind: c.kind, sellerId: c.sellerId })),
    ...(r.dryRun ? { wouldChange: result.changed } : {}),
  };
}

/** A version a re-run names must be published, and in force for the period unless the run is dry (SPEC §9). */
async function refuseNamedVersion(r: z.infer<typeof rerunSchema>, version: string, deps: HandlerDependencies): Promise<void> {
  const published = deps.policySource === 'published';
  if (!(await policyOfVersion(deps, version))) {
    throw new BadRequestError(
      'policyVersion',
      published
        ? `no policy version ${version} is published: see grader policy list`
        : `the policy is pinned to ${deps.policy.version} here (GRADER_POLICY_FILE): no other version can be named`,
    );
  }
  const inForce = published ? (await publicationInForce(deps, r.job, r.period)).inForce.version : deps.policy.version;
  refuse(namedVersionViolation(version, inForce, r.dryRun, r.job, r.period));
}

/** Records a Good Seller approval, refused with every failed reason and nothing written when ineligible (SPEC §7.3). */
async function approveGoodSeller(
  r: z.infer<typeof approveSchema>,
  deps: HandlerDependencies,
  today: string,
): Promise<z.infer<typeof approveAnswerSchema> | z.infer<typeof refusalSchema>> {
  refuse(approvalViolation(r, today, deps.policy) ?? dateViolation('asOf', r.asOf, today, deps.policy));
  const seller = await sellerOrFail(deps, r.sellerId);
  const grades = new GradesRepository(deps.store);
  const previous = await grades.get(r.sellerId, 'goodSellerGrant');
  const lookback = goodSellerLookback(r.approvedOn, deps.policy);
  const cumulative = await new MetricsRepository(deps.store).cumulativeAt(blocksOf([seller]), boundaryDates(lookback));
  const totals = new Float64Array(FIELD_COUNT);
  windowSums(cumulative, seller, lookback, totals);
  const categories = await new ReferenceRepository(deps.store).categories();
  const parentId = categories.find((c) => c.categoryId === seller.categoryId)?.parentId ?? seller.categoryId;
  const verdict = goodSellerEligibility({
    openedOn: seller.openedOn,
    appliedOn: r.appliedOn,
    approvedOn: r.approvedOn,
    hadGrantBefore: previous !== null,
    lookbackTotals: totals,
    criteria: lookupByCategory(deps.policy.goodSeller.criteria, seller.categoryId, parentId),
    policy: deps.policy,
  });
  if (!verdict.eligible) {
    return {
      ok: false,
      action: 'approveGoodSeller',
      error: `seller ${r.sellerId} is not eligible: ${verdict.failed.map((f) => f.id).join(', ')}`,
      failed: verdict.failed,
    };
  }
  const runId = `operator-goodSeller-${randomUUID().slice(0, 8)}`;
  const grant = { sellerId: r.sellerId, appliedOn: r.appliedOn, approvedOn: r.approvedOn, approvedBy: r.approvedBy, note: r.note ?? null };
  const record = validateRecord(grantRecord(grant, seller.categoryId, r.asOf ?? today, deps.policy, runId));
  await grades.writeChanged([record], { now: deps.now() });
  await refreshSeller(deps, seller, r.asOf ?? today, runId);
  return { ok: true, action: 'approveGoodSeller', grant: record, lookback, criteriaChecked: totals.length > 0 };
}

/** Revokes an active grant from a date (SPEC §7.3). */
async function revokeGoodSeller(r: z.infer<typeof revokeSchema>, deps: HandlerDependencies, today: string): Promise<z.infer<typeof revokeAnswerSchema>> {
  refuse(dateViolation('asOf', r.asOf, today, deps.policy) ?? dateViolation('on', r.on, r.asOf ?? today, deps.policy));
  const seller = await sellerOrFail(deps, r.sellerId);
  const grades = new GradesRepository(deps.store);
  const existing = await grades.get(r.sellerId, 'goodSellerGrant');
  if (existing?.kind !== 'goodSellerGrant') throw new BadRequestError('sellerId', `seller ${r.sellerId} has no Good Seller grant`);
  if (existing.status === 'revoked') throw new BadRequestError('sellerId', `seller ${r.sellerId}'s grant was already revoked on ${existing.endedOn}`);
  refuse(revocationViolation(r.on, existing));
  const runId = `operator-goodSeller-${randomUUID().slice(0, 8)}`;
  const grant = { ...grantOfRecord(existing), revokedOn: r.on, revokedBy: r.by };
  const asOfDate = [r.asOf ?? today, r.on].sort().pop()!;
  const record = validateRecord(grantRecord(grant, seller.categoryId, asOfDate, deps.policy, runId));
  await grades.writeChanged([record], { now: deps.now() });
  await refreshSeller(deps, seller, r.asOf ?? today, runId);
  return { ok: true, action: 'revokeGoodSeller', grant: record };
}

/** Sets or ends a MALL, JBP or styled program and refreshes the seller's label (SPEC §3.2, §7.4). */
async function changeProgram(r: z.infer<typeof programSchema>, deps: HandlerDependencies, today: string): Promise<z.infer<typeof programAnswerSchema>> {
  refuse(dateViolation('asOf', r.asOf, today, deps.policy));
  if (r.on < deps.policy.data.earliestDate)
    throw new BadRequestError('on', `must not be before data.earliestDate (${deps.policy.data.earliestDate}), got ${r.on}`);
  const seller = await sellerOrFail(deps, r.sellerId);
  const current = seller[r.program];
  let span: { since: string; until?: string | null } | null;
  if (r.action === 'setProgram') span = { since: r.on };
  else {
    if (!current) throw new BadRequestError('program', `seller ${r.sellerId} has no ${r.program} program to end`);
    if (r.on < current.since) throw new BadRequestError('on', `must not be before the program began (${current.since})`);
    span = { since: current.since, until: r.on };
  }
  await new ReferenceRepository(deps.store).setProgram(r.sellerId, r.program, span);
  await refreshSeller(deps, { ...seller, [r.program]: span }, r.asOf ?? today, `operator-program-${randomUUID().slice(0, 8)}`);
  return { ok: true, action: r.action, sellerId: r.sellerId, program: r.program, span };
}

/** Rebuilds one seller's status after an operator action. */
async function refreshSeller(deps: HandlerDependencies, seller: StoredSeller, asOfDate: string, runId: string): Promise<void> {
  const categories = await new ReferenceRepository(deps.store).categories();
  const parentId = categories.find((c) => c.categoryId === seller.categoryId)?.parentId ?? seller.categoryId;
  const grant = await new GradesRepository(deps.store).get(seller.sellerId, 'goodSellerGrant');
  await refreshStatuses(
    {
      store: deps.store,
      policy: deps.policy,
      runId,
      asOf: asOfDate,
      now: deps.now,
      activeGrants: grant && grant.kind === 'goodSellerGrant' ? new Map([[seller.sellerId, grantOfRecord(grant)]]) : new Map(),
    },
    [{ sellerId: seller.sellerId, categoryId: seller.categoryId, parentId, mall: seller.mall, jbp: seller.jbp, styled: seller.styled }],
  );
}

/** A seller's status and the explanation of every grade in force (SPEC §8.3). */
async function explain(r: z.infer<typeof explainSchema>, deps: HandlerDependencies, today: string): Promise<z.infer<typeof explainAnswerSchema>> {
  const seller = await sellerOrFail(deps, r.sellerId);
  const date = r.date ?? today;
  const [{ records, listings }, dailyScore] = await Promise.all([
    new GradesRepository(deps.store).partition(r.sellerId),
    new DailyScorePacks(deps.store).latest(seller, date),
  ]);
  // the grades in force on the date are picked, and the findings judged, by the version in force on it
  const onDate = { ...deps, policy: await policyForRun(deps, 'daily', date) };
  const explanation: SellerExplanation = explainSeller(r.sellerId, dailyScore ? [...records, dailyScore] : records, date, onDate.policy);
  explanation.explanation.push(...policyVersionLines(explanation, await new PolicyRepository(deps.store).list()));
  const findings = await liveFindings(onDate, seller, date, records, dailyScore);
  if (findings) {
    explanation.explanation.push(findings.length === 0 ? 'Health check: no open finding.' : `Health check (${findings.length} open, live evidence):`);
    for (const f of findings) {
      explanation.explanation.push(
        `  ${f.severity.toUpperCase()} ${f.id} (${f.area}) since ${f.since}${f.deadline ? `, deadline ${f.deadline}` : ''}: ${f.action}`,
      );
    }
  }
  const stages = listings.filter((l): l is ListingStageRecord => l.kind === 'listingStage');
  if (stages.length > 0) explanation.explanation.push(...listingsByStage(stages));
  return { ok: true, action: 'explain', ...explanation, findings };
}

export { approveGoodSeller, changeProgram, explain, isAnswerTo, operatorRequestSchema, operatorResponseSchema, rerun, revokeGoodSeller };
export type { OperatorAction, OperatorAnswer, OperatorRequest, OperatorResponse };
