import { isCalendarDate, type DateWindow } from './calendar';
import { matrixOf, type TotalsMatrix } from './grading';
import { checkMetricRow, F, FIELD_COUNT, METRIC_FIELDS, rowKey } from './metrics';
import type { QuarantineRecord } from './records';

/**
 * Folds daily metric rows into per-seller window sums, quarantining invalid rows (SPEC §3.3).
 * Only rows dated inside a window — or not dated at all — are validated; others are not the job's.
 */
class WindowAggregator<Name extends string> {
  readonly totals: Record<Name, TotalsMatrix>;
  readonly quarantined: QuarantineRecord[] = [];
  private readonly seen = new Set<string>();
  private readonly span: DateWindow;
  private readonly entries: [Name, DateWindow][];
  rowsRead = 0;
  rowsUsed = 0;

  constructor(
    private readonly sellerIndex: ReadonlyMap<string, number>,
    windows: Record<Name, DateWindow>,
  ) {
    this.entries = Object.entries(windows) as [Name, DateWindow][];
    this.totals = Object.fromEntries(this.entries.map(([name]) => [name, matrixOf(sellerIndex.size)])) as Record<Name, TotalsMatrix>;
    const starts = this.entries.map(([, w]) => w.start).sort();
    const ends = this.entries.map(([, w]) => w.end).sort();
    this.span = { start: starts[0]!, end: ends[ends.length - 1]! };
  }

  /** Takes one raw row; returns its quarantine record when it is invalid. */
  add(raw: unknown): QuarantineRecord | null {
    this.rowsRead++;
    const key = rowKey(raw);
    const date = key.date;
    const dated = typeof date === 'string' && isCalendarDate(date);
    if (dated && (date < this.span.start || date > this.span.end)) return null;
    if (dated && typeof key.sellerId === 'string') {
      const id = `${key.sellerId}|${date}`;
      if (this.seen.has(id)) return this.quarantine(key, `seller ${key.sellerId}, ${date}: repeats the key (sellerId, date) of an earlier row; the first one stands`);
      this.seen.add(id);
    }
    const verdict = checkMetricRow(raw);
    if (!verdict.valid) return this.quarantine(key, verdict.reason);
    const { row } = verdict;
    const s = this.sellerIndex.get(row.sellerId);
    if (s === undefined) return this.quarantine(key, `seller ${row.sellerId}, ${row.date}: unknown seller`);
    this.rowsUsed++;
    for (const [name, w] of this.entries) {
      if (row.date < w.start || row.date > w.end) continue;
      const sums = this.totals[name].sums;
      const o = s * FIELD_COUNT;
      for (let f = 0; f < FIELD_COUNT; f++) sums[o + f]! += row[METRIC_FIELDS[f]!];
    }
    return null;
  }

  /** S(gmvCents) per seller of one window, as the previous-window input of gmvGrowth. */
  gmvCents(name: Name): Float64Array {
    const { count, sums } = this.totals[name];
    const out = new Float64Array(count);
    for (let s = 0; s < count; s++) out[s] = sums[s * FIELD_COUNT + F.gmvCents]!;
    return out;
  }

  private quarantine(key: { sellerId: unknown; date: unknown }, reason: string): QuarantineRecord {
    const record: QuarantineRecord = { kind: 'quarantine', source: 'metrics', key: { sellerId: key.sellerId, date: key.date }, reason };
    this.quarantined.push(record);
    return record;
  }
}

export { WindowAggregator };
