import { ABILITIES, type Ability } from './abilities';
import { INDICATORS, INDICATOR_COUNT } from './indicators';
import { F, FIELD_COUNT } from './metrics';
import { nextTierOf, operationTierOf, tierThresholds, type NextTier, type OperationTierName, type TierThresholds } from './operationTier';
import type { Policy } from './policy';
import { planPools, type Pool } from './pools';
import type { AbilitiesField, IndicatorsField } from './records';
import { ABILITY_COUNT, scorePool, type PoolScores, type PoolTotals } from './scores';
import { memberTargets, pickTargets } from './targets';

/** Every seller's sums over one window, seller-major: sums[s * FIELD_COUNT + field]. */
interface TotalsMatrix {
  count: number;
  sums: Float64Array;
}

/** Who a seller is for pooling. */
interface PoolMembership {
  sellerId: string;
  categoryId: string;
  parentId: string;
}

/** The operation-tier grade of one seller over one window (SPEC §5–§6). */
type WindowGrade =
  | {
      reason: 'scored';
      poolId: string;
      composite: number;
      abilities: AbilitiesField;
      indicators: IndicatorsField;
      tier: OperationTierName;
      thresholds: TierThresholds;
      nextTier: NextTier | null;
    }
  | { reason: 'inactive'; poolId: null; composite: null; abilities: null; indicators: null; tier: 'basic'; thresholds: null; nextTier: null };

const INACTIVE: WindowGrade = {
  reason: 'inactive',
  poolId: null,
  composite: null,
  abilities: null,
  indicators: null,
  tier: 'basic',
  thresholds: null,
  nextTier: null,
};

function matrixOf(count: number): TotalsMatrix {
  return { count, sums: new Float64Array(count * FIELD_COUNT) };
}

/** S(orders) + S(visitors) > 0 (SPEC §5.1). */
function isScorable(m: TotalsMatrix, s: number): boolean {
  const o = s * FIELD_COUNT;
  return m.sums[o + F.orders]! + m.sums[o + F.visitors]! > 0;
}

/** Plans the pools of one window: which sellers are scored, and against whom. */
function planWindowPools(sellers: PoolMembership[], scoring: TotalsMatrix, policy: Policy) {
  return planPools(
    sellers.map((s, i) => ({ sellerId: s.sellerId, categoryId: s.categoryId, parentId: s.parentId, scorable: isScorable(scoring, i) })),
    policy.pool.minSize,
  );
}

/** Scores one pool in full; `wanted` limits which assigned sellers get a grade built. */
function gradePool(
  pool: Pool,
  scoring: TotalsMatrix,
  previousGmvCents: Float64Array,
  windowDays: number,
  policy: Policy,
  wanted: (seller: number) => boolean = () => true,
): Map<number, WindowGrade> {
  const n = pool.members.length;
  const sums = new Float64Array(n * FIELD_COUNT);
  const previous = new Float64Array(n);
  pool.members.forEach((s, k) => {
    sums.set(scoring.sums.subarray(s * FIELD_COUNT, (s + 1) * FIELD_COUNT), k * FIELD_COUNT);
    previous[k] = previousGmvCents[s]!;
  });
  const totals: PoolTotals = { size: n, sums, previousGmvCents: previous, windowDays };
  const scores = scorePool(totals, policy);
  const thresholds = tierThresholds(scores.composite, policy);
  const position = new Map<number, number>();
  pool.members.forEach((s, k) => position.set(s, k));
  const grades = new Map<number, WindowGrade>();
  for (const s of pool.assigned) {
    if (wanted(s)) grades.set(s, memberGrade(pool.poolId, totals, scores, position.get(s)!, thresholds, policy));
  }
  return grades;
}

/**
 * Grades every wanted seller of a window, pool by pool: each pool is scored in full, grades are
 * built only for the wanted (SPEC §8.3). Inactive sellers come first, then each pool's.
 */
function* gradesOfWindow(
  sellers: PoolMembership[],
  scoring: TotalsMatrix,
  previousGmvCents: Float64Array,
  windowDays: number,
  policy: Policy,
  wanted: (seller: number) => boolean = () => true,
): Generator<[number, WindowGrade]> {
  const plan = planWindowPools(sellers, scoring, policy);
  for (let s = 0; s < sellers.length; s++) if (plan.poolIdOf[s] === null && wanted(s)) yield [s, INACTIVE];
  for (const pool of plan.pools) {
    if (!pool.assigned.some(wanted)) continue;
    yield* gradePool(pool, scoring, previousGmvCents, windowDays, policy, wanted);
  }
}

function memberGrade(poolId: string, totals: PoolTotals, scores: PoolScores, k: number, thresholds: TierThresholds, policy: Policy): WindowGrade {
  const n = scores.size;
  const abilities = {} as AbilitiesField;
  for (let a = 0; a < ABILITY_COUNT; a++) abilities[ABILITIES[a]!] = scores.abilities[a * n + k]!;
  const indicators = {} as IndicatorsField;
  for (let j = 0; j < INDICATOR_COUNT; j++) {
    const raw = scores.raw[j * n + k]!;
    indicators[INDICATORS[j]!.id] = { raw: Number.isNaN(raw) ? null : raw, value: scores.value[j * n + k]!, weight: scores.weights[j]! };
  }
  const composite = scores.composite[k]!;
  const tier = operationTierOf(composite, thresholds);
  return {
    reason: 'scored',
    poolId,
    composite,
    abilities,
    indicators,
    tier,
    thresholds,
    nextTier: nextTierOf(tier, composite, thresholds, abilities as Record<Ability, number>, policy, (gap) =>
      pickTargets(memberTargets(totals, scores, k, gap, policy), policy.tiers.maxTargets),
    ),
  };
}

export { INACTIVE, gradePool, gradesOfWindow, isScorable, matrixOf, planWindowPools };
export type { PoolMembership, TotalsMatrix, WindowGrade };
