import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TableName } from '../../functions/data/tables';
import { MESSAGE_DELIVERIES } from '../../lib/feedMessage';
import { GraderFunction, type DataAccess } from './function';
import { deadLetterQueue, tlsOnly } from './jobs';

const INGEST_TIMEOUT = Duration.minutes(5);
/**
 * Deliveries of a message before it goes to the dead-letter queue: merging is idempotent, so
 * retries are safe; the handler sets a message that fails its last one aside in quarantine.
 */
const ORDER_RECEIVES = MESSAGE_DELIVERIES;

/**
 * What the ingestion reads and writes: order histories (merged and marked; the runs fold them), quarantine,
 * and of the runs table only the orders lock (and its pending flag), the marks and the reference revision.
 */
const ORDER_FEED_ACCESS: DataAccess = {
  categories: { table: ['Scan'] },
  sellers: { table: ['Scan'] },
  metrics: { table: [] },
  orders: { table: ['BatchGetItem', 'BatchWriteItem'] },
  compliance: { table: ['BatchGetItem', 'BatchWriteItem'] },
  quarantine: { table: ['BatchWriteItem'] },
  runs: {
    table: [],
    keyed: { actions: ['BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'], leadingKeys: ['orders#lock', 'orders#pending#*', 'reference'] },
  },
  grades: { table: [] },
};

interface GraderOrderFeedProps {
  tables: Record<TableName, dynamodb.ITable>;
  /** every function knows the shard queue's URL; this one never sends to it */
  shardQueue: sqs.IQueue;
}

/**
 * The order system's feed into the product (SPEC §3.4): an SQS queue of JSON Lines messages, and
 * the function that merges each batch into the orders table and marks the seller-days it changes
 * (the next run folds them into the order blocks). `sendPolicy` is the managed policy to attach to
 * the order system's role.
 */
class GraderOrderFeed extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;
  readonly ingest: GraderFunction;
  readonly sendPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: GraderOrderFeedProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'OrderDeadLetters');
    this.queue = tlsOnly(
      new sqs.Queue(this, 'OrderOutcomes', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        visibilityTimeout: Duration.seconds(INGEST_TIMEOUT.toSeconds() * 6),
        // corrections come up to 180 days late in the feed itself; the queue only needs to outlast an outage
        retentionPeriod: Duration.days(14),
        deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: ORDER_RECEIVES },
      }),
    );
    this.ingest = new GraderFunction(this, 'OrderIngest', {
      entry: 'functions/orderIngest.ts',
      description: 'Merges order outcomes into the orders table and folds them into the order blocks',
      timeout: INGEST_TIMEOUT,
      memorySize: 1769,
    });
    this.ingest.bindTables(props.tables, ORDER_FEED_ACCESS);
    this.ingest.function.addEnvironment('SHARD_QUEUE_URL', props.shardQueue.queueUrl);
    this.ingest.function.addEventSource(
      new SqsEventSource(this.queue, {
        // ~10 M outcomes a day at a million sellers: batches of up to 100 messages of ~1,000 lines
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(30),
        reportBatchItemFailures: true,
        // every writer of orders holds the orders lock: more concurrent batches would only wait for it
        maxConcurrency: 2,
      }),
    );
    this.sendPolicy = new iam.ManagedPolicy(this, 'SendPolicy', {
      description: 'Lets the order system send order outcomes to seller-grader',
      statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] })],
    });
  }
}

export { GraderOrderFeed, ORDER_FEED_ACCESS };
