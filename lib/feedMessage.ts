import { parseJsonLine, quote, type InputLine } from './jsonLines';
import type { QuarantineRecord } from './records';

type FeedSource = Extract<QuarantineRecord['source'], 'orders' | 'exposure' | 'registrations' | 'listings' | 'listingMetrics'>;

/** One message of an input feed in AWS (SPEC §3.4, §3.5, §7.5): JSON Lines of one kind, delivered at least once. */
interface FeedMessage {
  messageId: string;
  body: string;
  /** what its lines are, from the message attribute `kind`: order outcomes unless it says otherwise */
  source: FeedSource;
  /** how many times the queue has handed it out, this delivery included */
  deliveries: number;
}

/** Deliveries of a message before the queue moves it to its dead-letter queue (maxReceiveCount); the last one sets a failing message aside. */
const MESSAGE_DELIVERIES = 5;

/** Quarantine records a message gets for its bad lines; one more counts the rest (docs/inputs.md: an AWS-ingestion safeguard). */
const BAD_LINES_PER_MESSAGE = 100;

const ERROR_LIMIT = 200;

const count = (n: number) => n.toLocaleString('en-US');

/** The record that stands for the bad lines of a message past the first BAD_LINES_PER_MESSAGE. */
function moreBadLines(message: FeedMessage, more: number): QuarantineRecord {
  return {
    kind: 'quarantine',
    source: message.source,
    key: { messageId: message.messageId },
    reason: `… and ${count(more)} more bad lines in message ${message.messageId}`,
  };
}

/**
 * Hands each line of a message to `read` (which validates it at the input boundary, leaving a
 * quarantine record in `quarantined` for a bad one) and returns the message's quarantine records:
 * those of its first BAD_LINES_PER_MESSAGE bad lines, and one that counts the rest. Takes the
 * records out of `quarantined`, so the memory a message of garbage holds is bounded too.
 */
function readFeedMessage(message: FeedMessage, quarantined: QuarantineRecord[], read: (line: InputLine) => void): QuarantineRecord[] {
  const start = quarantined.length;
  let more = 0;
  message.body.split('\n').forEach((text, i) => {
    const line = parseJsonLine(text, i + 1);
    if (!line) return;
    read(line);
    const excess = quarantined.length - start - BAD_LINES_PER_MESSAGE;
    if (excess > 0) {
      more += excess;
      quarantined.length -= excess;
    }
  });
  const records = quarantined.splice(start);
  if (more > 0) records.push(moreBadLines(message, more));
  return records;
}

/**
 * The quarantine records of a message set aside after it failed its last delivery: one per
 * non-blank line (the first BAD_LINES_PER_MESSAGE, then one that counts the rest), each naming
 * the message, the line and the error, and quoting the line.
 */
function setAsideRecords(message: FeedMessage, error: string): QuarantineRecord[] {
  const { messageId, source, deliveries } = message;
  const why = error.length > ERROR_LIMIT ? `${error.slice(0, ERROR_LIMIT)}…` : error;
  const records: QuarantineRecord[] = [];
  let more = 0;
  message.body.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    if (records.length === BAD_LINES_PER_MESSAGE) {
      more++;
      return;
    }
    records.push({
      kind: 'quarantine',
      source,
      key: { messageId, line: i + 1 },
      reason: `message ${messageId}, line ${i + 1}: failed ${deliveries} deliveries (${why}); set aside, not retried: ${quote(text)}`,
    });
  });
  if (more > 0)
    records.push({ kind: 'quarantine', source, key: { messageId }, reason: `… and ${count(more)} more lines of message ${messageId}, set aside with them` });
  return records;
}

export { BAD_LINES_PER_MESSAGE, MESSAGE_DELIVERIES, readFeedMessage, setAsideRecords };
export type { FeedMessage, FeedSource };
