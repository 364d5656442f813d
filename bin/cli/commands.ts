import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dependencies, withOperator, withStore, type LocalOperator } from '../../functions/composition';
import { EXPORT_KINDS, exportRecords, periodOfKind } from '../../functions/exportActions';
import { importInputs } from '../../functions/importActions';
import { startEmbeddedStore } from '../../functions/local/embeddedStore';
import type { LocalQueue } from '../../functions/local/localQueue';
import { simulate } from '../../functions/local/simulate';
import { isAnswerTo, type OperatorAction, type OperatorAnswer } from '../../functions/operatorActions';
import type { RunRecord } from '../../functions/runActions';
import { isCalendarDate, isMonth, isQuarter } from '../../lib/calendar';
import type { OrderView } from '../../lib/orderOutcomes';
import { csvColumns, csvHeader, csvLine, flatten } from '../../lib/csv';
import { RunFailedError, UsageError } from './errors';
import { periodOf } from './score';
import { closeOutput, openOutput, readDataFolder } from './files';
import { type Note, toStderr } from './notes';
import { progressBar } from './progress';

type Values = Record<string, string | boolean | undefined>;

const str = (v: Values, name: string, shape?: string): string => {
  const value = v[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name}${shape ? ` ${shape}` : ''} is required`);
  return value;
};
const dateFlag = (v: Values, name: string): string => {
  const value = str(v, name, 'YYYY-MM-DD');
  if (!isCalendarDate(value)) throw new UsageError(`--${name} must be a calendar date YYYY-MM-DD (got ${value})`);
  return value;
};
const list = (v: Values, name: string): string[] | undefined =>
  typeof v[name] === 'string'
    ? (v[name] as string)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

/**
 * Sends a payload through the operator handler, as `aws lambda invoke` would; a refusal exits
 * non-zero. A re-run fans out through the local shard queue and is answered once its shards are done.
 */
async function invokeOperator<A extends OperatorAction>(v: Values, payload: { action: A } & Record<string, unknown>): Promise<OperatorAnswer<A>> {
  return withOperator({ aws: v.aws === true }, async (operator) => {
    let response = await operator.invoke(payload);
    if (!response.ok) {
      const failed = response.failed?.map((f) => `${f.id} (actual ${JSON.stringify(f.actual)}, required ${f.required})`).join('; ');
      throw new UsageError(`${response.error}${failed ? ` — ${failed}` : ''}`);
    }
    if (response.action === 'rerun' && response.state === 'dispatched') response = await finishedRun(operator, response);
    if (!isAnswerTo(response, payload.action)) throw new Error(`the operator answered ${response.action} to ${payload.action}`);
    return response;
  });
}

/** A dispatched re-run once the local workers have evaluated its shards, as its run record tells. */
async function finishedRun(operator: LocalOperator, dispatched: OperatorAnswer<'rerun'>): Promise<OperatorAnswer<'rerun'>> {
  await operator.drain();
  const response = await operator.invoke({ action: 'runs', job: dispatched.job, period: dispatched.period, runId: dispatched.runId });
  const run = isAnswerTo(response, 'runs') ? response.runs[0] : undefined;
  if (run?.status !== 'succeeded')
    throw new RunFailedError(`run ${dispatched.runId} ${run?.status ?? 'missing'}: ${run?.error ?? 'its shards did not all finish'}`);
  return { ...dispatched, state: run.status, counts: run.counts, shards: run.shards };
}

/** `grader local`: a long-lived DynamoDB Local; prints its endpoint and runs until stopped. */
async function local(v: Values): Promise<void> {
  const port = v.port ? Number(v.port) : 8000;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a port number (got ${String(v.port)})`);
  const home = resolve(process.env.GRADER_HOME ?? '.grader');
  const store = await startEmbeddedStore({ port, ...(v.persist ? { persistPath: home } : {}) });
  process.stdout.write(`DynamoDB Local is running ${v.persist ? `(persisted in ${home})` : '(in memory)'}; tables are created.\n`);
  process.stdout.write(`export GRADER_DYNAMODB_ENDPOINT=${store.endpoint}\n`);
  process.stdout.write('Press Ctrl-C to stop.\n');
  await new Promise<void>((done) => {
    const stop = () => void store.stop().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** `grader import --data DIR`: categories, sellers, metrics, grants, listings and their rows (JSON Lines) into the tables. */
async function importCommand(v: Values): Promise<string> {
  const dir = str(v, 'data', 'DIR');
  const path = (f: string) => join(dir, f);
  for (const required of ['categories.jsonl', 'sellers.jsonl']) {
    if (!existsSync(path(required))) throw new UsageError(`cannot read ${path(required)}: ENOENT`);
  }
  const inputs = await readDataFolder(dir, { listings: true });
  return withStore({ aws: v.aws === true }, async (store, where) => {
    const bar = progressBar('metrics', 0);
    const { summary } = await importInputs(
      {
        action: 'import',
        ...inputs,
      },
      dependencies(store),
      (n) => bar.tick(n),
    );
    bar.stop();
    const o = summary.orders;
    const orders = o
      ? `, ${o.outcomes} order outcomes (${o.corrected} corrected, ${o.moved} moved, ${o.repeats} repeats, ${o.conflicts} conflicts; ${o.sellerDaysFolded} seller-days folded), ${o.decisions} appeal decisions`
      : '';
    return `imported into ${where}: ${summary.categories} categories, ${summary.sellers} sellers, ${summary.metricRows} metric rows (${summary.blocksWritten} block-days)${orders}, ${summary.listings} listings (${summary.listingRows} listing rows), ${summary.grants} grants, compliance inputs of ${summary.compliance} sellers; ${summary.quarantined} rows quarantined`;
  });
}

/** `grader run daily --date D | monthly --period M | quarterly --quarter Q | growth --date D ... --reason TEXT`. */
async function runCommand(job: string | undefined, v: Values): Promise<string> {
  if (job !== 'daily' && job !== 'monthly' && job !== 'quarterly' && job !== 'growth')
    throw new UsageError(`run needs a job: daily, monthly, quarterly or growth (got ${String(job ?? 'nothing')})`);
  const period = periodOf(job, v);
  const response = await invokeOperator(v, {
    action: 'rerun',
    job,
    period,
    sellers: list(v, 'sellers'),
    categories: list(v, 'categories'),
    dryRun: v['dry-run'] === true,
    ...(typeof v['policy-version'] === 'string' ? { policyVersion: v['policy-version'] } : {}),
    reason: str(v, 'reason', 'TEXT'),
    requestedBy: typeof v.by === 'string' ? v.by : (process.env.USER ?? 'operator'),
    ...(typeof v['as-of'] === 'string' ? { asOf: v['as-of'] } : {}),
  });
  const counts = response.counts;
  const lines = [
    `${response.dryRun ? 'dry run' : 'run'} ${response.runId} (policy ${response.policyVersion}): ${response.state}; ${counts.sellers} ${job === 'growth' ? 'listings' : 'sellers'}, ${counts.written} written, ${counts.unchanged} unchanged, ${counts.quarantined} quarantined rows`,
  ];
  if (response.dryRun) {
    const wouldChange = response.wouldChange ?? [];
    for (const r of wouldChange.slice(0, 50)) lines.push(`  would write ${r.kind} of ${r.sellerId}`);
    const more = wouldChange.length - 50;
    if (more > 0) lines.push(`  … and ${more} more`);
  }
  return lines.join('\n');
}

/** `grader good-seller approve ... | revoke ...`. */
async function goodSellerCommand(verb: string | undefined, v: Values): Promise<string> {
  if (verb === 'approve') {
    const response = await invokeOperator(v, {
      action: 'approveGoodSeller',
      sellerId: str(v, 'seller', 'S'),
      appliedOn: dateFlag(v, 'applied-on'),
      approvedOn: dateFlag(v, 'approved-on'),
      approvedBy: str(v, 'by', 'NAME'),
      ...(typeof v.note === 'string' ? { note: v.note } : {}),
      ...(typeof v['as-of'] === 'string' ? { asOf: v['as-of'] } : {}),
    });
    const grant = response.grant;
    return `approved: ${grant.sellerId} shows silver until ${grant.expiresOn} (grant ${grant.status})`;
  }
  if (verb === 'revoke') {
    const response = await invokeOperator(v, {
      action: 'revokeGoodSeller',
      sellerId: str(v, 'seller', 'S'),
      on: dateFlag(v, 'on'),
      by: str(v, 'by', 'NAME'),
      ...(typeof v['as-of'] === 'string' ? { asOf: v['as-of'] } : {}),
    });
    const grant = response.grant;
    return `revoked: ${grant.sellerId}'s grant ended ${grant.endedOn}`;
  }
  throw new UsageError(`good-seller needs approve or revoke (got ${String(verb ?? 'nothing')})`);
}

/** `grader program set|end --seller S --program mall|jbp|styled --on D --by NAME`. */
async function programCommand(verb: string | undefined, v: Values): Promise<string> {
  if (verb !== 'set' && verb !== 'end') throw new UsageError(`program needs set or end (got ${String(verb ?? 'nothing')})`);
  const response = await invokeOperator(v, {
    action: verb === 'set' ? 'setProgram' : 'endProgram',
    sellerId: str(v, 'seller', 'S'),
    program: str(v, 'program', 'mall|jbp|styled'),
    on: dateFlag(v, 'on'),
    by: str(v, 'by', 'NAME'),
    ...(typeof v['as-of'] === 'string' ? { asOf: v['as-of'] } : {}),
  });
  return `${verb === 'set' ? 'set' : 'ended'} ${response.program} for ${response.sellerId}: ${JSON.stringify(response.span)}`;
}

/** `grader show --seller S [--date D]`: status, the explanation of every grade and the listings by stage; `--listing L`: why a listing has its stage. */
async function showCommand(v: Values): Promise<string> {
  if ((v.seller === undefined) === (v.listing === undefined)) throw new UsageError('give one of --seller S or --listing L');
  if (v.listing !== undefined) {
    const response = await invokeOperator(v, { action: 'explainListing', listingId: str(v, 'listing', 'L'), ...(v.date ? { date: dateFlag(v, 'date') } : {}) });
    return response.explanation.join('\n');
  }
  const response = await invokeOperator(v, { action: 'explain', sellerId: str(v, 'seller', 'S'), ...(v.date ? { date: dateFlag(v, 'date') } : {}) });
  return [`seller ${response.sellerId} as of ${response.date}`, ...response.explanation].join('\n');
}

/** `grader order exclude|reinstate --order O --reason TEXT --by NAME [--on D]`: an appeal decision (SPEC §3.4). */
async function orderCommand(verb: string | undefined, v: Values): Promise<string> {
  if (verb !== 'exclude' && verb !== 'reinstate') throw new UsageError(`order needs exclude or reinstate (got ${String(verb ?? 'nothing')})`);
  const response = await invokeOperator(v, {
    action: verb === 'exclude' ? 'excludeOrder' : 'reinstateOrder',
    orderId: str(v, 'order', 'O'),
    reason: str(v, 'reason', 'TEXT'),
    by: typeof v.by === 'string' ? v.by : (process.env.USER ?? 'operator'),
    ...(v.on ? { on: dateFlag(v, 'on') } : {}),
    ...(typeof v['as-of'] === 'string' ? { asOf: v['as-of'] } : {}),
  });
  const { order, decision } = response;
  const state = order
    ? `seller ${order.sellerId}, closed ${order.closedOn}: ${order.excluded ? 'excluded' : 'counted'}${order.reasons.length ? ` (${order.reasons.join(', ')})` : ''}`
    : 'not received yet; the decision applies when it arrives';
  return `order ${str(v, 'order', 'O')} ${verb === 'exclude' ? 'excluded' : 'reinstated'} on ${decision.on} by ${decision.by}: ${state}. Re-run the affected periods to see it in the grades.`;
}

/**
 * `grader orders --seller S --from D --to D [--bad-only] [--format text|jsonl|csv] [--limit N] [--after TOKEN | --all]`:
 * the drill-down. CSV holds every order from --after on (a spreadsheet is the whole list); in jsonl
 * the continuation of a page is a note.
 */
async function ordersCommand(v: Values, note: Note = toStderr): Promise<string> {
  const format = typeof v.format === 'string' ? v.format : 'text';
  if (format !== 'text' && format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format must be text, jsonl or csv (got ${format})`);
  const limit = v.limit === undefined ? undefined : Number(v.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 1000))
    throw new UsageError(`--limit must be 1..1000 (got ${String(v.limit)})`);
  const all = v.all === true || format === 'csv';
  const orders: OrderView[] = [];
  let after = typeof v.after === 'string' ? v.after : null;
  let next: string | null;
  do {
    const response = await invokeOperator(v, {
      action: 'orders',
      sellerId: str(v, 'seller', 'S'),
      from: dateFlag(v, 'from'),
      to: dateFlag(v, 'to'),
      badOnly: v['bad-only'] === true,
      ...(limit ? { limit } : {}),
      after,
    });
    orders.push(...response.orders);
    next = response.next;
    after = next;
  } while (all && next);
  const rows = orders.map((o) => ({
    orderId: o.orderId,
    closedOn: o.closedOn,
    badExperience: o.badExperience,
    reasons: o.reasons,
    excluded: o.excluded,
    exclusion: o.decision && o.excluded ? { on: o.decision.on, by: o.decision.by, reason: o.decision.reason } : null,
    updatedAt: o.updatedAt,
  }));
  const more = next ? `more: --after ${next} (or --all)` : null;
  if (format === 'jsonl') {
    if (more) note(more);
    return rows.map((r) => JSON.stringify(r)).join('\n');
  }
  if (format === 'csv') {
    const columns = ['orderId', 'closedOn', 'badExperience', 'reasons', 'excluded', 'exclusion.on', 'exclusion.by', 'exclusion.reason', 'updatedAt'];
    return [csvHeader(columns), ...rows.map((r) => csvLine(columns, flatten(r)))].join('\n');
  }
  const text = rows.map(
    (r) =>
      `${r.closedOn}  ${r.orderId.padEnd(20)} ${r.badExperience ? 'bad' : r.excluded && r.reasons.length ? 'excluded' : 'ok'.padEnd(3)}  ${r.reasons.join(', ')}${r.exclusion ? `  [excluded ${r.exclusion.on} by ${r.exclusion.by}: ${r.exclusion.reason}]` : ''}`,
  );
  return [
    `${rows.length} orders of ${str(v, 'seller', 'S')} closed ${dateFlag(v, 'from')}..${dateFlag(v, 'to')}, newest first`,
    ...text,
    ...(more ? [more] : []),
  ].join('\n');
}

/** `grader export --kind K (--date D | --period M | --quarter Q) [--format jsonl|csv] --out FILE`; answers with a summary for stderr. */
async function exportCommand(v: Values): Promise<string> {
  const kinds: readonly string[] = EXPORT_KINDS;
  const flag = str(v, 'kind', kinds.join('|'));
  const kind = EXPORT_KINDS.find((k) => k === flag);
  if (kind === undefined) throw new UsageError(`--kind must be one of ${kinds.join(', ')} (got ${flag})`);
  const format = typeof v.format === 'string' ? v.format : 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format must be jsonl or csv (got ${format})`);
  const out = str(v, 'out', 'FILE');
  const shape = periodOfKind(kind)?.shape;
  const period = shape === 'YYYY-MM-DD' ? dateFlag(v, 'date') : shape === 'YYYY-MM' ? monthFlag(v) : shape === 'YYYY-Qn' ? quarterFlag(v) : undefined;
  return withStore({ aws: v.aws === true }, async (store) => {
    const { records } = await exportRecords({ action: 'export', kind, ...(period ? { period } : {}) }, { store });
    const file = await openOutput(out);
    if (format === 'jsonl') for (const r of records) file.write(`${JSON.stringify(r)}\n`);
    else if (records.length > 0) {
      const rows = records.map((r) => flatten(r));
      const columns = csvColumns(rows);
      file.write(`${csvHeader(columns)}\n`);
      for (const row of rows) file.write(`${csvLine(columns, row)}\n`);
    }
    await closeOutput(file);
    return `exported ${records.length} ${kind} records to ${out}`;
  });
}

function monthFlag(v: Values): string {
  const m = str(v, 'period', 'YYYY-MM');
  if (!isMonth(m)) throw new UsageError(`--period must be YYYY-MM (got ${m})`);
  return m;
}

function quarterFlag(v: Values): string {
  const q = str(v, 'quarter', 'YYYY-Qn');
  if (!isQuarter(q)) throw new UsageError(`--quarter must be YYYY-Qn (got ${q})`);
  return q;
}

/** The local fan-out at a glance: shard messages, redeliveries and dead letters (zero on a clean run). */
function fanOutLine(queue: LocalQueue): string {
  const q = queue.stats;
  return `fan-out: ${q.sent} shard messages in ${q.invocations} worker invocations, ${q.redeliveries} redelivered, ${q.deadLettered} dead-lettered`;
}

/** `grader simulate --from D --to D`: every schedule in the range, day by day, through the handlers. */
async function simulateCommand(v: Values): Promise<string> {
  const from = dateFlag(v, 'from');
  const to = dateFlag(v, 'to');
  if (to < from) throw new UsageError(`--to (${to}) must not be before --from (${from})`);
  return withStore({ aws: v.aws === true }, async (store, where) => {
    const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
    const bar = progressBar('days', days);
    const { runs, queue } = await simulate({ from, to }, dependencies(store), (run) => run.job === 'daily' && bar.tick(1), {
      fanOut: v.inline === true ? false : {},
    });
    bar.stop();
    const byJob = new Map<string, { runs: number; written: number; ms: number }>();
    for (const r of runs) {
      const agg = byJob.get(r.job) ?? { runs: 0, written: 0, ms: 0 };
      byJob.set(r.job, { runs: agg.runs + 1, written: agg.written + r.counts.written, ms: agg.ms + r.millis });
    }
    return [
      `simulated ${from}..${to} on ${where}:`,
      ...[...byJob].map(([job, a]) => `  ${job}: ${a.runs} runs, ${a.written} records written, ${(a.ms / 1000).toFixed(1)} s`),
      queue ? `  ${fanOutLine(queue)}` : '  shards evaluated inline',
      ...runs.filter((r) => r.state !== 'succeeded').map((r) => `  ${r.job} ${r.runId}: ${r.state}`),
    ].join('\n');
  });
}

const RUN_STATES = ['running', 'failed', 'succeeded'] as const;

/**
 * `grader runs`: the run records, oldest first — who asked, why, state, shards, counts, attempts.
 * A running run whose lease ran out is shown as stalled: its worker died and the next delivery or
 * re-run of its period takes it over.
 */
async function runsCommand(v: Values): Promise<string> {
  const job = typeof v.job === 'string' ? v.job : undefined;
  if (job !== undefined && job !== 'daily' && job !== 'monthly' && job !== 'quarterly' && job !== 'growth')
    throw new UsageError(`--job must be daily, monthly, quarterly or growth (got ${job})`);
  const state = typeof v.state === 'string' ? v.state : undefined;
  if (state !== undefined && !(RUN_STATES as readonly string[]).includes(state))
    throw new UsageError(`--state must be one of ${RUN_STATES.join(', ')} (got ${state})`);
  const format = typeof v.format === 'string' ? v.format : 'text';
  if (format !== 'text' && format !== 'jsonl') throw new UsageError(`--format must be text or jsonl (got ${format})`);
  const period = typeof v.period === 'string' ? v.period : undefined;
  const { runs } = await invokeOperator(v, { action: 'runs', ...(job ? { job } : {}), ...(period ? { period } : {}), ...(state ? { state } : {}) });
  if (format === 'jsonl') return runs.map((r) => JSON.stringify(r)).join('\n');
  if (runs.length === 0) return 'no runs';
  const now = new Date().toISOString();
  return runs.map((r) => runLine(r, now)).join('\n');
}

function runLine(r: RunRecord, now: string): string {
  const state = r.status === 'running' && r.leaseUntil < now ? `stalled (lease ran out ${r.leaseUntil})` : r.status;
  const c = r.counts;
  const scope = [r.dryRun ? 'dry run' : '', r.sellers ? `${r.sellers.length} sellers` : '', r.categories ? `categories ${r.categories.join(',')}` : '']
    .filter(Boolean)
    .join(', ');
  return [
    `${r.job} ${r.period} ${r.runId}: ${state}${scope ? ` [${scope}]` : ''}`,
    `  by ${r.requestedBy} (${r.trigger}), policy ${r.policyVersion}: ${r.reason}`,
    `  started ${r.startedAt}${r.endedAt ? `, ended ${r.endedAt}` : ''}; attempts ${r.attempts}; shards ${r.shards ?? '-'}`,
    `  ${c.sellers} sellers, ${c.written} written, ${c.unchanged} unchanged, ${c.quarantined} quarantined rows, ${c.failed} failed${r.error ? `; ${r.error}` : ''}`,
  ].join('\n');
}

export {
  invokeOperator,
  orderCommand,
  ordersCommand,
  exportCommand,
  fanOutLine,
  goodSellerCommand,
  importCommand,
  local,
  programCommand,
  runCommand,
  runsCommand,
  showCommand,
  simulateCommand,
};
