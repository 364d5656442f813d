import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TableName } from '../../functions/data/tables';
import { SHARD_BATCH_SIZE, SHARD_RECEIVES } from '../../functions/dispatch';
import { GraderFunction, type DataAccess } from './function';

/** Shard workers running at once: the ceiling on DynamoDB and Lambda load during a run. */
const SHARD_CONCURRENCY = 20;
const JOB_TIMEOUT = Duration.minutes(5);
// 1,769 MB is one full vCPU; pool scoring is CPU-bound (SPEC §5).
const JOB_MEMORY_MB = 1769;

/** What the scheduled job and the shard worker read and write (exact actions, exact ARNs). */
const JOB_ACCESS: DataAccess = {
  categories: { table: ['Scan'] },
  sellers: { table: ['Scan'] },
  // a run first folds the order changes pending (SPEC §3.4): order blocks rewritten, marks cleared
  metrics: { table: ['BatchGetItem', 'Query'], keyed: { actions: ['BatchWriteItem'], leadingKeys: ['orders#*'] } },
  orders: { table: [], indexes: ['Query'] },
  compliance: { table: ['Scan'] },
  quarantine: { table: ['Query'] },
  runs: { table: ['BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'UpdateItem', 'Query'] },
  grades: {
    table: ['BatchGetItem', 'BatchWriteItem', 'GetItem', 'PutItem', 'Query'],
    indexes: ['Query'],
  },
};

interface GraderJobsProps {
  tables: Record<TableName, dynamodb.ITable>;
}

/**
 * The scheduled job and its fan-out: the job plans a run and sends one SQS message per shard
 * (pool); the shard worker evaluates batches of up to SHARD_BATCH_SIZE, at most SHARD_CONCURRENCY batches at once.
 */
class GraderJobs extends Construct {
  readonly shardQueue: sqs.Queue;
  readonly shardDeadLetters: sqs.Queue;
  /** on-failure destination of every function's asynchronous invocations */
  readonly failedInvocations: sqs.Queue;
  readonly scheduledJob: GraderFunction;
  readonly shardWorker: GraderFunction;

  constructor(scope: Construct, id: string, props: GraderJobsProps) {
    super(scope, id);
    this.failedInvocations = deadLetterQueue(this, 'FailedInvocations');
    Validations.of(this.failedInvocations).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter queue: the on-failure destination of the functions' asynchronous invocations. An operator reads and redrives it; a queue behind it would have no consumer.",
    });

    this.shardDeadLetters = deadLetterQueue(this, 'ShardDeadLetters');
    this.shardQueue = tlsOnly(
      new sqs.Queue(this, 'Shards', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        // AWS's rule for SQS event sources: at least six times the function timeout.
        visibilityTimeout: Duration.seconds(JOB_TIMEOUT.toSeconds() * 6),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: this.shardDeadLetters, maxReceiveCount: SHARD_RECEIVES },
      }),
    );

    this.scheduledJob = new GraderFunction(this, 'ScheduledJob', {
      entry: 'functions/scheduledJob.ts',
      description: 'Plans a daily, monthly or quarterly run and sends one message per shard',
      timeout: JOB_TIMEOUT,
      memorySize: JOB_MEMORY_MB,
      onFailure: this.failedInvocations,
    });
    this.scheduledJob.bindTables(props.tables, JOB_ACCESS);
    this.scheduledJob.sendsShardsTo(this.shardQueue);

    this.shardWorker = new GraderFunction(this, 'ShardWorker', {
      entry: 'functions/shardWorker.ts',
      description: 'Evaluates the shards (pools) of a run that arrive in one SQS batch',
      timeout: JOB_TIMEOUT,
      memorySize: JOB_MEMORY_MB,
      // Only the SQS event source invokes it; a failed shard goes to shardDeadLetters instead.
    });
    this.shardWorker.bindTables(props.tables, JOB_ACCESS);
    // The worker never sends; it still gets the URL, as every function does.
    this.shardWorker.function.addEnvironment('SHARD_QUEUE_URL', this.shardQueue.queueUrl);
    this.shardWorker.function.addEventSource(
      new SqsEventSource(this.shardQueue, {
        // a batch's shards of one run are evaluated together: one read of the run's data, full write batches
        batchSize: SHARD_BATCH_SIZE,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: SHARD_CONCURRENCY,
      }),
    );
  }
}

/** An SQS queue that only holds failures: SSE, TLS only, and the longest retention (14 days). */
function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return tlsOnly(
    new sqs.Queue(scope, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    }),
  );
}

/** Every SQS API action on a queue, named one by one: no IAM statement of this stack holds a `*` action. */
const SQS_QUEUE_ACTIONS = [
  'sqs:SendMessage',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:SetQueueAttributes',
  'sqs:PurgeQueue',
  'sqs:DeleteQueue',
  'sqs:ListQueueTags',
  'sqs:TagQueue',
  'sqs:UntagQueue',
  'sqs:ListDeadLetterSourceQueues',
  'sqs:AddPermission',
  'sqs:RemovePermission',
  'sqs:StartMessageMoveTask',
  'sqs:CancelMessageMoveTask',
  'sqs:ListMessageMoveTasks',
];

/** Denies every request that does not use TLS, with the actions listed instead of `sqs:*` (what enforceSSL writes). */
function tlsOnly(queue: sqs.Queue): sqs.Queue {
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: SQS_QUEUE_ACTIONS,
      resources: [queue.queueArn],
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
  );
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS4',
    reason:
      'The queue policy denies every SQS action without TLS (aws:SecureTransport false); the actions are listed one by one because this stack allows no `*` action in any IAM statement, and the rule only recognises `sqs:*`.',
  });
  return queue;
}

export { deadLetterQueue, GraderJobs, SQS_QUEUE_ACTIONS, tlsOnly, JOB_ACCESS, JOB_MEMORY_MB, JOB_TIMEOUT, type SHARD_RECEIVES, SHARD_CONCURRENCY };
export type { GraderJobsProps };
