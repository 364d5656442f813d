import fc from 'fast-check';
import { rowsOver, syntheticMarketplace } from '../../functions/local/syntheticMarketplace';
import { isCalendarDate } from '../../lib/calendar';
import { parseJsonLine } from '../../lib/jsonLines';
import { validateRecord } from '../../lib/records';
import { scoreLines } from './offlineJob';

/**
 * Random corruptions of a valid JSON Lines line, the kinds a marketplace's own exports produce:
 * cut lines, stray characters, JSON that is not an object, fields missing or holding any JSON
 * value (numbers JSON cannot hold, fractions, negatives, strings, nulls), dates out of range.
 */
function corruptedLine(valid: string): fc.Arbitrary<string> {
  const row = JSON.parse(valid) as Record<string, unknown>;
  const fields = Object.keys(row);
  const dateFields = fields.filter((f) => /date|On$/.test(f));
  const outOfRange = fc.constantFrom('2099-12-31', '0001-01-01', '2014-12-31', '9999-12-31', '2026-13-01');
  const oddNumber = fc.constantFrom('1e309', '-1e309', '-1', '1.5', '9007199254740993', '-0', '1e2');
  const oddValue = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    oddNumber,
    fc.constantFrom('"2099-12-31"', '"0001-01-01"', '"2026-02-30"', '""'),
  );
  return fc.oneof(
    fc.nat(valid.length - 1).map((n) => valid.slice(0, n)), // cut short
    fc.tuple(fc.nat(valid.length - 1), fc.string({ minLength: 1, maxLength: 3 })).map(([n, s]) => valid.slice(0, n) + s + valid.slice(n + 1)), // a stray character
    fc
      .jsonValue()
      .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
      .map((v) => JSON.stringify(v)), // JSON, not an object
    fc.constantFrom(...fields).map((f) => JSON.stringify(Object.fromEntries(Object.entries(row).filter(([k]) => k !== f)))), // a field missing
    fc.tuple(fc.constantFrom(...fields), oddValue).map(([f, v]) => valid.replace(new RegExp(`("${f}":)("[^"]*"|[^,}]*)`), `$1${v}`)), // a field odd
    ...(dateFields.length ? [fc.tuple(fc.constantFrom(...dateFields), outOfRange).map(([f, d]) => JSON.stringify({ ...row, [f]: d }))] : []), // a date out of range
    fc.string({ maxLength: 40 }), // anything
  );
}

/** Some corrupted copies of random lines of a file, to append after its valid lines. */
function corruptedLines(valid: readonly string[], maxCount = 12): fc.Arbitrary<string[]> {
  return fc.array(fc.constantFrom(...valid).chain(corruptedLine), { minLength: 1, maxLength: maxCount });
}

/**
 * A generated marketplace as JSON Lines, with corruptions of its lines that are not new data (a
 * corrupted row that stays a valid row of a key the data lacks would be new data, not a fault),
 * and the offline scoring of any version of its files.
 */
function fuzzCorpus(options: { sellers: number; from: string; to: string; seed: number }) {
  const market = syntheticMarketplace(options);
  const lines = {
    categories: market.categories.map((c) => JSON.stringify(c)),
    sellers: market.sellers.map((s) => JSON.stringify(s)),
    grants: market.grants.map((g) => JSON.stringify(g)),
    metrics: [...rowsOver(market, { start: options.from, end: options.to })].map((r) => JSON.stringify(r)),
  };
  const INGESTED_ON = '2026-08-01';
  const keyOf = (v: unknown, ...fields: string[]) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const r = v as Record<string, unknown>;
    return fields.every((f) => typeof r[f] === 'string') ? fields.map((f) => r[f]).join('|') : null;
  };
  const known = {
    metrics: new Set(lines.metrics.map((l) => keyOf(JSON.parse(l), 'sellerId', 'date'))),
    sellers: new Set(market.sellers.map((s) => s.sellerId)),
    categories: new Set(market.categories.map((c) => c.categoryId)),
    grants: new Set(market.grants.map((g) => g.sellerId)),
  };
  /** A corruption that stays a row of a key the clean data lacks is new data, not a corruption: left out. */
  const isNewRow = (kind: keyof typeof known, text: string) => {
    const parsed = parseJsonLine(text, 1);
    if (!parsed || !('value' in parsed)) return false;
    const v = parsed.value as Record<string, unknown>;
    if (kind === 'metrics') {
      const inRange = typeof v.date === 'string' && isCalendarDate(v.date) && v.date >= '2015-01-01' && v.date <= INGESTED_ON;
      return inRange && typeof v.sellerId === 'string' && !known.metrics.has(keyOf(v, 'sellerId', 'date'));
    }
    const id = kind === 'categories' ? v.categoryId : v.sellerId;
    return typeof id === 'string' && !(kind === 'grants' ? known.grants.has(id) || !known.sellers.has(id) : known[kind].has(id));
  };
  const extra = (kind: keyof typeof known, max: number) => corruptedLines(lines[kind], max).map((ls) => ls.filter((l) => !isNewRow(kind, l)));

  async function score(job: 'daily' | 'monthly' | 'quarterly', period: string, files: typeof lines) {
    const read = (texts: string[]) => texts.flatMap((t, i) => parseJsonLine(t, i + 1) ?? []);
    const scored = await scoreLines(
      job,
      period,
      { categories: read(files.categories), sellers: read(files.sellers), grants: read(files.grants), metrics: read(files.metrics) },
      { now: `${INGESTED_ON}T19:00:00Z` },
    );
    const records = new Map(scored.records.map((r) => [`${r.sellerId}|${r.kind}`, JSON.stringify(validateRecord(r))]));
    return { records, quarantine: scored.quarantine };
  }

  return { market, lines, extra, score, INGESTED_ON };
}

export { corruptedLine, corruptedLines, fuzzCorpus };
