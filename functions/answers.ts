import { z } from 'zod';
import type { FailedRule } from '../lib/goodSeller';

/** The answer of an action that did what it was asked: `ok`, the action, and what it carries. */
function answerSchema<A extends z.ZodLiteral<string> | z.ZodEnum, S extends z.ZodRawShape>(action: A, shape: S) {
  return z.object({ ok: z.literal(true), action, ...shape });
}

/** A refusal: the action as asked (any text, it may be unknown), the message, the field named and, for an approval, every failed rule. */
const refusalSchema = z.object({
  ok: z.literal(false),
  action: z.string(),
  error: z.string(),
  field: z.string().optional(),
  failed: z.custom<FailedRule[]>().optional(),
});
type Refusal = z.infer<typeof refusalSchema>;

export { answerSchema, refusalSchema };
export type { Refusal };
