import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { batchPut } from './batch';
import { Lease } from './lease';
import { itemOfRefusal } from './refusedWrite';
import { queryAll, scanAll } from './query';
import type { Store } from './store';

const countsSchema = z.object({
  sellers: z.number().int(),
  written: z.number().int(),
  unchanged: z.number().int(),
  quarantined: z.number().int(),
  failed: z.number().int(),
});
type RunCounts = z.infer<typeof countsSchema>;

/** The run record of SPEC §8.2. */
const runRecordSchema = z.object({
  runId: z.string(),
  job: z.enum(['daily', 'monthly', 'quarterly', 'growth']),
  period: z.string(),
  trigger: z.enum(['schedule', 'operator']),
  requestedBy: z.string(),
  reason: z.string(),
  /** business date the run happens on (status refreshes are as of it) */
  asOf: z.string(),
  policyVersion: z.string(),
  /** a monthly or quarterly run's status rebuilds (as of `asOf`) follow the version in force on `asOf`; null: `policyVersion` */
  statusPolicyVersion: z.string().nullable().default(null),
  dryRun: z.boolean(),
  sellers: z.array(z.string()).nullable(),
  categories: z.array(z.string()).nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  status: z.enum(['running', 'succeeded', 'failed']),
  error: z.string().nullable(),
  attempts: z.number().int(),
  leaseUntil: z.string(),
  /** the attempt that holds the run: only it renews the lease and records the outcome */
  owner: z.string().default(''),
  shards: z.number().int().nullable(),
  /** the reference-data revision the run read (ReferenceRepository); null before it loaded */
  referenceRevision: z.number().int().nullable().default(null),
  counts: countsSchema,
});
type RunRecord = z.infer<typeof runRecordSchema>;

type RunClaim =
  | { state: 'started'; run: RunRecord; fresh: boolean }
  | { state: 'resumed'; run: RunRecord }
  | { state: 'done'; run: RunRecord }
  | { state: 'busy'; run: RunRecord };

const ZERO: RunCounts = { sellers: 0, written: 0, unchanged: 0, quarantined: 0, failed: 0 };

const jobPeriodOf = (run: Pick<RunRecord, 'job' | 'period'>) => `${run.job}#${run.period}`;

/** A scheduled run's id is fixed by its job and period, so a second delivery finds it. */
function scheduledRunId(job: RunRecord['job'], period: string): string {
  return `schedule-${job}-${period}`;
}

/** Run records and their shard markers; a scheduled run's id is fixed by its job and period. */
class RunsRepository {
  constructor(private readonly store: Store) {}

  /**
   * Claims a run: a new one starts; a finished one is not evaluated again; one still leased is
   * busy elsewhere; one whose lease ran out (it died part-way) is resumed (SPEC §8.2).
   */
  async claim(
    draft: Omit<RunRecord, 'status' | 'endedAt' | 'error' | 'attempts' | 'shards' | 'referenceRevision' | 'counts'>,
    now: string,
    options: { holdsLock?: boolean } = {},
  ): Promise<RunClaim> {
    const run: RunRecord = { ...draft, status: 'running', endedAt: null, error: null, attempts: 1, shards: null, referenceRevision: null, counts: { ...ZERO } };
    const key = { jobPeriod: jobPeriodOf(run), item: `run#${run.runId}` };
    // the period's other runs are read while this one is put: a period is fresh when it has none
    const earlier = this.runsOf(run.job, run.period);
    let found: Record<string, unknown> | null;
    try {
      await this.store.doc.send(
        new PutCommand({
          TableName: this.store.tables.runs,
          Item: { ...key, ...run },
          ConditionExpression: 'attribute_not_exists(#i)',
          ExpressionAttributeNames: { '#i': 'item' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      // a failed read only costs the shortcut: a period not known to be fresh has its hashes read
      return { state: 'started', run, fresh: (await earlier.catch(() => null))?.every((r) => r.runId === run.runId) ?? false };
    } catch (e) {
      await earlier.catch(() => []);
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      found = itemOfRefusal(e);
    }
    if (!found) throw new Error(`run ${run.runId} vanished while being claimed`);
    const existing = runRecordSchema.parse(found);
    if (existing.status === 'succeeded') return { state: 'done', run: existing };
    // with the period's lock in hand, a run still marked running is a dead attempt's: its live
    // workers would have kept the lock
    if (existing.status === 'running' && existing.leaseUntil > now && !options.holdsLock) return { state: 'busy', run: existing };
    try {
      const out = await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tables.runs,
          Key: key,
          UpdateExpression: 'SET attempts = attempts + :one, leaseUntil = :lease, #o = :owner, #s = :running, #e = :null',
          // no other attempt took it over since it was read (workers of its shards may renew its lease meanwhile)
          ConditionExpression: '#o = :seen',
          ExpressionAttributeNames: { '#s': 'status', '#e': 'error', '#o': 'owner' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':lease': draft.leaseUntil,
            ':owner': draft.owner,
            ':running': 'running',
            ':null': null,
            ':seen': existing.owner,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { state: 'resumed', run: runRecordSchema.parse(out.Attributes) };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      // another attempt took it over since: the run as that attempt left it
      const taken = itemOfRefusal(e);
      return { state: 'busy', run: taken ? runRecordSchema.parse(taken) : existing };
    }
  }

  async get(job: RunRecord['job'], period: string, runId: string): Promise<RunRecord | null> {
    const out = await this.store.doc.send(
      new GetCommand({ TableName: this.store.tables.runs, Key: { jobPeriod: `${job}#${period}`, item: `run#${runId}` }, ConsistentRead: true }),
    );
    return out.Item ? runRecordSchema.parse(out.Item) : null;
  }

  /** Every run of a job and period, scheduled or by hand. */
  async runsOf(job: RunRecord['job'], period: string): Promise<RunRecord[]> {
    const items = await queryAll(this.store.doc, {
      TableName: this.store.tables.runs,
      ConsistentRead: true,
      KeyConditionExpression: 'jobPeriod = :jp AND begins_with(#i, :run)',
      ExpressionAttributeNames: { '#i': 'item' },
      ExpressionAttributeValues: { ':jp': `${job}#${period}`, ':run': 'run#' },
    });
    return items.map((i) => runRecordSchema.parse(i));
  }

  /** Shards of a run already finished, with their counts. */
  async finishedShards(run: RunRecord): Promise<Map<string, RunCounts>> {
    const items = await queryAll(this.store.doc, {
      TableName: this.store.tables.runs,
      ConsistentRead: true,
      KeyConditionExpression: 'jobPeriod = :jp AND begins_with(#i, :shard)',
      ExpressionAttributeNames: { '#i': 'item' },
      ExpressionAttributeValues: { ':jp': jobPeriodOf(run), ':shard': `shard#${run.runId}#` },
    });
    return new Map(items.map((i) => [String(i.shardId), countsSchema.parse(i.counts)]));
  }

  /** Marks several shards finished in batched writes. */
  async finishShards(run: RunRecord, shards: { shardId: string; counts: RunCounts }[], now: string): Promise<void> {
    await batchPut(
      this.store.doc,
      this.store.tables.runs,
      shards.map(({ shardId, counts }) => ({
        jobPeriod: jobPeriodOf(run),
        item: `shard#${run.runId}#${shardId}`,
        runId: run.runId,
        shardId,
        counts,
        finishedAt: now,
      })),
      this.store.stats,
    );
  }

  /**
   * Claims shards of a run for one worker invocation until `leaseUntil` (past its deadline, once
   * its last writes have landed): a shard delivered twice at once is evaluated by one of them, and
   * taken over only when nothing of the previous holder is still in flight, so that its changes
   * reach the stream once.
   * Returns the shards this invocation holds; another live invocation holds the rest.
   */
  async claimShards(run: RunRecord, shardIds: string[], owner: string, leaseUntil: string, now: string): Promise<Set<string>> {
    const held = await Promise.all(
      shardIds.map((shardId) =>
        this.store.doc
          .send(
            new PutCommand({
              TableName: this.store.tables.runs,
              Item: { jobPeriod: jobPeriodOf(run), item: `claim#${run.runId}#${shardId}`, owner, leaseUntil },
              ConditionExpression: 'attribute_not_exists(#i) OR leaseUntil < :now OR #o = :me',
              ExpressionAttributeNames: { '#i': 'item', '#o': 'owner' },
              ExpressionAttributeValues: { ':now': now, ':me': owner },
            }),
          )
          .then(
            () => shardId,
            (e: unknown) => {
              if (e instanceof ConditionalCheckFailedException) return null;
              throw e;
            },
          ),
      ),
    );
    return new Set(held.filter((id): id is string => id !== null));
  }

  /** Gives back the shards an invocation claimed and could not finish (its writes settled), so that their next delivery need not wait for the claims to lapse. */
  async releaseShards(run: RunRecord, shardIds: string[], owner: string): Promise<void> {
    await Promise.all(
      shardIds.map((shardId) =>
        this.store.doc
          .send(
            new DeleteCommand({
              TableName: this.store.tables.runs,
              Key: { jobPeriod: jobPeriodOf(run), item: `claim#${run.runId}#${shardId}` },
              ConditionExpression: '#o = :me',
              ExpressionAttributeNames: { '#o': 'owner' },
              ExpressionAttributeValues: { ':me': owner },
            }),
          )
          .catch((e: unknown) => {
            if (!(e instanceof ConditionalCheckFailedException)) throw e;
          }),
      ),
    );
  }

  async setShards(run: RunRecord, shards: number, referenceRevision: number): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.store.tables.runs,
        Key: { jobPeriod: jobPeriodOf(run), item: `run#${run.runId}` },
        UpdateExpression: 'SET shards = :n, referenceRevision = :r',
        ExpressionAttributeValues: { ':n': shards, ':r': referenceRevision },
      }),
    );
  }

  /**
   * Keeps a live run's lease (SPEC §8.2): the run and its period lock are held until `leaseUntil`.
   * False when another attempt has taken either over: the caller must stop writing.
   */
  async renew(run: RunRecord, leaseUntil: string, options: { lock: boolean }): Promise<boolean> {
    const runLease = this.store.doc
      .send(
        new UpdateCommand({
          TableName: this.store.tables.runs,
          Key: { jobPeriod: jobPeriodOf(run), item: `run#${run.runId}` },
          UpdateExpression: 'SET leaseUntil = :lease',
          ConditionExpression: '#o = :mine AND #s = :running',
          ExpressionAttributeNames: { '#o': 'owner', '#s': 'status' },
          ExpressionAttributeValues: { ':lease': leaseUntil, ':mine': run.owner, ':running': 'running' },
        }),
      )
      .then(
        () => true,
        (e: unknown) => {
          if (e instanceof ConditionalCheckFailedException) return false;
          throw e;
        },
      );
    const held = await Promise.all([runLease, ...(options.lock ? [this.periodLock(run.job, run.period).renew(run.owner, leaseUntil)] : [])]);
    return held.every(Boolean);
  }

  /** The writing lock of a job and period: one attempt writes the period at a time. */
  periodLock(job: RunRecord['job'], period: string): Lease {
    return new Lease(this.store, { jobPeriod: `${job}#${period}`, item: 'lock' });
  }

  /**
   * Takes the writing lock of a job and period for one attempt (`owner`), so that runs of one
   * period never write at once: free, or its holder's lease ran out (the holder died). Returns the
   * holder when it is someone else's and alive.
   */
  async lockPeriod(
    job: RunRecord['job'],
    period: string,
    holder: { owner: string; runId: string },
    leaseUntil: string,
    now: string,
  ): Promise<{ locked: true; previous: { runId: string; owner: string } | null } | { locked: false; runId: string; leaseUntil: string }> {
    const lock = await this.periodLock(job, period).acquire(holder, leaseUntil, now);
    if (!lock.acquired) return { locked: false, runId: String(lock.holder.runId ?? ''), leaseUntil: lock.holder.leaseUntil };
    const p = lock.previous;
    return { locked: true, previous: p && p.owner !== holder.owner ? { runId: String(p.runId), owner: p.owner } : null };
  }

  /**
   * Ends an attempt's lease, not its run (its shards went out in part): the run stays running, with
   * the reason, and the next delivery takes it and the period's lock over as soon as no worker of
   * its shards renews them. Returns the run as stored.
   */
  async release(run: RunRecord, reason: string, now: string): Promise<RunRecord> {
    const mine = { ConditionExpression: '#o = :mine', ExpressionAttributeNames: { '#o': 'owner' } };
    const [out] = await Promise.all([
      this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tables.runs,
          Key: { jobPeriod: jobPeriodOf(run), item: `run#${run.runId}` },
          UpdateExpression: 'SET #e = :reason, leaseUntil = :now',
          ...mine,
          ExpressionAttributeNames: { ...mine.ExpressionAttributeNames, '#e': 'error' },
          ExpressionAttributeValues: { ':reason': reason, ':now': now, ':mine': run.owner },
          ReturnValues: 'ALL_NEW',
        }),
      ),
      this.periodLock(run.job, run.period).lapse(run.owner, now),
    ]);
    return runRecordSchema.parse(out.Attributes);
  }

  /** Gives the period's writing lock back, if this attempt still holds it. */
  async unlockPeriod(job: RunRecord['job'], period: string, owner: string): Promise<void> {
    await this.periodLock(job, period).release(owner);
  }

  /** Ends a run whose worker died (its lock's lease ran out) as failed, unless another attempt holds it by now. */
  async abandon(job: RunRecord['job'], period: string, runId: string, owner: string, reason: string, now: string): Promise<boolean> {
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tables.runs,
          Key: { jobPeriod: `${job}#${period}`, item: `run#${runId}` },
          UpdateExpression: 'SET #s = :failed, #e = :reason, endedAt = :now',
          // the caller holds the period's lock, taken from this run's owner when its lease ran out
          ConditionExpression: '#s = :running AND #o = :owner',
          ExpressionAttributeNames: { '#s': 'status', '#e': 'error', '#o': 'owner' },
          ExpressionAttributeValues: { ':failed': 'failed', ':reason': reason, ':now': now, ':running': 'running', ':owner': owner },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  /** Every run record, optionally of one job and period: for operators (`grader runs`). */
  async list(filter: { job?: RunRecord['job']; period?: string } = {}): Promise<RunRecord[]> {
    if (filter.job && filter.period) return this.runsOf(filter.job, filter.period);
    const items = await scanAll(this.store.doc, {
      TableName: this.store.tables.runs,
      ConsistentRead: true,
      FilterExpression: 'begins_with(#i, :run)',
      ExpressionAttributeNames: { '#i': 'item' },
      ExpressionAttributeValues: { ':run': 'run#' },
    });
    return items
      .map((i) => runRecordSchema.parse(i))
      .filter((r) => (!filter.job || r.job === filter.job) && (!filter.period || r.period === filter.period))
      .sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
  }

  /**
   * Records a run's outcome, unless a later attempt has taken the run over (its owner changed) or
   * it already ended; then returns the run as stored, which the caller compares with its own.
   */
  async finish(
    run: RunRecord,
    outcome: { status: 'succeeded' | 'failed'; counts: RunCounts; error?: string; shards?: number; referenceRevision?: number },
    now: string,
  ): Promise<RunRecord> {
    const done: RunRecord = {
      ...run,
      status: outcome.status,
      counts: outcome.counts,
      error: outcome.error ?? null,
      endedAt: now,
      shards: outcome.shards ?? run.shards,
      referenceRevision: outcome.referenceRevision ?? run.referenceRevision,
    };
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tables.runs,
          Key: { jobPeriod: jobPeriodOf(run), item: `run#${run.runId}` },
          UpdateExpression: 'SET #s = :s, #c = :c, #e = :e, endedAt = :t, shards = :n, referenceRevision = :r',
          // an attempt that was taken over, or a run already ended (abandoned, or closed by another worker), keeps its record
          ConditionExpression: '#o = :mine AND #s = :running',
          ExpressionAttributeNames: { '#s': 'status', '#c': 'counts', '#e': 'error', '#o': 'owner' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ExpressionAttributeValues: {
            ':s': done.status,
            ':c': done.counts,
            ':e': done.error,
            ':t': now,
            ':n': done.shards,
            ':r': done.referenceRevision,
            ':mine': run.owner,
            ':running': 'running',
          },
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const stored = itemOfRefusal(e);
      return stored ? runRecordSchema.parse(stored) : done;
    }
    return done;
  }
}

export { RunsRepository, ZERO as ZERO_COUNTS, runRecordSchema, scheduledRunId };
export type { RunClaim, RunCounts, RunRecord };
