import { withStore } from '../../functions/composition';
import { exportRecords } from '../../functions/exportActions';
import { addMonths, isMonth } from '../../lib/calendar';
import { csvHeader, csvLine } from '../../lib/csv';
import { OPERATION_TIERS } from '../../lib/operationTier';
import type { OperationTierRecord } from '../../lib/records';
import { UsageError } from './errors';
import { writeOutput } from './files';
import { eachRecordOfFile } from './reportData';

type Values = Record<string, string | boolean | undefined>;

/** Operation tiers of two months by seller, from the tables (the export of each month) or a records file. */
async function tiersOf(v: Values, months: [string, string]): Promise<[Map<string, OperationTierRecord>, Map<string, OperationTierRecord>]> {
  const out: [Map<string, OperationTierRecord>, Map<string, OperationTierRecord>] = [new Map(), new Map()];
  const add = (r: OperationTierRecord) => {
    const i = months.indexOf(r.period);
    if (i >= 0) out[i]!.set(r.sellerId, r);
  };
  if (typeof v.records === 'string') {
    await eachRecordOfFile(v.records, (r) => r.kind === 'operationTier' && add(r));
    return out;
  }
  await withStore({ aws: v.aws === true }, async (store) => {
    const exports = await Promise.all(months.map((period) => exportRecords({ action: 'export', kind: 'operationTier', period }, { store })));
    for (const { records } of exports) for (const r of records) if (r.kind === 'operationTier') add(r);
  });
  return out;
}

/**
 * `grader migration --period M [--since M0] [--from T] [--to T] [--records FILE] [--format csv|jsonl] [--out FILE]`:
 * the sellers of a cell of the report's migration matrix — tier `--from` in M0 (default the month
 * before; `none`: no tier then) and `--to` in M — every one of them, by seller id.
 */
async function migrationCommand(v: Values): Promise<string> {
  const period = v.period;
  if (typeof period !== 'string' || !isMonth(period)) throw new UsageError(`--period must be YYYY-MM (got ${String(period)})`);
  const since = typeof v.since === 'string' ? v.since : addMonths(period, -1);
  if (!isMonth(since) || since >= period) throw new UsageError(`--since must be a month YYYY-MM before --period ${period} (got ${since})`);
  const tiers: readonly string[] = OPERATION_TIERS;
  const from = typeof v.from === 'string' ? v.from : undefined;
  const to = typeof v.to === 'string' ? v.to : undefined;
  if (from !== undefined && from !== 'none' && !tiers.includes(from)) throw new UsageError(`--from must be one of ${tiers.join(', ')}, none (got ${from})`);
  if (to !== undefined && !tiers.includes(to)) throw new UsageError(`--to must be one of ${tiers.join(', ')} (got ${to})`);
  const format = typeof v.format === 'string' ? v.format : 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl (got ${format})`);
  const [before, after] = await tiersOf(v, [since, period]);
  const rows = [...after.values()]
    .map((r) => ({ sellerId: r.sellerId, categoryId: r.categoryId, from: before.get(r.sellerId)?.tier ?? 'none', to: r.tier, composite: r.composite }))
    .filter((r) => (from === undefined || r.from === from) && (to === undefined || r.to === to))
    .sort((a, b) => (a.sellerId < b.sellerId ? -1 : 1));
  const columns = ['sellerId', 'categoryId', `tier ${since}`, `tier ${period}`, `composite ${period}`];
  const text =
    format === 'csv'
      ? [
          csvHeader(columns),
          ...rows.map((r) =>
            csvLine(columns, { sellerId: r.sellerId, categoryId: r.categoryId, [columns[2]!]: r.from, [columns[3]!]: r.to, [columns[4]!]: r.composite }),
          ),
        ].join('\n')
      : rows
          .map((r) => JSON.stringify({ sellerId: r.sellerId, categoryId: r.categoryId, since, from: r.from, period, to: r.to, composite: r.composite }))
          .join('\n');
  if (typeof v.out !== 'string') return text;
  writeOutput(v.out, `${text}\n`);
  return `wrote ${rows.length} sellers to ${v.out}`;
}

export { migrationCommand };
