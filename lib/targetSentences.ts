import { INDICATORS, type IndicatorDefinition, type IndicatorId } from './indicators';
import type { Policy } from './policy';
import type { IndicatorsField } from './records';
import { rangeOf, type Target } from './targets';

type Unit = 'percent' | 'signedPercent' | 'count' | 'usd' | 'stars' | 'days' | 'number';

/** How a seller reads each indicator (SPEC §6: "in the seller's own units"); `{days}` is the window's length. */
const READING: Record<IndicatorId, { name: string; unit: Unit }> = {
  sellThroughRate: { name: 'listings with a sale', unit: 'percent' },
  inStockRate: { name: 'listings in stock', unit: 'percent' },
  positiveRatingRate: { name: 'positive ratings', unit: 'percent' },
  dsrDescription: { name: 'item-as-described rating', unit: 'stars' },
  campaignOrderShare: { name: 'campaign order share', unit: 'percent' },
  marketCoverage: { name: 'markets with orders a day', unit: 'number' },
  conversionRate: { name: 'conversion rate', unit: 'percent' },
  viewsPerVisitor: { name: 'product views per visitor', unit: 'number' },
  visitors: { name: 'visitors over {days} days', unit: 'count' },
  online72hRate: { name: 'orders tracked online within 72 h', unit: 'percent' },
  deliveryDays: { name: 'days to delivery', unit: 'days' },
  unshippedRate: { name: 'paid orders cancelled unshipped', unit: 'percent' },
  dsrShipping: { name: 'shipping rating', unit: 'stars' },
  responseRate24h: { name: 'messages answered within 24 h', unit: 'percent' },
  disputeRate: { name: 'dispute rate', unit: 'percent' },
  badExperienceRate: { name: 'bad-experience rate', unit: 'percent' },
  dsrCommunication: { name: 'communication rating', unit: 'stars' },
  repeatOrderRate: { name: 'repeat-buyer order share', unit: 'percent' },
  newFollowers: { name: 'new followers over {days} days', unit: 'count' },
  gmv: { name: 'GMV over {days} days', unit: 'usd' },
  orderVolume: { name: 'orders over {days} days', unit: 'count' },
  gmvGrowth: { name: 'GMV growth over the previous {days} days', unit: 'signedPercent' },
};

const DIGITS: Record<Unit, number> = { percent: 1, signedPercent: 1, count: 0, usd: 0, stars: 2, days: 1, number: 2 };

const definition = (id: IndicatorId): IndicatorDefinition => INDICATORS.find((d) => d.id === id)!;
const nameOf = (id: IndicatorId, windowDays: number) => READING[id].name.replace('{days}', String(windowDays));

function shownIn(unit: Unit, x: number, digits: number): string {
  const scaled = unit === 'percent' || unit === 'signedPercent' ? 100 * x : x;
  const text = Math.abs(scaled).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const sign = scaled < 0 && Number(text.replace(/,/g, '')) !== 0 ? '-' : unit === 'signedPercent' && scaled > 0 ? '+' : '';
  if (unit === 'percent' || unit === 'signedPercent') return `${sign}${text} %`;
  if (unit === 'usd') return `${sign}$${text}`;
  return `${sign}${text}`;
}

/** Rounds toward the harder side at the shown precision, so that reaching the shown value is enough. */
function roundedTarget(unit: Unit, x: number, digits: number, up: boolean): number {
  const scale = 10 ** (digits + (unit === 'percent' || unit === 'signedPercent' ? 2 : 0));
  // the tolerance keeps 0.061 (6.1 %, stored as 0.06100000000000001) from showing as 6.2 %
  const scaled = x * scale;
  return (up ? Math.ceil(scaled - 1e-9) : Math.floor(scaled + 1e-9)) / scale;
}

/** "campaign order share 2.7 % → 6.1 %", "visitors over 30 days 1,240 → 2,310" (SPEC §6). */
function targetSentence(t: Target, windowDays: number): string {
  const { unit } = READING[t.indicator];
  const up = definition(t.indicator).better === 'higher';
  let digits = DIGITS[unit];
  // more digits until the two values differ on screen (a rate of 0.12 % → 0.08 %)
  while (digits < DIGITS[unit] + 3 && shownIn(unit, t.raw, digits) === shownIn(unit, roundedTarget(unit, t.target, digits, up), digits)) digits++;
  const suffix = unit === 'stars' ? ' stars' : '';
  return `${nameOf(t.indicator, windowDays)} ${shownIn(unit, t.raw, digits)} → ${shownIn(unit, roundedTarget(unit, t.target, digits, up), digits)}${suffix}`;
}

/**
 * Why no indicator has a target, as far as a record tells (SPEC §6): a record keeps the weights,
 * normalized values and raw values, not the pool's lines, so an indicator the pool does not tell
 * apart (every value 50) and one whose target leaves its range are told apart only by its value.
 */
function whyNoTargets(gap: number, indicators: IndicatorsField, windowDays: number, policy: Policy): string[] {
  const groups = {
    aboveHundred: [] as IndicatorId[],
    zeroWeight: [] as string[],
    noDenominator: [] as string[],
    outOfRange: [] as string[],
    flat: [] as string[],
  };
  let best: { id: IndicatorId; points: number } | null = null;
  for (const d of INDICATORS) {
    const { value, weight, raw } = indicators[d.id];
    const aw = policy.abilityWeights[d.ability] * weight;
    const name = nameOf(d.id, windowDays);
    if (!(aw > 0)) groups.zeroWeight.push(name);
    else if (value + gap / aw > 100) {
      groups.aboveHundred.push(d.id);
      const points = aw * (100 - value);
      if (!best || points > best.points) best = { id: d.id, points };
    } else if (raw === null && (d.kind === 'rate' || d.kind === 'mean')) groups.noDenominator.push(`${name} (no ${d.den})`);
    else {
      const edge = edgeOf(d);
      // every member of a pool that does not tell its sellers apart has exactly 50
      if (edge && value !== 50) groups.outOfRange.push(`${name} (${edge})`);
      else groups.flat.push(edge ? `${name} (or its target would go ${edge})` : name);
    }
  }
  const lines = [`No indicator alone closes the gap of ${gap.toFixed(1)} points:`];
  if (groups.aboveHundred.length > 0)
    lines.push(
      `${groups.aboveHundred.length} would need more than 100/100 against the pool${best ? `; the most one can add is ${best.points.toFixed(1)} points (${nameOf(best.id, windowDays)})` : ''}.`,
    );
  if (groups.zeroWeight.length > 0) lines.push(`no weight in the score: ${groups.zeroWeight.join(', ')}.`);
  if (groups.noDenominator.length > 0) lines.push(`nothing to count in the window: ${groups.noDenominator.join(', ')}.`);
  if (groups.outOfRange.length > 0) lines.push(`the target would leave what the indicator can be: ${groups.outOfRange.join(', ')}.`);
  if (groups.flat.length > 0) lines.push(`the pool's sellers do not differ on it: ${groups.flat.join(', ')}.`);
  return lines;
}

/** Where a target leaves what the indicator can be, in its better direction (SPEC §6); null when nothing bounds it. */
function edgeOf(d: IndicatorDefinition): string | null {
  if (d.kind !== 'rate' && d.kind !== 'mean') return null;
  const [min, max] = rangeOf(d);
  if (d.better === 'lower') return d.kind === 'rate' ? 'below 0 %' : `below ${min}`;
  if (!Number.isFinite(max)) return null;
  return d.kind === 'rate' ? 'above 100 %' : `above ${max} stars`;
}

export { READING, targetSentence, whyNoTargets };
