import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TableName } from '../../functions/data/tables';
import { GraderFunction, type DataAccess } from './function';
import { JOB_ACCESS, JOB_MEMORY_MB } from './jobs';

/** The scheduled job's access, plus program and grant changes (SPEC §8.3). */
const OPERATOR_ACCESS: DataAccess = {
  ...JOB_ACCESS,
  sellers: { table: [...JOB_ACCESS.sellers.table, 'GetItem', 'PutItem', 'UpdateItem'] },
  grades: { ...JOB_ACCESS.grades, table: [...JOB_ACCESS.grades.table, 'UpdateItem'] },
  // appeals: an order's history read and rewritten under the orders lock
  orders: { table: ['BatchGetItem', 'BatchWriteItem'], indexes: ['Query'] },
};

interface GraderOperatorProps {
  tables: Record<TableName, dynamodb.ITable>;
  shardQueue: sqs.IQueue;
  failedInvocations: sqs.IQueue;
  /** the change-event bus: a policy publication is announced on it (PolicyPublished) */
  bus: events.IEventBus;
}

/**
 * The operator function: re-runs, Good Seller grants, programs, explanations and policy versions
 * (published into the runs table, announced on the bus). It has no
 * function URL and no resource policy, so the only way in is lambda:InvokeFunction through IAM;
 * InvokePolicy is the managed policy to attach to the operators' role.
 */
class GraderOperator extends Construct {
  readonly operator: GraderFunction;
  readonly invokePolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: GraderOperatorProps) {
    super(scope, id);
    this.operator = new GraderFunction(this, 'Operator', {
      entry: 'functions/operator.ts',
      description: 'Operator actions: rerun, approve/revoke Good Seller, set/end program, explain, policy versions',
      timeout: Duration.minutes(5),
      memorySize: JOB_MEMORY_MB,
      onFailure: props.failedInvocations,
    });
    this.operator.bindTables(props.tables, OPERATOR_ACCESS);
    this.operator.sendsShardsTo(props.shardQueue);
    this.operator.function.addEnvironment('EVENT_BUS_NAME', props.bus.eventBusName);
    this.operator.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] }));

    this.invokePolicy = new iam.ManagedPolicy(this, 'InvokePolicy', {
      description: 'Lets an operator invoke the seller-grader operator function',
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.operator.function.functionArn] })],
    });
  }
}

export { GraderOperator, OPERATOR_ACCESS };
export type { GraderOperatorProps };
