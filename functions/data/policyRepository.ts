import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { InputError } from '../../lib/errors';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../../lib/policy';
import { DEFAULT_PUBLICATION, publicationSchema, type Publication } from '../../lib/policyVersions';
import { queryAll } from './query';
import type { Store } from './store';

/** The runs-table partition of the published versions (docs/data-model.md). */
const POLICY_PARTITION = 'policy';
const versionKey = (version: string) => ({ jobPeriod: POLICY_PARTITION, item: `version#${version}` });
const HEAD_KEY = { jobPeriod: POLICY_PARTITION, item: 'head' };
const HEADER_ATTRIBUTES = ['version', '#from', 'seq', 'publishedBy', 'publishedAt', 'reason', 'digest'];

/** Another publication landed between this one's read and its write: the caller reads the versions again. */
class PublicationConflictError extends InputError {
  constructor(version: string, options?: ErrorOptions) {
    super(`another version was published while ${version} was: see the versions again (grader policy list) and publish once more`, null, options);
    this.name = 'PublicationConflictError';
  }
}

/**
 * The write of a publication: the version's item, only if no item has its version, and the head's
 * sequence moved from the one the verdict was made on, so two publications never take one number.
 */
function publishParams(table: string, publication: Publication, policy: Policy): TransactWriteCommandInput {
  return {
    TransactItems: [
      {
        Put: {
          TableName: table,
          Item: { ...versionKey(publication.version), ...publication, document: JSON.stringify(policy) },
          ConditionExpression: 'attribute_not_exists(#i)',
          ExpressionAttributeNames: { '#i': 'item' },
        },
      },
      {
        Update: {
          TableName: table,
          Key: HEAD_KEY,
          UpdateExpression: 'SET seq = :seq',
          ConditionExpression: publication.seq === 1 ? 'attribute_not_exists(seq)' : 'seq = :previous',
          ExpressionAttributeValues: { ':seq': publication.seq, ...(publication.seq === 1 ? {} : { ':previous': publication.seq - 1 }) },
        },
      },
    ],
  };
}

/** Published documents never change: a container keeps each one it read, per store. */
const documents = new WeakMap<Store['client'], Map<string, Policy>>();

/** The published policy versions (SPEC §9), in the runs table; the built-in default is the first and is never stored. */
class PolicyRepository {
  constructor(private readonly store: Store) {}

  /** Every publication, the default first, in the order they were published. */
  async list(): Promise<Publication[]> {
    const items = await queryAll(this.store.doc, {
      TableName: this.store.tables.runs,
      // a version published a moment ago grades the next run
      ConsistentRead: true,
      KeyConditionExpression: 'jobPeriod = :p AND begins_with(#i, :v)',
      ProjectionExpression: HEADER_ATTRIBUTES.join(', '),
      ExpressionAttributeNames: { '#i': 'item', '#from': 'from' },
      ExpressionAttributeValues: { ':p': POLICY_PARTITION, ':v': 'version#' },
    });
    const published = items.map((i) => publicationSchema.parse(i)).sort((a, b) => a.seq - b.seq);
    return [DEFAULT_PUBLICATION, ...published];
  }

  /** A published version's document, validated as it is read; null when no version has that id. */
  async get(version: string): Promise<Policy | null> {
    if (version === DEFAULT_POLICY.version) return DEFAULT_POLICY;
    let kept = documents.get(this.store.client);
    if (!kept) documents.set(this.store.client, (kept = new Map()));
    const hit = kept.get(version);
    if (hit) return hit;
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.runs, Key: versionKey(version), ConsistentRead: true }));
    if (typeof out.Item?.document !== 'string') return null;
    const policy = parsePolicy(JSON.parse(out.Item.document), `stored policy version ${version}`);
    kept.set(version, policy);
    return policy;
  }

  /** Stores a new version; the caller has found it publishable against the versions as they were at `seq - 1`. */
  async publish(publication: Publication, policy: Policy): Promise<void> {
    try {
      await this.store.doc.send(new TransactWriteCommand(publishParams(this.store.tables.runs, publication, policy)));
    } catch (e) {
      if (e instanceof TransactionCanceledException) throw new PublicationConflictError(publication.version, { cause: e });
      throw e;
    }
  }
}

export { POLICY_PARTITION, PolicyRepository, PublicationConflictError, publishParams };
