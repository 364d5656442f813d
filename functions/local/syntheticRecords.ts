import type { Category } from '../../lib/inputs';
import type { GradeRecord } from '../../lib/records';

const PARENTS = ['home', 'fashion', 'electronics', 'beauty', 'sports', 'toys'];
const PACK_SIZE = 256;

/** The categories of a synthetic marketplace of `sellers` sellers, as `syntheticMarketplace` names them (~30 per 1,000, growing as √n). */
function categoriesFor(sellers: number): Category[] {
  const count = Math.max(6, Math.round(30 * Math.sqrt(sellers / 1000)));
  return Array.from({ length: count }, (_, i) => ({
    categoryId: `c-${String(i + 1).padStart(2, '0')}`,
    parentId: `p-${PARENTS[i % PARENTS.length]}`,
    name: `${PARENTS[i % PARENTS.length]} ${Math.floor(i / PARENTS.length) + 1}`,
  }));
}

/**
 * Grade records of a marketplace of any size without scoring it (`npm run bench:report` at 100,000
 * and 1,000,000 sellers): seller j takes the records of scored seller j mod T, renamed
 * `s-0000001`…, in a category drawn with the same Zipf-like sizes as `syntheticMarketplace`, its
 * pools renamed to match. Yields one seller's records at a time; `onSeller` gives each seller's
 * category and daily-score pack (`<categoryId>#<n>`, 256 a pack, as `grader import` assigns them).
 */
function* syntheticRecords(
  scored: GradeRecord[],
  options: { sellers: number; seed?: number; onSeller?: (s: { sellerId: string; categoryId: string; pack: string }) => void },
): Generator<GradeRecord[]> {
  const templates = [...groupBySeller(scored).values()];
  if (templates.length === 0) throw new Error('syntheticRecords: no scored seller to copy');
  const categories = categoriesFor(options.sellers);
  const weights = categories.map((_, i) => 1 / (i + 1) ** 0.9);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((a, w, i) => (cumulative[i] = a + w / total), 0);
  const fill = new Map<string, number>();
  const random = prng(options.seed ?? 22);
  const width = Math.max(5, String(options.sellers).length);
  for (let j = 0; j < options.sellers; j++) {
    const pick = random();
    let lo = 0;
    let hi = categories.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < pick) lo = mid + 1;
      else hi = mid;
    }
    const category = categories[lo]!;
    const sellerId = `s-${String(j + 1).padStart(width, '0')}`;
    const n = fill.get(category.categoryId) ?? 0;
    fill.set(category.categoryId, n + 1);
    options.onSeller?.({ sellerId, categoryId: category.categoryId, pack: `${category.categoryId}#${String(Math.floor(n / PACK_SIZE)).padStart(3, '0')}` });
    const rename = (poolId: string | null) =>
      poolId?.startsWith('cat:') ? `cat:${category.categoryId}` : poolId?.startsWith('parent:') ? `parent:${category.parentId}` : poolId;
    yield templates[j % templates.length]!.map((r) => {
      const copy = { ...r, sellerId, categoryId: category.categoryId } as GradeRecord;
      if ((copy.kind === 'operationTier' || copy.kind === 'dailyScore') && copy.poolId) copy.poolId = rename(copy.poolId)!;
      return copy;
    });
  }
}

function groupBySeller(records: GradeRecord[]): Map<string, GradeRecord[]> {
  const out = new Map<string, GradeRecord[]>();
  for (const r of records) {
    const list = out.get(r.sellerId);
    if (list) list.push(r);
    else out.set(r.sellerId, [r]);
  }
  return out;
}

/** mulberry32, as syntheticMarketplace. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export { categoriesFor, syntheticRecords };
