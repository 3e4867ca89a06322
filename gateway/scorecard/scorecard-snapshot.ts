// The live scorecard in the journal's snapshots, so a restart from a snapshot
// has the same scorecard as a full replay of the journal (the replayed tail
// goes on from the restored cards). The scorecard is captured as an object
// graph (engine/snapshot.ts): cards, their own orders and best prices, the
// markouts waiting for their horizons, the series; the order→ack latency
// histograms (measured on live sockets, which a replay cannot rebuild) are
// kept as compressed HDR histograms.
import { captureGraph, restoreGraph, unknownClasses, type GraphPolicy } from '../../engine/snapshot.ts';
import { graphFromJson, graphToJson, type SnapshotPart } from '../journal/snapshot.ts';
import type { Exchange } from '../exchange.ts';
import { Card, CounterpartyStats } from './card.ts';
import { Scorecard } from './scorecard.ts';
import type { ScorecardSeries } from './series.ts';
import type { OrderLatency } from './latency.ts';

/** The exchange is its own part; cards a fresh scorecard has none of yet are known by class. */
const POLICY: GraphPolicy = {
  external: new Map([[Scorecard, new Set(['exchange', 'unobserve'])]]),
  classes: [Card, CounterpartyStats],
};

interface Saved {
  /** the cards, created before the graph is restored (a card's sorted trees must be there to be restored into) */
  cards: [number, number][];
  graph: unknown;
}

/**
 * The scorecard and its series as one part. The root lists the engine's instruments first, so
 * the cards' and symbols' instrument references resolve to the restoring exchange's own objects.
 */
export function scorecardPart(exchange: Exchange, sc: Scorecard, series: ScorecardSeries): SnapshotPart {
  const root = { instruments: exchange.engine.instruments, sc, series };
  return {
    save: (): Saved => ({ cards: sc.cardKeys(), graph: graphToJson(captureGraph(root, POLICY)) }),
    load: (d) => {
      const saved = d as Saved;
      for (const [account, index] of saved.cards) sc.ensureCard(account, index);
      restoreGraph(root, graphFromJson(saved.graph), POLICY);
    },
    check: (d) => {
      const unknown = unknownClasses(root, graphFromJson((d as Saved).graph), POLICY);
      return unknown.length > 0 ? `classes this code does not have: ${unknown.join(', ')}` : null;
    },
  };
}

export function orderLatencyPart(latency: OrderLatency): SnapshotPart {
  return {
    save: () => latency.save(),
    load: (d) => latency.load(d as [number, string, number][]),
  };
}
