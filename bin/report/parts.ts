// The pieces every page of the report is built of: escaping, numbers, tables and chart panels.
import type { Option } from './options';

/** Draws one chart: an ECharts option to an SVG element's text. */
type Draw = (option: Option) => string;

/**
 * The commands a page names for what it does not hold, as templates: `{id}` a seller, `{from}`
 * `{to}` a migration cell or a window, `{date}` a growth date. They say where the data came from
 * (`--records FILE`); null where that source cannot answer yet.
 */
interface Commands {
  seller: string;
  cell: string | null;
  categories: string | null;
  orders: string;
  /** a seller's listings, every one */
  listings: string | null;
  /** the listings that moved from a stage to another on a growth date */
  moves: string | null;
}

const esc = (v: unknown) => String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const fill = (template: string, vars: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? `{${k}}`);
const num = (n: number) => n.toLocaleString('en-US');
const fmt = (v: unknown, digits = 3) =>
  v === null || v === undefined ? 'n/a' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : String(v);
const code = (text: string) => `<code class="cmd">${esc(text)}</code>`;

/** A table of rows, for those who prefer numbers (and for screen readers); numbers flush right, text flush left. */
function table(name: string, head: string[], rows: unknown[][]): string {
  // a column is of numbers when any of its cells is one: its "n/a" line up with them
  const numeric = head.map((_, i) => rows.some((r) => typeof r[i] === 'number'));
  const cell = (c: unknown, i: number) =>
    i === 0 ? `<th scope="row">${esc(fmt(c))}</th>` : numeric[i] ? `<td class="num">${esc(fmt(c))}</td>` : `<td>${esc(fmt(c))}</td>`;
  return (
    `<table data-table="${esc(name)}"><thead><tr>${head.map((h, i) => `<th scope="col"${numeric[i] && i > 0 ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`
  );
}

/** A section with a chart and its table. */
function panel(
  draw: Draw,
  name: string,
  title: string,
  option: Option,
  head: string[],
  rows: unknown[][],
  options: { note?: string; after?: string } = {},
): string {
  return (
    `<section class="panel" aria-labelledby="h-${esc(name)}"><h3 id="h-${esc(name)}">${esc(title)}</h3>` +
    (options.note ? `<p class="note">${options.note}</p>` : '') +
    `<div class="chart" data-chart="${esc(name)}" role="img" aria-label="${esc(`${title}; the numbers are in the table below`)}">${draw(option)}</div>` +
    `<details><summary>Table</summary>${table(name, head, rows)}</details>${options.after ?? ''}</section>`
  );
}

export { code, esc, fill, fmt, num, panel, table };
export type { Commands, Draw };
