import type { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * The item a refused conditional write found (sent with `ReturnValuesOnConditionCheckFailure:
 * 'ALL_OLD'`), or null when there was none: what would otherwise take a read after the refusal.
 * The document client leaves it in the wire format.
 */
function itemOfRefusal(e: ConditionalCheckFailedException): Record<string, unknown> | null {
  return e.Item ? unmarshall(e.Item) : null;
}

export { itemOfRefusal };
