import { z } from 'zod';
import { monthOf } from '../lib/calendar';
import { TEXT_LIMITS } from '../lib/inputs';
import { parsePolicy, PolicyError, type Policy } from '../lib/policy';
import { policyPublishedEvent } from '../lib/policyEvents';
import {
  MAX_DOCUMENT_BYTES,
  policyDiff,
  policyDigest,
  publicationVerdict,
  versionInForce,
  type PolicyDifference,
  type Publication,
} from '../lib/policyVersions';
import { answerSchema } from './answers';
import { PolicyRepository } from './data/policyRepository';
import type { Store } from './data/store';
import type { HandlerDependencies } from './environment';
import { BadRequestError } from './middleware';

const text = (limit: number) => z.string().max(limit, `must be at most ${limit} characters`);
const version = z.string().min(1).max(32, 'must be at most 32 characters');
/** A policy document as JSON; its content is checked by the policy schema, each problem named by its path. */
const documentSchema = z.record(z.string(), z.unknown(), { error: 'must be a policy document (a JSON object)' });

const showPolicySchema = z.object({ action: z.literal('showPolicy'), version: version.optional() }).strict();
const listPoliciesSchema = z.object({ action: z.literal('listPolicies') }).strict();
const checkPolicySchema = z.object({ action: z.literal('checkPolicy'), document: documentSchema, from: z.string().max(16).optional() }).strict();
/** Each side is a published version's id or a document. */
const diffPoliciesSchema = z
  .object({ action: z.literal('diffPolicies'), a: z.union([version, documentSchema]), b: z.union([version, documentSchema]) })
  .strict();
const publishPolicySchema = z
  .object({
    action: z.literal('publishPolicy'),
    document: documentSchema,
    from: z.string().max(16, 'must be a month YYYY-MM'),
    reason: text(TEXT_LIMITS.reason).trim().min(1, 'a publication needs a reason'),
    publishedBy: text(TEXT_LIMITS.who).trim().min(1, 'must name the operator'),
  })
  .strict();

const showPolicyAnswerSchema = answerSchema(z.literal('showPolicy'), {
  version: z.string(),
  /** null for a policy pinned by GRADER_POLICY_FILE that is not published as it is */
  publication: z.custom<Publication | null>(),
  pinned: z.boolean(),
  document: z.custom<Policy>(),
});
const listPoliciesAnswerSchema = answerSchema(z.literal('listPolicies'), { publications: z.custom<Publication[]>(), inForce: z.string(), pinned: z.boolean() });
const checkPolicyAnswerSchema = answerSchema(z.literal('checkPolicy'), {
  version: z.string(),
  state: z.enum(['publishable', 'published']),
  comparedWith: z.string(),
  entries: z.custom<PolicyDifference[]>(),
});
const diffPoliciesAnswerSchema = answerSchema(z.literal('diffPolicies'), { a: z.string(), b: z.string(), differences: z.custom<PolicyDifference[]>() });
const publishPolicyAnswerSchema = answerSchema(z.literal('publishPolicy'), {
  published: z.boolean(),
  publication: z.custom<Publication>(),
  announced: z.boolean(),
  event: z.custom<PolicyPublishedEvent | null>(),
});
type PolicyPublishedEvent = ReturnType<typeof policyPublishedEvent>;

/** A version is published and its announcement failed: publishing the same document again announces it. */
class AnnouncementError extends Error {
  constructor(version: string, options?: ErrorOptions) {
    super(
      `policy ${version} is published, but its PolicyPublished event could not be sent: publish the same document again to announce it (${(options?.cause as Error | undefined)?.message ?? 'unknown error'})`,
      options,
    );
    this.name = 'AnnouncementError';
  }
}

/** Validates a request's document: too large, or breaking the policy schema, it is refused with the field named. */
function documentOf(document: Record<string, unknown>, field = 'document'): Policy {
  const bytes = Buffer.byteLength(JSON.stringify(document));
  if (bytes > MAX_DOCUMENT_BYTES) throw new BadRequestError(field, `must be at most ${MAX_DOCUMENT_BYTES} bytes of JSON, got ${bytes}`);
  try {
    return parsePolicy(document, 'the policy document');
  } catch (e) {
    if (e instanceof PolicyError) throw new BadRequestError(e.field ? `${field}.${e.field}` : field, e.message);
    throw e;
  }
}

async function versionOrFail(deps: HandlerDependencies, id: string, field: string): Promise<Policy> {
  const policy = await new PolicyRepository(deps.store).get(id);
  if (!policy) throw new BadRequestError(field, `no policy version ${id} is published: see grader policy list`);
  return policy;
}

/** `grader policy list`: every version, who published it, when, why and from when, and the one in force today. */
async function listPolicies(
  _: z.infer<typeof listPoliciesSchema>,
  deps: HandlerDependencies,
  today: string,
): Promise<z.infer<typeof listPoliciesAnswerSchema>> {
  const publications = await new PolicyRepository(deps.store).list();
  const pinned = deps.policySource !== 'published';
  return {
    ok: true,
    action: 'listPolicies',
    publications,
    inForce: pinned ? deps.policy.version : versionInForce(publications, monthOf(today)).version,
    pinned,
  };
}

/** `grader policy show [--version V]`: a version's full document; without one, the policy grading today. */
async function showPolicy(r: z.infer<typeof showPolicySchema>, deps: HandlerDependencies): Promise<z.infer<typeof showPolicyAnswerSchema>> {
  const publications = await new PolicyRepository(deps.store).list();
  const document = r.version === undefined ? deps.policy : await versionOrFail(deps, r.version, 'version');
  const publication = publications.find((p) => p.version === document.version && p.digest === policyDigest(document)) ?? null;
  return { ok: true, action: 'showPolicy', version: document.version, publication, pinned: publication === null, document };
}

/** `grader policy check FILE`: whether a document is valid and publishable; changes nothing. */
async function checkPolicy(r: z.infer<typeof checkPolicySchema>, deps: HandlerDependencies, today: string): Promise<z.infer<typeof checkPolicyAnswerSchema>> {
  const policy = documentOf(r.document);
  const publications = await new PolicyRepository(deps.store).list();
  const verdict = publicationVerdict({ policy, from: r.from }, publications);
  if (verdict.state === 'refused') throw new BadRequestError(verdict.violation.field, verdict.violation.message);
  const inForce = versionInForce(publications, monthOf(today));
  const entries = policyDiff(await versionOrFail(deps, inForce.version, 'document'), policy).filter((d) => d.entry !== 'version');
  return {
    ok: true,
    action: 'checkPolicy',
    version: policy.version,
    state: verdict.state === 'new' ? ('publishable' as const) : ('published' as const),
    comparedWith: inForce.version,
    entries,
  };
}

/** `grader policy diff A B`: the entries in which two documents (published versions or files) differ. */
async function diffPolicies(r: z.infer<typeof diffPoliciesSchema>, deps: HandlerDependencies): Promise<z.infer<typeof diffPoliciesAnswerSchema>> {
  const side = async (value: string | Record<string, unknown>, field: string) =>
    typeof value === 'string' ? versionOrFail(deps, value, field) : documentOf(value, field);
  const a = await side(r.a, 'a');
  const b = await side(r.b, 'b');
  return { ok: true, action: 'diffPolicies', a: a.version, b: b.version, differences: policyDiff(a, b) };
}

/**
 * `grader policy publish FILE --from M --reason …`: stores a new version, validated, with who, when
 * and why (SPEC §9), and announces it. A bad document, or a version that exists with another
 * document, is refused with the field named and nothing is stored; the same document again is
 * identical: nothing is written, and it is announced again (the event's id is the same).
 */
async function publishPolicy(r: z.infer<typeof publishPolicySchema>, deps: HandlerDependencies): Promise<z.infer<typeof publishPolicyAnswerSchema>> {
  const { announce } = deps;
  const policy = documentOf(r.document);
  const repository = new PolicyRepository(deps.store);
  const publications = await repository.list();
  const verdict = publicationVerdict({ policy, from: r.from }, publications);
  if (verdict.state === 'refused') throw new BadRequestError(verdict.violation.field, verdict.violation.message);
  const publication: Publication =
    verdict.state === 'identical'
      ? verdict.publication
      : {
          version: policy.version,
          from: r.from,
          seq: verdict.seq,
          publishedBy: r.publishedBy,
          publishedAt: deps.now(),
          reason: r.reason,
          digest: policyDigest(policy),
        };
  if (verdict.state === 'new') await repository.publish(publication, policy);
  const event = await publishedEventOf(deps.store, publication, verdict.state === 'new' ? [...publications, publication] : publications);
  if (event && announce) await announce(event).catch((e: unknown) => Promise.reject(new AnnouncementError(policy.version, { cause: e })));
  return {
    ok: true,
    action: 'publishPolicy',
    published: verdict.state === 'new',
    publication,
    announced: event !== null && announce !== undefined,
    event,
  };
}

/** The PolicyPublished event of a stored publication, against the version it follows; `grader watch` derives it the same way. */
async function publishedEventOf(store: Store, publication: Publication, publications: Publication[]): Promise<PolicyPublishedEvent | null> {
  if (publication.from === null || publication.publishedAt === null) return null;
  const repository = new PolicyRepository(store);
  const previous = publications.find((p) => p.seq === publication.seq - 1) ?? publications[0]!;
  const [before, after] = await Promise.all([repository.get(previous.version), repository.get(publication.version)]);
  if (!before || !after) throw new Error(`policy ${publication.version}: version ${before ? publication.version : previous.version} is listed but not stored`);
  const entries = policyDiff(before, after)
    .map((d) => d.entry)
    .filter((entry) => entry !== 'version');
  return policyPublishedEvent({ ...publication, from: publication.from, publishedAt: publication.publishedAt }, previous.version, entries);
}

/**
 * The PolicyPublished events of the versions published since the last call, derived from the
 * versions table as the operator sends them (`grader watch`); `fromStart`: every published version
 * is announced once, else only those published after the watch began.
 */
async function publicationWatch(store: Store, fromStart: boolean): Promise<() => Promise<PolicyPublishedEvent[]>> {
  const repository = new PolicyRepository(store);
  const announced = new Set(fromStart ? [] : (await repository.list()).map((p) => p.version));
  return async () => {
    const publications = await repository.list();
    const events: PolicyPublishedEvent[] = [];
    for (const p of publications.filter((p) => !announced.has(p.version))) {
      announced.add(p.version);
      const event = await publishedEventOf(store, p, publications);
      if (event) events.push(event);
    }
    return events;
  };
}

export {
  AnnouncementError,
  checkPolicyAnswerSchema,
  diffPoliciesAnswerSchema,
  listPoliciesAnswerSchema,
  publicationWatch,
  publishPolicyAnswerSchema,
  showPolicyAnswerSchema,
  checkPolicy,
  checkPolicySchema,
  diffPolicies,
  diffPoliciesSchema,
  listPolicies,
  listPoliciesSchema,
  publishedEventOf,
  publishPolicy,
  publishPolicySchema,
  showPolicy,
  showPolicySchema,
};
export type { PolicyPublishedEvent };
