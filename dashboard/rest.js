// REST calls (docs/rest.md) with the credential entered in the page: a member's
// x-api-key or the x-admin-token, kept in sessionStorage for the tab's life.

const STORE = 'makerbench.auth';

export const auth = {
  /** {kind: 'key' | 'admin', value} or null = read-only */
  get() {
    try { return JSON.parse(sessionStorage.getItem(STORE) ?? 'null'); } catch { return null; }
  },
  set(a) {
    if (a) sessionStorage.setItem(STORE, JSON.stringify(a));
    else sessionStorage.removeItem(STORE);
  },
};

/** A REST call: the parsed JSON, or {error: {status, code, message}} (never throws). */
export async function api(path, { method = 'GET', body } = {}) {
  // the page's cookie (set when the server served it) keeps this polling out of the address's
  // request weight (docs/rest.md); fetch sends it on its own
  const headers = {};
  const a = auth.get();
  if (a?.kind === 'key') headers['x-api-key'] = a.value;
  if (a?.kind === 'admin') headers['x-admin-token'] = a.value;
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    const r = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await r.json().catch(() => ({}));
    return r.ok ? json : { error: { status: r.status, code: json.code ?? String(r.status), message: json.message ?? r.statusText } };
  } catch (e) {
    return { error: { status: 0, code: 'NETWORK', message: String(e) } };
  }
}

/** Rule event counters from /metrics (Prometheus text): [{kind, symbol, count}]. */
export async function ruleEventCounts() {
  try {
    const text = await (await fetch('/metrics')).text();
    const out = [];
    for (const m of text.matchAll(/^makerbench_rule_events_total\{([^}]*)\} (\d+)/gm)) {
      const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
      out.push({ kind: labels.kind ?? '', symbol: labels.symbol ?? '', count: Number(m[2]) });
    }
    return out;
  } catch {
    return [];
  }
}
