/**
 * `npm run bench:packs`: the bytes a seller's daily score costs in its pack (docs/data-model.md), with
 * and without its targets (SPEC §6), on a synthetic marketplace: packs of 256 sellers in sellerId
 * order (the store packs by category; the records compress alike), gzipped as `packItem` stores them.
 */
import { DAILY_SCORE_PACK_SIZE } from '../functions/data/tables';
import { packItem } from '../functions/data/dailyScorePacks';
import { rowsOver, syntheticMarketplace } from '../functions/local/syntheticMarketplace';
import { scoreOffline } from '../functions/offlineScore';
import { DEFAULT_POLICY } from '../lib/policy';
import type { DailyScoreRecord } from '../lib/records';

const sellers = Number(process.argv[2] ?? 2_000);
const date = '2026-07-01';
const market = syntheticMarketplace({ sellers, from: '2026-05-01', to: '2026-06-30', seed: 7 });
async function* rows() {
  yield* rowsOver(market, { start: '2026-05-01', end: '2026-06-30' });
}
const scored = await scoreOffline(
  'daily',
  date,
  { categories: market.categories, sellers: market.sellers, metrics: rows() },
  { policy: DEFAULT_POLICY, now: '2026-07-01T12:00:00Z' },
);
const scores = scored.records.filter((r): r is DailyScoreRecord => r.kind === 'dailyScore');

const withoutTargets = (r: DailyScoreRecord) => {
  if (!r.projectedTier.nextTier) return r;
  const { targets: _, ...next } = r.projectedTier.nextTier;
  return { ...r, projectedTier: { ...r.projectedTier, nextTier: next } } as unknown as DailyScoreRecord;
};
const onlyFullTargets = scores.filter((r) => r.projectedTier.nextTier?.targets.length === DEFAULT_POLICY.tiers.maxTargets);

async function measure(records: DailyScoreRecord[], label: string) {
  const sorted = [...records].sort((a, b) => (a.sellerId < b.sellerId ? -1 : 1));
  let json = 0;
  let gzipped = 0;
  let largest = 0;
  for (let i = 0; i < sorted.length; i += DAILY_SCORE_PACK_SIZE) {
    const pack = sorted.slice(i, i + DAILY_SCORE_PACK_SIZE);
    const item = await packItem(`p${i}`, date, pack, 'bench', '2026-07-02T10:00:00Z');
    const bytes = (item.records as Uint8Array).length;
    json += pack.reduce((sum, r) => sum + JSON.stringify(r).length + 1, 0);
    gzipped += bytes;
    if (pack.length === DAILY_SCORE_PACK_SIZE) largest = Math.max(largest, bytes);
  }
  const per = (n: number) => Math.round(n / records.length).toLocaleString('en-US');
  console.log(
    `${label.padEnd(44)} ${records.length.toLocaleString('en-US').padStart(6)} sellers: ${per(json)} B of JSON, ${per(gzipped)} B gzipped a seller; largest full pack ${Math.round(largest / 1024)} KB`,
  );
}

const counted = scores.filter((r) => r.projectedTier.nextTier).map((r) => r.projectedTier.nextTier!.targets.length);
console.log(
  `${scores.length} daily scores, ${counted.length} below top: ${[0, 1, 2, 3].map((k) => `${counted.filter((c) => c === k).length} with ${k}`).join(', ')} targets`,
);
await measure(scores.map(withoutTargets), 'every seller, targets left out');
await measure(scores, 'every seller, with targets');
await measure(onlyFullTargets.map(withoutTargets), `sellers with ${DEFAULT_POLICY.tiers.maxTargets} targets, targets left out`);
await measure(onlyFullTargets, `sellers with ${DEFAULT_POLICY.tiers.maxTargets} targets, with them`);
