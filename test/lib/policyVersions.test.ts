import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../../lib/policy';
import {
  canonicalJson,
  DEFAULT_PUBLICATION,
  namedVersionViolation,
  policyDiff,
  policyDigest,
  policyMonthOf,
  publicationVerdict,
  versionInForce,
  type Publication,
} from '../../lib/policyVersions';

/** The same document with every object's keys in reverse order. */
const reversed = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(reversed)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .reverse()
            .map(([k, x]) => [k, reversed(x)]),
        )
      : v;
const draft = (changes: Partial<Policy>): Policy => parsePolicy({ ...DEFAULT_POLICY, ...changes });
const published = (version: string, from: string, seq: number, policy: Policy = draft({ version })): Publication => ({
  version,
  from,
  seq,
  publishedBy: 'ops-li',
  publishedAt: '2026-08-20T10:00:00Z',
  reason: 'test',
  digest: policyDigest(policy),
});

describe('the version in force for a period (SPEC §9)', () => {
  it('is the built-in default for every month while nothing is published', () => {
    expect(versionInForce([DEFAULT_PUBLICATION], '1999-01').version).toBe('2026.1');
    expect(versionInForce([], '2026-09').version).toBe('2026.1');
  });

  it('is a version from its `from` month on, and the one before it until then', () => {
    const all = [DEFAULT_PUBLICATION, published('2026.2', '2026-09', 1)];
    expect(versionInForce(all, '2026-08').version).toBe('2026.1');
    expect(versionInForce(all, '2026-09').version).toBe('2026.2');
    expect(versionInForce(all, '2027-01').version).toBe('2026.2');
  });

  it('is, of two versions from the same month, the one published last', () => {
    const all = [DEFAULT_PUBLICATION, published('2026.2', '2026-09', 1), published('2026.3', '2026-09', 2)];
    expect(versionInForce(all, '2026-09').version).toBe('2026.3');
  });

  it('is chosen by the month of a daily date, the month itself, and the first month of a quarter', () => {
    expect(policyMonthOf('daily', '2026-09-05')).toBe('2026-09');
    expect(policyMonthOf('monthly', '2026-09')).toBe('2026-09');
    expect(policyMonthOf('quarterly', '2026-Q3')).toBe('2026-07');
    const all = [DEFAULT_PUBLICATION, published('2026.2', '2026-09', 1)];
    // the quarter Q3 begins in July, before the version: it keeps the default
    expect(versionInForce(all, policyMonthOf('quarterly', '2026-Q3')).version).toBe('2026.1');
    expect(versionInForce(all, policyMonthOf('quarterly', '2026-Q4')).version).toBe('2026.2');
  });
});

describe('a publication', () => {
  const v2 = draft({ version: '2026.2', pool: { minSize: 20 } });

  it('takes the next number when the version is new', () => {
    expect(publicationVerdict({ policy: v2, from: '2026-09' }, [DEFAULT_PUBLICATION])).toEqual({ state: 'new', seq: 1 });
  });

  it('is identical, and writes nothing, when the same document is published again from the same month', () => {
    const all = [DEFAULT_PUBLICATION, published('2026.2', '2026-09', 1, v2)];
    const reordered = parsePolicy(reversed(v2));
    expect(publicationVerdict({ policy: reordered, from: '2026-09' }, all)).toMatchObject({ state: 'identical', publication: { version: '2026.2' } });
    expect(publicationVerdict({ policy: DEFAULT_POLICY, from: undefined }, all)).toMatchObject({ state: 'identical' });
  });

  it.each([
    [
      'an existing version with another document',
      { policy: draft({ version: '2026.2' }), from: '2026-09' },
      'document.version',
      /already published .* another document/,
    ],
    [
      'the default version changed',
      { policy: draft({ pool: { minSize: 3 } }), from: '2026-09' },
      'document.version',
      /2026.1 is already published \(built in\)/,
    ],
    ['an existing version from another month', { policy: v2, from: '2026-10' }, 'from', /already published .* from 2026-09, not 2026-10/],
    ['a month before the last version', { policy: draft({ version: '2026.3' }), from: '2026-08' }, 'from', /must not be before 2026-09/],
    ['a date for a month', { policy: draft({ version: '2026.3' }), from: '2026-09-01' }, 'from', /must be a month YYYY-MM/],
    ['a version id with a space', { policy: draft({ version: 'new one' }), from: '2026-09' }, 'document.version', /letters, digits/],
    ['another time zone', { policy: draft({ version: '2026.3', timeZone: 'Asia/Shanghai' }), from: '2026-09' }, 'document.timeZone', /America\/Los_Angeles/],
  ])('is refused for %s, with the field named', (_, request, field, message) => {
    const verdict = publicationVerdict(request, [DEFAULT_PUBLICATION, published('2026.2', '2026-09', 1, v2)]);
    expect(verdict).toMatchObject({ state: 'refused', violation: { field } });
    expect(verdict.state === 'refused' && verdict.violation.message).toMatch(message);
  });

  it('may start in the same month as the last version, which it then replaces from there', () => {
    const all = [DEFAULT_PUBLICATION, published('2026.2', '2026-09', 1, v2)];
    expect(publicationVerdict({ policy: draft({ version: '2026.3' }), from: '2026-09' }, all)).toEqual({ state: 'new', seq: 2 });
  });
});

describe('a re-run naming a version', () => {
  it('may name any version in a dry run, and only the one in force when it writes', () => {
    expect(namedVersionViolation('2026.3', '2026.1', true, 'monthly', '2026-07')).toBeNull();
    expect(namedVersionViolation('2026.1', '2026.1', false, 'monthly', '2026-07')).toBeNull();
    expect(namedVersionViolation('2026.3', '2026.1', false, 'monthly', '2026-07')).toEqual({
      field: 'policyVersion',
      message: '2026.3 is not in force for monthly 2026-07 (2026.1 is): name another version only in a dry run, or publish it from 2026-07 or earlier',
    });
  });
});

describe('the difference of two documents', () => {
  it('lists each entry that differs, with both values, in the first document’s order', () => {
    const b = draft({
      version: '2026.2',
      pool: { minSize: 20 },
      tiers: { ...DEFAULT_POLICY.tiers, benefits: { ...DEFAULT_POLICY.tiers.benefits, basic: ['growth: store health check'] } },
    });
    expect(policyDiff(DEFAULT_POLICY, b)).toEqual([
      { entry: 'version', a: '2026.1', b: '2026.2' },
      { entry: 'pool.minSize', a: 30, b: 20 },
      { entry: 'tiers.benefits.basic.1', a: 'service: self-service training' },
    ]);
  });

  it('is empty for equal documents, whatever their key order', () => {
    const reordered = reversed(DEFAULT_POLICY);
    expect(policyDiff(DEFAULT_POLICY, reordered)).toEqual([]);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it('names an entry only one document has', () => {
    expect(policyDiff({ a: { x: 1 } }, { a: { y: 2 } })).toEqual([
      { entry: 'a.x', a: 1 },
      { entry: 'a.y', b: 2 },
    ]);
  });
});
