import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { HealthCheckRecord, StatusRecord } from '../../lib/records';
import { batchGet, mapLimit } from './batch';
import type { Store } from './store';

/** The grades in force a health check is judged against: the status's fields (SPEC §7.5). */
type InForce = Pick<StatusRecord, 'operationTier' | 'serviceLevel' | 'merchantTier' | 'goodSeller'>;

/** What the next daily run needs of a seller's health: its current record and the status it was judged against. */
interface SellerHealth {
  record: HealthCheckRecord;
  inForce: InForce;
}

/** One pack's health state: every seller of the pack, as of the last daily run that wrote current records. */
interface HealthState {
  asOf: string;
  sellers: Record<string, SellerHealth>;
}

const key = (pack: string) => ({ jobPeriod: `health#${pack}`, item: 'state' });

/**
 * The daily job's working copy of each pack's health checks (runs table, no stream): one item per
 * daily-score pack instead of two reads per seller a day. A run finds each seller's previous
 * findings (to keep their `since`) and, for sellers whose status it does not refresh that day, the
 * status in force; the grades table's `healthCheck` records stay the contract (see data-model.md).
 */
class HealthStates {
  constructor(private readonly store: Store) {}

  async get(packs: string[]): Promise<Map<string, HealthState>> {
    const items = await batchGet(this.store.doc, this.store.tables.runs, packs.map(key), this.store.stats, { consistent: true });
    return new Map(
      items.map((i) => [String(i.jobPeriod).slice('health#'.length), JSON.parse(gunzipSync(i.state as Uint8Array).toString('utf8')) as HealthState]),
    );
  }

  /** Writes each pack's state unless a run of a later date wrote it already. */
  async put(states: Map<string, HealthState>): Promise<void> {
    await mapLimit([...states], 8, async ([pack, state]) => {
      await this.store.doc
        .send(
          new PutCommand({
            TableName: this.store.tables.runs,
            Item: { ...key(pack), asOf: state.asOf, state: gzipSync(JSON.stringify(state)) },
            ConditionExpression: 'attribute_not_exists(asOf) OR asOf <= :d',
            ExpressionAttributeValues: { ':d': state.asOf },
          }),
        )
        .catch((e: unknown) => {
          if (!(e instanceof ConditionalCheckFailedException)) throw e;
        });
      this.store.stats.requests++;
    });
  }
}

export { HealthStates };
export type { HealthState, InForce, SellerHealth };
