import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ListingIncentiveRecord, ListingStageRecord } from '../../lib/listingRecords';
import { batchPut, mapLimit } from './batch';
import type { Store } from './store';

/**
 * What the growth job needs of a listing's stage in force (SPEC §7.6): enough to keep `since`, to
 * tell a move up, and to tell whether the day's stage says the same (stage, next stage, the ids of
 * its suggestions). The record itself stays in the grades table.
 */
interface StageInForce {
  stage: ListingStageRecord['stage'];
  since: string;
  asOf: string;
  next: { stage: NonNullable<ListingStageRecord['next']>['stage']; indicators: string[] } | null;
}

interface ListingState {
  stage: StageInForce | null;
  /** the incentives active at the end of the state's date, whole */
  incentives: ListingIncentiveRecord[];
}

/** A listing block's growth state at the end of a date: every listing of the block that has one. */
interface GrowthState {
  asOf: string;
  listings: Record<string, ListingState>;
}

/** The state a run of D reads (the latest before D) and the one a run of D already wrote, if any. */
interface StatesAround {
  before: GrowthState | null;
  on: GrowthState | null;
}

const partition = (block: string) => `growthState#${block}`;
const itemOf = (date: string) => `state#${date}`;

function stageInForce(r: ListingStageRecord): StageInForce {
  return {
    stage: r.stage,
    since: r.since,
    asOf: r.asOf,
    next: r.next ? { stage: r.next.stage, indicators: r.next.suggestions.map((s) => s.indicator) } : null,
  };
}

/**
 * The stage in force as the pure core reads it: `sameStageRecord` compares stage, next stage and
 * suggested indicators, and `since` is carried; the core's copy of an unchanged record (its asOf
 * before D) is never written, so the other fields are not needed.
 */
function asStageRecord(s: StageInForce): ListingStageRecord {
  return {
    stage: s.stage,
    since: s.since,
    asOf: s.asOf,
    next: s.next ? { stage: s.next.stage, suggestions: s.next.indicators.map((indicator) => ({ indicator })) } : null,
  } as unknown as ListingStageRecord;
}

/**
 * The growth job's working copy of each listing block (runs table, no stream): one item per block
 * and date the block's state changed on, so that the job of D reads the state BEFORE D with one
 * query per block, and a re-run of D sees what its first run saw (docs/data-model.md).
 */
class GrowthStates {
  constructor(private readonly store: Store) {}

  async around(blocks: string[], date: string): Promise<Map<string, StatesAround>> {
    const out = new Map<string, StatesAround>();
    await mapLimit(blocks, 8, async (block) => {
      const found = await this.store.doc.send(
        new QueryCommand({
          TableName: this.store.tables.runs,
          KeyConditionExpression: 'jobPeriod = :p AND #i BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#i': 'item' },
          ExpressionAttributeValues: { ':p': partition(block), ':from': 'state#', ':to': itemOf(date) },
          ScanIndexForward: false,
          Limit: 2,
          ConsistentRead: true,
        }),
      );
      const states = (found.Items ?? []).map((i) => JSON.parse(inflateRawSync(i.state as Uint8Array).toString('utf8')) as GrowthState);
      const on = states[0]?.asOf === date ? states[0] : null;
      out.set(block, { on, before: (on ? states[1] : states[0]) ?? null });
    });
    return out;
  }

  /** Writes the states 25 to a request, unprocessed items retried until none is left. */
  async put(states: Map<string, GrowthState>): Promise<void> {
    const items = [...states].map(([block, state]) => ({
      jobPeriod: partition(block),
      item: itemOf(state.asOf),
      asOf: state.asOf,
      state: deflateRawSync(JSON.stringify(state), { level: 1 }),
    }));
    await batchPut(this.store.doc, this.store.tables.runs, items, this.store.stats, 8);
  }
}

export { GrowthStates, asStageRecord, stageInForce };
export type { GrowthState, ListingState, StageInForce, StatesAround };
