import { z } from 'zod';
import { answerSchema } from './answers';
import type { HandlerDependencies } from './environment';
import { importData, type ImportSummary } from './jobs/importData';
import { policyInForceToday } from './jobs/runPolicy';

const lines = z.custom<Iterable<unknown> | AsyncIterable<unknown>>(
  (v) => typeof v === 'object' && v !== null && (Symbol.iterator in v || Symbol.asyncIterator in v),
  'must be lines to read',
);
const all = z.array(z.unknown());

/**
 * Reference data, metric rows, grants, compliance inputs, the order feed and listings into the
 * tables (`grader import`), every line through the input boundary. Its rows are streamed from
 * files of any size, so it is an action of the CLI, not of the operator Lambda.
 */
const importSchema = z
  .object({
    action: z.literal('import'),
    categories: all,
    sellers: all,
    grants: all.optional(),
    exposure: all.optional(),
    registrations: all.optional(),
    metrics: lines.optional(),
    listings: all.optional(),
    listingMetrics: lines.optional(),
    orders: lines.optional(),
    exclusions: lines.optional(),
  })
  .strict();

const importAnswerSchema = answerSchema(z.literal('import'), { importId: z.string(), summary: z.custom<ImportSummary>() });

/** `onRows`: told how many metric rows were read, as they are. */
async function importInputs(
  r: z.infer<typeof importSchema>,
  deps: HandlerDependencies,
  onRows?: (n: number) => void,
): Promise<z.infer<typeof importAnswerSchema>> {
  const { action: _, ...input } = r;
  const importId = `import-${Date.now().toString(36)}`;
  const summary = await importData(deps.store, input, {
    // rows are bounded by the version in force today (data.earliestDate)
    policy: await policyInForceToday(deps),
    importId,
    now: deps.now(),
    ...(onRows ? { onRows } : {}),
  });
  return { ok: true, action: 'import', importId, summary };
}

export { importAnswerSchema, importInputs, importSchema };
