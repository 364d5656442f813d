import type { Exposure, Registration } from '../../lib/inputs';
import { batchGet, batchPut } from './batch';
import { scanAll } from './query';
import type { Store } from './store';

/** A seller's compliance inputs (SPEC §7.5). */
interface SellerCompliance {
  exposure: Exposure[];
  registrations: Registration[];
}

/** The compliance table as last read per store, for a reference revision (imports move it). */
const copies = new WeakMap<Store['client'], { revision: number; bySeller: Map<string, SellerCompliance> }>();

const exposureKey = (e: Exposure) => `${e.categoryId}|${e.market}|${e.asOf}`;
const registrationKey = (r: Registration) => `${r.scheme}|${r.market}|${r.scope}|${r.registrationId}`;

/**
 * Adds rows to what a seller has: a row of a key already held replaces it (a correction). Every
 * dated row is kept, so a run of any past date finds the row standing then (~60 bytes a row: an
 * item holds ~6,000 before DynamoDB's 400 KB limit; a feed should send changes, not snapshots).
 */
function mergeCompliance(held: SellerCompliance, add: Partial<SellerCompliance>): SellerCompliance {
  const exposure = new Map(held.exposure.map((e) => [exposureKey(e), e]));
  for (const e of add.exposure ?? []) exposure.set(exposureKey(e), e);
  const kept = [...exposure.values()].sort((a, b) => (exposureKey(a) < exposureKey(b) ? -1 : 1));
  const registrations = new Map(held.registrations.map((r) => [registrationKey(r), r]));
  for (const r of add.registrations ?? []) registrations.set(registrationKey(r), r);
  return { exposure: kept, registrations: [...registrations.values()].sort((a, b) => (registrationKey(a) < registrationKey(b) ? -1 : 1)) };
}

/** Market exposure and registrations, one item per seller (JSON attributes). */
class ComplianceRepository {
  constructor(private readonly store: Store) {}

  /** Every seller's compliance inputs, read once per reference revision. */
  async all(revision: number): Promise<Map<string, SellerCompliance>> {
    const kept = copies.get(this.store.client);
    if (kept?.revision === revision) return kept.bySeller;
    const items = await scanAll(this.store.doc, { TableName: this.store.tables.compliance });
    const bySeller = new Map(items.map((i) => [String(i.sellerId), parse(i)]));
    copies.set(this.store.client, { revision, bySeller });
    return bySeller;
  }

  async of(sellerIds: string[]): Promise<Map<string, SellerCompliance>> {
    const items = await batchGet(
      this.store.doc,
      this.store.tables.compliance,
      sellerIds.map((sellerId) => ({ sellerId })),
      this.store.stats,
      { consistent: true },
    );
    return new Map(items.map((i) => [String(i.sellerId), parse(i)]));
  }

  /** Merges new rows into each seller's item; returns how many items changed. Move the reference revision after. */
  async merge(rows: Map<string, Partial<SellerCompliance>>): Promise<number> {
    const held = await this.of([...rows.keys()]);
    const changed = [];
    for (const [sellerId, add] of rows) {
      const before = held.get(sellerId) ?? { exposure: [], registrations: [] };
      const after = mergeCompliance(before, add);
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        changed.push({ sellerId, exposure: JSON.stringify(after.exposure), registrations: JSON.stringify(after.registrations) });
      }
    }
    await batchPut(this.store.doc, this.store.tables.compliance, changed, this.store.stats);
    copies.delete(this.store.client);
    return changed.length;
  }
}

function parse(item: Record<string, unknown>): SellerCompliance {
  return {
    exposure: typeof item.exposure === 'string' ? (JSON.parse(item.exposure) as Exposure[]) : [],
    registrations: typeof item.registrations === 'string' ? (JSON.parse(item.registrations) as Registration[]) : [],
  };
}

export { ComplianceRepository, mergeCompliance };
export type { SellerCompliance };
