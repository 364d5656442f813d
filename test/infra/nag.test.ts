import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SellerGraderStack } from '../../infra/stack';

let app: App;
let checks: AwsSolutionsChecks;

beforeAll(() => {
  app = new App();
  new SellerGraderStack(app, 'SellerGrader');
  checks = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(checks);
});

/** Every acknowledgement in the tree: construct path, rule id, reason. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions checks', () => {
  it('find no unacknowledged finding in the stack', () => {
    expect(checks.validateScope(app).violations).toEqual([]);
  });

  it('let the app synthesize with the checks registered as a validation plugin', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('catch a queue without TLS or a dead-letter queue, so the harness is not vacuous', () => {
    const bad = new App();
    new sqs.Queue(new Stack(bad, 'Bad'), 'Queue');
    const report = new AwsSolutionsChecks(bad).validateScope(bad);
    expect(report.violations.map((violation) => violation.ruleName).sort()).toEqual(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']);
  });

  it('are acknowledged only for dead-letter queues and for TLS denies spelled without `sqs:*`, each with a written reason', () => {
    const found = acknowledgements(app);
    expect(found.map(({ path, id }) => [path, id]).sort()).toEqual([
      ['SellerGrader/ChangeEvents/StreamDeadLetters', 'AwsSolutions-SQS3'],
      ['SellerGrader/ChangeEvents/StreamDeadLetters', 'AwsSolutions-SQS4'],
      ['SellerGrader/Jobs/FailedInvocations', 'AwsSolutions-SQS3'],
      ['SellerGrader/Jobs/FailedInvocations', 'AwsSolutions-SQS4'],
      ['SellerGrader/Jobs/ShardDeadLetters', 'AwsSolutions-SQS4'],
      ['SellerGrader/Jobs/Shards', 'AwsSolutions-SQS4'],
      ['SellerGrader/ListingFeed/ListingDeadLetters', 'AwsSolutions-SQS4'],
      ['SellerGrader/ListingFeed/Listings', 'AwsSolutions-SQS4'],
      ['SellerGrader/OrderFeed/OrderDeadLetters', 'AwsSolutions-SQS4'],
      ['SellerGrader/OrderFeed/OrderOutcomes', 'AwsSolutions-SQS4'],
      ['SellerGrader/Schedules/DeadLetters', 'AwsSolutions-SQS3'],
      ['SellerGrader/Schedules/DeadLetters', 'AwsSolutions-SQS4'],
    ]);
    for (const { id, reason } of found) expect(reason).toMatch(id === 'AwsSolutions-SQS3' ? /dead-letter queue.{40,}/ : /aws:SecureTransport.{40,}/);
  });
});
