import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_LIST, TABLES } from '../../functions/data/tables';
import { SellerGraderStack } from '../../infra/stack';

let stack: SellerGraderStack;
let tables: ReturnType<Template['findResources']>;

beforeAll(() => {
  stack = new SellerGraderStack(new App(), 'SellerGrader');
  tables = Template.fromStack(stack).findResources('AWS::DynamoDB::Table');
});

function tableResource(name: keyof typeof TABLES) {
  const logicalId = stack.getLogicalId(stack.tables.byName[name].node.defaultChild as CfnElement);
  const resource = tables[logicalId];
  if (!resource) throw new Error(`no table resource ${logicalId} for ${name}`);
  return resource;
}

describe('the tables', () => {
  it('builds exactly one table per definition in functions/data/tables.ts', () => {
    expect(Object.keys(tables)).toHaveLength(TABLE_LIST.length);
  });

  it('gives each table the key schema and indexes of its definition', () => {
    for (const definition of TABLE_LIST) {
      const keySchema = [
        { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
        ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }] : []),
      ];
      const properties = tableResource(definition.logicalName).Properties;
      expect(properties.KeySchema, definition.logicalName).toEqual(keySchema);
      const indexes = (properties.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema: unknown }[];
      expect(indexes.map((index) => index.IndexName), definition.logicalName).toEqual(definition.indexes.map((index) => index.indexName));
      for (const index of definition.indexes) {
        const resource = indexes.find((candidate) => candidate.IndexName === index.indexName);
        expect(resource?.KeySchema).toEqual([
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }] : []),
        ]);
      }
    }
  });

  it('bills every table on demand', () => {
    for (const resource of Object.values(tables)) expect(resource.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('keeps point-in-time recovery on for every table', () => {
    for (const resource of Object.values(tables)) {
      expect(resource.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
  });

  it('encrypts every table at rest with the AWS-managed DynamoDB key', () => {
    // SSEEnabled without a key id is KMS with aws/dynamodb; absent would be the AWS-owned key.
    for (const resource of Object.values(tables)) expect(resource.Properties.SSESpecification).toEqual({ SSEEnabled: true });
  });

  it('protects every table from deletion and keeps it when the stack or the resource goes', () => {
    for (const resource of Object.values(tables)) {
      expect(resource.Properties.DeletionProtectionEnabled).toBe(true);
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('streams the grades table with new and old images, and no other table', () => {
    expect(tableResource('grades').Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const streamed = TABLE_LIST.filter((definition) => tableResource(definition.logicalName).Properties.StreamSpecification !== undefined);
    expect(streamed.map((definition) => definition.logicalName)).toEqual(['grades']);
  });

  it('expires grades records through TTL on expiresAt', () => {
    expect(tableResource('grades').Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });
});
