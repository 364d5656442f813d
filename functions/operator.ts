import middy from '@middy/core';
import { businessDateOf } from '../lib/calendar';
import { sqsDispatcher } from './dispatch';
import { defaultDependencies, type HandlerDependencies } from './environment';
import { InputError } from '../lib/errors';
import { LeaseLostError, RunBusyError } from './jobs/runJob';
import { logger, logInvocation } from './middleware';
import { listFindings } from './healthActions';
import { appealOrder, listOrders } from './orderActions';
import { explainListingAction, listListings } from './listingActions';
import { approveGoodSeller, changeProgram, explain, operatorRequestSchema, rerun, revokeGoodSeller, type OperatorResponse } from './operatorActions';
import { announcer, eventBridgePublisher } from './eventBus';
import { policyInForceToday } from './jobs/runPolicy';
import { listRuns } from './runActions';
import { AnnouncementError, checkPolicy, diffPolicies, listPolicies, publishPolicy, showPolicy } from './policyActions';

/**
 * The operator's entry point (SPEC §8.3), invoked through IAM only: re-runs, Good Seller approvals
 * and revocations, programs, explanations, policy versions (SPEC §9), the run records. A bad request names its
 * field and changes nothing.
 */
async function handleOperatorRequest(event: unknown, base: HandlerDependencies): Promise<OperatorResponse> {
  const parsed = operatorRequestSchema.safeParse(event);
  const action = typeof event === 'object' && event !== null && 'action' in event ? String((event as { action: unknown }).action) : 'unknown';
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'action';
    return { ok: false, action, field, error: `${field}: ${issue.message}` };
  }
  const request = parsed.data;
  const today = businessDateOf(base.now(), base.policy.timeZone);
  try {
    // an action outside a run (an approval, a program, a bound) follows the version in force today
    const deps = { ...base, policy: await policyInForceToday(base) };
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
      case 'showPolicy':
        return await showPolicy(request, deps);
      case 'listPolicies':
        return await listPolicies(request, deps, today);
      case 'checkPolicy':
        return await checkPolicy(request, deps, today);
      case 'diffPolicies':
        return await diffPolicies(request, deps);
      case 'publishPolicy':
        return await publishPolicy(request, deps);
      case 'listings':
        return await listListings(request, deps);
      case 'explainListing':
        return await explainListingAction(request, deps, today);
      case 'runs':
        return await listRuns(request, deps);
    }
  } catch (e) {
    if (e instanceof InputError) return { ok: false, action, ...(e.field ? { field: e.field } : {}), error: e.message };
    // a live run of the period, or one that took this run over: the answer says so (SPEC §8.2)
    if (e instanceof RunBusyError || e instanceof LeaseLostError || e instanceof AnnouncementError) return { ok: false, action, error: e.message };
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
      const bus = process.env.EVENT_BUS_NAME;
      const response = await handleOperatorRequest(event, {
        ...d,
        ...(queue && !d.dispatch ? { dispatch: sqsDispatcher(queue) } : {}),
        ...(bus && !d.announce ? { announce: announcer(eventBridgePublisher(bus)) } : {}),
      });
      logger.info('operator request', { action: response.action, ok: response.ok, ...(response.ok ? {} : { error: response.error }) });
      return response;
    });
}

const handler = operatorHandler(defaultDependencies);

export { handleOperatorRequest, handler, operatorHandler };
