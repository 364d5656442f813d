// The marketplace page's script (bundled by esbuild, run after the page is shown): opens the seller
// views the page holds, drawn with the same HTML and chart options as `grader report --seller`.
import { LineChart, RadarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, RadarComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { SellerView, ViewConstants } from '../../lib/report';
import { esc, sellerViewHtml, type Commands, type Draw } from './html';
import { CHART_SIZE, drawn } from './options';

echarts.use([LineChart, RadarChart, AriaComponent, GridComponent, LegendComponent, RadarComponent, SVGRenderer]);

interface PageData {
  shared: ViewConstants;
  commands: Commands;
  sellers: number;
}

const json = <T>(id: string): T => JSON.parse(document.getElementById(id)!.textContent!) as T;
const page = json<PageData>('report-data');
let views: Map<string, SellerView> | null = null;
/** The sellers' views: parsed on the first search, not on load. */
const viewsOf = () => (views ??= new Map(json<SellerView[]>('seller-data').map((v) => [v.sellerId, v])));

const draw: Draw = (option) => {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, ...CHART_SIZE });
  try {
    chart.setOption(drawn(option));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
};

function openSeller(id: string): void {
  const root = document.getElementById('seller')!;
  const view = viewsOf().get(id);
  if (view) root.innerHTML = sellerViewHtml(view, page.shared, draw, page.commands);
  else {
    const command = page.commands.seller.replace(/\{id\}/g, id);
    root.innerHTML =
      `<p role="alert" data-missing="${esc(id)}">${id ? `${esc(id)} is not among the ${viewsOf().size.toLocaleString('en-US')} sellers this page holds` : 'Give a seller id'}` +
      ` (of ${page.sellers.toLocaleString('en-US')} graded). Write any seller's page with:</p><p><code class="cmd">${esc(command)}</code></p>`;
  }
  root.scrollIntoView();
}

/** The search suggests the ids the page holds once the field is used. */
function listSellers(): void {
  const list = document.getElementById('sellers')!;
  if (list.childElementCount > 0) return;
  for (const id of viewsOf().keys()) list.appendChild(Object.assign(document.createElement('option'), { value: id }));
}

Object.assign(window, { REPORT_OPEN: openSeller, REPORT_LIST: listSellers });
