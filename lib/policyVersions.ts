import { createHash } from 'node:crypto';
import { z } from 'zod';
import { firstMonthOfQuarter, isMonth, monthOf, type Job } from './calendar';
import type { BoundsViolation } from './operatorBounds';
import { DEFAULT_POLICY, type Policy } from './policy';

/** A version id names the document in every record and keys its stored copy: short, no spaces. */
const VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$/;

/** The largest document a publication stores (a DynamoDB item holds 400 KB). */
const MAX_DOCUMENT_BYTES = 300_000;

/** What a publication records besides the document (SPEC §9): who, when, why, and the first month it grades. */
const publicationSchema = z.object({
  version: z.string(),
  /** the first month the version grades (YYYY-MM); null: from the beginning (the built-in default) */
  from: z.string().nullable(),
  /** order of publication; 0 is the built-in default */
  seq: z.number().int().min(0),
  publishedBy: z.string(),
  publishedAt: z.string().nullable(),
  reason: z.string(),
  /** sha-256 of the document's canonical JSON: a re-publication is identical when it matches */
  digest: z.string(),
});
type Publication = z.infer<typeof publicationSchema>;

/** JSON with every object's keys sorted: equal documents give equal text, whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The digest of a validated policy: its canonical JSON, hashed. */
function policyDigest(policy: Policy): string {
  return createHash('sha256').update(canonicalJson(policy)).digest('hex');
}

/** The built-in default (lib/policy.ts) is the first version, in force from the beginning; it is never stored. */
const DEFAULT_PUBLICATION: Publication = {
  version: DEFAULT_POLICY.version,
  from: null,
  seq: 0,
  publishedBy: 'built-in',
  publishedAt: null,
  reason: 'the defaults of SPEC §2–§7 (lib/policy.ts)',
  digest: policyDigest(DEFAULT_POLICY),
};

/** The month a period's policy is chosen by: a daily date's month, the month itself, a quarter's first month. */
function policyMonthOf(job: Job, period: string): string {
  return job === 'daily' || job === 'growth' ? monthOf(period) : job === 'monthly' ? period : firstMonthOfQuarter(period);
}

/**
 * The version in force for a month: of the versions whose `from` is not after it, the one with the
 * latest `from`, and of two with the same `from` the one published last. The default is in force
 * from the beginning, so there always is one.
 */
function versionInForce(published: Publication[], month: string): Publication {
  const candidates = [DEFAULT_PUBLICATION, ...published.filter((p) => p.seq > 0)].filter((p) => p.from === null || p.from <= month);
  return candidates.reduce((best, p) => ((p.from ?? '') > (best.from ?? '') || ((p.from ?? '') === (best.from ?? '') && p.seq > best.seq) ? p : best));
}

type PublicationVerdict = { state: 'new'; seq: number } | { state: 'identical'; publication: Publication } | { state: 'refused'; violation: BoundsViolation };

/**
 * Whether a validated document may be published from a month (without one: whether it may be
 * published at all, as `grader policy check` asks). Versions are immutable: a version already
 * published is refused unless it is the same document from the same month, which is identical and
 * writes nothing. The versions form a timeline: a new one starts no earlier than the last one, so
 * it never changes the version in force before its `from`. Every version keeps the default's
 * business time zone: periods are derived from it before a version is chosen.
 */
function publicationVerdict(draft: { policy: Policy; from?: string | undefined }, published: Publication[]): PublicationVerdict {
  const refuse = (field: string, message: string): PublicationVerdict => ({ state: 'refused', violation: { field, message } });
  const { policy, from } = draft;
  if (!VERSION_PATTERN.test(policy.version)) {
    return refuse(
      'document.version',
      `must be 1 to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit (got "${policy.version}")`,
    );
  }
  if (from !== undefined && !isMonth(from)) return refuse('from', `must be a month YYYY-MM (got "${from}")`);
  const all = [DEFAULT_PUBLICATION, ...published.filter((p) => p.seq > 0)];
  const existing = all.find((p) => p.version === policy.version);
  if (existing) {
    const when = existing.publishedAt ? ` by ${existing.publishedBy} at ${existing.publishedAt}` : ' (built in)';
    if (existing.digest !== policyDigest(policy)) {
      return refuse(
        'document.version',
        `version ${policy.version} is already published${when} with another document: a version never changes, publish this one under a new version`,
      );
    }
    if (from !== undefined && existing.from !== from) {
      return refuse('from', `version ${policy.version} is already published${when} from ${existing.from ?? 'the beginning'}, not ${from}`);
    }
    return { state: 'identical', publication: existing };
  }
  if (policy.timeZone !== DEFAULT_POLICY.timeZone) {
    return refuse(
      'document.timeZone',
      `must stay ${DEFAULT_POLICY.timeZone} in every published version: periods are derived from it before a version is chosen`,
    );
  }
  const last = all.reduce((a, b) => (b.seq > a.seq ? b : a));
  if (from !== undefined && last.from !== null && from < last.from) {
    return refuse('from', `must not be before ${last.from}, the month version ${last.version} grades from: each version starts no earlier than the last one`);
  }
  return { state: 'new', seq: last.seq + 1 };
}

/**
 * A re-run may name a version (SPEC §9: "any past grade can be recomputed"): any published one for
 * a dry run (a what-if), and only the version in force for the period for a run that writes.
 */
function namedVersionViolation(named: string, inForce: string, dryRun: boolean, job: Job, period: string): BoundsViolation | null {
  if (dryRun || named === inForce) return null;
  return {
    field: 'policyVersion',
    message: `${named} is not in force for ${job} ${period} (${inForce} is): name another version only in a dry run, or publish it from ${policyMonthOf(job, period)} or earlier`,
  };
}

/** One entry in which two documents differ: its path, and its value in each (absent when the document lacks it). */
interface PolicyDifference {
  entry: string;
  a?: unknown;
  b?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The entries in which two policy documents differ, leaf by leaf (array items by index), in the first document's order. */
function policyDiff(a: unknown, b: unknown, path = ''): PolicyDifference[] {
  const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => {
      if (!Object.hasOwn(b, k)) return [{ entry: at(k), a: a[k] }];
      if (!Object.hasOwn(a, k)) return [{ entry: at(k), b: b[k] }];
      return policyDiff(a[k], b[k], at(k));
    });
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => i).flatMap((i) => {
      if (i >= b.length) return [{ entry: at(i), a: a[i] }];
      if (i >= a.length) return [{ entry: at(i), b: b[i] }];
      return policyDiff(a[i], b[i], at(i));
    });
  }
  return canonicalJson(a) === canonicalJson(b) ? [] : [{ entry: path || '(document)', a, b }];
}

export {
  canonicalJson,
  DEFAULT_PUBLICATION,
  MAX_DOCUMENT_BYTES,
  namedVersionViolation,
  policyDiff,
  policyDigest,
  policyMonthOf,
  publicationSchema,
  publicationVerdict,
  VERSION_PATTERN,
  versionInForce,
};
export type { PolicyDifference, Publication, PublicationVerdict };
