// The report's pages as HTML text, charts drawn by `draw` (ECharts to SVG): Node writes the
// marketplace and seller pages with it, and the page builds the seller views it holds with it.
import type { MarketplaceModel, MigrationCell, SellerView, ViewConstants } from '../../lib/report';
import { cellCount, heatmap, marketplaceCharts, migrationOption, migrationRows, sellerCharts } from './options';
import { growthSectionHtml, sellerGrowthHtml } from './growthHtml';
import { code, esc, fill, fmt, num, panel, table, type Commands, type Draw } from './parts';

const countsRows = (rows: { counts: Record<string, number> }[], label: (r: never) => string, keys: readonly string[]) =>
  rows.map((r) => [label(r as never), ...keys.map((k) => r.counts[k] ?? 0)]);

/** The sellers behind each migration cell: the first ones (links to their views) and the command that lists them all. */
function cellLists(cells: MigrationCell[], link: (id: string) => string, command: (c: MigrationCell) => string | null): string {
  return `<div class="cells">${cells
    .map((c) => {
      const all = c.count > c.first.length ? command(c) : null;
      return (
        `<details data-cell="${esc(`${c.from}>${c.to}`)}"><summary>${esc(c.from)} → ${esc(c.to)}: ${num(c.count)}</summary>` +
        `<p class="who">${c.first.map(link).join(', ')}${c.count > c.first.length ? ` … (first ${c.first.length} by id)` : ''}</p>` +
        (all ? `<p class="note">All ${num(c.count)}: ${code(all)}</p>` : '') +
        '</details>'
      );
    })
    .join('')}</div>`;
}

/** The marketplace page's overview: every chart with its table, the migration's sellers, the categories. */
function marketplaceHtml(R: MarketplaceModel, draw: Draw, commands: Commands, inlined: Set<string>): string {
  const C = R.constants;
  const charts = marketplaceCharts(R);
  const link = (id: string) => (inlined.has(id) ? `<a href="#seller=${esc(id)}" data-seller="${esc(id)}">${esc(id)}</a>` : esc(id));
  const out: string[] = ['<h2>Marketplace</h2>', `<p class="note" data-sellers="${R.sellers}">${num(R.sellers)} sellers graded.</p>`, '<div class="grid">'];
  out.push(
    panel(
      draw,
      'tiersByMonth',
      'Operation tiers by month',
      charts.tiersByMonth,
      ['month', ...C.tiers],
      countsRows(R.tiersByMonth, (r: { month: string }) => r.month, C.tiers),
    ),
  );
  if (R.migration && charts.migration) {
    const rows = migrationRows(R.migration.cells, C.tiers);
    const cells = R.migration.cells;
    const { from, to } = R.migration;
    out.push(
      panel(
        draw,
        'migration',
        `Tier migration ${from} → ${to}`,
        charts.migration,
        ['from \\ to', ...C.tiers],
        rows.map((f) => [f, ...C.tiers.map((t) => cellCount(cells, f, t))]),
        {
          note: 'Open a cell to see its sellers.',
          after: cellLists(cells, link, (c) => (commands.cell ? fill(commands.cell, { from: c.from, to: c.to, since: from, period: to }) : null)),
        },
      ),
    );
  }
  out.push(
    panel(
      draw,
      'serviceByMonth',
      'Service levels by month',
      charts.serviceByMonth,
      ['month', ...C.levels],
      countsRows(R.serviceByMonth, (r: { month: string }) => r.month, C.levels),
    ),
    panel(
      draw,
      'merchantByQuarter',
      'Merchant tiers by quarter',
      charts.merchantByQuarter,
      ['quarter', ...C.merchant],
      countsRows(R.merchantByQuarter, (r: { quarter: string }) => r.quarter, C.merchant),
    ),
    panel(
      draw,
      'grants',
      'China Good Seller grants: active and expiring by month',
      charts.grants,
      ['month', 'active', 'expiring'],
      R.grants.map((g) => [g.month, g.active, g.expiring]),
      {
        note: `Grants by status: ${
          Object.entries(R.grantStatuses)
            .sort()
            .map(([s, n]) => `${esc(s)} ${num(n)}`)
            .join(', ') || 'none'
        }.`,
      },
    ),
    panel(
      draw,
      'labels',
      'Storefront labels',
      charts.labels,
      ['label', 'sellers'],
      Object.keys(R.labels)
        .sort()
        .map((l) => [l, R.labels[l]]),
    ),
    panel(
      draw,
      'findings',
      'Health-check findings by area and severity',
      charts.findings,
      ['area', ...C.severities],
      C.areas.map((a) => [a, ...C.severities.map((s) => R.findings[a]?.[s] ?? 0)]),
    ),
  );
  if (charts.quarantine)
    out.push(
      panel(
        draw,
        'quarantine',
        'Quarantined input rows by source',
        charts.quarantine,
        ['source', 'rows'],
        Object.keys(R.quarantine)
          .sort()
          .map((s) => [s, R.quarantine[s]]),
      ),
    );
  out.push('</div>', '<h2>Categories</h2>', '<div class="grid">');
  const listedNote =
    R.categoryCount > R.categories.length
      ? `The ${R.categories.length} largest of ${num(R.categoryCount)} categories are listed${commands.categories ? `; all of them, seller by seller: ${code(fill(commands.categories, { period: R.months.at(-1) ?? R.period }))}` : ''}.`
      : undefined;
  out.push(
    panel(
      draw,
      'categoryShares',
      `Tier shares per category, ${R.months.at(-1) ?? ''}${R.categories.length > 20 ? ' (the 20 largest)' : ''}`,
      charts.categoryShares,
      ['category', 'sellers', ...C.tiers],
      R.categories.map((c) => [c.categoryId, c.sellers, ...C.tiers.map((t) => c.shares[t] ?? 0)]),
      listedNote ? { note: listedNote } : {},
    ),
  );
  const pick = R.categories.find((c) => c.categoryId === charts.thresholdsOf);
  if (pick && charts.thresholds)
    out.push(
      panel(
        draw,
        'thresholds',
        `Pool thresholds over time: ${pick.categoryId}`,
        charts.thresholds,
        ['month', 'top', 'highPotential', 'mid'],
        pick.thresholds.map((t) => [t.month, t.top, t.highPotential, t.mid]),
      ),
    );
  out.push('</div>');
  if (R.growth) out.push(growthSectionHtml(R.growth, draw, commands, link));
  return out.join('');
}

/** One seller's view: standing, gap, charts, benefits, rates, criteria, findings, bad orders. */
function sellerViewHtml(s: SellerView, V: ViewConstants, draw: Draw, commands: Pick<Commands, 'orders' | 'listings' | 'seller'>): string {
  const st = s.status;
  const facts: [string, unknown][] = [
    ['operation tier', st?.operationTier ?? 'none'],
    ['service level', st?.serviceLevel ?? 'none'],
    ['merchant tier', st ? st.merchantTier : 'n/a'],
    ['storefront label', st?.frontBadge ?? 'none'],
  ];
  if (s.daily) {
    facts.push([`composite (${s.daily.date})`, s.daily.composite]);
    if (s.daily.nextTier) {
      facts.push([`gap to ${s.daily.nextTier.tier}`, s.daily.nextTier.scoreGap], ['work on first', s.daily.nextTier.focus.join(', ')]);
      facts.push([
        'targets (any one alone)',
        s.daily.nextTier.targets.length > 0 ? s.daily.nextTier.targets.join('; ') : 'none reachable by one indicator alone',
      ]);
    }
  }
  const charts = sellerCharts(s, V);
  const out: string[] = [
    `<h2 id="seller-title">Seller ${esc(s.sellerId)}${s.categoryId ? ` (${esc(s.categoryId)})` : ''}</h2>`,
    `<dl class="facts" data-facts="seller">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd data-fact="${esc(k)}">${esc(fmt(v, 1))}</dd>`).join('')}</dl>`,
    '<div class="grid">',
    panel(
      draw,
      'sellerComposite',
      'Composite and tier by month',
      charts.sellerComposite,
      ['month', 'composite', 'tier'],
      s.tiers.map((t) => [t[0], t[2], t[1]]),
    ),
  ];
  if (s.daily?.abilities && charts.sellerAbilities) {
    const pool = s.daily.pool;
    const poolAbilities = s.daily.poolAbilities ?? [];
    out.push(
      panel(
        draw,
        'sellerAbilities',
        `The seven abilities against the pool (${s.daily.date})`,
        charts.sellerAbilities,
        ['ability', 'seller', 'pool mean'],
        V.constants.abilities.map((n, i) => [n, s.daily!.abilities![i], poolAbilities[i]]),
        pool
          ? {
              note:
                pool.sampled < pool.members
                  ? `Pool ${esc(pool.poolId)}: the mean of ${num(pool.sampled)} of its ${num(pool.members)} members (evenly spread packs of daily scores).`
                  : `Pool ${esc(pool.poolId)}: the mean of its ${num(pool.members)} members.`,
            }
          : {},
      ),
    );
  }
  out.push('</div><div class="lists">');
  const tierNow = st?.operationTier ?? 'basic';
  const nextTier = s.daily?.nextTier?.tier ?? null;
  const benefitsOf = (tier: string | null) => (tier && Object.hasOwn(V.benefits, tier) ? V.benefits[tier as keyof typeof V.benefits] : []);
  const now = benefitsOf(tierNow);
  const next = benefitsOf(nextTier);
  out.push(
    `<h3>Benefits now (${esc(tierNow)}) and next${nextTier ? ` (${esc(nextTier)})` : ''}</h3>`,
    table(
      'benefits',
      ['now', 'next tier'],
      Array.from({ length: Math.max(now.length, next.length) }, (_, i) => [now[i] ?? '', next[i] ?? '']),
    ),
  );
  if (s.service) {
    const sv = s.service;
    const limits = [
      ['maxBadExperienceRate', '<'],
      ['maxSellerResponsibleArbitrationRate', '<'],
      ['minPositiveRatingRate', '≥'],
    ] as const;
    out.push(
      `<h3>Service level ${esc(sv.period)}: ${esc(sv.level)} (${esc(sv.window.start)}..${esc(sv.window.end)}, ${sv.closedOrders} closed orders)</h3>`,
      table(
        'serviceRates',
        ['rate', 'actual', ...V.serviceThresholds.map((l) => l.level)],
        V.constants.rates.map((name, i) => [
          name,
          sv.rates[i],
          ...V.serviceThresholds.map((l) => {
            const limit = (l as Record<string, unknown>)[limits[i]![0]];
            return limit === undefined ? '—' : `${limits[i]![1]} ${String(limit)}`;
          }),
        ]),
      ),
    );
  }
  if (s.merchant)
    out.push(
      `<h3>Merchant criteria ${esc(s.merchant.quarter)}: ${esc(s.merchant.assessedTier)}</h3>`,
      table(
        'merchantCriteria',
        ['criterion', 'actual', 'required', 'met'],
        s.merchant.criteria.map((c) => [`${c[0]} ${c[1]}`, c[2], c[3], c[4] ? 'met' : 'missed']),
      ),
    );
  if (s.growth) out.push(sellerGrowthHtml(s.growth, s.sellerId, commands));
  out.push(
    `<h3>Health-check findings (${s.findings.length})</h3>`,
    table('sellerFindings', ['finding', 'severity', 'since', 'deadline', 'action'], s.findings),
  );
  if (s.badOrders.length) {
    const total = s.badOrdersTotal ?? s.badOrders.length;
    out.push(
      `<h3>Bad-experience orders behind the service level (${total > s.badOrders.length ? `the newest ${s.badOrders.length} of ${num(total)}` : total})</h3>`,
      table(
        'badOrders',
        ['order', 'closed', 'reasons', 'excluded'],
        s.badOrders.map((o) => [o[0], o[1], o[2], o[3] ? 'excluded' : '']),
      ),
    );
    if (s.service)
      out.push(
        `<p class="note">Every one of them: ${code(fill(commands.orders, { id: s.sellerId, from: s.service.window.start, to: s.service.window.end }))}</p>`,
      );
  }
  out.push('</div>');
  return out.join('');
}

/** What-if: the overall matrix and the largest categories' matrices, each with the first sellers behind its cells. */
function compareHtml(
  C: {
    overall: MigrationCell[];
    byCategory: { categoryId: string; cells: MigrationCell[] }[];
    tiers: readonly string[];
    targets: Record<'current' | 'draft', { belowTop: number; withTarget: number }>;
  },
  draw: Draw,
  shownCategories = 12,
): string {
  const size = (cells: MigrationCell[]) => cells.reduce((a, c) => a + c.count, 0);
  const shown = [...C.byCategory].sort((a, b) => size(b.cells) - size(a.cells)).slice(0, shownCategories);
  const matrix = (name: string, title: string, cells: MigrationCell[], note?: string) =>
    panel(
      draw,
      name,
      title,
      migrationOption(cells, C.tiers),
      ['current \\ draft', ...C.tiers],
      migrationRows(cells, C.tiers).map((f) => [f, ...C.tiers.map((t) => cellCount(cells, f, t))]),
      { ...(note ? { note } : {}), after: cellLists(cells, esc, () => null) },
    );
  return [
    '<h2>What-if: current → draft</h2>',
    `<p data-fact="targets">Sellers below top with a target one indicator alone reaches (SPEC §6): ${(['current', 'draft'] as const)
      .map((p) => `${p} ${C.targets[p].withTarget} of ${C.targets[p].belowTop}`)
      .join(', ')}.</p>`,
    '<div class="grid">',
    matrix('whatIf', 'All sellers: tier under the current policy → under the draft', C.overall, 'Open a cell to see its sellers.'),
    ...shown.map((c) => matrix(`whatIf-${c.categoryId}`, c.categoryId, c.cells)),
    '</div>',
    C.byCategory.length > shown.length ? `<p class="note">The ${shown.length} largest of ${C.byCategory.length} categories are shown.</p>` : '',
  ].join('');
}

export { compareHtml, esc, heatmap, marketplaceHtml, sellerViewHtml };
export type { Commands, Draw };
