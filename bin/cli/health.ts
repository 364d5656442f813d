import { eventsOfStreamRecord } from '../../functions/changeEvents';
import { withStore } from '../../functions/composition';
import { followGradesStream } from '../../functions/local/streamFollower';
import { publicationWatch } from '../../functions/policyActions';
import { UsageError } from './errors';
import { csvColumns, csvHeader, csvLine, flatten } from '../../lib/csv';
import { invokeOperator } from './commands';

type Values = Record<string, string | boolean | undefined>;

/** `grader findings [--severity S] [--area A] [--format text|jsonl|csv]`: the operators' worklist across sellers (SPEC §7.5). */
async function findingsCommand(v: Values): Promise<string> {
  const format = typeof v.format === 'string' ? v.format : 'text';
  if (format !== 'text' && format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format must be text, jsonl or csv (got ${format})`);
  const response = await invokeOperator(v, {
    action: 'findings',
    ...(typeof v.severity === 'string' ? { severity: v.severity } : {}),
    ...(typeof v.area === 'string' ? { area: v.area } : {}),
  });
  const rows = response.findings;
  if (format === 'jsonl') return rows.map((r) => JSON.stringify(r)).join('\n');
  if (format === 'csv') {
    const flat = rows.map((r) => flatten(r));
    const columns = csvColumns(flat, ['sellerId', 'categoryId', 'asOf', 'id', 'severity', 'area', 'since', 'deadline', 'action']);
    return [csvHeader(columns), ...flat.map((r) => csvLine(columns, r))].join('\n');
  }
  const lines = rows.map(
    (r) =>
      `${r.severity.padEnd(8)} ${r.area.padEnd(10)} ${r.sellerId.padEnd(12)} ${r.id.padEnd(22)} since ${r.since}${r.deadline ? `, by ${r.deadline}` : ''}  ${r.action}`,
  );
  return [`${rows.length} open findings`, ...lines].join('\n');
}

/**
 * `grader watch [--from-start] [--once]`: follows DynamoDB Local's grades stream and prints the
 * change events the AWS consumer would publish, and the PolicyPublished events of new policy
 * versions, one JSON line each (`--once`: what is there, then exit).
 */
async function watchCommand(v: Values, print: (line: string) => void): Promise<number> {
  if (!process.env.GRADER_DYNAMODB_ENDPOINT) {
    throw new UsageError('grader watch follows a running DynamoDB Local: start `grader local` and export GRADER_DYNAMODB_ENDPOINT');
  }
  return withStore({}, async (store, endpoint) => {
    const follower = await followGradesStream(store, endpoint, { fromStart: v['from-start'] === true });
    let printed = 0;
    let stopped = false;
    const stop = () => {
      stopped = true;
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // publications are no grade records: their events are derived from the versions table, as the operator sends them
    const publications = await publicationWatch(store, v['from-start'] === true);
    try {
      do {
        const events = [...(await publications()), ...(await follower.next()).flatMap(eventsOfStreamRecord)];
        for (const event of events) {
          print(JSON.stringify({ 'detail-type': event.detailType, source: 'seller-grader', detail: event.detail }));
          printed++;
        }
        if (v.once === true) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      } while (!stopped);
    } finally {
      follower.close();
    }
    return printed;
  });
}

export { findingsCommand, watchCommand };
