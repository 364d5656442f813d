import type { DateWindow } from './calendar';
import { GROWTH_INDICATORS, LISTING_STAGES, type ListingStage } from './growthIndicators';
import type { ListingIncentiveRecord, ListingStageRecord } from './listingRecords';
import type { ListingValues } from './listings';
import type { Policy } from './policy';

/** A listing's sums over a window as the store holds them now: the live numbers beside a stage record. */
interface LiveListing {
  window: DateWindow;
  values: ListingValues;
}

const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? 'n/a' : Number.isInteger(x) ? String(x) : x.toFixed(digits));
const STAGE_NAMES: Record<ListingStage, string> = {
  superHot: 'super-hot',
  hot: 'hot',
  newPotential: 'new-potential',
  standard: 'standard',
  dormant: 'dormant',
  delisted: 'delisted',
};

/**
 * Why a listing has its stage (SPEC §7.6): the pool's lines against its orders, positive rate and
 * growth score, each indicator, the suggestions toward the next stage, its incentives, and the live
 * numbers of the store beside the record's own.
 */
function explainListing(record: ListingStageRecord, incentives: readonly ListingIncentiveRecord[], live: LiveListing | null, policy: Policy): string[] {
  const g = policy.growth;
  const lines = [
    `listing ${record.listingId} of seller ${record.sellerId} (category ${record.categoryId}): ${STAGE_NAMES[record.stage]} since ${record.since}`,
    `  as of ${record.asOf}, over ${record.window.start}..${record.window.end}${record.poolId ? `, in pool ${record.poolId}` : ''} (policy ${record.policyVersion})`,
  ];
  if (record.stage === 'dormant') lines.push('  no visitors in the window: a dormant listing is in no pool and gets no suggestions');
  if (record.stage === 'delisted') lines.push('  delisted: its incentives ended the day it was closed');
  if (record.lines && record.growthScore !== null) {
    lines.push(
      `  lines: super-hot ${fmt(record.lines.superHot, 1)} orders, hot ${fmt(record.lines.hot, 1)} orders (kept at ${g.keepFactor} of the line), ` +
        `new-potential growth score ${fmt(record.lines.newPotential, 1)}; positive rate at least ${g.minPositiveRate}`,
      `  growth score ${fmt(record.growthScore, 1)}`,
    );
  }
  if (record.indicators) {
    lines.push('  indicators (raw → 0-100 in the pool, weight):');
    for (const def of GROWTH_INDICATORS) {
      const ind = record.indicators[def.id];
      lines.push(`    ${def.id.padEnd(15)} ${fmt(ind.raw).padStart(10)} → ${fmt(ind.value, 1).padStart(5)}  (${g.weights[def.id]})`);
    }
  }
  if (record.next) {
    lines.push(`  toward ${STAGE_NAMES[record.next.stage]}:${record.next.suggestions.length === 0 ? ' no indicator trails the benchmark' : ''}`);
    for (const s of record.next.suggestions) lines.push(`    ${s.indicator}: ${fmt(s.actual)} against ${fmt(s.benchmark)} — ${s.action}`);
  }
  for (const r of incentives) {
    lines.push(`  incentive ${r.stage} (${r.benefit}) granted ${r.grantedOn}, expires ${r.expiresOn}: ${r.status}${r.endedOn ? ` on ${r.endedOn}` : ''}`);
  }
  if (live) {
    const v = live.values;
    const positive = v.ratings > 0 ? v.positiveRatings / v.ratings : null;
    lines.push(
      `  live over ${live.window.start}..${live.window.end}: ${v.orders} orders, ${v.visitors} visitors, ${v.buyers} buyers, ` +
        `positive rate ${fmt(positive)}, GMV $${(v.gmvCents / 100).toFixed(2)}, ${v.returns} returns`,
    );
  }
  return lines;
}

/** A seller's listings by stage, highest stage first, each with its suggestions (SPEC §7.6 "The seller's explanation"). */
function listingsByStage(records: readonly ListingStageRecord[], limitPerStage = 10): string[] {
  const byStage = new Map<ListingStage, ListingStageRecord[]>();
  for (const r of records) (byStage.get(r.stage) ?? byStage.set(r.stage, []).get(r.stage)!).push(r);
  const lines = [
    `listings: ${records.length} (${[...LISTING_STAGES]
      .reverse()
      .map((s) => `${byStage.get(s)?.length ?? 0} ${STAGE_NAMES[s]}`)
      .join(', ')})`,
  ];
  for (const stage of [...LISTING_STAGES].reverse()) {
    const list = (byStage.get(stage) ?? []).sort((a, b) => (b.growthScore ?? -1) - (a.growthScore ?? -1) || (a.listingId < b.listingId ? -1 : 1));
    if (list.length === 0 || stage === 'delisted') continue;
    lines.push(`  ${STAGE_NAMES[stage]}:`);
    for (const r of list.slice(0, limitPerStage)) {
      const advice = r.next?.suggestions.length ? ` → ${r.next.stage}: ${r.next.suggestions.map((s) => s.indicator).join(', ')}` : '';
      lines.push(`    ${r.listingId} since ${r.since}${r.growthScore !== null ? `, score ${fmt(r.growthScore, 1)}` : ''}${advice}`);
    }
    if (list.length > limitPerStage)
      lines.push(`    … and ${list.length - limitPerStage} more: grader listings --seller ${list[0]!.sellerId} --stage ${stage}`);
  }
  return lines;
}

export { explainListing, listingsByStage, STAGE_NAMES };
export type { LiveListing };
