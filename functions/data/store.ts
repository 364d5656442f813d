import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RequestStats } from './batch';
import { createDocumentClient, createDynamoClient, tableNames, type TableNames } from './client';

/** One connection to the tables: the document client, physical names, and request counts. */
interface Store {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  stats: RequestStats;
}

/** Opens the store named by the environment: GRADER_DYNAMODB_ENDPOINT for DynamoDB Local, else AWS. */
function openStore(options: { endpoint?: string | undefined; env?: NodeJS.ProcessEnv } = {}): Store {
  const env = options.env ?? process.env;
  const client = createDynamoClient({ endpoint: options.endpoint ?? env.GRADER_DYNAMODB_ENDPOINT });
  return { client, doc: createDocumentClient(client), tables: tableNames(env), stats: new RequestStats() };
}

export { openStore };
export type { Store };
