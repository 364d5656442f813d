import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { itemOfRefusal } from './refusedWrite';
import type { Store } from './store';

/** Who holds a lease and until when, with what the holder keeps beside it (a run's id). */
type Holder = Record<string, unknown> & { owner: string; leaseUntil: string };

type Acquisition = { acquired: true; previous: Holder | null } | { acquired: false; holder: Holder };

function holderOf(item: Record<string, unknown>): Holder {
  return { ...item, owner: String(item.owner ?? ''), leaseUntil: String(item.leaseUntil ?? '') };
}

/** Refused conditional writes are expected here: the lease is someone else's. */
function refused(e: unknown): e is ConditionalCheckFailedException {
  return e instanceof ConditionalCheckFailedException;
}

/**
 * A lease on one item (a lock): taken when free, run out, or already the owner's; renewed, lapsed
 * and released only by its owner. Each step is one conditional write.
 */
class Lease {
  constructor(
    private readonly store: Store,
    private readonly key: Record<string, string>,
    private readonly table: string = store.tables.runs,
  ) {}

  /** Takes the lease for `holder.owner` until `leaseUntil`; says who held it before, or who holds it now when refused. */
  async acquire(holder: Record<string, unknown> & { owner: string }, leaseUntil: string, now: string): Promise<Acquisition> {
    try {
      const out = await this.store.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...holder, ...this.key, leaseUntil },
          ConditionExpression: 'attribute_not_exists(#k) OR leaseUntil < :now OR #o = :me',
          ExpressionAttributeNames: { '#k': Object.keys(this.key)[0]!, '#o': 'owner' },
          ExpressionAttributeValues: { ':now': now, ':me': holder.owner },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { acquired: true, previous: out.Attributes ? holderOf(out.Attributes) : null };
    } catch (e) {
      if (!refused(e)) throw e;
      return { acquired: false, holder: holderOf(itemOfRefusal(e) ?? {}) };
    }
  }

  /** Moves the owner's lease to `leaseUntil`; false when it is no longer the owner's. */
  renew(owner: string, leaseUntil: string): Promise<boolean> {
    return this.setLeaseUntil(owner, leaseUntil);
  }

  /** Lets the owner's lease run out at `now`, the holder kept: the next taker sees who held it. */
  lapse(owner: string, now: string): Promise<boolean> {
    return this.setLeaseUntil(owner, now);
  }

  /** Gives the lease back, if the owner still holds it. */
  async release(owner: string): Promise<void> {
    await this.store.doc
      .send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.key,
          ConditionExpression: '#o = :me',
          ExpressionAttributeNames: { '#o': 'owner' },
          ExpressionAttributeValues: { ':me': owner },
        }),
      )
      .catch((e: unknown) => {
        if (!refused(e)) throw e;
      });
  }

  async holder(): Promise<Holder | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: this.key, ConsistentRead: true }));
    return out.Item ? holderOf(out.Item) : null;
  }

  private async setLeaseUntil(owner: string, leaseUntil: string): Promise<boolean> {
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key,
          UpdateExpression: 'SET leaseUntil = :lease',
          ConditionExpression: '#o = :me',
          ExpressionAttributeNames: { '#o': 'owner' },
          ExpressionAttributeValues: { ':lease': leaseUntil, ':me': owner },
        }),
      );
      return true;
    } catch (e) {
      if (refused(e)) return false;
      throw e;
    }
  }
}

interface LeaseTimes {
  leaseMs: number;
  /** how long to wait for a live holder before giving up */
  waitMs: number;
  /** the pause between two tries */
  pollMs: () => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` holding the lease for `owner`: waits while another live holder has it (`busy` names
 * the error once the wait is over), renews it every third of a lease, and releases it at the end.
 */
async function withLease<T>(lease: Lease, owner: string, times: LeaseTimes, busy: (holder: Holder) => Error, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + times.waitMs;
  const leaseUntil = () => new Date(Date.now() + times.leaseMs).toISOString();
  for (;;) {
    const taken = await lease.acquire({ owner }, leaseUntil(), new Date().toISOString());
    if (taken.acquired) break;
    if (Date.now() >= deadline) throw busy(taken.holder);
    await sleep(times.pollMs());
  }
  const renewal = setInterval(() => void lease.renew(owner, leaseUntil()).catch(() => undefined), times.leaseMs / 3);
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    await lease.release(owner);
  }
}

export { Lease, withLease };
export type { Acquisition, Holder, LeaseTimes };
