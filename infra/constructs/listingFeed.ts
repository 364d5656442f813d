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
 * Batches in flight at once: 20 M rows a day are 20,000 messages of 1,000 lines; ten messages a
 * batch, a batch in a few seconds, a few concurrent batches drain a day's feed in minutes.
 */
const LISTING_INGEST_CONCURRENCY = 10;

/**
 * What the listing ingestion reads and writes: categories and sellers (to check listings), the
 * reference revision and the listings' counters, quarantine, and the listing store as grader
 * import writes it: the blocks' reference items and days in metrics (read, queried, rewritten),
 * the block index, the feed's lease and each block's rebuild marker in runs.
 */
const LISTING_FEED_RUNS_KEYS = ['reference', 'listingBlocks', 'listings#lock', 'import#listings#*'];
const LISTING_FEED_ACCESS: DataAccess = {
  categories: { table: ['Scan'] },
  sellers: { table: ['Scan'] },
  metrics: { table: ['BatchGetItem', 'BatchWriteItem', 'Query'] },
  orders: { table: [] },
  compliance: { table: [] },
  quarantine: { table: ['BatchWriteItem'] },
  runs: {
    table: [],
    keyed: { actions: ['BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'], leadingKeys: LISTING_FEED_RUNS_KEYS },
  },
  grades: { table: [] },
};

interface GraderListingFeedProps {
  tables: Record<TableName, dynamodb.ITable>;
  /** every function knows the shard queue's URL; this one never sends to it */
  shardQueue: sqs.IQueue;
}

/**
 * The listing feed (SPEC §3.5, docs/ingestion.md): an SQS queue of JSON Lines messages whose
 * `kind` attribute is `listings` or `listingMetrics`, and the function that reads them through the
 * input boundary into the listing store. `sendPolicy` is the managed policy for the producer's role.
 */
class GraderListingFeed extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;
  readonly ingest: GraderFunction;
  readonly sendPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: GraderListingFeedProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'ListingDeadLetters');
    this.queue = tlsOnly(
      new sqs.Queue(this, 'Listings', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        visibilityTimeout: Duration.seconds(INGEST_TIMEOUT.toSeconds() * 6),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MESSAGE_DELIVERIES },
      }),
    );
    this.ingest = new GraderFunction(this, 'ListingIngest', {
      entry: 'functions/listingIngest.ts',
      description: 'Reads listings and their daily rows through the input boundary into the listing store',
      timeout: INGEST_TIMEOUT,
      memorySize: 1769,
    });
    this.ingest.bindTables(props.tables, LISTING_FEED_ACCESS);
    this.ingest.function.addEnvironment('SHARD_QUEUE_URL', props.shardQueue.queueUrl);
    this.ingest.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        maxConcurrency: LISTING_INGEST_CONCURRENCY,
      }),
    );
    this.sendPolicy = new iam.ManagedPolicy(this, 'SendPolicy', {
      description: 'Lets the catalogue system send listings and their daily rows to seller-grader',
      statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] })],
    });
  }
}

export { GraderListingFeed, LISTING_FEED_ACCESS, LISTING_FEED_RUNS_KEYS, LISTING_INGEST_CONCURRENCY };
