import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { businessDateOf, isCalendarDate, isMonth, isQuarter, type Job } from '../../lib/calendar';
import { prepareGrowth } from '../../lib/evaluateGrowth';
import { validateListingRecord } from '../../lib/listingRecords';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../../lib/policy';
import { validateRecord, type QuarantineRecord } from '../../lib/records';
import { scoreOffline } from '../../functions/offlineScore';
import { UsageError } from './errors';
import { closeOutput, fileSize, openOutput, readDataFolder, readJsonFile, readJsonl, readJsonlAll } from './files';
import { progressBar } from './progress';

/** The jobs `grader score` runs offline: the seller jobs and the product growth centre. */
type ScoreJob = Job;

interface ScoreOptions {
  job: ScoreJob;
  period: string;
  data: string;
  policy?: string | undefined;
  /** a published version to score with, read from the tables by the caller into `publishedPolicy` */
  policyVersion?: string | undefined;
  publishedPolicy?: Policy | undefined;
  out: string;
}

/** Checks `--job` and its period flag, naming the bad one. */
function scoreOptions(values: Record<string, string | boolean | undefined>): ScoreOptions {
  const job = values.job;
  if (job !== 'daily' && job !== 'monthly' && job !== 'quarterly' && job !== 'growth')
    throw new UsageError(`--job must be daily, monthly, quarterly or growth (got ${String(job)})`);
  const period = periodOf(job, values);
  const data = values.data;
  if (typeof data !== 'string') throw new UsageError('--data DIR is required');
  const out = values.out;
  if (typeof out !== 'string') throw new UsageError('--out FILE is required');
  const policy = typeof values.policy === 'string' ? values.policy : undefined;
  const policyVersion = typeof values['policy-version'] === 'string' ? values['policy-version'] : undefined;
  if (policy && policyVersion) throw new UsageError('--policy FILE and --policy-version V name two policies: give one');
  return { job, period, data, out, policy, policyVersion };
}

/** The period flag of a job: --date for daily and growth, --period for monthly, --quarter for quarterly. */
function periodOf(job: ScoreJob, values: Record<string, string | boolean | undefined>): string {
  const [flag, valid, shape] =
    job === 'daily' || job === 'growth'
      ? (['date', isCalendarDate, 'YYYY-MM-DD'] as const)
      : job === 'monthly'
        ? (['period', isMonth, 'YYYY-MM'] as const)
        : (['quarter', isQuarter, 'YYYY-Qn'] as const);
  const v = values[flag];
  if (typeof v !== 'string' || !valid(v)) throw new UsageError(`--${flag} must be ${shape} for the ${job} job (got ${String(v ?? 'nothing')})`);
  return v;
}

/** The policy of an offline run: a published version (fetched by the caller), a file, or the built-in default. */
function loadPolicy(opts: ScoreOptions): Policy {
  if (opts.policyVersion !== undefined) {
    if (!opts.publishedPolicy) throw new Error(`policy version ${opts.policyVersion} was not read from the tables`);
    return opts.publishedPolicy;
  }
  return opts.policy ? parsePolicy(readJsonFile(opts.policy), opts.policy) : DEFAULT_POLICY;
}

/** `grader score`: evaluates one job offline on a data folder and writes its records as JSON Lines. */
async function score(opts: ScoreOptions): Promise<{ records: number; quarantined: number; byKind: Record<string, number> }> {
  const policy = loadPolicy(opts);
  if (opts.job === 'growth') return scoreGrowth(opts, policy);
  const file = (name: string) => join(opts.data, name);
  const metricsPath = file('metrics.jsonl');
  const bar = progressBar('metrics', Math.round((await fileSize(metricsPath).catch(() => 0)) / 640));
  const folder = await readDataFolder(opts.data, { listings: false });
  const scored = await scoreOffline(
    opts.job,
    opts.period,
    { ...folder, grades: await readJsonlAll(file('grades.jsonl'), { optional: true }) },
    { policy, now: new Date().toISOString(), onRows: (n) => bar.tick(n) },
  );
  bar.stop();
  return writeScored(opts.out, scored.records, validateRecord, () => scored.quarantine);
}

/** Writes a job's records, each validated, then its quarantine, as JSON Lines; counts them by kind. */
async function writeScored<R extends { kind: string }>(path: string, records: Iterable<R>, validate: (r: R) => R, quarantineOf: () => QuarantineRecord[]) {
  const out = await openOutput(path);
  const byKind: Record<string, number> = {};
  let written = 0;
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  for (const record of records) {
    await write(JSON.stringify(validate(record)));
    byKind[record.kind] = (byKind[record.kind] ?? 0) + 1;
    written++;
  }
  // the quarantine is complete only once every record has been built
  const quarantine = quarantineOf();
  for (const q of quarantine) await write(JSON.stringify(q));
  await closeOutput(out);
  return { records: written, quarantined: quarantine.length, byKind };
}

/** `grader score --job growth`: the product growth centre on a data folder (SPEC §3.5, §7.6). */
async function scoreGrowth(opts: ScoreOptions, policy: Policy) {
  const file = (name: string) => join(opts.data, name);
  const growth = prepareGrowth(
    opts.period,
    {
      categories: await readJsonlAll(file('categories.jsonl')),
      sellers: await readJsonlAll(file('sellers.jsonl')),
      listings: await readJsonlAll(file('listings.jsonl'), { optional: true }),
      grades: await readJsonlAll(file('grades.jsonl'), { optional: true }),
      ingestedOn: businessDateOf(new Date().toISOString(), policy.timeZone),
    },
    policy,
    `offline-growth-${opts.period}`,
  );
  const rowsPath = file('listingMetrics.jsonl');
  const bar = progressBar('listing rows', Math.round((await fileSize(rowsPath).catch(() => 0)) / 160));
  if (existsSync(rowsPath)) {
    for await (const row of readJsonl(rowsPath)) {
      growth.addListingRow(row);
      bar.tick(1);
    }
  }
  bar.stop();
  return writeScored(opts.out, growth.records(), validateListingRecord, () => growth.quarantine());
}

export { periodOf, score, scoreOptions };
export type { ScoreJob };
