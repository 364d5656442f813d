import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { MarketplaceModel, SellerView, ViewConstants } from '../../lib/report';
import { nodeDraw } from './draw';
import { compareHtml, esc, marketplaceHtml, sellerViewHtml, type Commands, type Draw } from './html';

const here = import.meta.dirname;
const template = () => readFileSync(join(here, 'page.html'), 'utf8');
const boot = () => readFileSync(join(here, 'boot.js'), 'utf8');
// inside <script>, `</` would end the element: JSON and code escape it
const asScriptText = (text: string) => text.replace(/<\/(script)/gi, '<\\/$1');
const asScriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

function page(parts: { title: string; search?: string; seller?: string; overview?: string; scripts?: string }): string {
  return template()
    .replaceAll('<!--TITLE-->', () => esc(parts.title))
    .replace('<!--SEARCH-->', () => parts.search ?? '')
    .replace('<!--SELLER-->', () => parts.seller ?? '')
    .replace('<!--OVERVIEW-->', () => parts.overview ?? '')
    .replace('<!--SCRIPTS-->', () => `${parts.scripts ?? ''}<script>${boot()}</script>`);
}

const SEARCH = `<form id="search" role="search"><label for="q">Seller</label>
<input id="q" list="sellers" placeholder="s-00042" autocomplete="off"><datalist id="sellers"></datalist>
<button type="submit">Open</button></form>`;

/**
 * The marketplace page (issue 22): one offline file whose size does not depend on the number of
 * sellers. Its charts are drawn to SVG here, so they show as soon as the page is parsed; the script
 * that opens the seller views it holds (at most INLINE_SELLERS) is parsed after, when idle.
 */
function marketplacePage(model: MarketplaceModel, views: SellerView[], commands: Commands): string {
  const { serviceThresholds, benefits, constants } = model;
  const shared: ViewConstants = { serviceThresholds, benefits, constants };
  return page({
    title: model.title,
    search: SEARCH,
    overview: marketplaceHtml(model, nodeDraw(), commands, new Set(views.map((v) => v.sellerId))),
    scripts:
      `<script type="application/json" id="report-data">${asScriptJson({ shared, commands, sellers: model.sellers })}</script>` +
      `<script type="application/json" id="seller-data">${asScriptJson(views)}</script>` +
      `<script type="text/plain" id="app-code">${asScriptText(appBundle())}</script>`,
  });
}

/** One seller's page (`grader report --seller`): the view the marketplace page opens, drawn here, no script needed. */
function sellerPage(
  view: SellerView,
  shared: ViewConstants,
  commands: Pick<Commands, 'orders' | 'listings' | 'seller'>,
  period: string,
  draw: Draw = nodeDraw(),
): string {
  return page({ title: `Seller ${view.sellerId}, ${period}`, seller: sellerViewHtml(view, shared, draw, commands) });
}

/** The what-if page (`grader report --compare`). */
function comparePage(title: string, compare: Parameters<typeof compareHtml>[0]): string {
  return page({ title, overview: compareHtml(compare, nodeDraw()) });
}

let bundled: string | undefined;
/** The page's script with the parts of ECharts a seller view draws with (bin/report/app.ts), bundled once per process. */
function appBundle(): string {
  bundled ??= buildSync({
    entryPoints: [join(here, 'app.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2019',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text;
  return bundled;
}

export { appBundle, comparePage, marketplacePage, sellerPage };
