import type { InputBoundary } from './inputBoundary';
import type { InputLine } from './jsonLines';
import { conflictedVersions, emptyHistory, instantKey, receiveOutcome, type AppealDecision, type OrderHistory } from './orderOutcomes';

/**
 * Reads the order feed and the appeal decisions through the input boundary (SPEC §3.4) into one
 * history per order. Every path uses it: offline scoring reads whole files into it, an import reads
 * one delivery into it and merges the result with the stored histories.
 */
class OrderFeed {
  readonly histories = new Map<string, OrderHistory>();
  outcomesRead = 0;
  repeats = 0;
  decisionsRead = 0;
  /** the lines of each version, so that every line of a conflicted version can be quarantined */
  private readonly linesOf = new Map<string, InputLine[]>();

  constructor(private readonly boundary: InputBoundary) {}

  private historyOf(orderId: string): OrderHistory {
    let h = this.histories.get(orderId);
    if (!h) this.histories.set(orderId, (h = emptyHistory()));
    return h;
  }

  /** One line of `orders.jsonl`. */
  addOutcome(input: InputLine): void {
    const line = this.boundary.order(input);
    if (!line) return;
    this.outcomesRead++;
    const key = `${line.orderId}|${instantKey(line.updatedAt)}`;
    const lines = this.linesOf.get(key);
    if (lines) lines.push(input);
    else this.linesOf.set(key, [input]);
    if (receiveOutcome(this.historyOf(line.orderId), line) === 'repeat') this.repeats++;
  }

  /** One line of `exclusions.jsonl`; `recorded` orders decisions of one day (a later line, a later import). */
  addDecision(input: InputLine, recorded: string): AppealDecision | null {
    const d = this.boundary.exclusion(input);
    if (!d) return null;
    this.decisionsRead++;
    const decision = { ...d, recorded };
    this.historyOf(d.orderId).decisions.push(decision);
    return decision;
  }

  /**
   * Quarantines every line of each conflicted version (SPEC §3.4: two outcomes with one
   * `updatedAt` and different content). Call once, after the last line; an import passes the
   * histories merged with the stored ones, so a line that conflicts with an earlier delivery is
   * quarantined too.
   */
  quarantineConflicts(histories: ReadonlyMap<string, OrderHistory> = this.histories): number {
    let n = 0;
    for (const [orderId, h] of histories) {
      for (const v of conflictedVersions(h)) {
        for (const input of this.linesOf.get(`${orderId}|${v.instant}`) ?? []) {
          this.boundary.refuse('orders', input, conflictReason(orderId, v.updatedAt));
          n++;
        }
      }
    }
    return n;
  }
}

function conflictReason(orderId: string, updatedAt: string): string {
  return `order ${orderId}: outcomes with the same updatedAt (${updatedAt}) differ; every outcome of that version is quarantined until a later version arrives`;
}

/** The sort key of a decision read from a file: its import, then its line. */
function recordedKey(importedAt: string, line: number | undefined, index: number): string {
  return `${importedAt}#${String(line ?? index).padStart(10, '0')}`;
}

export { OrderFeed, conflictReason, recordedKey };
