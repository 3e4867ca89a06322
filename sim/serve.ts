// A simulated market beside a running gateway (`npm start -- --scenario NAME
// [--seed N]`): the agents trade on the server's exchange through a
// RealtimeScheduler on its exchange clock, so a bot connected over the gateway
// meets their quotes and flow, and /metrics and the market data show them.
import type { RunningServer } from '../gateway/server.ts';
import { RealtimeScheduler } from './realtime-scheduler.ts';
import { startMarket, type SimMarket } from './market.ts';
import { ScenarioError, type Scenario } from './scenario.ts';
import { attachSimulation } from '../gateway/rest-sim.ts';
import { scorecardOf } from '../gateway/scorecard/live.ts';
import { Rng } from './rng.ts';

/** --seed as given on the command line (default 1); throws ScenarioError. */
export function parseSeed(v: string | undefined): number {
  const seed = v === undefined ? 1 : Number(v);
  if (!/^\d+$/.test(v ?? '1') || seed > 0xffffffff) throw new ScenarioError('--seed', `must be an integer 0-4294967295, got '${v}'`);
  return seed;
}

export interface ServedMarket {
  market: SimMarket;
  /** one line for the start-up banner */
  line: string;
  stop(): void;
}

export function serveMarket(server: RunningServer, scenario: Scenario, seed: number): ServedMarket {
  const scheduler = new RealtimeScheduler(server.clock);
  const market = startMarket({ exchange: server.exchange, scheduler, scenario, seed });
  attachSimulation(server.exchange, { scenario: scenario.name, seed, symbols: scenario.symbols, market });
  scorecardOf(server.exchange)?.sc.setMarket(market); // agents are counterparty types, not scored accounts
  // the scenario's latency spikes and reject bursts reach external order entry (the agents trade directly)
  const rng = new Rng(seed).fork('external-sessions');
  server.trade.conditions = {
    delayMs: () => market.externalDelayUs(rng) / 1000 / server.clock.speed,
    reject: () => market.rejectExternal(rng),
  };
  const makers = market.agents.filter((a) => a.type === 'maker').length;
  return {
    market,
    line: `simulated market: scenario ${scenario.name} (seed ${seed}) on ${scenario.symbols.join(', ')}: ${makers} makers, `
      + `${market.agents.length - makers} taker and other agent accounts (sim-*)`,
    stop() {
      server.trade.conditions = null;
      attachSimulation(server.exchange, null);
      market.stop();
      scheduler.close();
    },
  };
}
