import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantile, quantileSorted } from '../../lib/quantile';

describe('quantile (type 7)', () => {
  it('gives the median of [1, 2, 3, 4] as 2.5', () => {
    // h = (4 − 1)·0.5 = 1.5 → x₂ + 0.5·(x₃ − x₂) = 2 + 0.5 = 2.5
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it('gives Q(0.05) of [1, 2, 3, 4] as 1.15', () => {
    // h = 3·0.05 = 0.15 → 1 + 0.15·(2 − 1) = 1.15
    expect(quantile([1, 2, 3, 4], 0.05)).toBeCloseTo(1.15, 12);
  });

  it('gives Q(0.95) of 1..21 as 20, landing exactly on the 20th value', () => {
    // h = 20·0.95 = 19 → x₂₀ = 20
    const values = Array.from({ length: 21 }, (_, i) => i + 1);
    expect(quantile(values, 0.95)).toBe(20);
  });

  it('gives Q(0.95) of 1..10 as 9.55', () => {
    // h = 9·0.95 = 8.55 → x₉ + 0.55·(x₁₀ − x₉) = 9.55
    expect(
      quantile(
        Array.from({ length: 10 }, (_, i) => i + 1),
        0.95,
      ),
    ).toBeCloseTo(9.55, 12);
  });

  it('gives Q(0.8) of [10, 20, 30, 40, 50] as 42', () => {
    // h = 4·0.8 = 3.2 → 40 + 0.2·10 = 42
    expect(quantile([50, 10, 40, 20, 30], 0.8)).toBeCloseTo(42, 12);
  });

  it('gives the only value of a sample of one for every q', () => {
    for (const q of [0, 0.05, 0.5, 0.95, 1]) expect(quantile([7], q)).toBe(7);
  });

  it('gives the minimum at q = 0 and the maximum at q = 1', () => {
    expect(quantile([3, 9, 1, 5], 0)).toBe(1);
    expect(quantile([3, 9, 1, 5], 1)).toBe(9);
  });

  it('sorts numerically, not as text (10 after 9)', () => {
    expect(quantile([10, 9, 100], 0.5)).toBe(10);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    quantile(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses an empty sample', () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
  });

  it('lies between the minimum and the maximum and never decreases with q (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, a, b) => {
          const sorted = Float64Array.from(values).sort();
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const qa = quantileSorted(sorted, lo);
          const qb = quantileSorted(sorted, hi);
          return sorted[0]! <= qa && qa <= qb && qb <= sorted[sorted.length - 1]!;
        },
      ),
      { numRuns: 200 },
    );
  });
});
