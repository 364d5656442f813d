import { epochDay } from './calendar';

/**
 * The (seller, date) keys of metric rows seen so far, for the first-one-stands rule (SPEC §3.3): a
 * bit per day over each seller's span of dates, so that a 12-million-row import keeps kilobytes
 * per seller, not a string per row.
 */
class SeenSellerDays {
  private readonly bySeller = new Map<string, { first: number; bits: Uint8Array }>();

  /** Marks the key of a calendar date; false when it was marked before. */
  add(sellerId: string, date: string): boolean {
    const day = epochDay(date);
    let span = this.bySeller.get(sellerId);
    if (!span) this.bySeller.set(sellerId, (span = { first: day - mod8(day), bits: new Uint8Array(8) }));
    else if (day < span.first || day >= span.first + span.bits.length * 8) span = this.widen(sellerId, span, day);
    const at = day - span.first;
    const mask = 1 << (at & 7);
    if (span.bits[at >> 3]! & mask) return false;
    span.bits[at >> 3]! |= mask;
    return true;
  }

  /** Doubles a seller's span (at least) until it holds `day`; spans start on a multiple of 8 days, so bits move by whole bytes. */
  private widen(sellerId: string, span: { first: number; bits: Uint8Array }, day: number) {
    const last = span.first + span.bits.length * 8 - 1;
    const first = Math.min(span.first, day - mod8(day));
    const end = Math.max(last, day);
    const bytes = Math.max(span.bits.length * 2, Math.ceil((end - first + 1) / 8));
    const bits = new Uint8Array(bytes);
    bits.set(span.bits, (span.first - first) / 8);
    const widened = { first, bits };
    this.bySeller.set(sellerId, widened);
    return widened;
  }
}

const mod8 = (day: number) => ((day % 8) + 8) % 8;

export { SeenSellerDays };
