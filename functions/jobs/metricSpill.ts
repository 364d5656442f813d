import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dateOfEpochDay, epochDay } from '../../lib/calendar';
import { METRIC_FIELDS, type MetricValues } from '../../lib/metrics';

/** Bytes a block gathers before they go to its file: a million sellers' 3,900 blocks hold 62 MB. */
const BUFFER_BYTES = 16 * 1024;

/**
 * The valid metric rows of an import, gathered per metric block in temporary files, so that an
 * import's memory does not grow with its rows (a 12-million-row folder): each row is written as
 * unsigned varints (its epoch day, its slot, its fields in storage order), and a block's rows are
 * read back one block at a time when the block is rebuilt. The fields are the sellers' metric
 * fields, or a listing's daily fields (lib/listings.ts) for listing blocks.
 */
class MetricSpill<V extends Record<string, number> = MetricValues> {
  private readonly dir = mkdtempSync(join(tmpdir(), 'grader-import-'));
  private readonly buffers = new Map<string, { bytes: Uint8Array; used: number; file: string }>();
  /** the most a row takes: its day, its slot and every field as an 8-byte varint (values are safe integers) */
  private readonly rowBytesMax: number;

  constructor(private readonly fields: readonly (keyof V & string)[] = METRIC_FIELDS as unknown as (keyof V & string)[]) {
    this.rowBytesMax = (fields.length + 2) * 8;
  }

  add(block: string, slot: number, row: V & { date: string }): void {
    let buffer = this.buffers.get(block);
    if (!buffer) this.buffers.set(block, (buffer = { bytes: new Uint8Array(BUFFER_BYTES), used: 0, file: join(this.dir, `${this.buffers.size}.bin`) }));
    if (buffer.used + this.rowBytesMax > BUFFER_BYTES) this.flush(buffer);
    let p = writeVarint(buffer.bytes, buffer.used, epochDay(row.date) - DAY_BASE);
    p = writeVarint(buffer.bytes, p, slot);
    for (const field of this.fields) p = writeVarint(buffer.bytes, p, row[field]);
    buffer.used = p;
  }

  blocks(): string[] {
    return [...this.buffers.keys()];
  }

  /** A block's rows by date, as slot and values, in the order they were added. */
  rows(block: string): Map<string, [number, V][]> {
    const buffer = this.buffers.get(block);
    const byDate = new Map<string, [number, V][]>();
    if (!buffer) return byDate;
    this.flush(buffer);
    const bytes = readFileSync(buffer.file);
    const cursor = { p: 0 };
    while (cursor.p < bytes.length) {
      const date = dateOfEpochDay(readVarint(bytes, cursor) + DAY_BASE);
      const slot = readVarint(bytes, cursor);
      const values = {} as Record<string, number>;
      for (const field of this.fields) values[field] = readVarint(bytes, cursor);
      const list = byDate.get(date);
      if (list) list.push([slot, values as V]);
      else byDate.set(date, [[slot, values as V]]);
    }
    return byDate;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private flush(buffer: { bytes: Uint8Array; used: number; file: string }): void {
    if (buffer.used === 0) return;
    appendFileSync(buffer.file, buffer.bytes.subarray(0, buffer.used));
    buffer.used = 0;
  }
}

/** Days are stored from year 0, so that every calendar date is a non-negative varint. */
const DAY_BASE = epochDay('0000-01-01');

function writeVarint(out: Uint8Array, at: number, value: number): number {
  let p = at;
  let v = value;
  while (v > 0x7fffffff) {
    out[p++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  while (v > 127) {
    out[p++] = (v & 127) | 128;
    v >>>= 7;
  }
  out[p++] = v;
  return p;
}

function readVarint(bytes: Uint8Array, cursor: { p: number }): number {
  let v = 0;
  let scale = 1;
  let byte: number;
  do {
    byte = bytes[cursor.p++]!;
    v += (byte & 127) * scale;
    scale *= 128;
  } while (byte & 128);
  return v;
}

export { MetricSpill };
