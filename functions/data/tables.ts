/**
 * The one definition of every table: key schema, indexes, stream and TTL. The CDK stack
 * (infra/constructs/tables.ts) and the local bootstrap (functions/local/embeddedStore.ts) both
 * read it, so AWS and the laptop always have the same tables. See docs/data-model.md.
 */

type AttributeType = 'S' | 'N' | 'B';

interface KeyDefinition {
  partitionKey: { name: string; type: AttributeType };
  sortKey?: { name: string; type: AttributeType };
}

interface IndexDefinition extends KeyDefinition {
  indexName: string;
  /** attributes copied into the index besides the keys; 'ALL' copies everything */
  projection: 'ALL' | 'KEYS_ONLY' | string[];
}

interface TableDefinition extends KeyDefinition {
  /** logical name: the CDK construct id and the suffix of the physical name */
  logicalName: TableName;
  /** environment variable that carries the physical name into the functions */
  envVar: string;
  indexes: IndexDefinition[];
  stream?: 'NEW_AND_OLD_IMAGES';
  ttlAttribute?: string;
}

type TableName = 'categories' | 'sellers' | 'metrics' | 'grades' | 'quarantine' | 'runs' | 'orders' | 'compliance';

/**
 * The grades table's one sparse, overloaded index (DynamoDB Local slows ~20x with a stream and two
 * indexes, see docs/data-model.md): monthly and quarterly records by period and category
 * (lookupPk "<kind>#<period>#<categoryId>", lookupSk sellerId) and live Good Seller grants by
 * expiry (lookupPk "activeGrant", lookupSk "<expiresOn>#<sellerId>").
 */
const GRADES_LOOKUP_INDEX = 'gradesLookup';

/** Standing orders by seller and closing date (`closedKey` = "<closedOn>#<orderId>"): the drill-down and the fold read it. */
const ORDERS_BY_SELLER_INDEX = 'ordersBySeller';

const TABLES: Record<TableName, TableDefinition> = {
  categories: {
    logicalName: 'categories',
    envVar: 'CATEGORIES_TABLE',
    partitionKey: { name: 'categoryId', type: 'S' },
    indexes: [],
  },
  sellers: {
    logicalName: 'sellers',
    envVar: 'SELLERS_TABLE',
    partitionKey: { name: 'sellerId', type: 'S' },
    indexes: [],
  },
  // Cumulative day blocks: per block of up to 256 sellers of any categories and per date, every
  // seller's running totals since its first row. A window sum is two lookups (see data-model.md).
  metrics: {
    logicalName: 'metrics',
    envVar: 'METRICS_TABLE',
    partitionKey: { name: 'block', type: 'S' },
    sortKey: { name: 'date', type: 'S' },
    indexes: [],
  },
  grades: {
    logicalName: 'grades',
    envVar: 'GRADES_TABLE',
    partitionKey: { name: 'sellerId', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    stream: 'NEW_AND_OLD_IMAGES',
    ttlAttribute: 'expiresAt',
    indexes: [{ indexName: GRADES_LOOKUP_INDEX, partitionKey: { name: 'lookupPk', type: 'S' }, sortKey: { name: 'lookupSk', type: 'S' }, projection: 'ALL' }],
  },
  quarantine: {
    logicalName: 'quarantine',
    envVar: 'QUARANTINE_TABLE',
    partitionKey: { name: 'source', type: 'S' },
    sortKey: { name: 'rowKey', type: 'S' },
    indexes: [],
  },
  // One item per order: every version received and every appeal decision (SPEC §3.4), and the
  // standing outcome's seller and date as the keys of the drill-down index (see data-model.md).
  orders: {
    logicalName: 'orders',
    envVar: 'ORDERS_TABLE',
    partitionKey: { name: 'orderId', type: 'S' },
    // an order is kept 400 days after it closed, like daily scores: past the longest window
    ttlAttribute: 'expiresAt',
    indexes: [
      {
        indexName: ORDERS_BY_SELLER_INDEX,
        partitionKey: { name: 'sellerId', type: 'S' },
        sortKey: { name: 'closedKey', type: 'S' },
        projection: ['view', 'bad'],
      },
    ],
  },
  // Per seller: its market exposure and compliance registrations (SPEC §7.5), read whole by the daily job.
  compliance: {
    logicalName: 'compliance',
    envVar: 'COMPLIANCE_TABLE',
    partitionKey: { name: 'sellerId', type: 'S' },
    indexes: [],
  },
  runs: {
    logicalName: 'runs',
    envVar: 'RUNS_TABLE',
    partitionKey: { name: 'jobPeriod', type: 'S' },
    sortKey: { name: 'item', type: 'S' },
    indexes: [],
  },
};

const TABLE_LIST: TableDefinition[] = Object.values(TABLES);

/** Sellers per metric block, of any categories: 256 × 29 running totals and day values as varints ≈ 20–30 KB. */
const METRIC_BLOCK_SIZE = 256;

/** Sellers per daily-score pack, of one category: ~780 KB of JSON records gzipped to ~210 KB (npm run bench:packs), under the 400 KB item limit. */
const DAILY_SCORE_PACK_SIZE = 256;

/**
 * Listings per listing block, of one category: a block's reference item (~40 B a listing deflated)
 * and each date's running totals of the 9 daily fields (~15–30 B a listing) stay far under 400 KB;
 * its growth state (~40 B a listing deflated) too. See data-model.md, "Listings".
 */
const LISTING_BLOCK_SIZE = 1024;

export { DAILY_SCORE_PACK_SIZE, LISTING_BLOCK_SIZE, GRADES_LOOKUP_INDEX, ORDERS_BY_SELLER_INDEX, METRIC_BLOCK_SIZE, TABLES, TABLE_LIST };
export type { AttributeType, IndexDefinition, KeyDefinition, TableDefinition, TableName };
