import { ABILITIES } from './abilities';
import { entropyWeights } from './entropyWeights';
import { INDICATORS, INDICATOR_COUNT, gmvGrowth, ratioFields, volumeValue } from './indicators';
import { F, FIELD_COUNT } from './metrics';
import type { Policy } from './policy';
import { quantileSorted } from './quantile';

/** A pool's window totals, one row of FIELD_COUNT sums per member (SPEC §5.1). */
interface PoolTotals {
  size: number;
  /** member-major: sums[i * FIELD_COUNT + field] */
  sums: Float64Array;
  /** S(gmvCents) over the window just before, per member (SPEC §4 gmvGrowth) */
  previousGmvCents: Float64Array;
  windowDays: number;
}

/** Every statistic of one pool, column-major: value[j * size + i] is member i's indicator j. */
interface PoolScores {
  size: number;
  /** the §4 formula before smoothing; NaN where the denominator is 0 */
  raw: Float64Array;
  /** normalized 0–100 (§5.3) */
  value: Float64Array;
  /** per indicator, shared by the pool (§5.4) */
  weights: Float64Array;
  /** abilities[a * size + i] (§5.5) */
  abilities: Float64Array;
  composite: Float64Array;
  /** per indicator, what the pool holds fixed for a target (SPEC §6) */
  scales: IndicatorScales;
}

/** Per indicator j: the normalization lines (NaN when the pool's Σden = 0) and the pool ratio μ (NaN but for rates and means). */
interface IndicatorScales {
  lo: Float64Array;
  hi: Float64Array;
  mu: Float64Array;
}

const ABILITY_COUNT = ABILITIES.length;
const INDICATORS_OF_ABILITY: number[][] = ABILITIES.map((a) => INDICATORS.flatMap((def, j) => (def.ability === a ? [j] : [])));
const UNINFORMATIVE = 50;
/** SPEC §5.3: quantile lines this close normalize every value to 50. */
const FLAT_SPAN = 1e-12;

/** Scores every member of a pool: smoothing, normalization, weights, abilities, composite (SPEC §5.2–§5.5). */
function scorePool(pool: PoolTotals, policy: Policy): PoolScores {
  const n = pool.size;
  const raw = new Float64Array(n * INDICATOR_COUNT);
  const value = new Float64Array(n * INDICATOR_COUNT);
  const smoothed = new Float64Array(n);
  const sorted = new Float64Array(n);
  const { lower, upper } = policy.normalization;
  const scales: IndicatorScales = {
    lo: new Float64Array(INDICATOR_COUNT).fill(Number.NaN),
    hi: new Float64Array(INDICATOR_COUNT).fill(Number.NaN),
    mu: new Float64Array(INDICATOR_COUNT).fill(Number.NaN),
  };

  for (let j = 0; j < INDICATOR_COUNT; j++) {
    const def = INDICATORS[j]!;
    const rawColumn = raw.subarray(j * n, (j + 1) * n);
    const valueColumn = value.subarray(j * n, (j + 1) * n);
    const mu = indicatorColumn(def, pool, policy, rawColumn, smoothed);
    if (mu === null) {
      valueColumn.fill(UNINFORMATIVE);
      continue;
    }
    scales.mu[j] = mu;
    sorted.set(smoothed);
    sorted.sort();
    const lo = quantileSorted(sorted, lower);
    const hi = quantileSorted(sorted, upper);
    scales.lo[j] = lo;
    scales.hi[j] = hi;
    normalize(smoothed, lo, hi, def.better === 'higher', valueColumn);
  }

  const weights = indicatorWeights(value, n, policy);
  const abilities = new Float64Array(n * ABILITY_COUNT);
  const composite = new Float64Array(n);
  for (let a = 0; a < ABILITY_COUNT; a++) {
    const abilityColumn = abilities.subarray(a * n, (a + 1) * n);
    for (const j of INDICATORS_OF_ABILITY[a]!) {
      const w = weights[j]!;
      const column = value.subarray(j * n, (j + 1) * n);
      for (let i = 0; i < n; i++) abilityColumn[i]! += w * column[i]!;
    }
    const abilityWeight = policy.abilityWeights[ABILITIES[a]!];
    for (let i = 0; i < n; i++) {
      // weights sum to 1 only up to rounding: keep scores within [0, 100]
      const score = abilityColumn[i]! > 100 ? (abilityColumn[i] = 100) : abilityColumn[i]!;
      composite[i]! += abilityWeight * score;
    }
  }
  for (let i = 0; i < n; i++) if (composite[i]! > 100) composite[i] = 100;
  return { size: n, raw, value, weights, abilities, composite, scales };
}

/**
 * Fills the raw column and the smoothed values of one indicator; returns the pool ratio μ of a rate
 * or mean, NaN for the others, and null when the indicator is uninformative for the pool (a rate or
 * mean whose pool denominator is 0, SPEC §5.2).
 */
function indicatorColumn(def: (typeof INDICATORS)[number], pool: PoolTotals, policy: Policy, rawColumn: Float64Array, smoothed: Float64Array): number | null {
  const { size: n, sums } = pool;
  const fields = ratioFields(def);
  if (fields) {
    let totalNum = 0;
    let totalDen = 0;
    for (let i = 0, o = 0; i < n; i++, o += FIELD_COUNT) {
      totalNum += sums[o + fields.num]!;
      totalDen += sums[o + fields.den]!;
    }
    for (let i = 0, o = 0; i < n; i++, o += FIELD_COUNT) {
      const den = sums[o + fields.den]!;
      rawColumn[i] = den === 0 ? Number.NaN : sums[o + fields.num]! / den;
    }
    if (totalDen === 0) return null;
    const mu = totalNum / totalDen;
    const m = def.kind === 'rate' ? policy.smoothing.rate : policy.smoothing.mean;
    for (let i = 0, o = 0; i < n; i++, o += FIELD_COUNT) {
      const den = sums[o + fields.den]!;
      // SPEC §5.2: a seller with no denominator gets the pool's own ratio.
      smoothed[i] = den === 0 ? mu : (sums[o + fields.num]! + m * mu) / (den + m);
    }
    return mu;
  }
  if (def.kind === 'volume') {
    const field = F[def.field];
    for (let i = 0, o = 0; i < n; i++, o += FIELD_COUNT) {
      smoothed[i] = rawColumn[i] = volumeValue(def, sums[o + field]!, pool.windowDays);
    }
    return Number.NaN;
  }
  for (let i = 0, o = 0; i < n; i++, o += FIELD_COUNT) {
    smoothed[i] = rawColumn[i] = gmvGrowth(sums[o + F.gmvCents]!, pool.previousGmvCents[i]!);
  }
  return Number.NaN;
}

/** Maps values onto 0–100 between the pool's lower and upper quantiles (SPEC §5.3). */
function normalize(values: Float64Array, lo: number, hi: number, higherIsBetter: boolean, out: Float64Array): void {
  const span = hi - lo;
  if (span <= FLAT_SPAN) {
    out.fill(UNINFORMATIVE);
    return;
  }
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    const c = x < lo ? lo : Math.min(x, hi);
    const v = higherIsBetter ? (100 * (c - lo)) / span : (100 * (hi - c)) / span;
    out[i] = v < 0 ? 0 : Math.min(v, 100);
  }
}

/** Per-indicator weights: the policy's fixed weights, or entropy weights per ability (SPEC §5.4). */
function indicatorWeights(value: Float64Array, n: number, policy: Policy): Float64Array {
  const weights = new Float64Array(INDICATOR_COUNT);
  const fixed = policy.weights.fixed;
  for (const members of INDICATORS_OF_ABILITY) {
    if (fixed) {
      for (const j of members) weights[j] = fixed[INDICATORS[j]!.id] ?? 0;
      continue;
    }
    const abilityWeights = entropyWeights(
      members.map((j) => value.subarray(j * n, (j + 1) * n)),
      policy.weights.shrinkage,
    );
    members.forEach((j, k) => (weights[j] = abilityWeights[k]!));
  }
  return weights;
}

export { ABILITY_COUNT, FLAT_SPAN, INDICATORS_OF_ABILITY, scorePool };
export type { IndicatorScales, PoolScores, PoolTotals };
