import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { categorySchema, sellerProfileSchema, type Category, type Program, type SellerProfile } from '../../lib/inputs';
import { batchPut } from './batch';
import { scanAll } from './query';
import type { Store } from './store';

/**
 * A seller as stored: its profile, where its metrics live (block and slot: up to 256 sellers of any
 * categories) and the pack its daily scores are written in (up to 256 sellers of one category); see
 * data-model.md.
 */
interface StoredSeller extends SellerProfile {
  block: string;
  slot: number;
  pack: string;
}

function storedSeller(item: Record<string, unknown>): StoredSeller {
  const profile = sellerProfileSchema.parse({
    sellerId: item.sellerId,
    categoryId: item.categoryId,
    storeType: item.storeType,
    openedOn: item.openedOn,
    mall: item.mall ?? undefined,
    jbp: item.jbp ?? undefined,
    styled: item.styled ?? undefined,
  });
  if (typeof item.block !== 'string' || typeof item.slot !== 'number') throw new Error(`seller ${profile.sellerId}: stored item has no metric block`);
  // sellers stored before packs and blocks were told apart had one-category blocks, used for both
  return { ...profile, block: item.block, slot: item.slot, pack: typeof item.pack === 'string' ? item.pack : item.block };
}

/** The last reference data a store read, with the revision it was read at. */
interface ReferenceCopy {
  revision: number;
  readAt: number;
  categories?: Category[];
  sellers?: StoredSeller[];
}

/**
 * Every run reads all categories and sellers, which change only on import and operator program
 * changes. A store (one per Lambda container, one per local process) keeps its last copy and
 * rereads the tables only when the revision those writers bump has moved (one consistent read),
 * or after REFERENCE_MAX_AGE_MS in case a writer died between its writes and its bump.
 */
const copies = new WeakMap<Store['client'], ReferenceCopy>();
const REFERENCE_MAX_AGE_MS = 10 * 60_000;

/** Categories and seller profiles. */
class ReferenceRepository {
  constructor(private readonly store: Store) {}

  private get revisionKey() {
    return { TableName: this.store.tables.runs, Key: { jobPeriod: 'reference', item: 'revision' } };
  }

  /** The current copy for this store: kept while the stored revision has not moved. */
  private async copy(): Promise<ReferenceCopy> {
    const out = await this.store.doc.send(new GetCommand({ ...this.revisionKey, ConsistentRead: true }));
    const revision = typeof out.Item?.revision === 'number' ? out.Item.revision : 0;
    const kept = copies.get(this.store.client);
    if (kept && kept.revision === revision && Date.now() - kept.readAt < REFERENCE_MAX_AGE_MS) return kept;
    const fresh: ReferenceCopy = { revision, readAt: Date.now() };
    copies.set(this.store.client, fresh);
    return fresh;
  }

  /**
   * Called after every write of categories or sellers, and at the end of an import (whose
   * quarantined rows are kept per revision too): other readers' copies are then reread.
   */
  async bumpRevision(): Promise<void> {
    copies.delete(this.store.client);
    await this.store.doc.send(new UpdateCommand({ ...this.revisionKey, UpdateExpression: 'ADD revision :one', ExpressionAttributeValues: { ':one': 1 } }));
  }

  /** Categories and sellers read together, with the revision they are as of. */
  async snapshot(): Promise<{ revision: number; categories: Category[]; sellers: StoredSeller[] }> {
    const copy = await this.copy();
    const [categories, sellers] = await Promise.all([this.categories(copy), this.sellers(copy)]);
    return { revision: copy.revision, categories, sellers };
  }

  async categories(kept?: ReferenceCopy): Promise<Category[]> {
    const copy = kept ?? (await this.copy());
    if (!copy.categories) {
      const items = await scanAll(this.store.doc, { TableName: this.store.tables.categories });
      copy.categories = items.map((i) => categorySchema.parse({ categoryId: i.categoryId, parentId: i.parentId, name: i.name, flags: i.flags ?? undefined }));
    }
    return copy.categories.map((c) => ({ ...c }));
  }

  async sellers(kept?: ReferenceCopy): Promise<StoredSeller[]> {
    const copy = kept ?? (await this.copy());
    if (!copy.sellers) {
      const items = await scanAll(this.store.doc, { TableName: this.store.tables.sellers });
      copy.sellers = items.map(storedSeller).sort((a, b) => (a.sellerId < b.sellerId ? -1 : a.sellerId > b.sellerId ? 1 : 0));
    }
    return copy.sellers.map((s) => ({ ...s }));
  }

  async seller(sellerId: string): Promise<StoredSeller | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.sellers, Key: { sellerId } }));
    return out.Item ? storedSeller(out.Item) : null;
  }

  async putCategories(categories: Category[]): Promise<void> {
    await batchPut(
      this.store.doc,
      this.store.tables.categories,
      categories.map((c) => ({ ...c })),
      this.store.stats,
    );
    await this.bumpRevision();
  }

  async putSellers(sellers: StoredSeller[]): Promise<void> {
    await batchPut(
      this.store.doc,
      this.store.tables.sellers,
      sellers.map((s) => ({ ...s })),
      this.store.stats,
    );
    await this.bumpRevision();
  }

  /** Sets or clears one program span of a seller. */
  async setProgram(sellerId: string, program: Program, span: { since: string; until?: string | null } | null): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.store.tables.sellers,
        Key: { sellerId },
        UpdateExpression: span ? 'SET #p = :span' : 'REMOVE #p',
        ConditionExpression: 'attribute_exists(sellerId)',
        ExpressionAttributeNames: { '#p': program },
        ...(span ? { ExpressionAttributeValues: { ':span': span } } : {}),
      }),
    );
    await this.bumpRevision();
  }
}

export { ReferenceRepository };
export type { StoredSeller };
