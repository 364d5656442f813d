import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_LIST, type IndexDefinition, type TableDefinition, type TableName } from '../../functions/data/tables';

/** One DynamoDB table per entry of functions/data/tables.ts, so AWS and the laptop share one definition. */
class GraderTables extends Construct {
  readonly byName: Record<TableName, dynamodb.Table>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.byName = Object.fromEntries(TABLE_LIST.map((definition) => [definition.logicalName, this.table(definition)])) as Record<TableName, dynamodb.Table>;
  }

  private table(definition: TableDefinition): dynamodb.Table {
    const table = new dynamodb.Table(this, definition.logicalName, {
      partitionKey: attribute(definition.partitionKey),
      sortKey: definition.sortKey && attribute(definition.sortKey),
      // Load is two bursts a day at most (SPEC §2); on-demand costs nothing between them.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS-managed key (aws/dynamodb): key use is logged in CloudTrail, and there is no key policy to keep.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      stream: definition.stream && dynamodb.StreamViewType[definition.stream],
      timeToLiveAttribute: definition.ttlAttribute,
    });
    for (const index of definition.indexes) table.addGlobalSecondaryIndex(globalIndex(index));
    return table;
  }
}

function attribute(key: { name: string; type: 'S' | 'N' | 'B' }): dynamodb.Attribute {
  const type = { S: dynamodb.AttributeType.STRING, N: dynamodb.AttributeType.NUMBER, B: dynamodb.AttributeType.BINARY }[key.type];
  return { name: key.name, type };
}

function globalIndex(index: IndexDefinition): dynamodb.GlobalSecondaryIndexProps {
  const keys = { indexName: index.indexName, partitionKey: attribute(index.partitionKey), sortKey: index.sortKey && attribute(index.sortKey) };
  if (index.projection === 'ALL') return { ...keys, projectionType: dynamodb.ProjectionType.ALL };
  if (index.projection === 'KEYS_ONLY') return { ...keys, projectionType: dynamodb.ProjectionType.KEYS_ONLY };
  return { ...keys, projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: index.projection };
}

/** The ARN of a table's index: IAM grants Query on an index only through this exact ARN. */
function indexArn(table: dynamodb.ITable, indexName: string): string {
  return `${table.tableArn}/index/${indexName}`;
}

export { GraderTables, indexArn };
