import type { Job } from '../../lib/calendar';
import type { RunRecord, RunsRepository } from '../data/runsRepository';

/** A live run of the same job and period holds the writing lock: try again later (SPEC §8.2). */
class RunBusyError extends Error {
  constructor(
    readonly job: Job,
    readonly period: string,
    readonly holder: string,
  ) {
    super(`${job} ${period} is being evaluated by run ${holder}, which is alive: not evaluated twice; try again when it ends`);
    this.name = 'RunBusyError';
  }
}

/** The lease of this attempt was taken over by another: it must stop writing. */
class LeaseLostError extends Error {
  constructor(run: RunRecord) {
    super(`run ${run.runId} was taken over by another attempt while it ran; this attempt stops writing`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Sending a run's shards failed part-way: those sent may be evaluated at any time, so the run is not
 * ended; it stays running, held by the workers of the shards that went out, and its next delivery
 * sends the rest (a shard sent twice is evaluated once).
 */
class ShardsNotSentError extends Error {
  constructor(run: RunRecord, cause: unknown) {
    super(`run ${run.runId}: sending its shards failed part-way (${(cause as Error).message}); it stays running, and its next delivery sends the rest`, {
      cause,
    });
    this.name = 'ShardsNotSentError';
  }
}

/** How long a run lives without renewing, and how long a delivery waits for a live run of its period. */
interface LeaseTimes {
  leaseMs: number;
  waitMs: number;
  pollMs: number;
}

/**
 * A short lease that a live run keeps renewing: a dead worker stops renewing, and a later delivery
 * takes the run over within one lease (SPEC §8.2). `GRADER_RUN_LEASE_SECONDS` sets it (default 120).
 */
function leaseTimes(leaseSeconds: number | undefined, env: NodeJS.ProcessEnv = process.env): LeaseTimes {
  const seconds = leaseSeconds ?? (Number(env.GRADER_RUN_LEASE_SECONDS) || 120);
  const leaseMs = seconds * 1000;
  return { leaseMs, waitMs: leaseMs + Math.min(30_000, leaseMs), pollMs: Math.max(50, Math.min(2000, leaseMs / 10)) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the writing lock of a job and period for one attempt, waiting while a live run holds it.
 * A holder whose lease ran out died: its run, when it is another run, is ended `failed`.
 */
async function lockPeriod(
  runs: RunsRepository,
  req: { job: Job; period: string; runId: string },
  owner: string,
  times: LeaseTimes,
  now: () => string,
): Promise<void> {
  const deadline = Date.now() + times.waitMs;
  for (;;) {
    const at = now();
    const leaseUntil = new Date(Date.parse(at) + times.leaseMs).toISOString();
    const lock = await runs.lockPeriod(req.job, req.period, { owner, runId: req.runId }, leaseUntil, at);
    if (lock.locked) {
      if (lock.previous && lock.previous.runId !== req.runId) {
        await runs.abandon(req.job, req.period, lock.previous.runId, lock.previous.owner, 'abandoned: its worker stopped renewing its lease', at);
      }
      return;
    }
    if (Date.now() >= deadline) throw new RunBusyError(req.job, req.period, lock.runId);
    await sleep(times.pollMs);
  }
}

/** Renews a run's lease (and its period lock) every third of a lease until stopped. */
function heartbeat(runs: RunsRepository, run: RunRecord, times: LeaseTimes, now: () => string, options: { lock: boolean }) {
  let lost = false;
  // renewals that failed in a row (throttled, say): two of them and the lease may have run out
  let failures = 0;
  let failure: unknown = null;
  const timer = setInterval(() => {
    runs
      .renew(run, new Date(Date.parse(now()) + times.leaseMs).toISOString(), options)
      .then((held) => {
        if (!held) lost = true;
        failures = 0;
      })
      .catch((e: unknown) => {
        failures++;
        failure = e;
      });
  }, times.leaseMs / 3);
  timer.unref();
  return {
    /** throws when another attempt took the run over, or renewing kept failing */
    assertHeld() {
      if (lost) throw new LeaseLostError(run);
      if (failures >= 2) throw failure;
    },
    stop: () => clearInterval(timer),
  };
}

export { heartbeat, LeaseLostError, leaseTimes, lockPeriod, RunBusyError, ShardsNotSentError };
export type { LeaseTimes };
