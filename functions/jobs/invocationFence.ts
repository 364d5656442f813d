/**
 * When a shard-worker invocation stops sending requests and until when its shard claims hold.
 * A request sent just before a deadline can still land after it (in flight, or retried by the SDK):
 * were a claim taken over at its holder's deadline, the next holder could read a record before
 * that write lands and write it again, an equal change on the stream. So an invocation sends
 * nothing in its last tenth, and its claims hold a tenth (at least SETTLE_MIN_MS) past its
 * deadline: every write of a holder has landed before anyone else may claim its shards.
 */
interface InvocationFence {
  /** no request leaves the invocation from then on (ms since epoch) */
  stopAt: number;
  /** its shard claims hold until then (ms since epoch) */
  claimUntil: number;
}

/** What a request already sent is given to land, at the least: a batch write to DynamoDB Local on a loaded 2-core machine took up to 3.7 s. */
const SETTLE_MIN_MS = 4000;

/**
 * The fence of an invocation that starts `now` with `remainingMs` left before Lambda stops it.
 * `settleMs` is what a request already sent is given to land: a store in memory lands it at once.
 */
function invocationFence(now: number, remainingMs: number, settleMs = SETTLE_MIN_MS): InvocationFence {
  const tenth = remainingMs / 10;
  return { stopAt: now + remainingMs - tenth, claimUntil: now + remainingMs + Math.max(tenth, settleMs) };
}

/**
 * How long after its delivery a message's shards may stay claimed, for a function timeout: the
 * queue's visibility timeout must be longer, or a redelivery finds its shards still claimed.
 */
function claimSpanMs(timeoutMs: number, settleMs = SETTLE_MIN_MS): number {
  return invocationFence(0, timeoutMs, settleMs).claimUntil;
}

export { claimSpanMs, invocationFence, SETTLE_MIN_MS };
export type { InvocationFence };
