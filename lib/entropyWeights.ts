/**
 * Entropy weights of one ability's indicators with shrinkage toward equal weights (SPEC §5.4).
 * `columns[j]` holds the normalized values (0–100) of indicator j for the pool's members.
 */
function entropyWeights(columns: ArrayLike<number>[], shrinkage: number): Float64Array {
  const k = columns.length;
  const weights = new Float64Array(k);
  const n = k === 0 ? 0 : columns[0]!.length;
  const divergence = new Float64Array(k);
  if (n >= 2) {
    const lnN = Math.log(n);
    for (let j = 0; j < k; j++) divergence[j] = 1 - entropy(columns[j]!, lnN);
  }
  let total = 0;
  for (let j = 0; j < k; j++) total += divergence[j]!;
  for (let j = 0; j < k; j++) {
    // SPEC §5.4: when Σd = 0 every weight is 1/k; shrink toward equal weights otherwise.
    weights[j] = total > 0 ? (1 - shrinkage) * (divergence[j]! / total) + shrinkage / k : 1 / k;
  }
  return weights;
}

/** e_j = −(1/ln n)·Σ p ln p with p = v / Σv; 1 when Σv = 0 or the column is constant. */
function entropy(column: ArrayLike<number>, lnN: number): number {
  const n = column.length;
  let sum = 0;
  let constant = true;
  const first = column[0]!;
  for (let i = 0; i < n; i++) {
    const v = column[i]!;
    sum += v;
    if (v !== first) constant = false;
  }
  // A constant column carries no information: e = 1 exactly, not 1 ± rounding.
  if (sum === 0 || constant) return 1;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const p = column[i]! / sum;
    if (p > 0) acc += p * Math.log(p);
  }
  const e = -acc / lnN;
  return Math.min(e, 1);
}

export { entropy, entropyWeights };
