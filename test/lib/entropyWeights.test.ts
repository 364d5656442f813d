import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entropy, entropyWeights } from '../../lib/entropyWeights';

describe('entropyWeights', () => {
  it('gives a two-member pool 0.9 / 0.1 when one indicator separates them and the other is constant', () => {
    // Column 1 [0, 100]: p = [0, 1], e = −(1/ln 2)·(0 + 1·ln 1) = 0, d = 1.
    // Column 2 [50, 50]: constant, e = 1, d = 0. Σd = 1.
    // w₁ = 0.8·1/1 + 0.2/2 = 0.9; w₂ = 0.8·0 + 0.1 = 0.1.
    const w = entropyWeights(
      [
        [0, 100],
        [50, 50],
      ],
      0.2,
    );
    expect(w[0]).toBeCloseTo(0.9, 12);
    expect(w[1]).toBeCloseTo(0.1, 12);
  });

  it('weighs a three-member pool by hand-computed divergences', () => {
    // Column 1 [0, 50, 100]: p = [0, 1/3, 2/3]; e₁ = 1 − 2·ln2 / (3·ln3), d₁ = 2·ln2 / (3·ln3) ≈ 0.42062.
    // Column 2 [100, 100, 0]: p = [1/2, 1/2, 0]; e₂ = ln2 / ln3, d₂ = 1 − ln2/ln3 ≈ 0.36907.
    // Column 3 [40, 40, 40]: constant, d₃ = 0.
    const d1 = (2 * Math.log(2)) / (3 * Math.log(3));
    const d2 = 1 - Math.log(2) / Math.log(3);
    const sum = d1 + d2;
    const shrinkage = 0.2;
    const w = entropyWeights(
      [
        [0, 50, 100],
        [100, 100, 0],
        [40, 40, 40],
      ],
      shrinkage,
    );
    expect(d1).toBeCloseTo(0.42062, 5);
    expect(d2).toBeCloseTo(0.36907, 5);
    expect(w[0]).toBeCloseTo(0.8 * (d1 / sum) + shrinkage / 3, 12); // ≈ 0.49278
    expect(w[1]).toBeCloseTo(0.8 * (d2 / sum) + shrinkage / 3, 12); // ≈ 0.44056
    expect(w[2]).toBeCloseTo(shrinkage / 3, 12); // ≈ 0.06667
    expect(w[0]).toBeCloseTo(0.49278, 5);
    expect(w[1]).toBeCloseTo(0.44056, 5);
  });

  it('without shrinkage gives all weight to the only informative indicator', () => {
    const w = entropyWeights(
      [
        [0, 100],
        [50, 50],
      ],
      0,
    );
    expect(Array.from(w)).toEqual([1, 0]);
  });

  it('with full shrinkage gives equal weights whatever the data', () => {
    const w = entropyWeights(
      [
        [0, 100, 30],
        [50, 50, 50],
        [1, 2, 3],
      ],
      1,
    );
    for (const x of w) expect(x).toBeCloseTo(1 / 3, 12);
  });

  it('gives equal weights to a pool of one member (n < 2: every d = 0)', () => {
    expect(Array.from(entropyWeights([[10], [90], [50], [0]], 0.2))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('gives equal weights when every column is constant (Σd = 0)', () => {
    expect(
      Array.from(
        entropyWeights(
          [
            [50, 50, 50],
            [0, 0, 0],
            [100, 100, 100],
          ],
          0.2,
        ),
      ),
    ).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('treats an all-zero column as e = 1: it earns only the shrinkage share', () => {
    const w = entropyWeights(
      [
        [0, 0, 0],
        [0, 100, 100],
      ],
      0.2,
    );
    expect(w[0]).toBeCloseTo(0.1, 12);
    expect(w[1]).toBeCloseTo(0.9, 12);
  });

  it('gives no weights for an ability without indicators', () => {
    expect(entropyWeights([], 0.2)).toHaveLength(0);
  });

  it('sums to 1 and keeps every weight within [λ/k, 1] (property)', () => {
    const column = (n: number) => fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: n, maxLength: n });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) => fc.array(column(n), { minLength: 1, maxLength: 5 })),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (columns, shrinkage) => {
          const w = entropyWeights(columns, shrinkage);
          const k = columns.length;
          const sum = w.reduce((s, x) => s + x, 0);
          return Math.abs(sum - 1) < 1e-9 && w.every((x) => x >= shrinkage / k - 1e-12 && x <= 1 + 1e-12);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('entropy', () => {
  it('is 1 for a uniform column and 0 for a column with a single non-zero value', () => {
    expect(entropy([25, 25, 25, 25], Math.log(4))).toBe(1);
    expect(entropy([0, 0, 80, 0], Math.log(4)) + 0).toBe(0); // + 0 turns −0 into 0
  });

  it('is ln2/ln3 for [100, 100, 0]', () => {
    expect(entropy([100, 100, 0], Math.log(3))).toBeCloseTo(Math.log(2) / Math.log(3), 12);
  });

  it('stays within [0, 1] for any non-negative column of two or more (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 2, maxLength: 30 }), (column) => {
        const e = entropy(column, Math.log(column.length));
        return e >= 0 && e <= 1;
      }),
      { numRuns: 200 },
    );
  });
});
