import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SORT_KEY_PREFIXES, EVENT_SORT_KEYS } from '../../functions/data/gradeStream';
import type { TableName } from '../../functions/data/tables';
import { GraderFunction, type DataAccess } from './function';
import { deadLetterQueue } from './jobs';

/** The consumer reads no table: it only needs every table's name, as every function gets. */
const NO_DATA: DataAccess = {
  categories: { table: [] },
  sellers: { table: [] },
  metrics: { table: [] },
  orders: { table: [] },
  compliance: { table: [] },
  quarantine: { table: [] },
  runs: { table: [] },
  grades: { table: [] },
};

/**
 * The sort keys whose changes become events (lib/gradeEvents.ts): a seller's status, grant and
 * health check exactly, its listings' stage and incentive records by prefix. The stream's other
 * items (daily-score packs, monthly and quarterly records) never reach the function.
 */
const EVENT_KINDS = [...EVENT_SORT_KEYS, ...EVENT_SORT_KEY_PREFIXES.flatMap((prefix) => lambda.FilterRule.beginsWith(prefix))];

interface GraderChangeEventsProps {
  tables: Record<TableName, dynamodb.ITable>;
  shardQueue: sqs.IQueue;
}

/**
 * Change events for other services (SPEC §8.1): an EventBridge bus of the stack, and a function on
 * the grades table's stream that turns real changes into events on it. Failed batches are retried
 * from the first failed record, halved on error, and land in `deadLetters` after that.
 */
class GraderChangeEvents extends Construct {
  readonly bus: events.EventBus;
  readonly consumer: GraderFunction;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: GraderChangeEventsProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { description: 'seller-grader grade changes: tiers, levels, labels, grants, critical findings' });
    this.deadLetters = deadLetterQueue(this, 'StreamDeadLetters');
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter queue: the stream mapping's on-failure destination records the batches it could not publish. An operator reads it and replays them; a queue behind it would have no consumer.",
    });
    this.consumer = new GraderFunction(this, 'Consumer', {
      entry: 'functions/changeEvents.ts',
      description: 'Turns grade changes on the grades stream into EventBridge events',
      timeout: Duration.minutes(1),
      memorySize: 1769,
    });
    this.consumer.bindTables(props.tables, NO_DATA);
    this.consumer.function.addEnvironment('SHARD_QUEUE_URL', props.shardQueue.queueUrl);
    this.consumer.function.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
    this.consumer.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }));

    const grades = props.tables.grades;
    const streamArn = grades.tableStreamArn!;
    // what the event source mapping needs on the stream, on the stream's ARN alone (grantStreamRead adds a `*`)
    this.consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        resources: [streamArn],
      }),
    );
    this.consumer.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetters.queueArn] }));
    new lambda.EventSourceMapping(this, 'Stream', {
      target: this.consumer.function,
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(5),
      bisectBatchOnError: true,
      retryAttempts: 10,
      maxRecordAge: Duration.hours(24),
      reportBatchItemFailures: true,
      onFailure: new SqsDestination(this.deadLetters),
      filters: [
        lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.or('INSERT', 'MODIFY', 'REMOVE'), dynamodb: { Keys: { sk: { S: EVENT_KINDS } } } }),
      ],
    });
  }
}

/** The stream's on-failure destination: the mapping records failed batches in the queue (the role above may send). */
class SqsDestination implements lambda.IEventSourceDlq {
  constructor(private readonly queue: sqs.IQueue) {}
  bind(): lambda.DlqDestinationConfig {
    return { destination: this.queue.queueArn };
  }
}

export { EVENT_KINDS, GraderChangeEvents };
