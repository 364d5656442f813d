import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLES, type TableName } from './tables';

/** Where the tables live: AWS (default credentials chain) or a DynamoDB Local endpoint. */
interface StoreConfig {
  endpoint?: string | undefined;
  /** physical-name prefix for local tables; in AWS the names come from the environment */
  tablePrefix?: string;
}

/** DynamoDB Local partitions data by access key and region unless both match: fix them. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_REGION = 'us-west-2';

function createDynamoClient(config: StoreConfig): DynamoDBClient {
  const client = config.endpoint
    ? new DynamoDBClient({ endpoint: config.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 8 })
    : new DynamoDBClient({ maxAttempts: 8 });
  // The SDK's logger middleware filters every input and output for its no-op logger (~5% of a
  // daily run's CPU); our logs come from Powertools.
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/** The document client every repository shares (Powertools style: removeUndefinedValues). */
function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });
}

/** Physical table names: from each table's environment variable, else `<prefix><logical name>`. */
type TableNames = Record<TableName, string>;

function tableNames(env: NodeJS.ProcessEnv, prefix = 'grader-'): TableNames {
  return Object.fromEntries((Object.keys(TABLES) as TableName[]).map((t) => [t, env[TABLES[t].envVar] ?? `${prefix}${TABLES[t].logicalName}`])) as TableNames;
}

export { LOCAL_CREDENTIALS, LOCAL_REGION, createDocumentClient, createDynamoClient, tableNames };
export type { StoreConfig, TableNames };
