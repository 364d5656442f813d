import middy from '@middy/core';
import { businessDateOf } from '../lib/calendar';
import { sqsDispatcher } from './dispatch';
import { defaultDependencies, type HandlerDependencies } from './environment';
import { InputError } from '../lib/errors';
import { LeaseLostError, RunBusyError } from './jobs/runJob';
import { logger, logInvocation } from './middleware';
import { listFindings } from './healthActions';
import { appealOrder, listOrders } from './orderActions';
import { approveGoodSeller, changeProgram, explain, operatorRequestSchema, rerun, revokeGoodSeller, type OperatorResponse } from './operatorActions';

/**
 * The operator's entry point (SPEC §8.3), invoked through IAM only: re-runs, Good Seller approvals
 * and revocations, programs, explanations. A bad request names its field and changes nothing.
 */
async function handleOperatorRequest(event: unknown, deps: HandlerDependencies): Promise<OperatorResponse> {
  const parsed = operatorRequestSchema.safeParse(event);
  const action = typeof event === 'object' && event !== null && 'action' in event ? String((event as { action: unknown }).action) : 'unknown';
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'action';
    return { ok: false, action, field, error: `${field}: ${issue.message}` };
  }
  const request = parsed.data;
  const today = businessDateOf(deps.now(), deps.policy.timeZone);
  try {
    switch (request.action) {
      case 'rerun':
        return await rerun(request, deps, today);
      case 'approveGoodSeller':
        return await approveGoodSeller(request, deps, today);
      case 'revokeGoodSeller':
        return await revokeGoodSeller(request, deps, today);
      case 'setProgram':
      case 'endProgram':
        return await changeProgram(request, deps, today);
      case 'explain':
        return await explain(request, deps, today);
      case 'excludeOrder':
      case 'reinstateOrder':
        return await appealOrder(request, deps, today);
      case 'orders':
        return await listOrders(request, deps);
      case 'findings':
        return await listFindings(request, deps);
    }
  } catch (e) {
    if (e instanceof InputError) return { ok: false, action, ...(e.field ? { field: e.field } : {}), error: e.message };
    // a live run of the period, or one that took this run over: the answer says so (SPEC §8.2)
    if (e instanceof RunBusyError || e instanceof LeaseLostError) return { ok: false, action, error: e.message };
    throw e;
  }
}

function operatorHandler(deps: () => HandlerDependencies) {
  return middy<unknown, OperatorResponse>()
    .use(logInvocation('operator'))
    .handler(async (event) => {
      const d = deps();
      // a re-run fans out like a scheduled run: its shards go to the workers, not into this 5-minute call
      const queue = process.env.SHARD_QUEUE_URL;
      const response = await handleOperatorRequest(event, queue && !d.dispatch ? { ...d, dispatch: sqsDispatcher(queue) } : d);
      logger.info('operator request', { action: response.action, ok: response.ok, ...(response.ok ? {} : { error: response.error }) });
      return response;
    });
}

const handler = operatorHandler(defaultDependencies);

export { handleOperatorRequest, handler, operatorHandler };
