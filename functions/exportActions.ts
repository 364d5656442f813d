import { z } from 'zod';
import { isCalendarDate, isMonth, isQuarter } from '../lib/calendar';
import type { ListingRecord } from '../lib/listingRecords';
import { GRADE_KINDS, type GradeRecord } from '../lib/records';
import { answerSchema } from './answers';
import { DailyScorePacks } from './data/dailyScorePacks';
import { GradesRepository } from './data/gradesRepository';
import { ListingRecordsRepository } from './data/listingRecordsRepository';
import { ListingsRepository } from './data/listingsRepository';
import { ReferenceRepository } from './data/referenceRepository';
import type { HandlerDependencies } from './environment';

const LISTING_KINDS = ['listingStage', 'listingIncentive'] as const;
const EXPORT_KINDS = [...GRADE_KINDS, ...LISTING_KINDS] as const;

/** The period a kind is filed by, and its shape: a date, a month, a quarter, or none (the current records). */
function periodOfKind(kind: (typeof EXPORT_KINDS)[number]): { valid: (p: string) => boolean; shape: string } | null {
  if (kind === 'dailyScore') return { valid: isCalendarDate, shape: 'YYYY-MM-DD' };
  if (kind === 'operationTier' || kind === 'serviceLevel') return { valid: isMonth, shape: 'YYYY-MM' };
  if (kind === 'merchantAssessment') return { valid: isQuarter, shape: 'YYYY-Qn' };
  return null;
}

/**
 * Every record of a kind (`grader export`): of a period for the periodic kinds, else the current
 * ones. The answer holds them all, so it is an action of the CLI, not of the operator Lambda,
 * whose answers are bounded.
 */
const exportSchema = z
  .object({
    action: z.literal('export'),
    kind: z.enum(EXPORT_KINDS),
    period: z.string().max(16, 'must be a date, month or quarter').optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const period = periodOfKind(r.kind);
    if (period && !(r.period !== undefined && period.valid(r.period)))
      ctx.addIssue({ code: 'custom', path: ['period'], message: `must be ${period.shape} for ${r.kind} records, got ${JSON.stringify(r.period ?? null)}` });
  });

const exportAnswerSchema = answerSchema(z.literal('export'), {
  kind: z.enum(EXPORT_KINDS),
  /** by seller id; listing records by listing id and grant date */
  records: z.custom<(GradeRecord | ListingRecord)[]>(),
});

async function exportRecords(r: z.infer<typeof exportSchema>, deps: Pick<HandlerDependencies, 'store'>): Promise<z.infer<typeof exportAnswerSchema>> {
  const { kind, period } = r;
  if (kind === 'listingStage' || kind === 'listingIncentive') {
    const sellers = [...new Set((await new ListingsRepository(deps.store).all()).map((l) => l.sellerId))];
    const key = (l: ListingRecord) => `${l.listingId}|${l.kind === 'listingIncentive' ? l.grantedOn : ''}`;
    const records = (await new ListingRecordsRepository(deps.store).ofSellers(sellers, kind)).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    return { ok: true, action: 'export', kind, records };
  }
  const grades = new GradesRepository(deps.store);
  const reference = new ReferenceRepository(deps.store);
  // daily scores are packed by category; monthly and quarterly kinds come through the period index
  const records = (
    kind === 'dailyScore'
      ? await new DailyScorePacks(deps.store).on(await reference.sellers(), period!)
      : kind === 'operationTier' || kind === 'serviceLevel' || kind === 'merchantAssessment'
        ? await grades.listPeriodIn(
            kind,
            period!,
            (await reference.categories()).map((c) => c.categoryId),
          )
        : await grades.getMany((await reference.sellers()).map((s) => ({ sellerId: s.sellerId, sk: kind })))
  ).sort((a, b) => (a.sellerId < b.sellerId ? -1 : 1));
  return { ok: true, action: 'export', kind, records };
}

export { EXPORT_KINDS, exportAnswerSchema, exportRecords, exportSchema, periodOfKind };
