import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Item } from './batch';
import { countRequest, RequestStats } from './requestStats';
import { tableNames, type TableNames } from './client';
import {
  checkAllUsed,
  compareValues,
  ExpressionError,
  parseCondition,
  parseKeyCondition,
  parseProjection,
  parseUpdate,
  project,
  type Parser,
  type Path,
  valuesEqual,
} from './memoryExpressions';
import type { Store } from './store';
import { TABLE_LIST, type IndexDefinition, type KeyDefinition, type TableDefinition } from './tables';

/**
 * The tables in this process's memory, behind the document client's `send`: the store that
 * `grader score` and the fast tests run the stored jobs on. It keeps DynamoDB's contract as far as
 * the product uses it — conditional writes, transactions, item and batch limits, key order, the
 * 1 MB page — and the contract tests (test/integration/storeContract.test.ts) hold it to DynamoDB Local.
 */

const PAGE_BYTES = 1024 * 1024;
const ITEM_BYTES = 400 * 1024;

/** DynamoDB's size of an item: names and values in UTF-8, numbers about a byte per two digits. */
function sizeOf(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.e+-]/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.length;
  if (Array.isArray(value)) return 3 + value.reduce((s: number, v) => s + 1 + sizeOf(v), 0);
  if (typeof value === 'object') return 3 + Object.entries(value as Item).reduce((s, [k, v]) => s + 1 + Buffer.byteLength(k) + sizeOf(v), 0);
  return 0;
}

function itemSize(item: Item): number {
  let size = 0;
  for (const [k, v] of Object.entries(item)) size += Buffer.byteLength(k) + sizeOf(v);
  return size;
}

function validation(message: string): Error {
  return Object.assign(new ExpressionError(message), { $fault: 'client' });
}

/** Copies an item without `undefined` attributes, as the document client's removeUndefinedValues does. */
function copyItem(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (v !== undefined) out[k] = clean(v);
  return out;
}

function clean(value: unknown): unknown {
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(clean);
  if (value && typeof value === 'object') return copyItem(value as Item);
  return value;
}

class Partition {
  readonly items = new Map<string, Item>();
  private sorted: Item[] | null = null;
  constructor(private readonly order: (a: Item, b: Item) => number) {}
  set(id: string, item: Item): void {
    if (!this.items.has(id)) this.sorted = null;
    else if (this.sorted) this.sorted[this.sorted.indexOf(this.items.get(id)!)] = item;
    this.items.set(id, item);
  }
  delete(id: string): void {
    if (this.items.delete(id)) this.sorted = null;
  }
  inOrder(): Item[] {
    this.sorted ??= [...this.items.values()].sort(this.order);
    return this.sorted;
  }
}

/** One table or one index: items by partition value, each partition kept in sort-key order. */
class KeyedItems {
  readonly partitions = new Map<unknown, Partition>();
  constructor(
    readonly keys: KeyDefinition,
    private readonly tableKeys: KeyDefinition,
  ) {}

  private order = (a: Item, b: Item): number => {
    const sort = this.keys.sortKey?.name;
    const bySort = sort ? compareValues(a[sort], b[sort])! : 0;
    if (bySort !== 0 || this.keys === this.tableKeys) return bySort;
    // items of one index key: in table-key order, so that a page boundary is well defined
    const byPartition = compareValues(a[this.tableKeys.partitionKey.name], b[this.tableKeys.partitionKey.name])!;
    const tableSort = this.tableKeys.sortKey?.name;
    return byPartition !== 0 || !tableSort ? byPartition : compareValues(a[tableSort], b[tableSort])!;
  };

  put(id: string, item: Item): void {
    const pk = item[this.keys.partitionKey.name];
    let partition = this.partitions.get(pk);
    if (!partition) this.partitions.set(pk, (partition = new Partition(this.order)));
    partition.set(id, item);
  }

  delete(id: string, item: Item): void {
    const pk = item[this.keys.partitionKey.name];
    const partition = this.partitions.get(pk);
    partition?.delete(id);
    if (partition && partition.items.size === 0) this.partitions.delete(pk);
  }

  /** How many of `items` (in this order) come before `start`, or at it too when `inclusive`. */
  countBefore(items: Item[], start: Item, inclusive: boolean): number {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const order = this.order(items[mid]!, start);
      if (order < 0 || (inclusive && order === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A stream record as DynamoDB Streams delivers it (NEW_AND_OLD_IMAGES), attribute values marshalled. */
interface MemoryStreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  dynamodb: {
    Keys: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    SequenceNumber: string;
    StreamViewType: string;
  };
}

const marshalled = (item: Item) => marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: false }) as Record<string, unknown>;

class MemoryTable {
  readonly base: KeyedItems;
  readonly indexes = new Map<string, { def: IndexDefinition; items: KeyedItems }>();
  /** the table's stream, when it has one: a write that changes nothing adds no record, as in DynamoDB */
  readonly stream: MemoryStreamRecord[] | null;

  constructor(readonly def: TableDefinition) {
    this.base = new KeyedItems(def, def);
    this.stream = def.stream ? [] : null;
    for (const index of def.indexes) this.indexes.set(index.indexName, { def: index, items: new KeyedItems(index, def) });
  }

  keyOf(item: Item): Item {
    const key: Item = { [this.def.partitionKey.name]: item[this.def.partitionKey.name] };
    if (this.def.sortKey) key[this.def.sortKey.name] = item[this.def.sortKey.name];
    return key;
  }

  /** The identity of a key, checking that it names the table's key attributes and no others. */
  idOf(key: Item, what = 'key'): string {
    const names = [this.def.partitionKey.name, ...(this.def.sortKey ? [this.def.sortKey.name] : [])];
    for (const [i, name] of names.entries()) {
      const v = key[name];
      const type = [this.def.partitionKey, this.def.sortKey][i]!.type;
      const ok = type === 'S' ? typeof v === 'string' && v.length > 0 : type === 'N' ? typeof v === 'number' : v instanceof Uint8Array && v.length > 0;
      if (!ok) throw validation(`One or more parameter values were invalid: ${what} attribute ${name} is missing or not of type ${type}`);
    }
    if (what === 'key' && Object.keys(key).length !== names.length) throw validation('The provided key element does not match the schema');
    return JSON.stringify(names.map((n) => key[n]));
  }

  get(key: Item): Item | undefined {
    const id = this.idOf(key);
    return this.base.partitions.get(key[this.def.partitionKey.name])?.items.get(id);
  }

  put(item: Item): void {
    const id = this.idOf(item, 'item');
    if (itemSize(item) > ITEM_BYTES) throw validation('Item size has exceeded the maximum allowed size');
    const old = this.get(this.keyOf(item));
    if (old && valuesEqual(old, item)) return;
    this.record(old ? 'MODIFY' : 'INSERT', old, item);
    if (old) this.unindex(id, old);
    this.base.put(id, item);
    for (const { def, items } of this.indexes.values()) {
      if (item[def.partitionKey.name] === undefined || (def.sortKey && item[def.sortKey.name] === undefined)) continue;
      items.put(id, item);
    }
  }

  delete(key: Item): void {
    const old = this.get(key);
    if (!old) return;
    const id = this.idOf(key);
    this.record('REMOVE', old, undefined);
    this.base.delete(id, old);
    this.unindex(id, old);
  }

  private record(eventName: MemoryStreamRecord['eventName'], old: Item | undefined, item: Item | undefined): void {
    if (!this.stream) return;
    const SequenceNumber = String(this.stream.length + 1).padStart(21, '0');
    this.stream.push({
      eventID: SequenceNumber,
      eventName,
      dynamodb: {
        Keys: marshalled(this.keyOf((item ?? old)!)),
        ...(old ? { OldImage: marshalled(old) } : {}),
        ...(item ? { NewImage: marshalled(item) } : {}),
        SequenceNumber,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  }

  private unindex(id: string, old: Item): void {
    for (const { items } of this.indexes.values()) items.delete(id, old);
  }
}

interface QueryInput {
  TableName: string;
  IndexName?: string;
  KeyConditionExpression?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  ExclusiveStartKey?: Item;
  ScanIndexForward?: boolean;
  Limit?: number;
  Select?: string;
}

type WriteRequest = { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } };

/** The in-memory engine: one `send` for the document client's commands. */
class MemoryEngine {
  readonly tables = new Map<string, MemoryTable>();

  constructor(names: TableNames) {
    for (const def of TABLE_LIST) this.tables.set(names[def.logicalName], new MemoryTable(def));
  }

  private table(name: string): MemoryTable {
    const t = this.tables.get(name);
    if (!t) throw Object.assign(new Error(`Cannot do operations on a non-existent table: ${name}`), { name: 'ResourceNotFoundException' });
    return t;
  }

  async send(command: { constructor: { name: string }; input: unknown }): Promise<unknown> {
    // a request completes after the caller's current turn, as it would over the network
    await Promise.resolve();
    const input = command.input as Record<string, unknown>;
    switch (command.constructor.name) {
      case 'GetCommand':
        return this.getItem(input as never);
      case 'PutCommand':
        return this.putItem(input as never);
      case 'UpdateCommand':
        return this.updateItem(input as never);
      case 'DeleteCommand':
        return this.deleteItem(input as never);
      case 'QueryCommand':
        return this.query(input as never, false);
      case 'ScanCommand':
        return this.query(input as never, true);
      case 'BatchGetCommand':
        return this.batchGet(input as never);
      case 'BatchWriteCommand':
        return this.batchWrite(input as never);
      case 'TransactWriteCommand':
        return this.transactWrite(input as never);
      default:
        throw new Error(`the in-memory store does not serve ${command.constructor.name}`);
    }
  }

  private getItem(input: { TableName: string; Key: Item; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }) {
    const table = this.table(input.TableName);
    const parsers: Parser[] = [];
    const projection = input.ProjectionExpression ? parseProjection(input.ProjectionExpression, input.ExpressionAttributeNames, parsers) : undefined;
    checkAllUsed(parsers, input.ExpressionAttributeNames, undefined);
    const item = table.get(input.Key);
    return { Item: item ? structuredClone(project(item, projection)) : undefined, ConsumedCapacity: consumed(input.TableName, 1) };
  }

  /** Checks a write's condition against the item as it stands; returns that item. */
  private check(
    table: MemoryTable,
    key: Item,
    input: {
      ConditionExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues?: Record<string, unknown>;
      ReturnValuesOnConditionCheckFailure?: string;
    },
    parsers: Parser[],
    update?: string,
  ): { old: Item | undefined; apply?: (item: Item) => void; failed: boolean } {
    const condition = input.ConditionExpression
      ? parseCondition(input.ConditionExpression, input.ExpressionAttributeNames, input.ExpressionAttributeValues, parsers)
      : undefined;
    const apply = update ? parseUpdate(update, input.ExpressionAttributeNames, input.ExpressionAttributeValues, parsers) : undefined;
    checkAllUsed(parsers, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    const old = table.get(key);
    return { old, ...(apply ? { apply } : {}), failed: condition ? !condition.test(old) : false };
  }

  private conditionFailed(old: Item | undefined, returnOld: string | undefined): Error {
    return new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      ...(returnOld === 'ALL_OLD' && old ? { Item: marshall(old, { removeUndefinedValues: true }) } : {}),
    });
  }

  private putItem(input: { TableName: string; Item: Item; ReturnValues?: string; ConditionExpression?: string; ReturnValuesOnConditionCheckFailure?: string }) {
    const table = this.table(input.TableName);
    const item = copyItem(input.Item);
    const { old, failed } = this.check(table, table.keyOf(item), input, []);
    if (failed) throw this.conditionFailed(old, input.ReturnValuesOnConditionCheckFailure);
    table.put(item);
    return { Attributes: input.ReturnValues === 'ALL_OLD' && old ? structuredClone(old) : undefined, ConsumedCapacity: consumed(input.TableName, 1) };
  }

  private updateItem(input: { TableName: string; Key: Item; UpdateExpression?: string; ReturnValues?: string; ReturnValuesOnConditionCheckFailure?: string }) {
    const table = this.table(input.TableName);
    table.idOf(input.Key);
    const { old, apply, failed } = this.check(table, input.Key, input, [], input.UpdateExpression);
    if (failed) throw this.conditionFailed(old, input.ReturnValuesOnConditionCheckFailure);
    const item = old ? structuredClone(old) : copyItem(input.Key);
    apply?.(item);
    for (const [k, v] of Object.entries(table.keyOf(item)))
      if (v !== input.Key[k]) throw validation(`One or more parameter values were invalid: Cannot update attribute ${k}. This attribute is part of the key`);
    table.put(item);
    const returned = input.ReturnValues === 'ALL_NEW' ? item : input.ReturnValues === 'ALL_OLD' ? old : undefined;
    return { Attributes: returned ? structuredClone(returned) : undefined, ConsumedCapacity: consumed(input.TableName, 1) };
  }

  private deleteItem(input: { TableName: string; Key: Item; ReturnValues?: string; ReturnValuesOnConditionCheckFailure?: string }) {
    const table = this.table(input.TableName);
    table.idOf(input.Key);
    const { old, failed } = this.check(table, input.Key, input, []);
    if (failed) throw this.conditionFailed(old, input.ReturnValuesOnConditionCheckFailure);
    table.delete(input.Key);
    return { Attributes: input.ReturnValues === 'ALL_OLD' && old ? structuredClone(old) : undefined, ConsumedCapacity: consumed(input.TableName, 1) };
  }

  private query(input: QueryInput, scan: boolean) {
    const table = this.table(input.TableName);
    const index = input.IndexName ? table.indexes.get(input.IndexName) : undefined;
    if (input.IndexName && !index) throw validation(`The table does not have the specified index: ${input.IndexName}`);
    const keyed = index ? index.items : table.base;
    const names = input.ExpressionAttributeNames;
    const values = input.ExpressionAttributeValues;
    const parsers: Parser[] = [];
    let candidates: Item[];
    if (scan) {
      candidates = [...keyed.partitions.values()].flatMap((p) => [...p.items.values()]);
    } else {
      if (!input.KeyConditionExpression) throw validation('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request');
      const keys = { partition: keyed.keys.partitionKey.name, ...(keyed.keys.sortKey ? { sort: keyed.keys.sortKey.name } : {}) };
      const condition = parseKeyCondition(input.KeyConditionExpression, names, values, keys, parsers);
      const inOrder = keyed.partitions.get(condition.partitionValue)?.inOrder() ?? [];
      candidates = condition.sortTest ? inOrder.filter((item) => condition.sortTest!(item[keys.sort!])) : inOrder;
      if (input.ScanIndexForward === false) candidates = [...candidates].reverse();
    }
    const filter = input.FilterExpression ? parseCondition(input.FilterExpression, names, values, parsers) : undefined;
    const projection: Path[] | undefined = input.ProjectionExpression ? parseProjection(input.ProjectionExpression, names, parsers) : undefined;
    checkAllUsed(parsers, names, values);
    if (input.Limit !== undefined && input.Limit < 1) throw validation('Limit must be greater than or equal to 1');

    let from = 0;
    if (input.ExclusiveStartKey) {
      const start = input.ExclusiveStartKey;
      if (scan) {
        const id = JSON.stringify(Object.values(table.keyOf(start)));
        from = candidates.findIndex((item) => JSON.stringify(Object.values(table.keyOf(item))) === id) + 1;
      } else {
        const forward = input.ScanIndexForward !== false;
        const ascending = forward ? candidates : [...candidates].reverse();
        from = forward ? keyed.countBefore(ascending, start, true) : candidates.length - keyed.countBefore(ascending, start, false);
      }
    }
    const Items: Item[] = [];
    let bytes = 0;
    let evaluated = 0;
    let last: Item | undefined;
    for (let i = from; i < candidates.length; i++) {
      const item = candidates[i]!;
      evaluated++;
      bytes += itemSize(item);
      last = item;
      if (!filter || filter.test(item)) Items.push(structuredClone(project(item, projection)));
      const more = i + 1 < candidates.length;
      if (more && ((input.Limit !== undefined && evaluated >= input.Limit) || bytes >= PAGE_BYTES)) {
        return {
          Items,
          Count: Items.length,
          ScannedCount: evaluated,
          LastEvaluatedKey: lastKey(table, index?.def, last),
          ConsumedCapacity: consumed(input.TableName, Math.ceil(bytes / 4096) / 2),
        };
      }
    }
    // DynamoDB also answers a key when a Limit stops exactly on the last item
    const stoppedByLimit = input.Limit !== undefined && evaluated >= input.Limit && last !== undefined;
    return {
      Items,
      Count: Items.length,
      ScannedCount: evaluated,
      ...(stoppedByLimit ? { LastEvaluatedKey: lastKey(table, index?.def, last!) } : {}),
      ConsumedCapacity: consumed(input.TableName, Math.max(0.5, Math.ceil(bytes / 4096) / 2)),
    };
  }

  private batchGet(input: {
    RequestItems: Record<string, { Keys: Item[]; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }>;
  }) {
    const requests = Object.entries(input.RequestItems);
    const total = requests.reduce((s, [, r]) => s + r.Keys.length, 0);
    if (total > 100) throw validation('Too many items requested for the BatchGetItem call');
    if (total === 0) throw validation('The list of keys must not be empty');
    const Responses: Record<string, Item[]> = {};
    for (const [name, request] of requests) {
      const table = this.table(name);
      const ids = new Set(request.Keys.map((k) => table.idOf(k)));
      if (ids.size !== request.Keys.length) throw validation('Provided list of item keys contains duplicates');
      const parsers: Parser[] = [];
      const projection = request.ProjectionExpression ? parseProjection(request.ProjectionExpression, request.ExpressionAttributeNames, parsers) : undefined;
      checkAllUsed(parsers, request.ExpressionAttributeNames, undefined);
      Responses[name] = request.Keys.flatMap((k) => {
        const item = table.get(k);
        return item ? [structuredClone(project(item, projection))] : [];
      });
    }
    return { Responses, UnprocessedKeys: {}, ConsumedCapacity: requests.map(([name, r]) => ({ TableName: name, CapacityUnits: r.Keys.length / 2 })) };
  }

  private batchWrite(input: { RequestItems: Record<string, WriteRequest[]> }) {
    const requests = Object.entries(input.RequestItems);
    const total = requests.reduce((s, [, r]) => s + r.length, 0);
    if (total > 25) throw validation('Too many items requested for the BatchWriteItem call');
    if (total === 0) throw validation('The list of write requests must not be empty');
    const writes: (() => void)[] = [];
    for (const [name, list] of requests) {
      const table = this.table(name);
      const ids = new Set<string>();
      for (const request of list) {
        const item = request.PutRequest ? copyItem(request.PutRequest.Item) : undefined;
        const key = item ? table.keyOf(item) : request.DeleteRequest!.Key;
        const id = table.idOf(key);
        if (ids.has(id)) throw validation('Provided list of item keys contains duplicates');
        ids.add(id);
        if (item && itemSize(item) > ITEM_BYTES) throw validation('Item size has exceeded the maximum allowed size');
        writes.push(item ? () => table.put(item) : () => table.delete(key));
      }
    }
    for (const write of writes) write();
    return { UnprocessedItems: {}, ConsumedCapacity: requests.map(([name, r]) => ({ TableName: name, CapacityUnits: r.length })) };
  }

  private transactWrite(input: { TransactItems: Record<string, Record<string, unknown> & { TableName: string }>[] }) {
    if (input.TransactItems.length > 100) throw validation('Member must have length less than or equal to 100');
    const steps = input.TransactItems.map((entry) => {
      const [kind, op] = Object.entries(entry)[0]! as [string, Record<string, unknown> & { TableName: string }];
      const table = this.table(op.TableName);
      const item = kind === 'Put' ? copyItem(op.Item as Item) : undefined;
      const key = item ? table.keyOf(item) : (op.Key as Item);
      table.idOf(key);
      const checked = this.check(table, key, op as never, [], kind === 'Update' ? (op.UpdateExpression as string) : undefined);
      return { kind, table, key, item, ...checked };
    });
    const ids = new Set(steps.map((s) => `${s.table.def.logicalName}|${s.table.idOf(s.key)}`));
    if (ids.size !== steps.length) throw validation('Transaction request cannot include multiple operations on one item');
    if (steps.some((s) => s.failed)) {
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${steps.map((s) => (s.failed ? 'ConditionalCheckFailed' : 'None')).join(', ')}]`,
        $metadata: {},
        CancellationReasons: steps.map((s) => (s.failed ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' } : { Code: 'None' })),
      });
    }
    for (const s of steps) {
      if (s.kind === 'Put') s.table.put(s.item!);
      else if (s.kind === 'Delete') s.table.delete(s.key);
      else if (s.kind === 'Update') {
        const next = s.old ? structuredClone(s.old) : copyItem(s.key);
        s.apply?.(next);
        s.table.put(next);
      }
    }
    return { ConsumedCapacity: steps.map((s) => ({ TableName: s.table.def.logicalName, CapacityUnits: 2 })) };
  }
}

function lastKey(table: MemoryTable, index: IndexDefinition | undefined, item: Item): Item {
  const key = table.keyOf(item);
  if (index) {
    key[index.partitionKey.name] = item[index.partitionKey.name];
    if (index.sortKey) key[index.sortKey.name] = item[index.sortKey.name];
  }
  return structuredClone(key);
}

function consumed(TableName: string, CapacityUnits: number) {
  return { TableName, CapacityUnits };
}

/**
 * A store held in this process's memory, with every table of functions/data/tables.ts and no
 * stream. Its `client` is only an identity (for per-store caches): nothing is sent over it.
 */
function openMemoryStore(env: NodeJS.ProcessEnv = {}): Store {
  const tables = tableNames(env);
  const engine = new MemoryEngine(tables);
  // each request is counted by the rule of a DynamoDB store's middleware (functions/data/store.ts)
  const send = async (command: { constructor: { name: string }; input: unknown }) => {
    try {
      const output = await engine.send(command);
      countRequest(store.stats, command.constructor.name, command.input, output);
      return output;
    } catch (e) {
      countRequest(store.stats, command.constructor.name, command.input, undefined);
      throw e;
    }
  };
  const doc = { send, destroy() {} } as unknown as DynamoDBDocumentClient;
  engines.set(doc, engine);
  const store: Store = { client: { destroy() {} } as unknown as Store['client'], doc, tables, stats: new RequestStats() };
  return store;
}

const engines = new WeakMap<object, MemoryEngine>();

function isMemoryStore(store: Store): boolean {
  return engines.has(store.doc);
}

/** Follows a memory store's table stream: `next()` returns the records written since the last call. */
function followMemoryStream(store: Store, table: string, options: { fromStart?: boolean } = {}) {
  const records = engines.get(store.doc)?.tables.get(table)?.stream;
  if (!records) throw new Error(`${table} is not a table with a stream in a memory store`);
  let seen = options.fromStart === false ? records.length : 0;
  return {
    next: async () => {
      const out = records.slice(seen);
      seen = records.length;
      return out;
    },
    close: () => {},
  };
}

export { followMemoryStream, isMemoryStore, itemSize, openMemoryStore };
export type { MemoryStreamRecord };
