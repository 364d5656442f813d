import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lease, withLease } from '../../functions/data/lease';
import { RequestStats } from '../../functions/data/requestStats';
import { RunsRepository } from '../../functions/data/runsRepository';
import { localStore } from '../helpers/localStore';

let env: Awaited<ReturnType<typeof localStore>>;

beforeAll(async () => {
  env = await localStore();
});

afterAll(async () => {
  await env?.stop();
});

/** What a step returned, and how many requests it sent. */
async function requestsOf<T>(step: () => Promise<T>): Promise<{ value: T; requests: number }> {
  env.store.stats = new RequestStats();
  const value = await step();
  return { value, requests: env.store.stats.requests };
}

const T0 = '2026-07-01T00:00:00.000Z';
const T1 = '2026-07-01T00:01:00.000Z';
const T2 = '2026-07-01T00:02:00.000Z';

describe('a lease', () => {
  it('is taken when free, refused to another while it lasts, with who holds it, and taken over once it ran out', async () => {
    const lease = new Lease(env.store, { jobPeriod: 'lease#test', item: 'a' });
    expect(await lease.acquire({ owner: 'one', note: 'first' }, T1, T0)).toEqual({ acquired: true, previous: null });
    const refused = await requestsOf(() => lease.acquire({ owner: 'two' }, T2, T0));
    expect(refused.value).toEqual({ acquired: false, holder: expect.objectContaining({ owner: 'one', leaseUntil: T1, note: 'first' }) });
    expect(refused.requests).toBe(1);
    const taken = await requestsOf(() => lease.acquire({ owner: 'two' }, T2, T2));
    expect(taken.value).toEqual({ acquired: true, previous: expect.objectContaining({ owner: 'one', leaseUntil: T1 }) });
    expect(taken.requests).toBe(1);
    expect(await lease.holder()).toMatchObject({ owner: 'two', leaseUntil: T2 });
  });

  it('is renewed, lapsed and released by its owner only', async () => {
    const lease = new Lease(env.store, { jobPeriod: 'lease#test', item: 'b' });
    await lease.acquire({ owner: 'one' }, T1, T0);
    expect(await lease.renew('two', T2)).toBe(false);
    await lease.release('two');
    expect(await lease.holder()).toMatchObject({ owner: 'one', leaseUntil: T1 });
    expect(await lease.renew('one', T2)).toBe(true);
    expect(await lease.holder()).toMatchObject({ leaseUntil: T2 });
    expect(await lease.lapse('one', T0)).toBe(true);
    expect(await lease.acquire({ owner: 'two' }, T2, T1)).toMatchObject({ acquired: true, previous: { owner: 'one' } });
    await lease.release('two');
    expect(await lease.holder()).toBeNull();
    expect(await lease.renew('two', T2)).toBe(false);
  });

  it('is held while work runs and given back after, and a live holder makes a waiter give up naming it', async () => {
    const lease = new Lease(env.store, { jobPeriod: 'lease#test', item: 'c' });
    const times = { leaseMs: 60_000, waitMs: 300, pollMs: () => 50 };
    const busy = (holder: { owner: string }) => new Error(`held by ${holder.owner}`);
    const inside = await withLease(lease, 'one', times, busy, async () => {
      await expect(withLease(lease, 'two', times, busy, async () => 'never')).rejects.toThrow('held by one');
      return lease.holder();
    });
    expect(inside).toMatchObject({ owner: 'one' });
    expect(await lease.holder()).toBeNull();
  });
});

describe("a period's writing lock", () => {
  it('is taken, or refused naming its holder, in one request', async () => {
    const runs = new RunsRepository(env.store);
    const first = await requestsOf(() => runs.lockPeriod('monthly', '2026-06', { owner: 'a1', runId: 'r1' }, T1, T0));
    expect(first).toEqual({ value: { locked: true, previous: null }, requests: 1 });
    const busy = await requestsOf(() => runs.lockPeriod('monthly', '2026-06', { owner: 'a2', runId: 'r2' }, T2, T0));
    expect(busy).toEqual({ value: { locked: false, runId: 'r1', leaseUntil: T1 }, requests: 1 });
    const over = await requestsOf(() => runs.lockPeriod('monthly', '2026-06', { owner: 'a2', runId: 'r2' }, T2, T2));
    expect(over).toEqual({ value: { locked: true, previous: { runId: 'r1', owner: 'a1' } }, requests: 1 });
  });
});
