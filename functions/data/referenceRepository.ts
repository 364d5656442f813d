import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { categorySchema, sellerProfileSchema, type Category, type Program, type SellerProfile } from '../../lib/inputs';
import { batchPut } from './batch';
import { scanAll } from './query';
import type { Store } from './store';

/** A seller as stored: its profile and where its metrics live (block and slot, see data-model.md). */
interface StoredSeller extends SellerProfile {
  block: string;
  slot: number;
}

function storedSeller(item: Record<string, unknown>): StoredSeller {
  const profile = sellerProfileSchema.parse({
    sellerId: item.sellerId, categoryId: item.categoryId, storeType: item.storeType, openedOn: item.openedOn,
    mall: item.mall ?? undefined, jbp: item.jbp ?? undefined, styled: item.styled ?? undefined,
  });
  if (typeof item.block !== 'string' || typeof item.slot !== 'number') throw new Error(`seller ${profile.sellerId}: stored item has no metric block`);
  return { ...profile, block: item.block, slot: item.slot };
}

/** Categories and seller profiles. */
class ReferenceRepository {
  constructor(private readonly store: Store) {}

  async categories(): Promise<Category[]> {
    const items = await scanAll(this.store.doc, { TableName: this.store.tables.categories }, this.store.stats);
    return items.map((i) => categorySchema.parse({ categoryId: i.categoryId, parentId: i.parentId, name: i.name }));
  }

  async sellers(): Promise<StoredSeller[]> {
    const items = await scanAll(this.store.doc, { TableName: this.store.tables.sellers }, this.store.stats);
    return items.map(storedSeller).sort((a, b) => (a.sellerId < b.sellerId ? -1 : a.sellerId > b.sellerId ? 1 : 0));
  }

  async seller(sellerId: string): Promise<StoredSeller | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.sellers, Key: { sellerId } }));
    this.store.stats.requests++;
    return out.Item ? storedSeller(out.Item) : null;
  }

  async putCategories(categories: Category[]): Promise<void> {
    await batchPut(this.store.doc, this.store.tables.categories, categories.map((c) => ({ ...c })), this.store.stats);
  }

  async putSellers(sellers: StoredSeller[]): Promise<void> {
    await batchPut(this.store.doc, this.store.tables.sellers, sellers.map((s) => ({ ...s })), this.store.stats);
  }

  /** Sets or clears one program span of a seller. */
  async setProgram(sellerId: string, program: Program, span: { since: string; until?: string | null } | null): Promise<void> {
    await this.store.doc.send(new UpdateCommand({
      TableName: this.store.tables.sellers,
      Key: { sellerId },
      UpdateExpression: span ? 'SET #p = :span' : 'REMOVE #p',
      ConditionExpression: 'attribute_exists(sellerId)',
      ExpressionAttributeNames: { '#p': program },
      ...(span ? { ExpressionAttributeValues: { ':span': span } } : {}),
    }));
    this.store.stats.requests++;
  }
}

export { ReferenceRepository };
export type { StoredSeller };
