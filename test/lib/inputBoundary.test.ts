import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, epochDay } from '../../lib/calendar';
import { earlierRecord, InputBoundary } from '../../lib/inputBoundary';
import { inputLine, parseJsonLine, type InputLine } from '../../lib/jsonLines';
import { DEFAULT_POLICY, lookupByCategory } from '../../lib/policy';
import { scoreLines } from '../helpers/offlineJob';
import { metricRow } from './fixtures';

const category = { categoryId: 'c-1', parentId: 'p-1', name: 'phones' };
const seller = { sellerId: 's-1', categoryId: 'c-1', storeType: 'brand', openedOn: '2025-06-01' };
const grant = { sellerId: 's-1', appliedOn: '2026-02-20', approvedOn: '2026-03-01', approvedBy: 'ops-li' };

/** A boundary that knows category c-1 and seller s-1, ingesting on 2026-08-01. */
function boundary(known: { grants?: (typeof grant)[] } = {}) {
  const b = new InputBoundary({ policy: DEFAULT_POLICY, ingestedOn: '2026-08-01' }, known);
  b.category(inputLine(category));
  b.seller(inputLine(seller));
  return b;
}

const line = (text: string, n = 5) => parseJsonLine(text, n)!;
const reasons = (b: InputBoundary) => b.quarantined.map((q) => q.reason);

describe('parseJsonLine', () => {
  it('accepts a byte-order mark on the first line and CRLF line ends', () => {
    const first = parseJsonLine(`\uFEFF${JSON.stringify(category)}\r`, 1)!;
    expect('value' in first && first.value).toEqual(category);
  });

  it('skips blank lines, CRLF ones included', () => {
    expect(parseJsonLine('  \r', 3)).toBeNull();
  });

  it.each(['null', '[1,2]', '42', '"s"', 'true'])('names line and text of %s, which is JSON but not an object', (text) => {
    expect(line(text, 7)).toEqual(expect.objectContaining({ line: 7, unreadable: `line 7 is not a JSON object: ${text}` }));
  });

  it('quotes a line that is not JSON as written, cut to 80 characters', () => {
    const long = `{"sellerId": ${'x'.repeat(200)}`;
    const parsed = line(long, 9);
    expect('unreadable' in parsed && parsed.unreadable).toBe(`line 9 is not JSON: ${long.slice(0, 80)}…`);
  });

  it('reads a byte-order mark past the first line as text, not as a mark', () => {
    expect('unreadable' in line(`\uFEFF${JSON.stringify(category)}`, 2)).toBe(true);
  });
});

describe('InputBoundary: metric rows', () => {
  it('quarantines a row dated after the day it is ingested on, and one before data.earliestDate', () => {
    const b = boundary();
    expect(b.metric(inputLine(metricRow('s-1', '2026-08-02')))).toBeNull();
    expect(b.metric(inputLine(metricRow('s-1', '2014-12-31')))).toBeNull();
    expect(b.metric(inputLine(metricRow('s-1', '2026-08-01')))).not.toBeNull();
    expect(b.metric(inputLine(metricRow('s-1', '2015-01-01')))).not.toBeNull();
    expect(reasons(b)).toEqual([
      'seller s-1, 2026-08-02: date (2026-08-02) is after the date it was ingested on (2026-08-01)',
      'seller s-1, 2014-12-31: date (2014-12-31) is before data.earliestDate (2015-01-01)',
    ]);
  });

  it('quotes a number beyond a double as written, not as null', () => {
    const b = boundary();
    const text = JSON.stringify(metricRow('s-1', '2026-07-01', { gmvCents: 7 })).replace('"gmvCents":7', '"gmvCents":1e309');
    expect(b.metric(line(text))).toBeNull();
    expect(reasons(b)).toEqual(['seller s-1, 2026-07-01: gmvCents (1e309) is not an integer']);
  });

  it('keeps the first of a row repeated three times and quarantines the other two, each with its line', () => {
    const b = boundary();
    const text = JSON.stringify(metricRow('s-1', '2026-07-01', { orders: 1, visitors: 3 }));
    const kept = [1, 2, 3].map((n) => b.metric(line(text, n)));
    expect(kept.map((r) => r !== null)).toEqual([true, false, false]);
    expect(b.quarantined.map((q) => q.key.line)).toEqual([2, 3]);
  });

  it('quarantines lines that are not objects with their line numbers, and an empty object by its first missing field', () => {
    const b = boundary();
    for (const [n, text] of ['null', '[1,2]', '{}'].entries()) b.metric(line(text, n + 1));
    expect(reasons(b)).toEqual([
      'line 1 is not a JSON object: null',
      'line 2 is not a JSON object: [1,2]',
      'seller undefined, undefined: sellerId must match ^[A-Za-z0-9_-]{1,64}$',
    ]);
  });
});

describe('InputBoundary: grants', () => {
  it('refuses a grant approved before it was applied for, and one revoked before it was approved', () => {
    const b = boundary();
    expect(b.grant(inputLine({ ...grant, approvedOn: '2026-02-19' }))).toBeNull();
    expect(b.grant(inputLine({ ...grant, revokedOn: '2026-02-28' }))).toBeNull();
    expect(reasons(b)).toEqual([
      'seller s-1: approvedOn (2026-02-19) is before appliedOn (2026-02-20)',
      'seller s-1: revokedOn (2026-02-28) is before approvedOn (2026-03-01)',
    ]);
  });

  it('refuses an approval later than the day it is ingested on and an application before data.earliestDate', () => {
    const b = boundary();
    expect(b.grant(inputLine({ ...grant, approvedOn: '2026-08-02' }))).toBeNull();
    expect(b.grant(inputLine({ ...grant, appliedOn: '0001-01-01' }))).toBeNull();
    expect(reasons(b)[0]).toMatch(/approvedOn \(2026-08-02\) is after the date it was ingested on/);
    expect(reasons(b)[1]).toMatch(/appliedOn \(0001-01-01\) is before data.earliestDate/);
  });

  it('keeps one grant per seller: the first valid one in the input, or the one the store holds', () => {
    const b = boundary();
    expect(b.grant(inputLine({ ...grant, approvedOn: '2026-02-01' }))).toBeNull(); // invalid: does not count as the first
    expect(b.grant(inputLine(grant))).not.toBeNull();
    expect(b.grant(inputLine({ ...grant, approvedBy: 'ops-second' }))).toBeNull();
    expect(reasons(b)[1]).toBe('seller s-1: a seller has at most one grant; the first one stands');

    const stored = boundary({ grants: [grant] });
    expect(stored.grant(inputLine({ ...grant, revokedOn: '2026-04-01', revokedBy: 'ops-li' }))).not.toBeNull(); // the same grant, revoked
    const other = boundary({ grants: [grant] });
    expect(other.grant(inputLine({ ...grant, appliedOn: '2026-05-01', approvedOn: '2026-05-02' }))).toBeNull();
    expect(reasons(other)).toEqual(['seller s-1: a seller has at most one grant; the store holds one approved on 2026-03-01']);
  });
});

describe('InputBoundary: reference rows', () => {
  it('keeps the first of a repeated category and seller, and refuses a seller of an unknown category', () => {
    const b = boundary();
    expect(b.category(inputLine({ ...category, name: 'again' }))).toBeNull();
    expect(b.seller(inputLine({ ...seller, storeType: 'official' }))).toBeNull();
    expect(b.seller(inputLine({ ...seller, sellerId: 's-2', categoryId: 'c-9' }))).toBeNull();
    expect(reasons(b)).toEqual([
      'category c-1: repeats an earlier row; the first one stands',
      'seller s-1: repeats an earlier row; the first one stands',
      'seller s-2: categoryId c-9 is not a known category',
    ]);
  });

  it('takes identifiers that name properties of Object.prototype as ordinary ids', () => {
    const b = new InputBoundary({ policy: DEFAULT_POLICY, ingestedOn: '2026-08-01' });
    for (const id of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(b.category(inputLine(JSON.parse(`{"categoryId":"${id}","parentId":"${id}","name":"x"}`)))).not.toBeNull();
      expect(b.seller(inputLine(JSON.parse(`{"sellerId":"${id}","categoryId":"${id}","storeType":"brand","openedOn":"2025-01-01"}`)))).not.toBeNull();
      expect(b.metric(inputLine(metricRow(id, '2026-07-01')))).not.toBeNull();
    }
    expect(b.quarantined).toEqual([]);
  });
});

describe('earlier records (grades.jsonl)', () => {
  it('reads records by the shapes of SPEC §10: the fields the product adds beyond them are optional', () => {
    const b = boundary();
    const tier = { kind: 'operationTier', sellerId: 's-1', period: '2026-07', tier: 'top', reason: 'scored' }; // no categoryId, no indicators
    expect(earlierRecord(b, inputLine(tier))).toEqual(tier);
    expect(b.quarantined).toEqual([]);
  });

  it('quarantines a line that is not a record instead of skipping it', () => {
    const b = boundary();
    expect(earlierRecord(b, inputLine({ kind: 'operationTier', sellerId: 's-1', period: '2026-07' }))).toBeNull();
    expect(earlierRecord(b, line('[]', 4) as InputLine)).toBeNull();
    expect(b.quarantined.map((q) => [q.source, q.reason])).toEqual([
      ['grades', expect.stringMatching(/^not a grade record of SPEC §10: tier: /)],
      ['grades', 'line 4 is not a JSON object: []'],
    ]);
  });
});

describe('identifiers and dates at the edges', () => {
  it('looks criteria up by a category id named constructor or __proto__ without reaching Object.prototype', () => {
    const table = { default: 'default', byCategory: { 'c-1': 'phones' } };
    expect(lookupByCategory(table, 'constructor', '__proto__')).toBe('default');
    expect(lookupByCategory(table, 'toString', 'c-1')).toBe('phones');
  });

  it('counts days in the years 0–99 as they are, not as 1900–1999', () => {
    expect(epochDay('0001-01-01')).toBe(-719_162);
    expect(daysBetween('0001-01-01', '1901-01-01')).toBe(693_960);
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
  });

  it("grades every seller of categories named after Object.prototype's properties, in every job", async () => {
    const ids = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    const categories = ids.map((id) => ({ categoryId: id, parentId: ids[(ids.indexOf(id) + 1) % ids.length]!, name: id }));
    const sellers = ids.flatMap((id) => [0, 1].map((k) => ({ sellerId: k ? id : `${id}-s`, categoryId: id, storeType: 'brand', openedOn: '2025-06-01' })));
    const rows = sellers.flatMap((s, i) =>
      ['2026-05-10', '2026-06-10', '2026-07-10'].map((d) => metricRow(s.sellerId, d, { orders: i + 1, visitors: 10 * (i + 1) })),
    );
    for (const [job, period] of [
      ['daily', '2026-07-16'],
      ['monthly', '2026-07'],
      ['quarterly', '2026-Q2'],
    ] as const) {
      const { records, quarantine } = await scoreLines(job, period, { categories, sellers, grants: [{ ...grant, sellerId: 'constructor' }], metrics: rows });
      expect(quarantine).toEqual([]);
      expect(new Set(records.map((r) => r.sellerId))).toEqual(new Set(sellers.map((s) => s.sellerId)));
    }
  });
});
