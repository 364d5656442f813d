/**
 * Type-7 quantile (NumPy's default) of ascending-sorted values: linear interpolation between
 * order statistics at h = (n − 1)·q (SPEC §5.3).
 */
function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of an empty sample');
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const below = sorted[lo]!;
  if (lo + 1 >= n) return below;
  const fraction = h - lo;
  return fraction === 0 ? below : below + fraction * (sorted[lo + 1]! - below);
}

/** Type-7 quantile of unsorted values (copies, then sorts). */
function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}

export { quantile, quantileSorted };
