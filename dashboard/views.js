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

export function renderInstruments(instruments, books, selected) {
  $('#instruments tbody').innerHTML = instruments.map((i) => {
    const b = books.get(i.symbol);
    const last = b?.trades[b.trades.length - 1];
    const a = b?.auction;
    const auction = a && a.price > 0
      ? `${fmt(a.price, i.price_scale)} × ${fmt(a.qty, i.qty_scale)}${a.surplusQty > 0 ? `, surplus ${fmt(a.surplusQty, i.qty_scale)} ${sideName(a.surplusSide)}` : ''}`
      : (a ? 'no uncross' : '');
    return `<tr data-symbol="${esc(i.symbol)}" class="${i.symbol === selected ? 'selected' : ''}">
      <td>${esc(i.symbol)}</td><td class="phase phase-${i.phase}">${i.phase}${i.halt_end_time ? ` until ${timeOf(i.halt_end_time)}` : ''}</td>
      <td class="BUY">${b?.bbo.bidPx ? fmt(b.bbo.bidPx, i.price_scale) : '–'}</td><td class="SELL">${b?.bbo.askPx ? fmt(b.bbo.askPx, i.price_scale) : '–'}</td>
      <td>${last ? fmt(last.price, i.price_scale) : '–'}</td><td class="auction">${auction}</td></tr>`;
  }).join('');
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

const LADDER_ROWS = 12;

export function renderLadder(book, inst) {
  const { bids, asks } = book.levels(LADDER_ROWS);
  const max = Math.max(1, ...bids.map((l) => l[1]), ...asks.map((l) => l[1]));
  const bar = (q) => `<span class="bar" style="width:${((100 * q) / max).toFixed(1)}%"></span>`;
  const row = ([p, q], side) => side === 'ask'
    ? `<tr class="ask-row"><td></td><td class="px">${fmt(p, inst.price_scale)}</td><td class="ask">${bar(q)}${fmt(q, inst.qty_scale)}</td></tr>`
    : `<tr class="bid-row"><td class="bid">${bar(q)}${fmt(q, inst.qty_scale)}</td><td class="px">${fmt(p, inst.price_scale)}</td><td></td></tr>`;
  const spread = bids.length && asks.length ? fmt(asks[0][0] - bids[0][0], inst.price_scale) : '–';
  $('#ladder tbody').innerHTML = asks.slice().reverse().map((l) => row(l, 'ask')).join('')
    + `<tr class="spread"><td colspan="3">spread ${spread}</td></tr>`
    + bids.map((l) => row(l, 'bid')).join('');
  $('#ladder').dataset.updateId = String(book.lastUpdateId);
}

export function renderTape(book, inst) {
  const rows = book.trades.slice(-40).reverse();
  $('#tape tbody').innerHTML = rows.map((t) => `<tr class="${sideName(t.side)}"><td>${timeOf(t.time)}</td><td>${fmt(t.price, inst.price_scale)}</td>`
    + `<td>${fmt(t.qty, inst.qty_scale)}</td><td>${t.auction ? 'auction' : sideName(t.side)}</td></tr>`).join('');
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

/** The scorecard route's answer shown as it comes (another part of the API owns its fields). */
export function renderScorecard(card) {
  const el = $('#scorecard');
  if (!card) return void (el.innerHTML = '');
  if (card.error) return void (el.innerHTML = `<p class="muted">scorecard: ${card.error.status === 404 ? 'not available on this server' : esc(card.error.message)}</p>`);
  const flat = [];
  const walk = (o, prefix) => {
    for (const [k, v] of Object.entries(o)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v, `${prefix}${k}.`);
      else if (!Array.isArray(v) && flat.length < 60) flat.push([prefix + k, v]);
    }
  };
  walk(card, '');
  el.innerHTML = `<h2>Scorecard</h2><div class="kv">${flat.map(([k, v]) => `<div><span>${esc(k)}</span>${esc(v ?? '–')}</div>`).join('')}</div>`;
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

export function renderRuleEvents(counts, events) {
  $('#rule-counts').innerHTML = counts.length === 0 ? '<p class="muted">no rule events so far</p>'
    : `<div class="kv">${counts.map((c) => `<div><span>${esc(c.kind)}${c.symbol ? ` ${esc(c.symbol)}` : ''}</span>${c.count}</div>`).join('')}</div>`;
  $('#rule-events').innerHTML = events.slice(-100).reverse().map((e) => `<li>${timeOf(e.time)} ${esc(e.text)}</li>`).join('');
}
