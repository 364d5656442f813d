import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GradesRepository } from '../../functions/data/gradesRepository';
import { RunsRepository } from '../../functions/data/runsRepository';
import { RunBusyError, type RunRequest, runJob } from '../../functions/jobs/runJob';
import type { GradeRecord } from '../../lib/records';
import { beforeBatchWrites } from '../helpers/faultyStore';
import { importMarket, smallMarket } from '../helpers/fixtures';
import { gradesStream, localStore, type StreamChange } from '../helpers/localStore';
import { scoreLines } from '../helpers/offlineJob';

const m = smallMarket(1200, '2026-05-01', '2026-07-31', 11);
let env: Awaited<ReturnType<typeof localStore>>;

beforeAll(async () => {
  env = await localStore();
  await importMarket(env.store, m);
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

// short enough to take a dead run over quickly, long enough that a live one renews in time on a busy machine
const LEASE = { GRADER_RUN_LEASE_SECONDS: '5' };
const graderEnv = () => ({ ...process.env, GRADER_DYNAMODB_ENDPOINT: env.embedded.endpoint, ...LEASE });
const grader = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/grader.ts', ...args], { env: graderEnv() });
const rerunArgs = (period: string) => ['run', 'monthly', '--period', period, '--reason', 'policy fix', '--by', 'tester'];

async function cleanMonthly(period: string): Promise<GradeRecord[]> {
  return (await scoreLines('monthly', period, { categories: m.market.categories, sellers: m.market.sellers, metrics: m.rows })).records;
}

async function storedMonthly(period: string, clean: GradeRecord[]): Promise<GradeRecord[]> {
  return new GradesRepository(env.store).getMany(clean.map((r) => ({ sellerId: r.sellerId, sk: `${r.kind}#${period}` })));
}

const strip = (r: GradeRecord): GradeRecord => ({ ...r, runId: 'any' });
const order = (a: GradeRecord, b: GradeRecord) => (a.sellerId + a.kind < b.sellerId + b.kind ? -1 : 1);

/** Every record key that reached the stream more than once, and every event that changed nothing. */
function streamFaults(changes: StreamChange[]) {
  const seen = new Map<string, number>();
  for (const c of changes) seen.set(c.key, (seen.get(c.key) ?? 0) + 1);
  return { repeated: [...seen].filter(([, n]) => n > 1).map(([k]) => k), noOps: changes.filter((c) => c.noOp).map((c) => c.key) };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('a grader run killed with SIGKILL part-way', () => {
  it('is taken over by the same command run again: records equal a clean run, no run left running, each change on the stream once', async () => {
    const period = '2026-06';
    const stream = await gradesStream(env.store, env.embedded.endpoint);
    await stream.drain();
    const runs = new RunsRepository(env.store);
    // own process group, so that the kill reaches every process of the command
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/grader.ts', ...rerunArgs(period)], { env: graderEnv(), detached: true, stdio: 'ignore' });
    const exit = exited(child);
    // kill at a random point after its run record exists: before, during or after its writes
    let killedRunning: string | null = null;
    for (let i = 0; i < 600 && killedRunning === null; i++) {
      const running = (await runs.runsOf('monthly', period)).find((r) => r.status === 'running');
      if (running) {
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 800)));
        process.kill(-child.pid!, 'SIGKILL');
        killedRunning = running.runId;
      } else await new Promise((r) => setTimeout(r, 25));
    }
    await exit;
    expect(killedRunning).not.toBeNull();
    const afterKill = await runs.get('monthly', period, killedRunning!);
    // the kill landed part-way: the run never recorded an outcome
    expect(afterKill?.status).toBe('running');

    const again = await grader(rerunArgs(period));
    expect(again.stdout).toMatch(/: succeeded;/);
    const dead = await runs.get('monthly', period, killedRunning!);
    expect(dead?.status).toBe('failed');
    expect(dead?.error).toMatch(/abandoned/);
    expect((await grader(['runs', '--state', 'running', '--format', 'jsonl'])).stdout.trim()).toBe('');

    const clean = await cleanMonthly(period);
    expect((await storedMonthly(period, clean)).map(strip).sort(order)).toEqual(clean.map(strip).sort(order));
    const faults = streamFaults(await stream.drain());
    expect(faults.noOps).toEqual([]);
    expect(faults.repeated).toEqual([]);
    stream.close();
  }, 120_000);
});

describe('two identical grader run commands started together', () => {
  it('write each change once: the second waits for the first, then finds nothing to change', async () => {
    const period = '2026-07';
    const stream = await gradesStream(env.store, env.embedded.endpoint);
    await stream.drain();
    const [a, b] = await Promise.all([grader(rerunArgs(period)), grader(rerunArgs(period))]);
    expect(a.stdout).toMatch(/: succeeded;/);
    expect(b.stdout).toMatch(/: succeeded;/);
    const written = [a, b].map((r) => Number(/(\d+) written/.exec(r.stdout)![1]));
    const clean = await cleanMonthly(period);
    // one of them wrote every monthly record (and statuses), the other nothing
    expect(Math.min(...written)).toBe(0);
    expect(Math.max(...written)).toBeGreaterThanOrEqual(clean.length);
    const changes = await stream.drain();
    const faults = streamFaults(changes);
    expect(faults.noOps).toEqual([]);
    expect(faults.repeated).toEqual([]);
    expect(changes.filter((c) => c.newRecord && c.newRecord.kind !== 'status')).toHaveLength(clean.length);
    stream.close();
  }, 120_000);
});

describe('a scheduled delivery that finds a live run of its period', () => {
  const request: RunRequest = {
    job: 'monthly',
    period: '2026-05',
    trigger: 'schedule',
    requestedBy: 'scheduler',
    reason: 'scheduled',
    asOf: '2026-06-02',
    runId: 'schedule-monthly-2026-05',
  };
  // a store whose batch writes are slow: the first delivery is alive and renewing while the second arrives
  const slowStore = (ms: number) => beforeBatchWrites(env.store, () => new Promise((r) => setTimeout(r, ms)));

  it('neither repeats the work nor reports success for it: it waits, then finds the run done', async () => {
    const first = runJob(request, { ...env.deps, store: slowStore(10), leaseSeconds: 10 });
    await new Promise((r) => setTimeout(r, 300));
    // it waits up to 60 s for the live run's lock
    const second = await runJob(request, { ...env.deps, leaseSeconds: 30 });
    const firstResult = await first;
    expect(firstResult.state).toBe('succeeded');
    expect(second.state).toBe('alreadyDone');
    expect(second.run.attempts).toBe(1);
  }, 120_000);

  it('says busy, as a failure, when the live run outlasts its wait', async () => {
    const busyRequest = { ...request, period: '2026-04', runId: 'schedule-monthly-2026-04', asOf: '2026-05-02' };
    const first = runJob(busyRequest, { ...env.deps, store: slowStore(40), leaseSeconds: 10 });
    await new Promise((r) => setTimeout(r, 300));
    // a lease of 0.2 s: it waits 0.4 s, while the live run holds its 10-second lease
    await expect(runJob(busyRequest, { ...env.deps, leaseSeconds: 0.2 })).rejects.toBeInstanceOf(RunBusyError);
    expect((await first).state).toBe('succeeded');
  }, 120_000);
});

describe('a run that cannot finish', () => {
  it('ends failed after its attempts run out, and says why', async () => {
    const request: RunRequest = {
      job: 'quarterly',
      period: '2026-Q2',
      trigger: 'schedule',
      requestedBy: 'scheduler',
      reason: 'scheduled',
      asOf: '2026-07-01',
      runId: 'schedule-quarterly-2026-Q2',
    };
    const failing = {
      ...env.deps,
      store: beforeBatchWrites(env.store, () => {
        throw new Error('out of memory');
      }),
    };
    const attempts: string[] = [];
    for (let i = 0; i < 6; i++)
      attempts.push(
        await runJob(request, failing).then(
          (r) => r.state,
          (e: Error) => e.message,
        ),
      );
    const run = await new RunsRepository(env.store).get('quarterly', '2026-Q2', request.runId);
    expect(run?.status).toBe('failed');
    expect(run?.error).toMatch(/gave up after 5 attempts/);
    expect(attempts.slice(0, 5).every((a) => a === 'out of memory')).toBe(true);
    expect(attempts[5]).toMatch(/gave up after 5 attempts/);
    // no lock is left behind: a re-run by hand of the same period goes ahead at once
    const byHand = await runJob({ ...request, trigger: 'operator', requestedBy: 'tester', runId: 'by-hand-q2' }, env.deps);
    expect(byHand.state).toBe('succeeded');
  }, 120_000);
});
