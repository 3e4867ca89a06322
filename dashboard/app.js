// The dashboard: reference data and accounts over REST, books and trades over
// /ws/md. Incoming data only marks views dirty; one requestAnimationFrame pass
// redraws what changed, so the page keeps up with the full market-data rate.
import { MarketData } from './md.js';
import { api, auth, ruleEventCounts } from './rest.js';
import { PriceChart, drawDepth } from './chart.js';
import * as V from './views.js';

const $ = (sel) => document.querySelector(sel);
const POLL_MS = 1000;
const DEPTH_LEVELS = 60; // levels a side in the depth chart (the ladder shows the best 12)
const RULE_EVENTS_SHOWN = 100;

const state = {
  instruments: [],
  bySymbol: new Map(),
  selected: null,
  md: null,
  chart: null,
  dirty: new Set(), // 'instruments' | 'ladder' | 'tape' | 'depth' | 'chart'
  ruleEvents: [], // the latest rule events, newest first (GET /api/v1/rule-events)
  ruleCounts: [],
  frames: 0,
  renderMs: 0, // main-thread time spent redrawing
};
window.dashboard = state; // for the browser tests and the curious

function mark(...views) {
  for (const v of views) state.dirty.add(v);
}

function frame() {
  requestAnimationFrame(frame); // first: a failing view must not stop the others
  const t0 = performance.now();
  try {
    draw();
  } finally {
    state.renderMs += performance.now() - t0;
  }
}

function draw() {
  state.frames++;
  const d = new Set(state.dirty);
  state.dirty.clear();
  const inst = state.bySymbol.get(state.selected);
  const book = state.md?.books.get(state.selected);
  if (d.has('instruments')) {
    V.renderInstruments(state.instruments, state.md?.books ?? new Map(), state.selected);
    V.renderBanner(inst);
  }
  if (book && inst) {
    const levels = d.has('ladder') || d.has('depth') ? book.levels(DEPTH_LEVELS) : null;
    if (d.has('ladder')) V.renderLadder(book, levels, inst);
    if (d.has('depth')) drawDepth($('#depth'), levels, 10 ** inst.price_scale);
    if (d.has('tape')) V.renderTape(book, inst);
  }
  if (d.has('chart')) state.chart.draw();
  if (d.has('rules')) V.renderRuleEvents(state.ruleCounts, state.ruleEvents);
}

function select(symbol) {
  state.selected = symbol;
  const inst = state.bySymbol.get(symbol);
  $('#chart-symbol').textContent = symbol;
  $('#ladder-symbol').textContent = symbol;
  for (const el of document.querySelectorAll('.sel-symbol')) el.textContent = symbol;
  state.chart.reset(inst.price_scale);
  for (const t of state.md?.books.get(symbol)?.trades ?? []) state.chart.addTrade(t.price, t.time);
  mark('instruments', 'ladder', 'depth', 'tape', 'chart');
}

function onStatus(s) {
  const inst = state.bySymbol.get(s.symbol);
  if (!inst) return;
  inst.phase = V.phaseName(s.tradingPhase);
  inst.trading_phase = s.tradingPhase;
  inst.halt_end_time = Number(s.haltEndTime);
  inst.status_text = s.text;
  mark('instruments');
  void pollRules(); // the phase change is in the rule events now
}

/** The latest rule events of the chosen kind, named as the entered token may see them. */
async function pollRules() {
  const kind = $('#rule-kind').value;
  const token = auth.get()?.value;
  const r = await api(`/rule-events?limit=${RULE_EVENTS_SHOWN}${kind ? `&kind=${kind}` : ''}`);
  if (r.error || $('#rule-kind').value !== kind || auth.get()?.value !== token) return; // the filter or the token changed while waiting
  state.ruleEvents = r.events;
  mark('rules');
}

async function pollReference() {
  const list = await api('/instruments');
  if (list.error) return;
  for (const i of list) {
    const cur = state.bySymbol.get(i.symbol);
    if (cur) Object.assign(cur, { phase: i.phase, trading_phase: i.trading_phase, halt_end_time: i.halt_end_time });
  }
  state.ruleCounts = await ruleEventCounts();
  mark('instruments', 'rules');
}

/** Mid prices in the quote currency, for marking positions. */
function mids() {
  const out = new Map();
  for (const [symbol, b] of state.md.books) {
    const inst = state.bySymbol.get(symbol);
    if (b.bbo.bidPx && b.bbo.askPx) out.set(symbol, (b.bbo.bidPx + b.bbo.askPx) / 2 / 10 ** inst.price_scale);
  }
  return out;
}

/** The member's account, scorecard and obligations, or every member's for the admin. */
async function pollAccount() {
  const a = auth.get();
  if (a?.kind === 'key') {
    const [account, card, obligations] = await Promise.all([api('/account'), api('/scorecard'), api('/obligations')]);
    if (auth.get()?.value !== a.value) return; // the token changed while waiting
    V.renderAccount(account, mids(), state.instruments);
    V.renderScorecard(card);
    const rows = obligations.error ? [] : obligations.obligations.map((o) => ({
      ...o.current, compliant_now: o.status?.compliant, reason: o.status?.reason_name,
    }));
    V.renderCompliance(rows, obligations.error ? obligations.error.message : 'this account is in no maker programme');
  } else if (a?.kind === 'admin') {
    const programmes = await api('/programmes');
    const reports = programmes.error ? [] : await Promise.all(programmes.map((p) => api(`/programmes/${encodeURIComponent(p.name)}/report`)));
    if (auth.get()?.value !== a.value) return;
    const rows = reports.flatMap((r) => (r.error ? [] : r.windows.filter((w) => !w.final)));
    V.renderCompliance(rows, programmes.error ? programmes.error.message : 'no maker programmes');
    const card = await api('/scorecard');
    V.renderScorecard(card);
  } else {
    const programmes = await api('/programmes');
    V.renderCompliance([], programmes.error || programmes.length === 0 ? 'no maker programmes'
      : `programmes: ${programmes.map((p) => `${p.name} (${p.members.join(', ')})`).join('; ')} — enter a member key or the admin token for live compliance`);
  }
}

async function pollSim() {
  const sim = await api('/sim');
  if (sim.error) {
    $('#sim-status').textContent = '';
    $('#sim-state').textContent = 'no scenario running (npm start -- --scenario NAME)';
    return;
  }
  const mine = sim.symbols.find((s) => s.symbol === state.selected);
  $('#sim-status').textContent = `scenario ${sim.scenario}${mine ? ` · ${mine.regime} · fair ${mine.fair_value}` : ''}`;
  $('#sim-state').textContent = `${sim.scenario} (seed ${sim.seed}): ${sim.symbols.map((s) => `${s.symbol} ${s.regime}, fair value ${s.fair_value}`).join('; ')}`;
  if (mine) state.chart.addFair(mine.fair_value, sim.time);
}

async function pollClock() {
  if (auth.get()?.kind !== 'admin') return;
  const c = await api('/admin/clock');
  if (!c.error) {
    $('#clock-state').textContent = `${c.mode}${c.paused ? ', paused' : ''} at ${c.speed}x · ${c.time}`;
    $('#clock').textContent = c.time;
  }
}

function every(ms, fn) {
  const run = async () => {
    try { await fn(); } finally { setTimeout(run, ms); }
  };
  run();
}

async function adminAction(path, body) {
  const r = await api(path, { method: 'POST', body });
  $('#admin-result').textContent = r.error ? `${path}: ${r.error.code} ${r.error.message}` : `${path}: ${JSON.stringify(r)}`;
  $('#admin-result').className = r.error ? 'neg' : 'muted';
  await Promise.all([pollReference(), pollClock(), pollSim()]);
}

function wireAdmin() {
  for (const b of document.querySelectorAll('[data-clock]')) {
    b.addEventListener('click', () => {
      const action = b.dataset.clock;
      const body = { action };
      if (action === 'speed') body.speed = Number($('#clock-speed').value);
      if (action === 'jump') body.by_ms = Math.round(Number($('#clock-jump').value) * 1000);
      void adminAction('/admin/clock', body);
    });
  }
  for (const b of document.querySelectorAll('[data-sim]')) {
    b.addEventListener('click', () => {
      const kind = b.dataset.sim;
      const body = kind === 'withdraw' ? { withdraw_pct: Number($('#sim-withdraw').value) }
        : kind === 'restore' ? { depth_pct: Number($('#sim-restore').value) }
          : { jump_pct: Number($('#sim-jump').value), symbol: state.selected };
      void adminAction(`/admin/sim/${kind}`, body);
    });
  }
  const phase = (what) => () => adminAction(`/admin/instruments/${encodeURIComponent(state.selected)}/${what}`, { text: `${what} from the dashboard` });
  $('#admin-halt').addEventListener('click', phase('halt'));
  $('#admin-resume').addEventListener('click', phase('resume'));
}

function showAuth() {
  const a = auth.get();
  $('#auth-status').textContent = a ? (a.kind === 'admin' ? 'admin' : 'member') : 'read-only';
  $('#view-admin').hidden = a?.kind !== 'admin';
  $('#auth-kind').value = a?.kind ?? 'key';
  if (a?.kind !== 'key') {
    $('#account').innerHTML = '<p class="muted">Enter a member api key to see its positions, P&amp;L and fees (the admin token: every member\'s scorecard).</p>';
    V.renderScorecard(null);
  }
}

function wireAuth() {
  $('#auth').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = $('#auth-value').value.trim();
    auth.set(value ? { kind: $('#auth-kind').value, value } : null);
    $('#auth-value').value = '';
    showAuth();
    void pollAccount();
    void pollClock();
    void pollRules();
  });
  $('#auth-clear').addEventListener('click', () => {
    auth.set(null);
    showAuth();
    void pollAccount();
    void pollRules();
  });
}

async function main() {
  const [list, protoText] = await Promise.all([api('/instruments'), fetch('/dashboard/makerbench.proto').then((r) => r.text())]);
  if (list.error) throw new Error(list.error.message);
  state.instruments = list;
  for (const i of list) state.bySymbol.set(i.symbol, i);
  state.chart = new PriceChart($('#chart'));
  const root = window.protobuf.parse(protoText, { keepCase: false }).root;
  const sim = await api('/sim');
  state.md = new MarketData(root, list.map((i) => i.symbol), {
    onChange: (symbol, what) => {
      mark('instruments');
      if (symbol === state.selected) mark('ladder', 'depth', what === 'trades' ? 'tape' : 'ladder');
    },
    onTrade: (symbol, t) => {
      if (symbol === state.selected) {
        state.chart.addTrade(t.price, t.time);
        mark('chart');
      }
    },
    onStatus,
    onConnection: (text, ok) => {
      $('#md-status').textContent = text;
      $('#md-status').className = `pill ${ok ? 'ok' : 'bad'}`;
    },
  });
  // the simulated instrument first, else the first one
  select(sim.error ? list[0].symbol : sim.symbols[0].symbol);
  $('#instruments tbody').addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr[data-symbol]');
    if (tr) select(tr.dataset.symbol);
  });
  wireAuth();
  wireAdmin();
  showAuth();
  $('#rule-kind').addEventListener('change', () => void pollRules());
  requestAnimationFrame(frame);
  every(POLL_MS, pollReference);
  every(POLL_MS, pollAccount);
  every(POLL_MS, pollSim);
  every(POLL_MS, pollClock);
  every(POLL_MS, pollRules);
}

main().catch((e) => {
  document.body.insertAdjacentHTML('afterbegin', `<p class="neg">dashboard failed to start: ${String(e.message ?? e)}</p>`);
});
