import { z } from 'zod';
import { idSchema, sellerIdSchema, TEXT_LIMITS } from '../lib/inputs';
import { dateViolation } from '../lib/operatorBounds';
import { emptyHistory, orderView, type AppealDecision, type OrderView } from '../lib/orderOutcomes';
import { answerSchema } from './answers';
import { OrdersRepository, pageKeyWithin, pageTokenSchema } from './data/ordersRepository';
import { ReferenceRepository } from './data/referenceRepository';
import type { HandlerDependencies } from './environment';
import { foldPendingOrders, settleSeconds, withOrdersLock } from './jobs/orders';
import { BadRequestError } from './middleware';

const date = z.iso.date();
const text = (limit: number) => z.string().max(limit, `must be at most ${limit} characters`);

/** Exclude an order from its seller's defects, or reinstate it (SPEC §3.4 "Appeals"). */
const appealSchema = z
  .object({
    action: z.enum(['excludeOrder', 'reinstateOrder']),
    orderId: idSchema('orderId'),
    reason: text(TEXT_LIMITS.reason).trim().min(1, 'an appeal decision needs a reason'),
    by: text(TEXT_LIMITS.who).trim().min(1, 'must name the operator'),
    /** the date of the decision; today when absent */
    on: date.optional(),
    asOf: date.optional(),
  })
  .strict();

/** The orders behind a seller's rates (SPEC §3.4 "Drill-down"). */
const ordersSchema = z
  .object({
    action: z.literal('orders'),
    sellerId: sellerIdSchema,
    from: date,
    to: date,
    badOnly: z.boolean().default(false),
    limit: z.number().int().min(1).max(1000).default(100),
    after: pageTokenSchema.nullable().optional(),
  })
  .strict()
  .refine((r) => r.from <= r.to, { path: ['to'], message: 'must not be before from' })
  .refine((r) => !r.after || pageKeyWithin(r.after, r), {
    path: ['after'],
    message: 'is a page token of another seller or window: leave it out to start from the newest order',
  });

const appealAnswerSchema = answerSchema(z.enum(['excludeOrder', 'reinstateOrder']), {
  decision: z.custom<AppealDecision>(),
  /** the order as it is counted now; null for an order not received yet */
  order: z.custom<OrderView | null>(),
  received: z.boolean(),
});
const ordersAnswerSchema = answerSchema(z.literal('orders'), {
  sellerId: z.string(),
  from: z.string(),
  to: z.string(),
  badOnly: z.boolean(),
  orders: z.custom<OrderView[]>(),
  /** the page token of the next page; null on the last */
  next: z.string().nullable(),
});

/** Records an appeal decision under the orders lock and folds it at once, so that a re-run shows it. */
async function appealOrder(r: z.infer<typeof appealSchema>, deps: HandlerDependencies, today: string): Promise<z.infer<typeof appealAnswerSchema>> {
  const on = r.on ?? today;
  const violation = dateViolation('on', on, today, deps.policy);
  if (violation) throw new BadRequestError(violation.field, violation.message);
  const now = deps.now();
  const decision: AppealDecision = {
    orderId: r.orderId,
    action: r.action === 'excludeOrder' ? 'exclude' : 'reinstate',
    on,
    by: r.by,
    reason: r.reason,
    recorded: `${now}#operator`,
  };
  const orders = new OrdersRepository(deps.store);
  const view = await withOrdersLock(deps.store, `appeal:${r.orderId}:${now}`, async () => {
    const history = (await orders.histories([r.orderId])).get(r.orderId) ?? emptyHistory();
    const before = orderView(history);
    history.decisions.push(decision);
    const after = orderView(history);
    const days = [before, after].flatMap((v) => (v ? [{ sellerId: v.sellerId, date: v.closedOn }] : []));
    await orders.mark(days, now);
    await orders.put(new Map([[r.orderId, history]]));
    await foldPendingOrders(deps.store, { now, settleSeconds: settleSeconds() });
    return after;
  });
  return {
    ok: true,
    action: r.action,
    decision,
    // a decision for an order not received yet is kept, and applies when the order arrives
    order: view,
    received: view !== null,
  };
}

async function listOrders(r: z.infer<typeof ordersSchema>, deps: HandlerDependencies): Promise<z.infer<typeof ordersAnswerSchema>> {
  if (!(await new ReferenceRepository(deps.store).seller(r.sellerId))) throw new BadRequestError('sellerId', `seller ${r.sellerId} does not exist`);
  const page = await new OrdersRepository(deps.store).page({ ...r, after: r.after ?? null });
  return { ok: true, action: 'orders', sellerId: r.sellerId, from: r.from, to: r.to, badOnly: r.badOnly, ...page };
}

export { appealAnswerSchema, appealOrder, appealSchema, listOrders, ordersAnswerSchema, ordersSchema };
