// Rule events on a running crypto-spot exchange, for the dashboard's test and
// its screenshots: a kill switch on maker-2 (admin REST), then a ban of the
// taker account — Binance's ORDERS limit of the profile, 50 unfilled orders
// per 10 s, refused beyond, and 10 refusals within 10 s ban the account
// (gateway/profiles.ts). The exchange clock is paused meanwhile: the orders
// then fall in one window however long they take (a loaded machine, a fast clock).

type Json = Record<string, unknown>;

async function call(url: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${url}/api/v1${path}`, {
    method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Json };
}

/**
 * Turns maker-2's kill switch on, then has the taker banned with resting orders on `symbol` (in continuous
 * trading: a halted instrument refuses them before the limit counts them) at `price` (default 2 % under the
 * best bid) of `qty`; returns the two accounts' ids.
 */
export async function killSwitchThenBan(
  url: string, adminToken: string, o: { symbol?: string; price?: string; qty?: string } = {},
): Promise<{ killed: number; banned: number }> {
  const symbol = o.symbol ?? 'BTC-USD';
  const account = async (key: string): Promise<number> => Number((await call(url, 'GET', '/account', { 'x-api-key': key })).body.account_id);
  const admin = { 'x-admin-token': adminToken };
  const killed = await account('demo-maker-2');
  const k = await call(url, 'POST', `/admin/accounts/${killed}/kill-switch`, admin, { on: true, text: 'risk check from the desk' });
  if (k.status !== 200) throw new Error(`kill switch: ${k.status} ${JSON.stringify(k.body)}`);
  const banned = await account('demo-taker');
  await call(url, 'POST', '/admin/clock', admin, { action: 'pause' });
  try {
    await flood(url, symbol, o);
  } finally {
    await call(url, 'POST', '/admin/clock', admin, { action: 'resume' });
  }
  return { killed, banned };
}

/** The taker's resting orders until one is refused BANNED (418). */
async function flood(url: string, symbol: string, o: { price?: string; qty?: string }): Promise<void> {
  const d = (await call(url, 'GET', `/depth/${symbol}?levels=1`, {})).body as { bids: string[][] };
  const price = o.price ?? (Number(d.bids[0][0]) * 0.98).toFixed(2); // resting, inside the 5 % band
  let last = '';
  for (let n = 0; n < 300; n++) {
    const r = await call(url, 'POST', '/orders', { 'x-api-key': 'demo-taker' }, { cl_ord_id: `flood-${n}`, symbol, side: 'BUY', price, order_qty: o.qty ?? '0.00010' });
    if (r.status === 418) return;
    last = `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
  }
  throw new Error(`no ban after 300 orders on ${symbol} (the last answered ${last})`);
}
