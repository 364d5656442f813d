import { z } from 'zod';
import { ABILITIES } from './abilities';
import { INDICATOR_COUNT, INDICATOR_IDS, INDICATORS, type IndicatorDefinition, type IndicatorId, ratioFields, volumeUnits } from './indicators';
import { F, FIELD_COUNT } from './metrics';
import type { Policy } from './policy';
import { FLAT_SPAN, type PoolScores, type PoolTotals } from './scores';

/** One target of SPEC §6: the indicator's current value and the value that alone reaches the next tier, in §4's units. */
const targetSchema = z
  .object({
    indicator: z.enum(INDICATOR_IDS),
    ability: z.enum(ABILITIES),
    raw: z.number().describe("the seller's value now, in the target's unit"),
    target: z
      .number()
      .describe(
        "the value that alone lifts the composite to the next tier's line, the pool held fixed: a rate or mean as in SPEC §4, a volume in the unit inside its logarithm (visitors, followers and orders as window sums, gmv in USD, marketCoverage in markets a day), gmvGrowth as a ratio",
      ),
  })
  .strict();
type Target = z.infer<typeof targetSchema>;

/** Why an indicator has no target (SPEC §6), in the order the rule is checked. */
const UNREACHABLE_REASONS = ['zeroWeight', 'aboveHundred', 'uninformative', 'noDenominator', 'outOfRange'] as const;
type UnreachableReason = (typeof UNREACHABLE_REASONS)[number];

/** Everything one indicator's target depends on, the pool's part held fixed as computed. */
interface TargetQuestion {
  /** g = T_next − C */
  gap: number;
  /** a, the policy weight of the indicator's ability */
  abilityWeight: number;
  /** w_j in the pool */
  weight: number;
  /** v_j, the seller's normalized value */
  value: number;
  /** the pool's normalization lines; NaN when the pool's Σden = 0 */
  lo: number;
  hi: number;
  /** rates and means: the pool ratio μ, the smoothing strength m and the seller's S(den) */
  mu: number;
  smoothing: number;
  den: number;
  /** the seller's value in the target's unit; NaN when a rate or mean has no denominator */
  current: number;
}

/** A verdict per indicator: the target with each step of the inversion, or the reason there is none. */
type IndicatorTarget =
  | {
      reachable: true;
      /** g / (a·w_j): the normalized points the indicator has to gain */
      step: number;
      /** v* */
      normalized: number;
      /** x*, on the smoothed scale */
      smoothed: number;
      raw: number;
      target: number;
    }
  | { reachable: false; reason: UnreachableReason };

/** The DSR means are star ratings: a target must stay within 1–5 (SPEC §6). */
const STAR_MEANS: ReadonlySet<IndicatorId> = new Set(['dsrDescription', 'dsrCommunication', 'dsrShipping']);

/** The values a rate or mean can take (SPEC §6): [0, 1], [1, 5] for a DSR mean, [0, ∞) for another mean. */
function rangeOf(def: IndicatorDefinition): [number, number] {
  if (def.kind === 'rate') return [0, 1];
  return STAR_MEANS.has(def.id as IndicatorId) ? [1, 5] : [0, Number.POSITIVE_INFINITY];
}

const unreachable = (reason: UnreachableReason): IndicatorTarget => ({ reachable: false, reason });

/**
 * Inverts SPEC §5 for one indicator (SPEC §6): the normalized value v* = v_j + g/(a·w_j) that alone
 * lifts the composite by g, then the smoothed value x* between the pool's lines, then the raw value
 * in §4's units with the seller's denominator and the pool's μ held fixed.
 */
function indicatorTarget(def: IndicatorDefinition, q: TargetQuestion): IndicatorTarget {
  const aw = q.abilityWeight * q.weight;
  if (!(aw > 0)) return unreachable('zeroWeight');
  const step = q.gap / aw;
  const normalized = q.value + step;
  if (normalized > 100) return unreachable('aboveHundred');
  // NaN lines (the pool's Σden = 0) fail the comparison too
  if (!(q.hi - q.lo > FLAT_SPAN)) return unreachable('uninformative');
  const smoothed = def.better === 'higher' ? q.lo + (normalized * (q.hi - q.lo)) / 100 : q.hi - (normalized * (q.hi - q.lo)) / 100;
  let target: number;
  if (def.kind === 'rate' || def.kind === 'mean') {
    if (q.den === 0) return unreachable('noDenominator');
    target = (smoothed * (q.den + q.smoothing) - q.smoothing * q.mu) / q.den;
    const [min, max] = rangeOf(def);
    if (!(target >= min && target <= max)) return unreachable('outOfRange');
  } else target = def.kind === 'volume' ? Math.expm1(smoothed) : smoothed;
  // g > 0 makes x* strictly better than x; keep rounding from turning that into an easier target
  target = def.better === 'higher' ? Math.max(target, q.current) : Math.min(target, q.current);
  return { reachable: true, step, normalized, smoothed, raw: q.current, target };
}

/** The seller's value of indicator j in the unit of its target: the §4 raw value, a volume inside its logarithm. */
function currentValue(pool: PoolTotals, scores: PoolScores, k: number, j: number): number {
  const def = INDICATORS[j]!;
  if (def.kind !== 'volume') return scores.raw[j * scores.size + k]!;
  return volumeUnits(def, pool.sums[k * FIELD_COUNT + F[def.field]]!, pool.windowDays);
}

/** Every indicator's verdict for member k of a scored pool, short of the next tier by `gap` (SPEC §6). */
function memberTargets(pool: PoolTotals, scores: PoolScores, k: number, gap: number, policy: Policy): IndicatorTarget[] {
  const n = scores.size;
  const verdicts: IndicatorTarget[] = new Array(INDICATOR_COUNT);
  for (let j = 0; j < INDICATOR_COUNT; j++) {
    const def = INDICATORS[j]!;
    const fields = ratioFields(def);
    verdicts[j] = indicatorTarget(def, {
      gap,
      abilityWeight: policy.abilityWeights[def.ability],
      weight: scores.weights[j]!,
      value: scores.value[j * n + k]!,
      lo: scores.scales.lo[j]!,
      hi: scores.scales.hi[j]!,
      mu: scores.scales.mu[j]!,
      smoothing: def.kind === 'rate' ? policy.smoothing.rate : policy.smoothing.mean,
      den: fields ? pool.sums[k * FIELD_COUNT + fields.den]! : 0,
      current: currentValue(pool, scores, k, j),
    });
  }
  return verdicts;
}

/**
 * The targets of a record (SPEC §6): the reachable verdicts (indexed like INDICATORS) by step,
 * smallest first, ties by indicator id, at most `max`.
 */
function pickTargets(verdicts: readonly IndicatorTarget[], max: number): Target[] {
  const reachable: { j: number; step: number }[] = [];
  verdicts.forEach((v, j) => {
    if (v.reachable) reachable.push({ j, step: v.step });
  });
  const id = (j: number) => INDICATORS[j]!.id;
  reachable.sort((a, b) => a.step - b.step || (id(a.j) < id(b.j) ? -1 : id(a.j) > id(b.j) ? 1 : 0));
  return reachable.slice(0, max).map(({ j }) => {
    const v = verdicts[j] as Extract<IndicatorTarget, { reachable: true }>;
    const def = INDICATORS[j]!;
    return { indicator: def.id, ability: def.ability, raw: v.raw, target: v.target };
  });
}

export { UNREACHABLE_REASONS, indicatorTarget, memberTargets, pickTargets, rangeOf, targetSchema };
export type { IndicatorTarget, Target, TargetQuestion, UnreachableReason };
