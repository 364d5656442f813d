/** Counts of what the store was asked, for run summaries and the benchmarks. */
class RequestStats {
  requests = 0;
  itemsRead = 0;
  itemsWritten = 0;
  capacityUnits = 0;
  /** the part of capacityUnits that writes consumed (the rest: reads, queries, scans) */
  writeUnits = 0;
  /** rounds of a batch sent again for its unprocessed items */
  retries = 0;
  add(other: RequestStats): void {
    this.requests += other.requests;
    this.itemsRead += other.itemsRead;
    this.itemsWritten += other.itemsWritten;
    this.capacityUnits += other.capacityUnits;
    this.writeUnits += other.writeUnits;
    this.retries += other.retries;
  }
}

type Fields = Record<string, unknown>;

/** The DynamoDB operation of a command, whether the client's (`PutItemCommand`) or the document client's (`PutCommand`). */
const OPERATIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

function operationOf(commandName: string): string {
  const name = commandName.replace(/Command$/, '');
  return OPERATIONS[name] ?? name;
}

const lengthOf = (list: unknown): number => (Array.isArray(list) ? list.length : 0);

/** Sums the lengths of a map of lists (`RequestItems`, `Responses`, `UnprocessedItems` by table). */
const lengthsOf = (byTable: unknown): number => Object.values((byTable ?? {}) as Fields).reduce<number>((n, list) => n + lengthOf(list), 0);

/** Sums the capacity units of one `ConsumedCapacity` or a list of them. */
function unitsOf(consumed: unknown): number {
  const all = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as { CapacityUnits?: number }[];
  return all.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
}

/**
 * Counts one request to the store: a request (answered or refused), and for an answer the items it
 * read or wrote and the capacity it consumed. The store's SDK middleware calls it for every command;
 * a store that is not an SDK client calls it from its own `send`.
 */
function countRequest(stats: RequestStats, commandName: string, input: unknown, output: unknown): void {
  stats.requests++;
  if (!output) return;
  const asked = (input ?? {}) as Fields;
  const answer = output as Fields;
  const operation = operationOf(commandName);
  const units = unitsOf(answer.ConsumedCapacity);
  stats.capacityUnits += units;
  if (WRITES.has(operation)) stats.writeUnits += units;
  switch (operation) {
    case 'GetItem':
      stats.itemsRead += answer.Item ? 1 : 0;
      break;
    case 'Query':
    case 'Scan':
      stats.itemsRead += lengthOf(answer.Items);
      break;
    case 'BatchGetItem':
      stats.itemsRead += lengthsOf(answer.Responses);
      break;
    case 'TransactGetItems':
      stats.itemsRead += ((answer.Responses ?? []) as Fields[]).filter((r) => r.Item).length;
      break;
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      stats.itemsWritten++;
      break;
    case 'BatchWriteItem':
      stats.itemsWritten += lengthsOf(asked.RequestItems) - lengthsOf(answer.UnprocessedItems);
      break;
    case 'TransactWriteItems':
      stats.itemsWritten += ((asked.TransactItems ?? []) as Fields[]).filter((t) => !t.ConditionCheck).length;
      break;
  }
}

export { RequestStats, countRequest };
