import { describe, expect, it } from 'vitest';
import { readFeedMessage, setAsideRecords, type FeedMessage } from '../../lib/feedMessage';
import { InputBoundary } from '../../lib/inputBoundary';
import type { InputLine } from '../../lib/jsonLines';
import { DEFAULT_POLICY } from '../../lib/policy';

const message = (body: string): FeedMessage => ({ messageId: 'm-1', body, source: 'orders', deliveries: 5 });

/** Reads a message's lines as order outcomes through a boundary that knows no seller. */
function read(body: string) {
  const boundary = new InputBoundary({ policy: DEFAULT_POLICY, ingestedOn: '2026-08-01' });
  const lines: InputLine[] = [];
  const records = readFeedMessage(message(body), boundary.quarantined, (line) => {
    lines.push(line);
    boundary.order(line);
  });
  return { records, lines, left: boundary.quarantined.length };
}

describe('readFeedMessage', () => {
  it('quarantines each of 100 bad lines with its own reason, and counts nothing more', () => {
    const { records, left } = read('x\n'.repeat(100));
    expect(records).toHaveLength(100);
    expect(records[99]).toEqual({ kind: 'quarantine', source: 'orders', key: { line: 100 }, reason: 'line 100 is not JSON: x' });
    expect(left).toBe(0);
  });

  it('counts the 101st bad line and on in one record naming the message', () => {
    const { records, lines } = read('x\n\n'.repeat(1_101));
    expect(lines).toHaveLength(1_101);
    expect(records).toHaveLength(101);
    expect(records[99]!.key).toEqual({ line: 199 });
    expect(records[100]).toEqual({ kind: 'quarantine', source: 'orders', key: { messageId: 'm-1' }, reason: '… and 1,001 more bad lines in message m-1' });
  });
});

describe('setAsideRecords', () => {
  it('quarantines every line of a message, naming the message, the line and the error, and quoting the line', () => {
    const records = setAsideRecords(message('{"orderId":"o-1"}\n\n[1]\n'), 'Error: the store refused it');
    expect(records).toEqual([
      {
        kind: 'quarantine',
        source: 'orders',
        key: { messageId: 'm-1', line: 1 },
        reason: 'message m-1, line 1: failed 5 deliveries (Error: the store refused it); set aside, not retried: {"orderId":"o-1"}',
      },
      {
        kind: 'quarantine',
        source: 'orders',
        key: { messageId: 'm-1', line: 3 },
        reason: 'message m-1, line 3: failed 5 deliveries (Error: the store refused it); set aside, not retried: [1]',
      },
    ]);
  });

  it('writes at most 100 lines and one record that counts the rest, and cuts a long error', () => {
    const records = setAsideRecords(message(`${'y'.repeat(1_000)}\n`.repeat(250)), `Error: ${'e'.repeat(500)}`);
    expect(records).toHaveLength(101);
    expect(records[0]!.reason.length).toBeLessThan(400);
    expect(records[100]).toEqual({
      kind: 'quarantine',
      source: 'orders',
      key: { messageId: 'm-1' },
      reason: '… and 150 more lines of message m-1, set aside with them',
    });
  });
});
