import fc from 'fast-check';

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
  const oddValue = fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), oddNumber, fc.constantFrom('"2099-12-31"', '"0001-01-01"', '"2026-02-30"', '""'));
  return fc.oneof(
    fc.nat(valid.length - 1).map((n) => valid.slice(0, n)), // cut short
    fc.tuple(fc.nat(valid.length - 1), fc.string({ minLength: 1, maxLength: 3 })).map(([n, s]) => valid.slice(0, n) + s + valid.slice(n + 1)), // a stray character
    fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => JSON.stringify(v)), // JSON, not an object
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

export { corruptedLine, corruptedLines };
