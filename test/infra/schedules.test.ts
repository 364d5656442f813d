import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SellerGraderStack } from '../../infra/stack';

let stack: SellerGraderStack;
let template: Template;

beforeAll(() => {
  stack = new SellerGraderStack(new App(), 'SellerGrader');
  template = Template.fromStack(stack);
});

const logicalId = (construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** SPEC §2, at 03:00 business time. */
const EXPECTED = [
  { job: 'daily', expression: 'cron(0 3 * * ? *)' },
  { job: 'monthly', expression: 'cron(0 3 2 * ? *)' },
  { job: 'quarterly', expression: 'cron(0 3 10 1,4,7,10 ? *)' },
] as const;

describe('the schedules', () => {
  it('are exactly the daily, monthly and quarterly jobs', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', EXPECTED.length);
  });

  for (const { job, expression } of EXPECTED) {
    describe(`the ${job} schedule`, () => {
      const properties = () => {
        const found = template.findResources('AWS::Scheduler::Schedule')[logicalId(stack.schedules.schedules[job])];
        if (!found) throw new Error(`no ${job} schedule`);
        return found.Properties;
      };

      it(`fires on ${expression} in America/Los_Angeles, on time`, () => {
        expect(properties().ScheduleExpression).toBe(expression);
        expect(properties().ScheduleExpressionTimezone).toBe('America/Los_Angeles');
        expect(properties().FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
        expect(properties().State).toBe('ENABLED');
      });

      it('invokes the scheduled job with the job name and the scheduled time', () => {
        expect(properties().Target.Arn).toEqual({ 'Fn::GetAtt': [logicalId(stack.jobs.scheduledJob.function), 'Arn'] });
        expect(JSON.parse(properties().Target.Input as string)).toEqual({ job, scheduledTime: '<aws.scheduler.scheduled-time>' });
      });

      it('retries four times within six hours, then puts the event in the schedule dead-letter queue', () => {
        expect(properties().Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 6 * 3600 });
        expect(properties().Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [logicalId(stack.schedules.deadLetters), 'Arn'] } });
      });
    });
  }

  it('lets only the scheduler service of this account and its default group assume the schedule role', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0];
    const role = template.findResources('AWS::IAM::Role')[schedule?.Properties.Target.RoleArn['Fn::GetAtt'][0] as string];
    const [statement] = role?.Properties.AssumeRolePolicyDocument.Statement as { Principal: unknown; Condition: { StringEquals: Record<string, unknown> } }[];
    expect(statement?.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(statement?.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
  });
});
