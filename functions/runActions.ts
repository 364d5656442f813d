import { z } from 'zod';
import { answerSchema } from './answers';
import { runRecordSchema, RunsRepository, type RunRecord } from './data/runsRepository';
import type { HandlerDependencies } from './environment';

/**
 * The run records (SPEC §8.2: who asked, why, state, shards, counts, attempts), oldest first; of a
 * job, a period, a state, or one run by its id (with its job and period: one read by key).
 */
const runsSchema = z
  .object({
    action: z.literal('runs'),
    job: runRecordSchema.shape.job.optional(),
    period: z.string().max(16, 'must be a date, month or quarter').optional(),
    state: runRecordSchema.shape.status.optional(),
    runId: z.string().min(1).max(128, 'must be at most 128 characters').optional(),
  })
  .strict()
  .refine((r) => r.runId === undefined || (r.job !== undefined && r.period !== undefined), {
    path: ['runId'],
    message: "needs the run's job and period",
  });

const runsAnswerSchema = answerSchema(z.literal('runs'), { runs: z.array(z.custom<RunRecord>()) });

async function listRuns(r: z.infer<typeof runsSchema>, deps: HandlerDependencies): Promise<z.infer<typeof runsAnswerSchema>> {
  const repository = new RunsRepository(deps.store);
  const runs =
    r.runId !== undefined && r.job !== undefined && r.period !== undefined
      ? [await repository.get(r.job, r.period, r.runId)].filter((run) => run !== null)
      : await repository.list({ job: r.job, period: r.period });
  return { ok: true, action: 'runs', runs: runs.filter((run) => r.state === undefined || run.status === r.state) };
}

export { listRuns, runsAnswerSchema, runsSchema };
export type { RunRecord };
