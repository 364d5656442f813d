// ECharts options of every chart of the report: drawn to SVG by Node (bin/report/draw.ts) for the
// pages it writes, and by the page itself for the seller views it holds (bin/report/app.ts).
import type { MarketplaceModel, MigrationCell, SellerView, ViewConstants } from '../../lib/report';

type Option = Record<string, unknown>;

/** Every chart's size in SVG units; the page scales it to its column. */
const CHART_SIZE = { width: 480, height: 300 };
/** What every chart adds: no animation, and ECharts' aria decals, so no series is told apart by colour alone. */
const drawn = (option: Option): Option => ({ ...option, animation: false, aria: { enabled: true, decal: { show: true } } });

const AXIS_GRID = { left: 40, right: 10, top: 40, bottom: 30, containLabel: true };
const stackedBars = (categories: string[], series: { name: string; data: number[] }[]): Option => ({
  legend: { top: 0 },
  grid: AXIS_GRID,
  xAxis: { type: 'category', data: categories },
  yAxis: { type: 'value' },
  series: series.map((s) => ({ name: s.name, type: 'bar', stack: 'all', data: s.data })),
});

const countsOf = (rows: { counts: Record<string, number> }[], keys: readonly string[]) =>
  keys.map((k) => ({ name: k, data: rows.map((r) => r.counts[k] ?? 0) }));

/** The rows of a migration matrix: the tiers (and 'none') that some seller moved from. */
const migrationRows = (cells: MigrationCell[], tiers: readonly string[]) => [...tiers, 'none'].filter((k) => cells.some((c) => c.from === k));
const cellCount = (cells: MigrationCell[], from: string, to: string) => cells.find((c) => c.from === from && c.to === to)?.count ?? 0;

function heatmap(
  rows: string[],
  cols: readonly string[],
  value: (row: string, col: string) => number,
  colors: [string, string],
  axes?: [string, string],
): Option {
  const data = rows.flatMap((r, y) => cols.map((c, x) => [x, y, value(r, c)]));
  return {
    grid: { left: 100, right: 20, top: 30, bottom: 40 },
    xAxis: { type: 'category', data: cols, axisLabel: { interval: 0 }, ...(axes ? { name: axes[1], nameLocation: 'center', nameGap: 28 } : {}) },
    yAxis: { type: 'category', data: rows, inverse: true, axisLabel: { interval: 0 }, ...(axes ? { name: axes[0] } : {}) },
    visualMap: { min: 0, max: Math.max(1, ...data.map((d) => d[2]!)), show: false, inRange: { color: colors } },
    series: [{ type: 'heatmap', data, label: { show: true } }],
  };
}

const migrationOption = (cells: MigrationCell[], tiers: readonly string[]) =>
  heatmap(migrationRows(cells, tiers), tiers, (from, to) => cellCount(cells, from, to), ['#f3f6fb', '#1f5fa8'], ['from', 'to']);

/** The marketplace page's charts, by name: option and the table beside it. */
function marketplaceCharts(R: MarketplaceModel) {
  const C = R.constants;
  const months = R.months;
  const labels = Object.keys(R.labels).sort();
  const sources = Object.keys(R.quarantine).sort();
  const shown = R.categories.slice(0, 20);
  const total = (shares: Record<string, number>) => Object.values(shares).reduce((a, b) => a + b, 0);
  const pick = R.categories.find((c) => c.thresholds.length > 0);
  return {
    tiersByMonth: stackedBars(months, countsOf(R.tiersByMonth, C.tiers)),
    migration: R.migration ? migrationOption(R.migration.cells, C.tiers) : null,
    serviceByMonth: stackedBars(
      R.serviceByMonth.map((r) => r.month),
      countsOf(R.serviceByMonth, C.levels),
    ),
    merchantByQuarter: stackedBars(
      R.merchantByQuarter.map((r) => r.quarter),
      countsOf(R.merchantByQuarter, C.merchant),
    ),
    grants: {
      legend: { top: 0 },
      grid: AXIS_GRID,
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value' },
      series: [
        { name: 'active', type: 'line', data: R.grants.map((g) => g.active), symbol: 'circle' },
        { name: 'expiring', type: 'bar', data: R.grants.map((g) => g.expiring) },
      ],
    },
    labels: {
      grid: { left: 60, right: 10, top: 20, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: labels.map((l) => R.labels[l]) }],
    },
    findings: heatmap([...C.areas], C.severities, (a, s) => R.findings[a]?.[s] ?? 0, ['#fbf4f2', '#b3361c']),
    quarantine: sources.length
      ? {
          grid: { left: 60, right: 10, top: 20, bottom: 30, containLabel: true },
          xAxis: { type: 'category', data: sources },
          yAxis: { type: 'value' },
          series: [{ type: 'bar', data: sources.map((s) => R.quarantine[s]) }],
        }
      : null,
    categoryShares: {
      legend: { top: 0 },
      grid: { left: 60, right: 10, top: 40, bottom: 30, containLabel: true },
      yAxis: { type: 'category', data: shown.map((c) => c.categoryId), inverse: true, axisLabel: { interval: 0 } },
      xAxis: { type: 'value', max: 1 },
      series: C.tiers.map((t) => ({
        name: t,
        type: 'bar',
        stack: 'all',
        data: shown.map((c) => (total(c.shares) ? Math.round(((c.shares[t] ?? 0) / total(c.shares)) * 1000) / 1000 : 0)),
      })),
    },
    thresholds: pick
      ? {
          legend: { top: 0 },
          grid: AXIS_GRID,
          xAxis: { type: 'category', data: pick.thresholds.map((t) => t.month) },
          yAxis: { type: 'value' },
          series: (['top', 'highPotential', 'mid'] as const).map((k) => ({ name: k, type: 'line', symbol: 'circle', data: pick.thresholds.map((t) => t[k]) })),
        }
      : null,
    thresholdsOf: pick?.categoryId ?? null,
  };
}

/** A seller view's charts: composite and tier by month, the seven abilities against the pool. */
function sellerCharts(s: SellerView, V: ViewConstants) {
  return {
    sellerComposite: {
      grid: { left: 40, right: 10, top: 20, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: s.tiers.map((t) => t[0]) },
      yAxis: { type: 'value', min: 0, max: 100 },
      series: [
        {
          type: 'line',
          symbol: 'circle',
          data: s.tiers.map((t) => t[2]),
          label: { show: true, formatter: (p: { dataIndex: number }) => s.tiers[p.dataIndex]![1] },
        },
      ],
    },
    sellerAbilities:
      s.daily?.abilities != null
        ? {
            legend: { top: 0 },
            radar: { indicator: V.constants.abilities.map((n) => ({ name: n, max: 100 })), radius: '60%' },
            series: [
              {
                type: 'radar',
                data: [
                  { name: 'seller', value: s.daily.abilities },
                  // dashed, square points: told apart from the seller's line without colour
                  ...(s.daily.poolAbilities ? [{ name: 'pool mean', value: s.daily.poolAbilities, symbol: 'rect', lineStyle: { type: 'dashed' } }] : []),
                ],
              },
            ],
          }
        : null,
  };
}

export { CHART_SIZE, cellCount, drawn, heatmap, marketplaceCharts, migrationOption, migrationRows, sellerCharts };
export type { Option };
