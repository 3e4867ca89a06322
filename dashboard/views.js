// Rendering: each function redraws one view from plain data; app.js calls
// them at most once per animation frame.

const PHASES = ['UNSPECIFIED', 'CONTINUOUS', 'HALTED', 'PRE_OPEN', 'OPENING_AUCTION', 'CLOSED', 'CLOSING_AUCTION'];
const SIDES = ['', 'BUY', 'SELL'];
export const phaseName = (n) => PHASES[n] ?? String(n);
export const sideName = (n) => SIDES[n] ?? '';

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Integer units as a decimal string. */
export function fmt(units, scale) {
  return scale > 0 ? (units / 10 ** scale).toFixed(scale) : String(units);
}

export function timeOf(us) {
  return new Date(us / 1000).toISOString().slice(11, 23);
}

/** The instruments table: rows built once, then only their cells' text changes. */
export function renderInstruments(instruments, books, selected) {
  const body = $('#instruments tbody');
  if (body.rows.length !== instruments.length) {
    body.innerHTML = instruments.map((i) => `<tr data-symbol="${esc(i.symbol)}"><td>${esc(i.symbol)}</td><td class="phase"></td><td class="BUY"></td><td class="SELL"></td><td></td><td class="auction"></td></tr>`).join('');
  }
  instruments.forEach((i, k) => {
    const row = body.rows[k];
    const b = books.get(i.symbol);
    const last = b?.trades[b.trades.length - 1];
    const a = b?.auction;
    const auction = a && a.price > 0
      ? `${fmt(a.price, i.price_scale)} × ${fmt(a.qty, i.qty_scale)}${a.surplusQty > 0 ? `, surplus ${fmt(a.surplusQty, i.qty_scale)} ${sideName(a.surplusSide)}` : ''}`
      : (a ? 'no uncross' : '');
    row.className = i.symbol === selected ? 'selected' : '';
    row.cells[1].className = `phase phase-${i.phase}`;
    setText(row.cells[1], `${i.phase}${i.halt_end_time ? ` until ${timeOf(i.halt_end_time)}` : ''}`);
    setText(row.cells[2], b?.bbo.bidPx ? fmt(b.bbo.bidPx, i.price_scale) : '–');
    setText(row.cells[3], b?.bbo.askPx ? fmt(b.bbo.askPx, i.price_scale) : '–');
    setText(row.cells[4], last ? fmt(last.price, i.price_scale) : '–');
    setText(row.cells[5], auction);
  });
}

/** Writing only what changed keeps style and layout work small at high update rates. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export function renderBanner(inst) {
  const el = $('#halt-banner');
  if (!inst || inst.phase === 'CONTINUOUS') {
    el.hidden = true;
    return;
  }
  el.hidden = false;
  el.className = inst.phase === 'HALTED' || inst.phase === 'CLOSED' ? '' : 'auction';
  el.textContent = `${inst.symbol} ${inst.phase.replace('_', ' ')}${inst.status_text ? ` — ${inst.status_text}` : ''}${inst.halt_end_time ? ` (until ${timeOf(inst.halt_end_time)})` : ''}`;
}

export const LADDER_ROWS = 12;

/** The ladder: 12 asks above the spread, 12 bids below; fixed rows whose cells are rewritten. */
export function renderLadder(book, levels, inst) {
  const body = $('#ladder tbody');
  if (body.rows.length === 0) {
    const row = (cls) => `<tr class="${cls}"><td class="bid"><span class="bar"></span><span></span></td><td class="px"></td><td class="ask"><span class="bar"></span><span></span></td></tr>`;
    body.innerHTML = Array.from({ length: LADDER_ROWS }, () => row('ask-row')).join('')
      + '<tr class="spread"><td colspan="3"></td></tr>' + Array.from({ length: LADDER_ROWS }, () => row('bid-row')).join('');
  }
  const bids = levels.bids.slice(0, LADDER_ROWS);
  const asks = levels.asks.slice(0, LADDER_ROWS);
  const max = Math.max(1, ...bids.map((l) => l[1]), ...asks.map((l) => l[1]));
  const fill = (tr, level, side) => {
    const [bidCell, pxCell, askCell] = tr.cells;
    const cell = side === 'ask' ? askCell : bidCell;
    setText(pxCell, level ? fmt(level[0], inst.price_scale) : '');
    setText(cell.lastChild, level ? fmt(level[1], inst.qty_scale) : '');
    cell.firstChild.style.width = level ? `${((100 * level[1]) / max).toFixed(1)}%` : '0';
  };
  for (let k = 0; k < LADDER_ROWS; k++) {
    fill(body.rows[LADDER_ROWS - 1 - k], asks[k], 'ask'); // best ask just above the spread
    fill(body.rows[LADDER_ROWS + 1 + k], bids[k], 'bid');
  }
  setText(body.rows[LADDER_ROWS].cells[0], `spread ${bids.length && asks.length ? fmt(asks[0][0] - bids[0][0], inst.price_scale) : '–'}`);
  $('#ladder').dataset.updateId = String(book.lastUpdateId);
}

const TAPE_ROWS = 40;

/** The tape, newest first: only trades not shown yet are added. */
export function renderTape(book, inst) {
  const body = $('#tape tbody');
  const same = body.dataset.symbol === inst.symbol;
  const shown = same ? Number(body.dataset.lastId ?? 0) : 0;
  const fresh = book.trades.filter((t) => t.id > shown).slice(-TAPE_ROWS);
  if (fresh.length === 0 && same) return;
  if (!same) body.innerHTML = '';
  body.dataset.symbol = inst.symbol;
  body.insertAdjacentHTML('afterbegin', fresh.reverse().map((t) => `<tr class="${sideName(t.side)}"><td>${timeOf(t.time)}</td><td>${fmt(t.price, inst.price_scale)}</td>`
    + `<td>${fmt(t.qty, inst.qty_scale)}</td><td>${t.auction ? 'auction' : sideName(t.side)}</td></tr>`).join(''));
  while (body.rows.length > TAPE_ROWS) body.deleteRow(-1);
  body.dataset.lastId = String(book.trades.length ? book.trades[book.trades.length - 1].id : 0);
}

const num = (s) => Number(s);
const signed = (v, d) => `<span class="${v > 0 ? 'pos' : v < 0 ? 'neg' : ''}">${v.toFixed(d)}</span>`;

/**
 * Positions with the P&L split: realised (engine), unrealised (the rest of the trading P&L,
 * marked at the mid), fees paid and rebates received; total = cash + position × mid.
 */
export function renderAccount(account, mids, instruments) {
  if (account.error) return void ($('#account').innerHTML = `<p class="neg">${esc(account.error.message)}</p>`);
  const byS = new Map(instruments.map((i) => [i.symbol, i]));
  const rows = account.positions.map((p) => {
    const inst = byS.get(p.symbol);
    const mid = mids.get(p.symbol);
    const d = Math.min(inst?.cash_scale ?? 2, 4);
    const total = mid === undefined ? NaN : num(p.cash) + num(p.position) * mid;
    const net = num(p.rebates_received) - num(p.fees_paid);
    const unreal = total - net - num(p.realised_pnl);
    return `<tr><td>${esc(p.symbol)}</td><td>${esc(p.position)}</td><td>${signed(num(p.realised_pnl), d)}</td><td>${Number.isNaN(unreal) ? '–' : signed(unreal, d)}</td>`
      + `<td>${num(p.fees_paid).toFixed(d)}</td><td>${num(p.rebates_received).toFixed(d)}</td><td>${Number.isNaN(total) ? '–' : signed(total, d)}</td><td>${esc(p.volume_notional)}</td></tr>`;
  }).join('');
  const flags = [account.kill_switch ? '<span class="neg">kill switch ON</span>' : 'kill switch off',
    account.banned_until > 0 ? `<span class="neg">banned until ${timeOf(account.banned_until)}</span>` : 'not banned',
    `${account.open_orders.length} open orders`].join(' · ');
  $('#account').innerHTML = `<p><b>${esc(account.name)}</b> (account ${esc(account.account_id)}) · ${flags}</p>
    <table id="positions"><thead><tr><th>symbol</th><th>position</th><th>realised</th><th>unrealised</th><th>fees</th><th>rebates</th><th>total P&amp;L</th><th>volume</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const SCORECARDS_SHOWN = 12;

/**
 * The scorecards (GET /api/v1/scorecard, docs/scorecard.md): P&L split into spread capture, fees and
 * inventory, markouts by horizon, quote quality. The admin sees every external account's.
 */
export function renderScorecard(answer) {
  const el = $('#scorecard');
  if (!answer) return void (el.innerHTML = '');
  if (answer.error) return void (el.innerHTML = `<p class="muted">scorecard: ${answer.error.status === 404 ? 'not available on this server' : esc(answer.error.message)}</p>`);
  const cards = (answer.scorecards ?? []).filter((c) => c.type !== 'agent' && !String(c.name).startsWith('sim-')).slice(0, SCORECARDS_SHOWN);
  if (cards.length === 0) return void (el.innerHTML = '<p class="muted">scorecard: no fills or quotes scored yet</p>');
  const horizons = answer.horizons_ms ?? [];
  const markout = (c, h) => c.markouts?.horizons?.find((x) => x.horizon_ms === h)?.markout_bp;
  const n = (v, d = 2) => (v === undefined || v === null ? '–' : typeof v === 'number' ? v.toFixed(d) : esc(v));
  const rows = cards.map((c) => `<tr><td>${esc(c.name)}</td><td>${esc(c.symbol)}</td><td>${n(c.pnl?.total)}</td><td>${n(c.pnl?.spread_capture)}</td><td>${n(c.pnl?.fees)}</td>`
    + `<td>${n(c.pnl?.inventory)}</td><td>${n(c.fills, 0)}</td>${horizons.map((h) => `<td>${n(markout(c, h))}</td>`).join('')}`
    + `<td>${n(c.quotes?.two_sided_pct, 1)}</td><td>${n(c.quotes?.fill_ratio, 3)}</td><td>${n(c.quotes?.order_to_trade, 1)}</td></tr>`).join('');
  const hHead = horizons.map((h) => `<th>${h >= 1000 ? `${h / 1000} s` : `${h} ms`}</th>`).join('');
  el.innerHTML = `<h2>Scorecard</h2><table id="scorecards"><thead><tr><th>account</th><th>symbol</th><th>P&amp;L</th><th>spread</th><th>fees</th><th>inventory</th><th>fills</th>${hHead}`
    + `<th>two-sided %</th><th>fill ratio</th><th>OTR</th></tr></thead><tbody>${rows}</tbody></table><p class="muted">markouts in bp by horizon; P&amp;L = spread capture + fees + inventory (docs/scorecard.md)</p>`;
}

/**
 * Compliance gauges: presence so far against the requirement (yellow mark), red when breaching now,
 * and the current window's breaches on a timeline under each gauge.
 */
export function renderCompliance(rows, note) {
  const el = $('#compliance');
  if (rows.length === 0) return void (el.innerHTML = `<p class="muted">${esc(note)}</p>`);
  el.innerHTML = rows.map((r) => {
    const pct = num(r.presence_pct ?? 0);
    const req = num(r.required_pct ?? 0);
    // the timeline runs from when measuring began (not the window's start, often long before) to now
    const at = r.at ?? r.end;
    const from = Math.max(r.start, Math.min(at - (r.measured_us ?? 0) - (r.exempt_us ?? 0), ...(r.breaches ?? []).map((b) => b.start)));
    const span = Math.max(1, at - from);
    const breaches = (r.breaches ?? []).map((b) => {
      const left = (100 * (b.start - from)) / span;
      const width = (100 * ((b.end ?? r.at) - b.start)) / span;
      return `<span class="breach" title="${esc(b.reason)}" style="left:${left.toFixed(2)}%;width:${Math.max(0.2, width).toFixed(2)}%"></span>`;
    }).join('');
    const snaps = r.measurement === 'snapshot' ? ` · snapshots ${r.snapshots_passed ?? 0}/${r.snapshots_taken ?? 0}` : '';
    const now = r.compliant_now === undefined ? '' : r.compliant_now ? ' · compliant now' : ` · breaching: ${esc(r.reason ?? '')}`;
    return `<div class="gauge" data-account="${esc(r.account)}" data-symbol="${esc(r.symbol)}" data-compliant="${r.compliant_now ?? r.passed}" data-presence="${pct}">
      <div>${esc(r.programme)} · ${esc(r.account)} · ${esc(r.symbol)}</div>
      <div class="meter"><span class="fill" style="width:${Math.min(100, pct)}%"></span><span class="req" style="left:${Math.min(100, req)}%"></span></div>
      <div class="value">${pct.toFixed(1)}% / ${req}%${snaps}${now}</div>
      <div class="timeline" title="window ${esc(r.label)}: breaches">${breaches}</div></div>`;
  }).join('');
}

/** What a rule event says beyond its kind, symbol and account (GET /api/v1/rule-events). */
function ruleDetail(e) {
  const text = e.text ? esc(e.text) : '';
  switch (e.kind) {
    case 'BAN': return `until ${timeOf(e.until)}${text ? ` — ${text}` : ''}`;
    case 'LIMIT_STATE_ON': return `${e.side === 'BUY' ? 'limit up: bid' : 'limit down: offer'} at ${esc(e.limit_price ?? '')}${e.halt_time ? `, halts at ${timeOf(e.halt_time)} if it lasts` : ''}`;
    case 'LIMIT_STATE_OFF': return 'ended: prices back inside the band';
    case 'PHASE': return `→ ${esc(e.phase)} (${esc(String(e.cause).toLowerCase().replace('_', ' '))})${e.halt_end_time ? ` until ${timeOf(e.halt_end_time)}` : ''}${text ? ` — ${text}` : ''}`;
    case 'OTR_FLAG': return `ratio ${e.ratio}${text ? ` — ${text}` : ''}`;
    default: return text;
  }
}

/** Counts since start (/metrics) and the latest events, newest first; the table is rebuilt only when the list changed. */
export function renderRuleEvents(counts, events) {
  $('#rule-counts').innerHTML = counts.length === 0 ? '<p class="muted">no rule events so far</p>'
    : `<div class="kv">${counts.map((c) => `<div><span>${esc(c.kind)}${c.symbol ? ` ${esc(c.symbol)}` : ''}</span>${c.count}</div>`).join('')}</div>`;
  const body = $('#rule-events tbody');
  const key = events.map((e) => `${e.id}:${e.name ?? ''}`).join(',');
  if (body.dataset.key === key) return;
  body.dataset.key = key;
  body.innerHTML = events.map((e) => {
    const who = !('account' in e) ? '' : e.account === null ? '<span class="muted">hidden</span>' : esc(e.name ?? e.account);
    return `<tr class="${esc(e.kind)}" data-kind="${esc(e.kind)}" data-id="${e.id}"><td>${timeOf(e.time)}</td><td>${esc(e.kind)}</td><td>${esc(e.symbol ?? '')}</td><td>${who}</td><td>${ruleDetail(e)}</td></tr>`;
  }).join('') || '<tr><td colspan="5" class="muted">none</td></tr>';
}
