import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricRow } from '../../lib/metrics';
import { smallMarket } from './fixtures';

/** Ids that name properties of Object.prototype: ordinary ids by SPEC §3.1. */
const PROTOTYPE_IDS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'] as const;

type Row = Record<string, unknown>;
const jsonl = (rows: unknown[]) => `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;

/**
 * A generated marketplace whose categories, parents and sellers carry prototype-named ids, written
 * twice: clean, and dirty — the same valid lines plus every kind of bad line the input boundary
 * must quarantine (SPEC §3.3), a byte-order mark and CRLF line ends. Bad lines come after the valid
 * ones, so each keeps its own reason and no valid row is displaced as "a repeat".
 */
function writeDirtyCorpus(root: string, options: { sellers?: number; from?: string; to?: string; seed?: number } = {}) {
  const m = smallMarket(options.sellers ?? 90, options.from ?? '2026-02-01', options.to ?? '2026-07-31', options.seed ?? 3);
  const rename = new Map<string, string>();
  m.market.categories.slice(0, 2).forEach((c, i) => rename.set(c.categoryId, PROTOTYPE_IDS[i]!));
  rename.set(m.market.categories[0]!.parentId, 'toString');
  m.market.sellers.slice(0, 2).forEach((s, i) => rename.set(s.sellerId, PROTOTYPE_IDS[3 + i]!));
  const id = (v: string) => rename.get(v) ?? v;
  const categories = m.market.categories.map((c) => ({ ...c, categoryId: id(c.categoryId), parentId: id(c.parentId) }));
  const sellers = m.market.sellers.map((s) => ({ ...s, sellerId: id(s.sellerId), categoryId: id(s.categoryId) }));
  const grants = m.market.grants.map((g) => ({ ...g, sellerId: id(g.sellerId) }));
  const rows: MetricRow[] = m.rows.map((r) => ({ ...r, sellerId: id(r.sellerId) }));

  const clean = join(root, 'clean');
  const dirty = join(root, 'dirty');
  for (const dir of [clean, dirty]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(clean, 'categories.jsonl'), jsonl(categories));
  writeFileSync(join(clean, 'sellers.jsonl'), jsonl(sellers));
  writeFileSync(join(clean, 'grants.jsonl'), jsonl(grants));
  writeFileSync(join(clean, 'metrics.jsonl'), jsonl(rows));

  const inJune = rows.find((r) => r.date === '2026-06-15')!;
  const someSeller = sellers[5]!;
  const grantOf = grants[0] ?? { sellerId: sellers[6]!.sellerId, appliedOn: '2026-03-01', approvedOn: '2026-03-05', approvedBy: 'ops-li' };
  const badMetrics: unknown[] = [
    JSON.stringify(inJune),
    JSON.stringify(inJune), // a row repeated three times in all
    'null',
    '[1,2]',
    '42',
    '"s"',
    '{}',
    'not json',
    '{"sellerId": "s-1", "date": ', // not objects, not JSON
    { ...inJune, date: '2099-12-31' },
    { ...inJune, date: '0001-01-01' },
    { ...inJune, date: '2026-02-30' },
    JSON.stringify({ ...inJune, sellerId: 'ghost-1', date: '2026-06-16' }).replace(/"gmvCents":\d+/, '"gmvCents":1e309'),
    { ...inJune, sellerId: 'ghost-2' },
    { ...inJune, sellerId: 'ghost-3', orders: -1 },
    { ...inJune, sellerId: 'x'.repeat(65) },
    { ...inJune, sellerId: 'ghost-4', positiveRatings: inJune.ratings + 1 },
    { ...inJune, sellerId: 'ghost-5', visitors: 1.5 },
  ];
  const badGrants: unknown[] = [
    grants.length ? { ...grantOf, approvedBy: 'ops-second' } : grantOf, // one grant per seller: the first stands (or this one is the first)
    { sellerId: sellers[7]!.sellerId, appliedOn: '2026-03-10', approvedOn: '2026-03-01', approvedBy: 'ops-li' },
    { sellerId: sellers[8]!.sellerId, appliedOn: '2026-03-01', approvedOn: '2026-03-05', approvedBy: 'ops-li', revokedOn: '2026-03-02' },
    { sellerId: sellers[9]!.sellerId, appliedOn: '2026-03-01', approvedOn: '2099-03-05', approvedBy: 'ops-li' },
    { sellerId: 'ghost-6', appliedOn: '2026-03-01', approvedOn: '2026-03-05', approvedBy: 'ops-li' },
    '[]',
    { sellerId: sellers[10]!.sellerId, appliedOn: '2026-03-01', approvedOn: '2026-03-05', approvedBy: 'x'.repeat(129) },
  ];
  const crlf = (text: string) => text.replace(/\n/g, '\r\n');
  writeFileSync(
    join(dirty, 'categories.jsonl'),
    `\uFEFF${crlf(jsonl([...categories, { ...categories[0]!, name: 'again' }, '[1]', { categoryId: 'c x', parentId: 'p', name: 'n' }]))}`,
  );
  writeFileSync(
    join(dirty, 'sellers.jsonl'),
    crlf(jsonl([...sellers, { ...someSeller, storeType: 'official' }, { ...someSeller, sellerId: 'ghost-7', categoryId: 'nowhere' }, 'true'])),
  );
  writeFileSync(join(dirty, 'grants.jsonl'), jsonl([...(grants.length ? grants : []), ...badGrants]));
  writeFileSync(join(dirty, 'metrics.jsonl'), `\uFEFF${jsonl([...rows, ...badMetrics])}`);
  // the valid-line content of the dirty folder: the clean one, plus the grant that stands when the clean data had none
  const validGrants = grants.length ? grants : [grantOf];
  if (!grants.length) writeFileSync(join(clean, 'grants.jsonl'), jsonl(validGrants));
  return {
    clean,
    dirty,
    categories,
    sellers,
    rows,
    grants: validGrants,
    badLines: { metrics: badMetrics.length, grants: badGrants.length - (grants.length ? 0 : 1), categories: 3, sellers: 3 },
  };
}

export { PROTOTYPE_IDS, writeDirtyCorpus };
export type { Row };
