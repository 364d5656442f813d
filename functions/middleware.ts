import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { z } from 'zod';
import { InputError } from '../lib/errors';

/** One structured logger per process (Powertools: JSON lines with service and request ids). */
const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'seller-grader',
  // INFO in Lambda; silent on a laptop, where the CLI prints its own summaries
  logLevel:
    (process.env.GRADER_LOG_LEVEL as 'INFO' | 'WARN' | 'ERROR' | 'DEBUG' | 'SILENT' | undefined) ?? (process.env.AWS_LAMBDA_FUNCTION_NAME ? 'INFO' : 'SILENT'),
});

/** A request that fails its schema or a bound: names the field and the rule; nothing was changed. */
class BadRequestError extends InputError {
  declare readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`, field);
    this.name = 'BadRequestError';
  }
}

/** Parses the event with a zod schema before the handler runs; a bad event names its first bad field. */
function parseEvent<S extends z.ZodType>(schema: S): MiddlewareObj<unknown> {
  return {
    before: (request) => {
      const result = schema.safeParse(request.event);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        throw new BadRequestError(issue.path.join('.') || '(event)', issue.message);
      }
      request.event = result.data;
    },
  };
}

/**
 * Powertools' Lambda context on every log line (its keys reset after each invocation), the
 * handler's name beside it, and a failure logged once with its cause.
 */
function logInvocation(name: string): MiddlewareObj[] {
  return [
    injectLambdaContext(logger, { resetKeys: true }),
    {
      before: () => {
        logger.appendKeys({ handler: name });
      },
      onError: (request) => {
        logger.error(`${name} failed`, request.error as Error);
      },
    },
  ];
}

export { BadRequestError, logInvocation, logger, parseEvent };
