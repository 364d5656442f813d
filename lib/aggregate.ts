import type { DateWindow } from './calendar';
import { matrixOf, type TotalsMatrix } from './grading';
import { InputBoundary } from './inputBoundary';
import { inputLine } from './jsonLines';
import { F, FIELD_COUNT, METRIC_FIELDS, type MetricValues } from './metrics';
import { DEFAULT_POLICY } from './policy';
import type { QuarantineRecord } from './records';

/**
 * Folds daily metric rows into per-seller window sums; the input boundary validates each row
 * (SPEC §3.3). Only rows dated inside a window, or not dated in range, are the job's.
 */
class WindowAggregator<Name extends string> {
  readonly totals: Record<Name, TotalsMatrix>;
  readonly quarantined: QuarantineRecord[] = [];
  private readonly span: DateWindow;
  private readonly entries: [Name, DateWindow][];
  private readonly boundary: InputBoundary;
  rowsRead = 0;
  rowsUsed = 0;

  constructor(
    private readonly sellerIndex: ReadonlyMap<string, number>,
    windows: Record<Name, DateWindow>,
    /** the job's boundary; a lone aggregator checks rows against its sellers under the default policy */
    boundary?: InputBoundary,
  ) {
    this.entries = Object.entries(windows) as [Name, DateWindow][];
    this.totals = Object.fromEntries(this.entries.map(([name]) => [name, matrixOf(sellerIndex.size)])) as Record<Name, TotalsMatrix>;
    const starts = this.entries.map(([, w]) => w.start).sort();
    const ends = this.entries.map(([, w]) => w.end).sort();
    this.span = { start: starts[0]!, end: ends[ends.length - 1]! };
    this.boundary =
      boundary ??
      new InputBoundary(
        { policy: DEFAULT_POLICY, ingestedOn: '9999-12-31' },
        { sellers: [...sellerIndex.keys()].map((sellerId) => ({ sellerId, categoryId: '' })) },
      );
  }

  /** Takes one raw row (or a parsed line of a file); returns its quarantine record when it is invalid. */
  add(raw: unknown): QuarantineRecord | null {
    this.rowsRead++;
    const before = this.boundary.quarantined.length;
    const row = this.boundary.metric(inputLine(raw), (date) => date >= this.span.start && date <= this.span.end);
    if (!row) {
      if (this.boundary.quarantined.length === before) return null;
      const record = this.boundary.quarantined[this.boundary.quarantined.length - 1]!;
      this.quarantined.push(record);
      return record;
    }
    const s = this.sellerIndex.get(row.sellerId)!;
    this.rowsUsed++;
    for (const [name, w] of this.entries) {
      if (row.date < w.start || row.date > w.end) continue;
      const sums = this.totals[name].sums;
      const o = s * FIELD_COUNT;
      for (let f = 0; f < FIELD_COUNT; f++) sums[o + f]! += row[METRIC_FIELDS[f]!];
    }
    return null;
  }

  /** Adds one seller's day of values from another source (the fold of its order outcomes, SPEC §3.4). */
  addDay(sellerId: string, date: string, values: MetricValues): void {
    const s = this.sellerIndex.get(sellerId);
    if (s === undefined) return;
    for (const [name, w] of this.entries) {
      if (date < w.start || date > w.end) continue;
      const sums = this.totals[name].sums;
      const o = s * FIELD_COUNT;
      for (let f = 0; f < FIELD_COUNT; f++) sums[o + f]! += values[METRIC_FIELDS[f]!];
    }
  }

  /** S(gmvCents) per seller of one window, as the previous-window input of gmvGrowth. */
  gmvCents(name: Name): Float64Array {
    const { count, sums } = this.totals[name];
    const out = new Float64Array(count);
    for (let s = 0; s < count; s++) out[s] = sums[s * FIELD_COUNT + F.gmvCents]!;
    return out;
  }
}

export { WindowAggregator };
