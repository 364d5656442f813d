import type { Context } from 'aws-lambda';
import middy from '@middy/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// the logger's level is read when the module loads: silent off Lambda unless asked
process.env.GRADER_LOG_LEVEL = 'INFO';
const { logger, logInvocation } = await import('../../functions/middleware');

const context = (awsRequestId: string) =>
  ({
    awsRequestId,
    functionName: 'grader-probe',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-west-2:1:function:grader-probe',
    memoryLimitInMB: '512',
  }) as Context;

let lines: Record<string, unknown>[] = [];
beforeAll(() => {
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      return true;
    });
  }
});
afterEach(() => {
  lines = [];
});

describe('a handler with logInvocation', () => {
  const handler = middy<{ fail?: boolean; seller?: string }, string>()
    .use(logInvocation('probe'))
    .handler(async (event) => {
      if (event.seller) logger.appendKeys({ seller: event.seller });
      logger.info('working');
      if (event.fail) throw new Error('the store said no');
      return 'ok';
    });

  it("logs with the Lambda context and the handler's name, and keys one invocation appended do not reach the next", async () => {
    await handler({ seller: 's-1' }, context('req-1'));
    await handler({}, context('req-2'));
    const [first, second] = lines.filter((l) => l.message === 'working');
    expect(first).toMatchObject({ function_request_id: 'req-1', function_name: 'grader-probe', handler: 'probe', seller: 's-1' });
    expect(second).toMatchObject({ function_request_id: 'req-2', handler: 'probe' });
    expect(second).not.toHaveProperty('seller');
  });

  it('logs a failure once, with its cause, and rethrows it', async () => {
    await expect(handler({ fail: true }, context('req-3'))).rejects.toThrow('the store said no');
    const failures = lines.filter((l) => l.level === 'ERROR');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ message: 'probe failed', function_request_id: 'req-3', error: { message: 'the store said no' } });
  });
});
