// The live dashboard: one EventSource, data into the DOM as text only (never as markup).
// __PALETTE__, __ERROR__ and __EVENTS__ are filled in by dashboard_page.py.
'use strict';
const PALETTE = __PALETTE__, ERROR = '__ERROR__';
const $ = (id) => document.getElementById(id);
const colourOf = {}; let nextColour = 0, rows = [];
function colour(name) {
  if (!(name in colourOf)) colourOf[name] = PALETTE[nextColour++ % PALETTE.length];
  return colourOf[name];
}
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
const ms = (v) => v === null || v === undefined ? '–' : (v >= 100 ? v.toFixed(0) : v.toFixed(1)) + ' ms';
const num = (v) => v >= 1e6 ? (v / 1e6).toFixed(2) + 'M' : v >= 1e4 ? (v / 1e3).toFixed(1) + 'k' : String(v);
function member(m) {
  const card = el('div', 'card member'); card.id = 'member-' + m.name; card.dataset.state = m.state;
  const h = el('h3'); const sw = el('span', 'swatch'); sw.style.background = colour(m.name);
  h.append(sw, el('span', 'name', m.name), el('span', 'state ' + m.state, m.state.replace('_', '-')));
  const dl = el('dl');
  for (const [k, v] of [['requests', num(m.requests)], ['error rate', (100 * m.error_rate).toFixed(1) + '%'],
      ['in flight', m.in_flight], ['p50 TTFT', ms(m.p50_ttft_ms)], ['p99 TTFT', ms(m.p99_ttft_ms)],
      ['tokens', num(m.tokens)], ['cost', '$' + m.cost_usd.toFixed(4)]]) {
    const d = el('div'); d.append(el('dt', '', k), el('dd', 'v-' + k.replace(/\W+/g, '-'), v)); dl.append(d);
  }
  card.append(h, el('p', 'up', m.upstream + (m.reachable === false ? ' · unreachable' : '')), dl);
  return card;
}
function request(r) {
  const tr = el('tr'); tr.dataset.seq = r.seq;
  const bad = r.error || r.status === null || r.status >= 400;
  const who = el('td'); const sw = el('span', 'swatch'); sw.style.background = colour(r.member || '-');
  who.append(sw, document.createTextNode(' ' + (r.member || '–')));
  tr.append(el('td', '', new Date(r.ts * 1000).toLocaleTimeString()), el('td', '', r.model || '–'),
    el('td', bad ? 'err' : 'ok', r.status === null ? (r.error || 'failed') : r.status),
    el('td', '', ms(r.latency_ms)), el('td', '', ms(r.ttft_ms)), who, el('td', '', r.route || '–'),
    el('td', '', r.attempts), el('td', '', num(r.tokens)));
  return tr;
}
function chart() {
  const svg = $('chart'), W = svg.clientWidth || 800, H = 230, L = 56, B = 40, T = 10;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`); svg.replaceChildren();
  const NS = 'http://www.w3.org/2000/svg';
  const mk = (tag, attrs, text) => { const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]); if (text) e.textContent = text; svg.append(e); return e; };
  if (!rows.length) { mk('text', {x: L, y: H / 2, fill: '#5f6368'}, 'waiting for requests…'); return; }
  const top = Math.max(...rows.map(r => r.latency_ms)) * 1.1 || 1;
  const t0 = rows[0].ts, t1 = Math.max(rows[rows.length - 1].ts, t0 + 1);
  const x = (t) => L + (t - t0) / (t1 - t0) * (W - L - 12), y = (v) => T + (1 - v / top) * (H - T - B);
  for (let i = 0; i <= 4; i++) { const v = top * i / 4;
    mk('line', {x1: L, x2: W - 12, y1: y(v), y2: y(v), stroke: '#e6e8eb'});
    mk('text', {x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#3c4043'}, v.toFixed(0)); }
  mk('text', {x: 14, y: (H - B) / 2, transform: `rotate(-90 14 ${(H - B) / 2})`, 'text-anchor': 'middle',
    'font-size': 11, class: 'axis-label'}, 'latency (ms)');
  mk('text', {x: (W + L) / 2, y: H - 4, 'text-anchor': 'middle', 'font-size': 11, class: 'axis-label'},
    'time (s ago) · the last ' + rows.length + ' requests');
  const now = t1;
  for (let i = 0; i <= 5; i++) { const t = t0 + (t1 - t0) * i / 5;
    mk('text', {x: x(t), y: H - B + 14, 'text-anchor': 'middle', 'font-size': 11, fill: '#3c4043'},
      i === 5 ? 'now' : '-' + (now - t).toFixed(0) + ' s'); }
  for (const r of rows) { const bad = r.error || r.status === null || r.status >= 400;
    mk('circle', {cx: x(r.ts), cy: y(r.latency_ms), r: bad ? 4.5 : 3.5, fill: bad ? ERROR : colour(r.member || '-'),
      'fill-opacity': 0.85}); }
}
function render(s) {
  const open = s.members.filter(m => m.state !== 'closed').map(m => m.name);
  $('status').textContent = open.length ? 'breaker open: ' + open.join(', ') : 'all breakers closed';
  $('meta').textContent = `${s.url} · chain ${(s.chain || []).join(' → ')} · up ${Math.round(s.uptime_s)} s`;
  $('members').replaceChildren(...s.members.map(member));
  const body = $('requests');
  for (const r of s.requests) body.prepend(request(r));
  while (body.rows.length > 50) body.deleteRow(-1);
  rows = rows.concat(s.requests).slice(-200); chart();
  $('count').textContent = String(s.seq);
  document.body.dataset.seq = s.seq;
}
const live = $('live');
const source = new EventSource('__EVENTS__');
source.onopen = () => { live.className = 'live on'; live.lastChild.textContent = 'live'; };
source.onerror = () => { live.className = 'live'; live.lastChild.textContent = 'disconnected'; };
source.onmessage = (e) => render(JSON.parse(e.data));
window.addEventListener('resize', chart);
