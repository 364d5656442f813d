import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Listing } from '../../lib/listings';
import { batchGet, batchPut, chunks } from './batch';
import { Lease } from './lease';
import { queryAll } from './query';
import type { Store } from './store';
import { LISTING_BLOCK_SIZE } from './tables';

/** A listing as stored: its reference row and where its daily rows live (block and slot, see data-model.md). */
interface StoredListing {
  listingId: string;
  sellerId: string;
  categoryId: string;
  listedOn: string;
  delistedOn: string | null;
  /** `listings#<categoryId>#<n>`: up to LISTING_BLOCK_SIZE listings of one category */
  block: string;
  slot: number;
}

/** A block's reference item in the metrics table, beside its cumulative rows. */
const refKey = (block: string) => ({ block: `ref#${block}`, date: 'ref' });
/** The index of listing blocks in the runs table: one small item per block. */
const INDEX = 'listingBlocks';
/**
 * Counters the listing writers move when they end: `listings` (reference items) and `rows` (daily
 * rows). A reader's copies of listings and of blocks' first dates are kept per counter value.
 */
const REVISION_KEY = { jobPeriod: 'reference', item: 'listings' };
/** The lease that serializes the listing feed's writes (docs/ingestion.md). */
const LOCK_KEY = { jobPeriod: 'listings#lock', item: 'lock' };

type Row = [listingId: string, sellerId: string, categoryId: string, listedOn: string, delistedOn: string | null];

/**
 * Every run reads every listing; a store keeps the copy it read at a reference revision (which
 * every import bumps), like the categories and sellers.
 */
const copies = new WeakMap<Store['client'], { revision: number | string; listings: StoredListing[] }>();

/** Listings, stored per block: one item holds a block's reference rows, read by key (docs/data-model.md). */
class ListingsRepository {
  constructor(private readonly store: Store) {}

  async blocks(options: { consistent?: boolean } = {}): Promise<string[]> {
    const items = await queryAll(this.store.doc, {
      TableName: this.store.tables.runs,
      KeyConditionExpression: 'jobPeriod = :p',
      ExpressionAttributeNames: { '#i': 'item' },
      ExpressionAttributeValues: { ':p': INDEX },
      ProjectionExpression: '#i',
      ...(options.consistent ? { ConsistentRead: true } : {}),
    });
    return items.map((i) => String(i.item));
  }

  /**
   * One listing's reference row, or null: block references are read 100 at a time until it turns
   * up, nothing held but the ones being searched (at most every block: ≈ 40 B a listing).
   */
  async find(listingId: string): Promise<StoredListing | null> {
    for (const chunk of chunks(await this.blocks(), 100)) {
      for (const item of await batchGet(this.store.doc, this.store.tables.metrics, chunk.map(refKey), this.store.stats)) {
        const rows = JSON.parse(inflateRawSync(item.listings as Uint8Array).toString('utf8')) as Row[];
        const slot = rows.findIndex((r) => r[0] === listingId);
        if (slot === -1) continue;
        const [, sellerId, categoryId, listedOn, delistedOn] = rows[slot]!;
        return { listingId, sellerId, categoryId, listedOn, delistedOn, block: String(item.block).slice('ref#'.length), slot };
      }
    }
    return null;
  }

  /** Every stored listing in block and slot order, from the copy of this reference revision when there is one. */
  async all(revision?: number | string, options: { consistent?: boolean } = {}): Promise<StoredListing[]> {
    const kept = copies.get(this.store.client);
    if (revision !== undefined && kept?.revision === revision) return kept.listings;
    const listings = await this.ofBlocks(await this.blocks(options), options);
    if (revision !== undefined) copies.set(this.store.client, { revision, listings });
    return listings;
  }

  /** The listings of some blocks in block and slot order: their reference items, read by key. */
  async ofBlocks(blocks: string[], options: { consistent?: boolean } = {}): Promise<StoredListing[]> {
    const items = await batchGet(this.store.doc, this.store.tables.metrics, blocks.map(refKey), this.store.stats, { consistent: options.consistent });
    return items
      .flatMap((item) => {
        const block = String(item.block).slice('ref#'.length);
        const rows = JSON.parse(inflateRawSync(item.listings as Uint8Array).toString('utf8')) as Row[];
        return rows.map(([listingId, sellerId, categoryId, listedOn, delistedOn], slot) => ({
          listingId,
          sellerId,
          categoryId,
          listedOn,
          delistedOn,
          block,
          slot,
        }));
      })
      .sort((a, b) => (a.block < b.block ? -1 : a.block > b.block ? 1 : a.slot - b.slot));
  }

  /** Rewrites the reference item of every block the given listings belong to: `listings` holds each such block whole. */
  async putBlocks(listings: StoredListing[]): Promise<void> {
    const byBlock = new Map<string, StoredListing[]>();
    for (const l of listings) byBlock.set(l.block, [...(byBlock.get(l.block) ?? []), l]);
    const items = [...byBlock].map(([block, members]) => {
      const rows: Row[] = [];
      for (const l of members) rows[l.slot] = [l.listingId, l.sellerId, l.categoryId, l.listedOn, l.delistedOn];
      if (rows.some((r) => r === undefined) || rows.length !== members.length)
        throw new Error(`listing block ${block}: its slots are not 0..${members.length - 1}`);
      return { ...refKey(block), count: rows.length, listings: deflateRawSync(JSON.stringify(rows)) };
    });
    await batchPut(this.store.doc, this.store.tables.metrics, items, this.store.stats);
    await batchPut(
      this.store.doc,
      this.store.tables.runs,
      [...byBlock].map(([block, members]) => ({ jobPeriod: INDEX, item: block, count: members.length })),
      this.store.stats,
    );
    copies.delete(this.store.client);
    await this.bumpRevision('listings');
  }

  /** The listing writers' counters (consistent): a copy kept at these values is current. */
  async revision(): Promise<{ listings: number; rows: number }> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.runs, Key: REVISION_KEY, ConsistentRead: true }));
    return { listings: Number(out.Item?.listings ?? 0), rows: Number(out.Item?.rows ?? 0) };
  }

  async bumpRevision(what: 'listings' | 'rows'): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.store.tables.runs,
        Key: REVISION_KEY,
        UpdateExpression: 'ADD #w :one',
        ExpressionAttributeNames: { '#w': what },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  /** The listing feed's lease: one writer of listings and their blocks at a time. */
  lease(): Lease {
    return new Lease(this.store, LOCK_KEY);
  }
}

/**
 * Places incoming listings: a known listing keeps its block and slot (its rows live there), whatever
 * it now says; a new one takes the next slot of a block of its category. Returns every listing of
 * every block touched, so that each block's reference item is rewritten whole.
 */
function assignListingBlocks(existing: readonly StoredListing[], incoming: readonly Listing[]): StoredListing[] {
  const byId = new Map(existing.map((l) => [l.listingId, l]));
  const byBlock = new Map<string, StoredListing[]>();
  for (const l of existing) byBlock.set(l.block, [...(byBlock.get(l.block) ?? []), l]);
  const lastBlock = new Map<string, number>();
  for (const block of byBlock.keys()) {
    const [category, n] = [block.slice('listings#'.length, block.lastIndexOf('#')), Number(block.slice(block.lastIndexOf('#') + 1))];
    lastBlock.set(category, Math.max(lastBlock.get(category) ?? 0, n));
  }
  const touched = new Set<string>();
  for (const l of incoming) {
    const known = byId.get(l.listingId);
    if (known) {
      const updated = { ...known, sellerId: l.sellerId, categoryId: l.categoryId, listedOn: l.listedOn, delistedOn: l.delistedOn ?? null };
      const members = byBlock.get(known.block)!;
      members[members.indexOf(known)] = updated;
      byId.set(l.listingId, updated);
      touched.add(known.block);
      continue;
    }
    let n = lastBlock.get(l.categoryId) ?? 0;
    const name = (k: number) => `listings#${l.categoryId}#${String(k).padStart(4, '0')}`;
    if ((byBlock.get(name(n))?.length ?? 0) >= LISTING_BLOCK_SIZE) n++;
    lastBlock.set(l.categoryId, n);
    const members = byBlock.get(name(n)) ?? byBlock.set(name(n), []).get(name(n))!;
    const stored: StoredListing = {
      listingId: l.listingId,
      sellerId: l.sellerId,
      categoryId: l.categoryId,
      listedOn: l.listedOn,
      delistedOn: l.delistedOn ?? null,
      block: name(n),
      slot: members.length,
    };
    members.push(stored);
    byId.set(l.listingId, stored);
    touched.add(stored.block);
  }
  return [...touched].flatMap((block) => byBlock.get(block)!);
}

export { ListingsRepository, assignListingBlocks };
export type { StoredListing };
