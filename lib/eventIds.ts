import { createHash } from 'node:crypto';

/** An event's id: stable for one change (a stream record's change and its subject), so a consumer drops a repeat. */
function eventId(changeId: string, detailType: string, subject: string): string {
  return createHash('sha256').update(`${changeId}|${detailType}|${subject}`).digest('base64url').slice(0, 32);
}

export { eventId };
