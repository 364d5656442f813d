import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createDynamoClient, tableNames, type TableNames } from './client';
import { countRequest, RequestStats } from './requestStats';

/** One connection to the tables: the document client, physical names, and request counts. */
interface Store {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  /** every request the client sends is counted here (the store's current `stats`, which callers may swap) */
  stats: RequestStats;
}

/** Opens the store named by the environment: GRADER_DYNAMODB_ENDPOINT for DynamoDB Local, else AWS. */
function openStore(options: { endpoint?: string | undefined; env?: NodeJS.ProcessEnv } = {}): Store {
  const env = options.env ?? process.env;
  const client = createDynamoClient({ endpoint: options.endpoint ?? env.GRADER_DYNAMODB_ENDPOINT });
  const store: Store = { client, doc: createDocumentClient(client), tables: tableNames(env), stats: new RequestStats() };
  countRequests(client, store);
  return store;
}

/** Counts each command once, around the SDK's own retries, into the store's stats. */
function countRequests(client: DynamoDBClient, store: Pick<Store, 'stats'>): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        const answer = await next(args);
        countRequest(store.stats, context.commandName ?? '', args.input, answer.output);
        return answer;
      } catch (error) {
        countRequest(store.stats, context.commandName ?? '', args.input, undefined);
        throw error;
      }
    },
    { step: 'initialize', name: 'countRequests', priority: 'high' },
  );
}

export { openStore };
export type { Store };
