import { randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { HealthCheckRecord, StatusRecord } from '../../lib/records';
import { batchGet, mapLimit } from './batch';
import type { Store } from './store';

/** The grades in force a health check is judged against: the status's fields (SPEC §7.5). */
type InForce = Pick<StatusRecord, 'operationTier' | 'serviceLevel' | 'merchantTier' | 'goodSeller'>;

/** What the next daily run needs of a seller's health: its current record (and its content hash) and the status it was judged against. */
interface SellerHealth {
  record: HealthCheckRecord;
  hash: string;
  inForce: InForce;
}

/** One pack's health state: every seller of the pack, as of the last daily run that wrote current records. */
interface HealthState {
  asOf: string;
  sellers: Record<string, SellerHealth>;
}

const key = (pack: string) => ({ jobPeriod: `health#${pack}`, item: 'state' });

/**
 * The states a store read or wrote last, by pack, with the version they were stored with: a run
 * reads each pack's version (a few bytes) and decodes the state only when another writer moved it.
 */
const kept = new WeakMap<Store['client'], Map<string, { version: string; state: HealthState }>>();

/**
 * The daily job's working copy of each pack's health checks (runs table, no stream): one item per
 * daily-score pack instead of two reads per seller a day. A run finds each seller's previous
 * findings (to keep their `since`) and, for sellers whose status it does not refresh that day, the
 * status in force; the grades table's `healthCheck` records stay the contract (see data-model.md).
 */
class HealthStates {
  constructor(private readonly store: Store) {}

  private get cache() {
    let c = kept.get(this.store.client);
    if (!c) kept.set(this.store.client, (c = new Map()));
    return c;
  }

  async get(packs: string[]): Promise<Map<string, HealthState>> {
    const versions = await batchGet(this.store.doc, this.store.tables.runs, packs.map(key), this.store.stats, {
      consistent: true,
      projection: ['jobPeriod', 'version'],
    });
    const out = new Map<string, HealthState>();
    const stale: string[] = [];
    for (const item of versions) {
      const pack = String(item.jobPeriod).slice('health#'.length);
      const hit = this.cache.get(pack);
      if (hit && hit.version === item.version) out.set(pack, hit.state);
      else stale.push(pack);
    }
    if (stale.length > 0) {
      const items = await batchGet(this.store.doc, this.store.tables.runs, stale.map(key), this.store.stats, { consistent: true });
      for (const i of items) {
        const pack = String(i.jobPeriod).slice('health#'.length);
        const state = JSON.parse(inflateRawSync(i.state as Uint8Array).toString('utf8')) as HealthState;
        this.cache.set(pack, { version: String(i.version), state });
        out.set(pack, state);
      }
    }
    return out;
  }

  /** Writes each pack's state unless a run of a later date wrote it already. */
  async put(states: Map<string, HealthState>): Promise<void> {
    await mapLimit([...states], 8, async ([pack, state]) => {
      const version = `${state.asOf}#${randomUUID()}`;
      try {
        await this.store.doc.send(
          new PutCommand({
            TableName: this.store.tables.runs,
            Item: { ...key(pack), asOf: state.asOf, version, state: deflateRawSync(JSON.stringify(state), { level: 1 }) },
            ConditionExpression: 'attribute_not_exists(asOf) OR asOf <= :d',
            ExpressionAttributeValues: { ':d': state.asOf },
          }),
        );
        this.cache.set(pack, { version, state });
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      }
    });
  }
}

export { HealthStates };
export type { HealthState, InForce, SellerHealth };
