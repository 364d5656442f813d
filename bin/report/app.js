/* The grading report's page: draws window.REPORT (lib/report.ts) with ECharts; every chart has its table. */
(function () {
  'use strict';
  var R = window.REPORT;
  var charts = [];
  var queued = [];
  var FIRST = 2;
  var sellers = null;
  /** The sellers' views: parsed on the first search, not on load. */
  function sellerData() {
    if (!sellers) sellers = JSON.parse(document.getElementById('seller-data').textContent);
    return sellers;
  }
  var $ = function (sel) { return document.querySelector(sel); };
  var el = function (tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  };
  var fmt = function (v, digits) { return v === null || v === undefined ? 'n/a' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(digits === undefined ? 3 : digits)) : String(v); };

  /** A table of rows under its chart, for those who prefer numbers (and for screen readers). */
  function table(name, head, rows) {
    var t = el('table', { 'data-table': name });
    t.appendChild(el('thead', {}, [el('tr', {}, head.map(function (h) { return el('th', { scope: 'col', text: h }); }))]));
    t.appendChild(el('tbody', {}, rows.map(function (r) { return el('tr', {}, r.map(function (c, i) { return el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row', text: fmt(c) } : typeof c === 'number' ? { class: 'num', text: fmt(c) } : { text: fmt(c) }); })); })));
    return t;
  }

  /** A section with a chart and its table. */
  function panel(parent, name, title, option, head, rows, note) {
    var box = el('section', { class: 'panel', 'aria-labelledby': 'h-' + name });
    box.appendChild(el('h3', { id: 'h-' + name, text: title }));
    if (note) box.appendChild(el('p', { class: 'note', text: note }));
    var div = el('div', { class: 'chart', 'data-chart': name, role: 'img', 'aria-label': title });
    box.appendChild(div);
    var details = el('details', {}, [el('summary', { text: 'Table' })]);
    details.appendChild(table(name, head, rows));
    box.appendChild(details);
    parent.appendChild(box);
    option.aria = { enabled: true, decal: { show: true } };
    option.animation = false;
    var draw = function () {
      var chart = echarts.init(div, null, { renderer: 'svg' });
      chart.setOption(option);
      charts.push(chart);
      if (box.onchart) box.onchart(chart);
    };
    // the first charts draw at once; the others right after the page is shown
    if (charts.length + queued.length < FIRST || !deferring) draw();
    else queued.push(draw);
    return box;
  }
  var deferring = true;
  function drainQueue() {
    var next = queued.shift();
    if (next) { next(); setTimeout(drainQueue, 0); } else window.REPORT_DONE = true;
  }

  function stacked(categories, series) {
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 10, top: 40, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: categories },
      yAxis: { type: 'value' },
      series: series.map(function (s) { return { name: s.name, type: 'bar', stack: 'all', data: s.data }; }),
    };
  }

  function countsPanel(parent, name, title, rows, keys, label) {
    panel(parent, name, title, stacked(rows.map(function (r) { return r[label]; }), keys.map(function (k) { return { name: k, data: rows.map(function (r) { return r.counts[k] || 0; }) }; })),
      [label].concat(keys), rows.map(function (r) { return [r[label]].concat(keys.map(function (k) { return r.counts[k] || 0; })); }));
  }

  function matrixPanel(parent, name, title, cells, rowsKeys, colsKeys, note) {
    var data = [];
    rowsKeys.forEach(function (from, y) { colsKeys.forEach(function (to, x) { data.push([x, y, ((cells[from] || {})[to] || []).length]); }); });
    var max = Math.max.apply(null, data.map(function (d) { return d[2]; }).concat([1]));
    var box = panel(parent, name, title, {
      tooltip: { formatter: function (p) { return rowsKeys[p.value[1]] + ' → ' + colsKeys[p.value[0]] + ': ' + p.value[2]; } },
      grid: { left: 100, right: 20, top: 30, bottom: 40 },
      xAxis: { type: 'category', data: colsKeys, name: 'to', nameLocation: 'center', nameGap: 28 },
      yAxis: { type: 'category', data: rowsKeys, name: 'from' },
      visualMap: { min: 0, max: max, show: false, inRange: { color: ['#f3f6fb', '#1f5fa8'] } },
      series: [{ type: 'heatmap', data: data, label: { show: true } }],
    }, ['from \\ to'].concat(colsKeys), rowsKeys.map(function (from) { return [from].concat(colsKeys.map(function (to) { return ((cells[from] || {})[to] || []).length; })); }), note);
    var who = el('div', { class: 'who', 'data-who': name });
    box.appendChild(who);
    var listen = function (chart) {
      chart.on('click', function (p) {
        var from = rowsKeys[p.value[1]], to = colsKeys[p.value[0]];
        var ids = ((cells[from] || {})[to] || []);
        who.textContent = from + ' → ' + to + ' (' + ids.length + '): ' + ids.slice(0, 200).join(', ') + (ids.length > 200 ? ' …' : '');
      });
    };
    var last = charts[charts.length - 1];
    if (last && last.getDom().parentNode === box) listen(last);
    else box.onchart = listen;
  }

  function overview(root) {
    var C = R.constants;
    var grid = el('div', { class: 'grid' });
    root.appendChild(el('h2', { text: 'Marketplace' }));
    root.appendChild(grid);
    countsPanel(grid, 'tiersByMonth', 'Operation tiers by month', R.tiersByMonth, C.tiers, 'month');
    if (R.migration) matrixPanel(grid, 'migration', 'Tier migration ' + R.migration.from + ' → ' + R.migration.to, R.migration.cells, C.tiers.concat(['none']).filter(function (k) { return R.migration.cells[k]; }), C.tiers, 'Select a cell to list its sellers.');
    countsPanel(grid, 'serviceByMonth', 'Service levels by month', R.serviceByMonth, C.levels, 'month');
    countsPanel(grid, 'merchantByQuarter', 'Merchant tiers by quarter', R.merchantByQuarter, C.merchant, 'quarter');
    var months = R.months;
    var active = months.map(function (m) { return R.grants.filter(function (g) { return g.approvedOn.slice(0, 7) <= m && (g.endedOn || g.expiresOn).slice(0, 7) >= m; }).length; });
    var expiring = months.map(function (m) { return R.grants.filter(function (g) { return g.expiresOn.slice(0, 7) === m; }).length; });
    panel(grid, 'grants', 'China Good Seller grants: active and expiring by month', {
      tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 40, right: 10, top: 40, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: months }, yAxis: { type: 'value' },
      series: [{ name: 'active', type: 'line', data: active, symbol: 'circle' }, { name: 'expiring', type: 'bar', data: expiring }],
    }, ['month', 'active', 'expiring'], months.map(function (m, i) { return [m, active[i], expiring[i]]; }));
    var labels = Object.keys(R.labels).sort();
    panel(grid, 'labels', 'Storefront labels', {
      tooltip: {}, grid: { left: 60, right: 10, top: 20, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: labels }, yAxis: { type: 'value' }, series: [{ type: 'bar', data: labels.map(function (l) { return R.labels[l]; }) }],
    }, ['label', 'sellers'], labels.map(function (l) { return [l, R.labels[l]]; }));
    var areas = C.areas, sev = C.severities;
    var fdata = [];
    areas.forEach(function (a, y) { sev.forEach(function (s, x) { fdata.push([x, y, (R.findings[a] || {})[s] || 0]); }); });
    panel(grid, 'findings', 'Health-check findings by area and severity', {
      tooltip: {}, grid: { left: 90, right: 20, top: 20, bottom: 30 },
      xAxis: { type: 'category', data: sev }, yAxis: { type: 'category', data: areas },
      visualMap: { min: 0, max: Math.max.apply(null, fdata.map(function (d) { return d[2]; }).concat([1])), show: false, inRange: { color: ['#fbf4f2', '#b3361c'] } },
      series: [{ type: 'heatmap', data: fdata, label: { show: true } }],
    }, ['area'].concat(sev), areas.map(function (a) { return [a].concat(sev.map(function (s) { return (R.findings[a] || {})[s] || 0; })); }));
    var sources = Object.keys(R.quarantine).sort();
    if (sources.length) {
      panel(grid, 'quarantine', 'Quarantined input rows by source', {
        tooltip: {}, grid: { left: 60, right: 10, top: 20, bottom: 30, containLabel: true },
        xAxis: { type: 'category', data: sources }, yAxis: { type: 'value' }, series: [{ type: 'bar', data: sources.map(function (s) { return R.quarantine[s]; }) }],
      }, ['source', 'rows'], sources.map(function (s) { return [s, R.quarantine[s]]; }));
    }
    root.appendChild(el('h2', { text: 'Categories' }));
    var cgrid = el('div', { class: 'grid' });
    root.appendChild(cgrid);
    var cats = R.categories.map(function (c) { return c.categoryId; });
    panel(cgrid, 'categoryShares', 'Tier shares per category, ' + (months[months.length - 1] || ''), {
      tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 60, right: 10, top: 40, bottom: 30, containLabel: true },
      yAxis: { type: 'category', data: cats }, xAxis: { type: 'value', max: 1 },
      series: C.tiers.map(function (t) { return { name: t, type: 'bar', stack: 'all', data: R.categories.map(function (c) { var n = 0; Object.keys(c.shares).forEach(function (k) { n += c.shares[k]; }); return n ? (c.shares[t] || 0) / n : 0; }) }; }),
    }, ['category'].concat(C.tiers), R.categories.map(function (c) { return [c.categoryId].concat(C.tiers.map(function (t) { return c.shares[t] || 0; })); }));
    var withThresholds = R.categories.filter(function (c) { return c.thresholds.length; });
    var pick = withThresholds[0];
    if (pick) {
      panel(cgrid, 'thresholds', 'Pool thresholds over time: ' + pick.categoryId, {
        tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 40, right: 10, top: 40, bottom: 30, containLabel: true },
        xAxis: { type: 'category', data: pick.thresholds.map(function (t) { return t.month; }) }, yAxis: { type: 'value' },
        series: ['top', 'highPotential', 'mid'].map(function (k) { return { name: k, type: 'line', symbol: 'circle', data: pick.thresholds.map(function (t) { return t[k]; }) }; }),
      }, ['month', 'top', 'highPotential', 'mid'], pick.thresholds.map(function (t) { return [t.month, t.top, t.highPotential, t.mid]; }));
    }
  }

  function sellerPage(id) {
    var s = sellerData().find(function (x) { return x.sellerId === id; });
    var root = $('#seller');
    root.innerHTML = '';
    charts = charts.filter(function (c) { if (!document.body.contains(c.getDom())) { c.dispose(); return false; } return true; });
    if (!s) { root.appendChild(el('p', { role: 'alert', text: 'No seller ' + id + ' in this report.' })); return; }
    root.appendChild(el('h2', { id: 'seller-title', text: 'Seller ' + s.sellerId + ' (' + s.categoryId + ')' }));
    var st = s.status;
    var summary = el('dl', { class: 'facts', 'data-facts': 'seller' });
    var fact = function (k, v) { summary.appendChild(el('dt', { text: k })); summary.appendChild(el('dd', { 'data-fact': k, text: fmt(v, 1) })); };
    fact('operation tier', st && st.operationTier ? st.operationTier : 'none');
    fact('service level', st && st.serviceLevel ? st.serviceLevel : 'none');
    fact('merchant tier', st ? st.merchantTier : 'n/a');
    fact('storefront label', st && st.frontBadge ? st.frontBadge : 'none');
    var tierNow = st && st.operationTier ? st.operationTier : 'basic';
    if (s.daily) {
      fact('composite (' + s.daily.date + ')', s.daily.composite);
      if (s.daily.nextTier) fact('gap to ' + s.daily.nextTier.tier, s.daily.nextTier.scoreGap);
      if (s.daily.nextTier) fact('work on first', s.daily.nextTier.focus.join(', '));
    }
    root.appendChild(summary);
    var grid = el('div', { class: 'grid' });
    root.appendChild(grid);
    panel(grid, 'sellerComposite', 'Composite and tier by month', {
      tooltip: { trigger: 'axis', formatter: function (ps) { var p = ps[0]; return p.name + ': ' + fmt(p.value, 1) + ' (' + s.tiers[p.dataIndex][1] + ')'; } },
      grid: { left: 40, right: 10, top: 20, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: s.tiers.map(function (t) { return t[0]; }) }, yAxis: { type: 'value', min: 0, max: 100 },
      series: [{ type: 'line', symbol: 'circle', data: s.tiers.map(function (t) { return t[2]; }), label: { show: true, formatter: function (p) { return s.tiers[p.dataIndex][1]; } } }],
    }, ['month', 'composite', 'tier'], s.tiers.map(function (t) { return [t[0], t[2], t[1]]; }));
    if (s.daily && s.daily.abilities) {
      var names = R.constants.abilities;
      var pool = s.daily.poolAbilities || [];
      panel(grid, 'sellerAbilities', 'The seven abilities against the pool (' + s.daily.date + ')', {
        tooltip: {}, legend: { top: 0 },
        radar: { indicator: names.map(function (n) { return { name: n, max: 100 }; }), radius: '60%' },
        series: [{ type: 'radar', data: [{ name: 'seller', value: s.daily.abilities }, { name: 'pool mean', value: pool }] }],
      }, ['ability', 'seller', 'pool mean'], names.map(function (n, i) { return [n, s.daily.abilities[i], pool[i]]; }));
    }
    var lists = el('div', { class: 'lists' });
    root.appendChild(lists);
    var nextTier = s.daily && s.daily.nextTier ? s.daily.nextTier.tier : null;
    lists.appendChild(el('h3', { text: 'Benefits now (' + tierNow + ') and next' + (nextTier ? ' (' + nextTier + ')' : '') }));
    lists.appendChild(table('benefits', ['now', 'next tier'], zip(R.benefits[tierNow] || [], nextTier ? R.benefits[nextTier] || [] : [])));
    if (s.service) {
      var sv = s.service;
      lists.appendChild(el('h3', { text: 'Service level ' + sv.period + ': ' + sv.level + ' (' + sv.window.start + '..' + sv.window.end + ', ' + sv.closedOrders + ' closed orders)' }));
      var limits = [['maxBadExperienceRate', '<'], ['maxSellerResponsibleArbitrationRate', '<'], ['minPositiveRatingRate', '≥']];
      lists.appendChild(table('serviceRates', ['rate', 'actual'].concat(R.serviceThresholds.map(function (l) { return l.level; })), R.constants.rates.map(function (name, i) {
        return [name, sv.rates[i]].concat(R.serviceThresholds.map(function (l) { return l[limits[i][0]] === undefined ? '—' : limits[i][1] + ' ' + l[limits[i][0]]; }));
      })));
    }
    if (s.merchant) {
      lists.appendChild(el('h3', { text: 'Merchant criteria ' + s.merchant.quarter + ': ' + s.merchant.assessedTier }));
      lists.appendChild(table('merchantCriteria', ['criterion', 'actual', 'required', 'met'], s.merchant.criteria.map(function (c) { return [c[0] + ' ' + c[1], c[2], c[3], c[4] ? 'met' : 'missed']; })));
    }
    lists.appendChild(el('h3', { text: 'Health-check findings (' + s.findings.length + ')' }));
    lists.appendChild(table('sellerFindings', ['finding', 'severity', 'since', 'deadline', 'action'], s.findings));
    if (s.badOrders.length) {
      lists.appendChild(el('h3', { text: 'Bad-experience orders behind the service level (' + s.badOrders.length + ')' }));
      lists.appendChild(table('badOrders', ['order', 'closed', 'reasons', 'excluded'], s.badOrders.map(function (o) { return [o[0], o[1], o[2], o[3] ? 'excluded' : '']; })));
    }
    root.scrollIntoView();
  }

  function zip(a, b) { var n = Math.max(a.length, b.length), out = []; for (var i = 0; i < n; i++) out.push([a[i] || '', b[i] || '']); return out; }

  function compare(root) {
    var C = R.compare;
    root.appendChild(el('h2', { text: 'What-if: current → draft' }));
    var grid = el('div', { class: 'grid' });
    root.appendChild(grid);
    var keys = function (cells) { return C.tiers.concat(['none']).filter(function (k) { return cells[k]; }); };
    matrixPanel(grid, 'whatIf', 'All sellers: tier under the current policy → under the draft', C.overall, keys(C.overall), C.tiers, 'Select a cell to list its sellers.');
    Object.keys(C.byCategory).forEach(function (cat) { matrixPanel(grid, 'whatIf-' + cat, cat, C.byCategory[cat], keys(C.byCategory[cat]), C.tiers); });
  }

  document.title = R.title;
  $('#title').textContent = R.title;
  if (R.compare) compare($('#overview'));
  else overview($('#overview'));
  // the search suggests seller ids once the field is used: 10,000 options are not built on load
  var listed = false;
  $('#q').addEventListener('focus', function () {
    if (listed) return;
    listed = true;
    var list = $('#sellers');
    sellerData().forEach(function (s) { list.appendChild(el('option', { value: s.sellerId })); });
  });
  $('#search').addEventListener('submit', function (e) { e.preventDefault(); deferring = false; sellerPage($('#q').value.trim()); });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  window.REPORT_READY = true;
  setTimeout(drainQueue, 0);
})();
