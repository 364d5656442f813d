// The product growth centre in the report (issue 19): the marketplace page's section and a seller's listings.
import type { GrowthSection, MoveCell, SellerGrowth } from '../../lib/growthReport';
import { heatmap, type Option } from './options';
import { code, esc, fill, num, panel, table, type Commands, type Draw } from './parts';

const moveCount = (cells: MoveCell[], from: string, to: string) => cells.find((c) => c.from === from && c.to === to)?.count ?? 0;

/** The growth section's charts: stages, stages per category (the 20 largest), moves, incentives. */
function growthCharts(G: GrowthSection): Record<'stages' | 'categories' | 'moves' | 'incentives', Option> {
  const shown = G.categories.slice(0, 20);
  return {
    stages: {
      grid: { left: 40, right: 10, top: 20, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: G.stages, axisLabel: { interval: 0 } },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: G.stages.map((s) => G.byStage[s] ?? 0), label: { show: true, position: 'top' } }],
    },
    categories: {
      legend: { top: 0 },
      grid: { left: 60, right: 10, top: 40, bottom: 30, containLabel: true },
      yAxis: { type: 'category', data: shown.map((c) => c.categoryId), inverse: true, axisLabel: { interval: 0 } },
      xAxis: { type: 'value' },
      series: G.stages.map((s) => ({ name: s, type: 'bar', stack: 'all', data: shown.map((c) => c.counts[s] ?? 0) })),
    },
    moves: heatmap(G.moves.from, G.stages, (from, to) => moveCount(G.moves.cells, from, to), ['#f3f8f1', '#2f7d32'], ['from', 'to']),
    // side by side, not stacked: the ones granted or expiring soon are among those in force
    incentives: {
      legend: { top: 0 },
      grid: { left: 40, right: 10, top: 40, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: G.incentives.map((i) => i.stage) },
      yAxis: { type: 'value', minInterval: 1 },
      series: (['inForce', 'granted', 'expiringSoon'] as const).map((k) => ({ name: k, type: 'bar', data: G.incentives.map((i) => i[k]) })),
    },
  };
}

/** The listings behind each move: the first ones by id, their sellers (links to the views the page holds), and the command that lists them all. */
function moveLists(G: GrowthSection, link: (sellerId: string) => string, command: string | null): string {
  return `<div class="cells">${G.moves.cells
    .map((c) => {
      const all = command ? fill(command, { date: G.date, from: c.from, to: c.to }) : null;
      return (
        `<details data-move="${esc(`${c.from}>${c.to}`)}"><summary>${esc(c.from)} → ${esc(c.to)} (${esc(c.direction)}): ${num(c.count)}</summary>` +
        `<p class="who">${c.first.map(([l, s]) => `<span data-listing="${esc(l)}">${esc(l)}</span> (${link(s)})`).join(', ')}` +
        `${c.count > c.first.length ? ` … (first ${c.first.length} by id)` : ''}</p>` +
        (all ? `<p class="note">All ${num(c.count)}: ${code(all)}</p>` : '') +
        '</details>'
      );
    })
    .join('')}</div>`;
}

/** The marketplace page's product growth section. */
function growthSectionHtml(G: GrowthSection, draw: Draw, commands: Commands, link: (sellerId: string) => string): string {
  const charts = growthCharts(G);
  const m = G.moves;
  const tables = G.source === 'tables';
  const out = [
    '<h2>Product growth</h2>',
    tables
      ? `<p class="note" data-growth-date="${esc(G.date)}" data-listings="${G.listings}">${num(G.listings)} listings, each by its stage in force` +
        ` after the latest growth run of the tables (${esc(G.date)}).</p>`
      : `<p class="note" data-growth-date="${esc(G.date)}" data-listings="${G.listings}">${num(G.listings)} listings, each by its latest stage in the records;` +
        ` the growth date is ${esc(G.date)}, the latest in the records.</p>`,
    '<div class="grid">',
    panel(
      draw,
      'growthStages',
      'Listings by stage',
      charts.stages,
      ['stage', 'listings'],
      G.stages.map((s) => [s, G.byStage[s] ?? 0]),
    ),
    panel(
      draw,
      'growthCategories',
      `Listings by stage per category${G.categories.length > 20 ? ' (the 20 largest)' : ''}`,
      charts.categories,
      ['category', 'listings', ...G.stages],
      G.categories.map((c) => [c.categoryId, c.listings, ...G.stages.map((s) => c.counts[s] ?? 0)]),
      G.categoryCount > G.categories.length ? { note: `The ${G.categories.length} largest of ${num(G.categoryCount)} categories are listed.` } : {},
    ),
    panel(
      draw,
      'growthMoves',
      `Listings that moved on ${G.date}: ${num(m.up)} up, ${num(m.down)} down, ${num(m.entered)} entered`,
      charts.moves,
      ['from \\ to', ...G.stages],
      G.moves.from.map((f) => [f, ...G.stages.map((t) => moveCount(m.cells, f, t))]),
      {
        note:
          `A move is a listing whose stage record of ${esc(G.date)} starts its stay there (<code>since</code> = <code>asOf</code>).` +
          (tables
            ? ` It came from its stage in force before; “${esc(G.moves.noEarlier)}” when it had none (a new listing): those count as entered.`
            : ' It came from the stage of its latest earlier record in this file;' +
              ` “${esc(G.moves.noEarlier)}” when the file holds none (a new listing, or a file that starts on that date): those count as entered.`) +
          ' Open a cell to see its listings.',
        after: moveLists(G, link, commands.moves),
      },
    ),
    panel(
      draw,
      'growthIncentives',
      `Traffic incentives in force on ${G.date}`,
      charts.incentives,
      ['stage', 'in force', `granted on ${G.date}`, `expiring within ${G.expiringDays} days`, `ended on ${G.date}`],
      G.incentives.map((i) => [i.stage, i.inForce, i.granted, i.expiringSoon, i.ended]),
      {
        note: `${tables ? `The incentives in force on ${esc(G.date)} or ended on it` : 'Every incentive in the records'} by its latest status: ${
          Object.entries(G.incentiveStatuses)
            .map(([s, n]) => `${esc(s)} ${num(n)}`)
            .join(', ') || 'none'
        }.`,
      },
    ),
    '</div>',
  ];
  return out.join('');
}

/** A seller's listings by stage: the ones with the most to gain and their suggestions, the rest counted, its active incentives. */
function sellerGrowthHtml(g: SellerGrowth, sellerId: string, commands: Pick<Commands, 'listings' | 'seller'>): string {
  const listed = g.listed.length;
  const all = commands.listings ? fill(commands.listings, { id: sellerId }) : null;
  const out = [
    `<h3 data-growth-date="${esc(g.date)}">Listings by stage (product growth, ${esc(g.date)}): ${num(g.listings)}</h3>`,
    table(
      'sellerStages',
      ['stage', 'listings', 'listed below', 'not listed'],
      Object.keys(g.byStage)
        .sort()
        .map((s) => [s, g.byStage[s] ?? 0, (g.byStage[s] ?? 0) - (g.rest[s] ?? 0), g.rest[s] ?? 0]),
    ),
  ];
  if (listed > 0)
    out.push(
      `<h3>The ${listed === g.listings ? listed : `${listed} of ${num(g.listings)}`} listings with the most to gain</h3>`,
      '<p class="note">The highest next stage first (its incentive is the largest), then the highest growth score. Each suggestion compares the listing with the median of its pool’s listings one stage up.</p>',
      table(
        'sellerListings',
        ['listing', 'category', 'stage', 'since', 'growth score', 'next stage', 'suggestions'],
        g.listed.map(([id, category, stage, since, score, next, suggestions]) => [
          id,
          category,
          stage,
          since,
          score,
          next ?? 'none',
          suggestions.map((s) => s[0]).join(', ') || 'none',
        ]),
      ),
      table(
        'sellerSuggestions',
        ['listing', 'indicator', 'actual', 'benchmark', 'action'],
        g.listed.flatMap(([id, , , , , , suggestions]) => suggestions.map((s) => [id, ...s])),
      ),
    );
  if (listed < g.listings)
    out.push(
      all
        ? `<p class="note">Every listing with its suggestions: ${code(all)}</p>`
        : `<p class="note">Write the seller’s own page for its listings: ${code(fill(commands.seller, { id: sellerId }))}</p>`,
    );
  out.push(
    `<h3>Active traffic incentives (${g.incentivesTotal > g.incentives.length ? `the latest ${g.incentives.length} of ${num(g.incentivesTotal)}` : g.incentivesTotal})</h3>`,
    table('sellerIncentives', ['listing', 'stage', 'granted', 'expires', 'benefit'], g.incentives),
  );
  return out.join('');
}

export { growthSectionHtml, sellerGrowthHtml };
