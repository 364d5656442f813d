import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../functions/data/store';
import { InvocationStoppedError, storeUntil } from '../../functions/data/storeUntil';
import { localStore } from '../helpers/localStore';

let env: Awaited<ReturnType<typeof localStore>>;

beforeAll(async () => {
  env = await localStore();
});

afterAll(async () => {
  await env?.stop();
});

const key = (item: string) => ({ jobPeriod: 'until#test', item });

/**
 * A store whose first request fails with a connection reset after `ms`, once it reached the
 * server or not: a fault the server will not produce on demand, which the SDK retries.
 */
function resetOnce(ms: number): { store: Store; attempts: () => number } {
  const store = openStore({ endpoint: env.embedded.endpoint, env: {} });
  const config = store.client.config as unknown as { requestHandler: { handle: (...args: unknown[]) => Promise<unknown> } };
  const real = config.requestHandler;
  let attempts = 0;
  config.requestHandler = {
    handle: (...args: unknown[]) => {
      attempts++;
      if (attempts > 1) return real.handle(...args);
      return new Promise((_, reject) => setTimeout(() => reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), ms));
    },
  };
  return { store, attempts: () => attempts };
}

describe('a store used until a time', () => {
  it('sends requests until then, and refuses those after, naming the time', async () => {
    const at = Date.now() + 300;
    const until = storeUntil(env.store, at, 'refuse');
    await until.doc.send(new PutCommand({ TableName: env.store.tables.runs, Item: key('before') }));
    await new Promise((r) => setTimeout(r, at + 50 - Date.now()));
    await expect(until.doc.send(new PutCommand({ TableName: env.store.tables.runs, Item: key('after') }))).rejects.toThrow(
      `sends no request after ${new Date(at).toISOString()}`,
    );
    const stored = await Promise.all(['before', 'after'].map((i) => env.store.doc.send(new GetCommand({ TableName: env.store.tables.runs, Key: key(i) }))));
    expect(stored.map((s) => s.Item?.item ?? null)).toEqual(['before', null]);
  });

  it("stops the SDK's own retry of a request sent in time, when the retry would leave after it", async () => {
    const flaky = resetOnce(200);
    const until = storeUntil(flaky.store, Date.now() + 100, 'refuse');
    await expect(until.doc.send(new PutCommand({ TableName: env.store.tables.runs, Item: key('retried') }))).rejects.toBeInstanceOf(InvocationStoppedError);
    expect(flaky.attempts()).toBe(1);
    expect((await env.store.doc.send(new GetCommand({ TableName: env.store.tables.runs, Key: key('retried') }))).Item).toBeUndefined();
    flaky.store.client.destroy();
  });

  it('never answers a late request when it stands for a stopped invocation', async () => {
    const until = storeUntil(env.store, Date.now() - 1, 'hang');
    const answer = until.doc.send(new GetCommand({ TableName: env.store.tables.runs, Key: key('before') })).then(() => 'answered');
    const waited = new Promise((r) => setTimeout(() => r('no answer'), 300));
    expect(await Promise.race([answer, waited])).toBe('no answer');
  });
});
