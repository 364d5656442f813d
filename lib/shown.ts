import { createHash } from 'node:crypto';

/** Raw values longer than this are shown by their start and length: a 300 KB id must not become a 300 KB reason or key. */
const SHOWN_LIMIT = 64;

const textOf = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));

/** A raw input value as a message quotes it: as written when short, else its start and its length. */
function shown(value: unknown): string {
  const text = textOf(value);
  return text.length <= SHOWN_LIMIT ? text : `${text.slice(0, 24)}…(${text.length} characters)`;
}

/**
 * A raw key field as a quarantine record keeps it: a short value as it is; a long one as its start,
 * its length and a hash of the whole, so that it fits a DynamoDB key and two long values stay apart.
 */
function boundedKeyValue(value: unknown): unknown {
  const text = textOf(value);
  if (text.length <= SHOWN_LIMIT) return value;
  return `${text.slice(0, 24)}…(${text.length} characters, sha256 ${createHash('sha256').update(text).digest('base64url').slice(0, 16)})`;
}

export { SHOWN_LIMIT, boundedKeyValue, shown };
