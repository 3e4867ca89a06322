// Scenarios: JSON files (sim/scenarios/*.json, or any path) that say which
// venue profile and instruments the simulated market runs on, override any
// model parameter (sim/params.ts), and script a timeline of regime changes,
// jumps, maker withdrawals, liquidation waves, conditions for external
// sessions (latency, rejects) and parameter changes. Validated like the
// exchange config: the first problem is one line naming the bad path, e.g.
// `invalid scenario: scenario.timeline[3].withdraw_pct: must be 0-100, got 120`.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileName } from '../gateway/exchange.ts';
import { isProfileName, PROFILE_NAMES, profileConfig } from '../gateway/profiles.ts';
import {
  AGENT_SPECS, IMPACT_SPEC, PROCESS_SPEC, REGIME_SPEC, defaultAgents, defaultRegimes, defaults, type AgentParams, type ImpactParams,
} from './params.ts';
import { REGIMES, type PriceProcessParams, type RegimeName } from './price-process.ts';

export class ScenarioError extends Error {
  constructor(readonly path: string, message: string) {
    super(`invalid scenario: ${path}: ${message}`);
    this.name = 'ScenarioError';
  }
}

export type TimelineEvent =
  | { atUs: number; type: 'regime'; regime: RegimeName }
  | { atUs: number; type: 'jump'; jump_pct: number; symbol: string | null }
  /** makers cut their shown depth by withdraw_pct of normal, each at a random instant within within_s */
  | { atUs: number; type: 'withdraw'; withdraw_pct: number; within_s: number }
  /** makers bring their depth back to depth_pct of normal, spread over within_s */
  | { atUs: number; type: 'restore'; depth_pct: number; within_s: number }
  /** a cluster of leveraged positions whose liquidation prices lie within within_pct of the fair value */
  | { atUs: number; type: 'liquidations'; notional: number; within_pct: number; long_pct: number }
  /** for external sessions (a gateway or in-process transport reads SimMarket.conditions) */
  | { atUs: number; type: 'latency'; latency_ms: number; jitter_ms: number; for_s: number }
  | { atUs: number; type: 'rejects'; reject_pct: number; for_s: number }
  | { atUs: number; type: 'set'; params: Partial<{ [G in keyof AgentParams]: Partial<AgentParams[G]> }> };

export interface ScenarioInstrument {
  /** starting fair value in the quote currency (default: the profile's reference price or previous close) */
  start_price: number | null;
  /** multiplier on every regime's σ and jump size */
  sigma_mult: number;
}

export interface Scenario {
  name: string;
  description: string;
  profile: ProfileName;
  /** the instruments with a simulated market (default: the profile's first) */
  symbols: string[];
  /** exchange time at the start (µs since the epoch) */
  startUs: number;
  /** default run length (µs) when the runner is not given one */
  durationUs: number;
  instruments: Record<string, ScenarioInstrument>;
  process: PriceProcessParams;
  initialRegime: RegimeName;
  /** 'markov': regimes switch at random (mean durations); 'script': only the timeline (and cycle) changes them */
  switching: 'markov' | 'script';
  /** repeated regime schedule (script switching), e.g. the four regimes 15 minutes each */
  cycle: { regime: RegimeName; for_s: number }[];
  agents: AgentParams;
  impact: ImpactParams;
  timeline: TimelineEvent[];
}

const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const MAX_TIMELINE = 10_000;
const MAX_FILE_BYTES = 1 << 20;

/** Built-in scenario names (the files in sim/scenarios). */
export const BUILT_IN_SCENARIOS = ['calm', 'regimes', 'toxic', 'jump', '1011'] as const;

/** A built-in scenario by name, or a JSON file by path; throws ScenarioError (one line) on any problem. */
export function loadScenario(nameOrPath: string): Scenario {
  const builtIn = /^[A-Za-z0-9_-]+$/.test(nameOrPath) ? join(SCENARIO_DIR, `${nameOrPath}.json`) : null;
  const path = builtIn !== null && existsSync(builtIn) ? builtIn : nameOrPath;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ScenarioError('scenario', `no built-in scenario or readable file '${nameOrPath}' (built-in: ${BUILT_IN_SCENARIOS.join(', ')})`);
  }
  if (text.length > MAX_FILE_BYTES) throw new ScenarioError('scenario', 'file larger than 1 MiB');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError('scenario', `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  return parseScenario(json, builtIn !== null && path === builtIn ? nameOrPath : path);
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw new ScenarioError(path, 'must be an object');
  return v;
}

function only(o: Obj, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new ScenarioError(`${path}.${k}`, `unknown field (allowed: ${allowed.join(', ')})`);
}

function num(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ScenarioError(path, `must be ${min}-${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function str(v: unknown, path: string, max = 200): string {
  if (typeof v !== 'string' || v.length > max) throw new ScenarioError(path, `must be a string of at most ${max} characters`);
  return v;
}

/** Overrides of a numeric group: every key known, every value in range. */
function numbers<T extends object>(v: unknown, path: string, spec: Readonly<Record<string, readonly [number, number, number]>>, into: T): T {
  const o = obj(v, path);
  only(o, path, Object.keys(spec));
  for (const [k, val] of Object.entries(o)) {
    const [min, max] = spec[k];
    (into as Record<string, number>)[k] = num(val, `${path}.${k}`, min, max);
  }
  return into;
}

/** "90", 90, "90s", "15m", "2h", "1h30m" → µs. */
export function parseDuration(v: unknown, path: string): number {
  if (typeof v === 'number') return Math.round(num(v, path, 0, 1e9) * 1e6);
  const m = typeof v === 'string' ? /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?$/.exec(v.trim()) : null;
  if (!m || v === '' || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) {
    throw new ScenarioError(path, `must be seconds or a duration like 90s, 15m, 2h, 1h30m, got ${JSON.stringify(v)}`);
  }
  const s = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  if (s > 1e9) throw new ScenarioError(path, 'must be at most 1e9 s');
  return Math.round(s * 1e6);
}

function regimeName(v: unknown, path: string): RegimeName {
  if (typeof v !== 'string' || !(REGIMES as readonly string[]).includes(v)) throw new ScenarioError(path, `must be one of ${REGIMES.join(', ')}`);
  return v as RegimeName;
}

const TOP_FIELDS = [
  'name', 'description', 'profile', 'symbols', 'start_time', 'duration', 'instruments', 'process', 'regimes', 'initial_regime', 'switching',
  'cycle', 'agents', 'impact', 'timeline',
];

/** Validates a parsed scenario object and fills in every default. */
export function parseScenario(json: unknown, name = 'scenario'): Scenario {
  const root = obj(json, 'scenario');
  only(root, 'scenario', TOP_FIELDS);
  const profile = root.profile ?? 'crypto-spot';
  if (!isProfileName(profile)) throw new ScenarioError('scenario.profile', `must be one of ${PROFILE_NAMES.join(', ')}`);
  const config = profileConfig(profile);
  const known = config.instruments.map((i) => i.symbol);
  const symbols = root.symbols === undefined ? [known[0]] : root.symbols;
  if (!Array.isArray(symbols) || symbols.length === 0 || symbols.length > known.length) {
    throw new ScenarioError('scenario.symbols', `must be a non-empty array of the profile's symbols (${known.join(', ')})`);
  }
  symbols.forEach((s, i) => {
    if (!known.includes(s as string)) throw new ScenarioError(`scenario.symbols[${i}]`, `unknown symbol ${JSON.stringify(s)} (profile ${profile}: ${known.join(', ')})`);
  });
  const startUs = root.start_time === undefined ? Date.UTC(2025, 0, 6, 14, 30) * 1000 : Date.parse(str(root.start_time, 'scenario.start_time')) * 1000;
  if (!Number.isFinite(startUs) || startUs < 0) throw new ScenarioError('scenario.start_time', 'must be an ISO time like 2025-10-10T20:30:00Z');

  const instruments: Record<string, ScenarioInstrument> = {};
  for (const s of symbols as string[]) instruments[s] = { start_price: null, sigma_mult: 1 };
  if (root.instruments !== undefined) {
    const o = obj(root.instruments, 'scenario.instruments');
    for (const [sym, v] of Object.entries(o)) {
      const path = `scenario.instruments.${sym}`;
      if (!instruments[sym]) throw new ScenarioError(path, 'not one of scenario.symbols');
      const io = obj(v, path);
      only(io, path, ['start_price', 'sigma_mult']);
      if (io.start_price !== undefined) instruments[sym].start_price = num(io.start_price, `${path}.start_price`, 1e-9, 1e12);
      if (io.sigma_mult !== undefined) instruments[sym].sigma_mult = num(io.sigma_mult, `${path}.sigma_mult`, 0, 100);
    }
  }

  const process: PriceProcessParams = { ...defaults(PROCESS_SPEC), regimes: defaultRegimes() };
  if (root.process !== undefined) numbers(root.process, 'scenario.process', PROCESS_SPEC, process);
  if (root.regimes !== undefined) {
    const o = obj(root.regimes, 'scenario.regimes');
    only(o, 'scenario.regimes', REGIMES);
    for (const r of REGIMES) if (o[r] !== undefined) numbers(o[r], `scenario.regimes.${r}`, REGIME_SPEC, process.regimes[r]);
  }
  const initialRegime = root.initial_regime === undefined ? 'calm' : regimeName(root.initial_regime, 'scenario.initial_regime');
  const switching = root.switching ?? 'markov';
  if (switching !== 'markov' && switching !== 'script') throw new ScenarioError('scenario.switching', "must be 'markov' or 'script'");

  const cycle: Scenario['cycle'] = [];
  if (root.cycle !== undefined) {
    if (!Array.isArray(root.cycle) || root.cycle.length > 100) throw new ScenarioError('scenario.cycle', 'must be an array of at most 100 steps');
    root.cycle.forEach((c, i) => {
      const path = `scenario.cycle[${i}]`;
      const o = obj(c, path);
      only(o, path, ['regime', 'for']);
      const forUs = parseDuration(o.for, `${path}.for`);
      if (forUs < 1e6) throw new ScenarioError(`${path}.for`, 'must be at least 1 s');
      cycle.push({ regime: regimeName(o.regime, `${path}.regime`), for_s: forUs / 1e6 });
    });
  }

  const agents = defaultAgents();
  if (root.agents !== undefined) {
    const o = obj(root.agents, 'scenario.agents');
    only(o, 'scenario.agents', Object.keys(AGENT_SPECS));
    for (const g of Object.keys(o) as (keyof AgentParams)[]) numbers(o[g], `scenario.agents.${g}`, AGENT_SPECS[g], agents[g]);
  }
  checkMakers(agents, 'scenario.agents.makers');
  const impact = defaults(IMPACT_SPEC);
  if (root.impact !== undefined) numbers(root.impact, 'scenario.impact', IMPACT_SPEC, impact);

  const timeline: TimelineEvent[] = [];
  if (root.timeline !== undefined) {
    if (!Array.isArray(root.timeline) || root.timeline.length > MAX_TIMELINE) {
      throw new ScenarioError('scenario.timeline', `must be an array of at most ${MAX_TIMELINE} events`);
    }
    root.timeline.forEach((e, i) => timeline.push(timelineEvent(e, `scenario.timeline[${i}]`, symbols as string[])));
    timeline.sort((a, b) => a.atUs - b.atUs);
  }
  return {
    name: root.name === undefined ? name : str(root.name, 'scenario.name', 64),
    description: root.description === undefined ? '' : str(root.description, 'scenario.description', 2000),
    profile, symbols: symbols as string[], startUs,
    durationUs: root.duration === undefined ? 3_600_000_000 : parseDuration(root.duration, 'scenario.duration'),
    instruments, process, initialRegime, switching, cycle, agents, impact, timeline,
  };
}

function checkMakers(a: AgentParams, path: string): void {
  if (a.makers.lag_max_ms < a.makers.lag_min_ms) throw new ScenarioError(`${path}.lag_max_ms`, 'must be at least lag_min_ms');
  if (a.liquidations.leverage_max < a.liquidations.leverage_min) throw new ScenarioError('scenario.agents.liquidations.leverage_max', 'must be at least leverage_min');
}

/** Parameters that shape the agents when they are created: a timeline `set` cannot change them. */
const FIXED_AT_START: Partial<Record<keyof AgentParams, string[]>> = { makers: ['count', 'levels', 'lag_min_ms', 'lag_max_ms'] };

const EVENT_FIELDS: Record<TimelineEvent['type'], string[]> = {
  regime: ['regime'],
  jump: ['jump_pct', 'symbol'],
  withdraw: ['withdraw_pct', 'within_s'],
  restore: ['depth_pct', 'within_s'],
  liquidations: ['notional', 'within_pct', 'long_pct'],
  latency: ['latency_ms', 'jitter_ms', 'for_s'],
  rejects: ['reject_pct', 'for_s'],
  set: ['params'],
};

function timelineEvent(v: unknown, path: string, symbols: string[]): TimelineEvent {
  const o = obj(v, path);
  const type = o.type;
  if (typeof type !== 'string' || !Object.hasOwn(EVENT_FIELDS, type)) {
    throw new ScenarioError(`${path}.type`, `must be one of ${Object.keys(EVENT_FIELDS).join(', ')}`);
  }
  only(o, path, ['at', 'type', ...EVENT_FIELDS[type as TimelineEvent['type']]]);
  const atUs = parseDuration(o.at, `${path}.at`);
  const f = (k: string, min: number, max: number, dflt?: number): number =>
    o[k] === undefined && dflt !== undefined ? dflt : num(o[k], `${path}.${k}`, min, max);
  switch (type as TimelineEvent['type']) {
    case 'regime': return { atUs, type: 'regime', regime: regimeName(o.regime, `${path}.regime`) };
    case 'jump': {
      const symbol = o.symbol === undefined ? null : str(o.symbol, `${path}.symbol`, 32);
      if (symbol !== null && !symbols.includes(symbol)) throw new ScenarioError(`${path}.symbol`, 'not one of scenario.symbols');
      return { atUs, type: 'jump', jump_pct: f('jump_pct', -99, 1000), symbol };
    }
    case 'withdraw': return { atUs, type: 'withdraw', withdraw_pct: f('withdraw_pct', 0, 100), within_s: f('within_s', 0, 86_400, 0) };
    case 'restore': return { atUs, type: 'restore', depth_pct: f('depth_pct', 0, 100), within_s: f('within_s', 0, 86_400, 0) };
    case 'liquidations':
      return { atUs, type: 'liquidations', notional: f('notional', 0, 1e13), within_pct: f('within_pct', 0.01, 90), long_pct: f('long_pct', 0, 100, 84) };
    case 'latency':
      return { atUs, type: 'latency', latency_ms: f('latency_ms', 0, 600_000), jitter_ms: f('jitter_ms', 0, 600_000, 0), for_s: f('for_s', 0, 86_400) };
    case 'rejects': return { atUs, type: 'rejects', reject_pct: f('reject_pct', 0, 100), for_s: f('for_s', 0, 86_400) };
    case 'set': {
      const p = obj(o.params, `${path}.params`);
      only(p, `${path}.params`, Object.keys(AGENT_SPECS));
      const params: Record<string, object> = {};
      for (const g of Object.keys(p) as (keyof AgentParams)[]) {
        params[g] = numbers(p[g], `${path}.params.${g}`, AGENT_SPECS[g], {});
        for (const fixed of FIXED_AT_START[g] ?? []) {
          if (fixed in params[g]) throw new ScenarioError(`${path}.params.${g}.${fixed}`, 'cannot change during a run (set it in scenario.agents)');
        }
      }
      return { atUs, type: 'set', params };
    }
  }
}

/** The starting fair value of each simulated instrument (price units of the instrument, not on the tick grid). */
export function startPrices(s: Scenario): Record<string, number> {
  const cfg = profileConfig(s.profile);
  const out: Record<string, number> = {};
  for (const sym of s.symbols) {
    const inst = cfg.instruments.find((i) => i.symbol === sym);
    if (!inst) continue;
    const scale = 10 ** inst.price_scale;
    const given = s.instruments[sym].start_price;
    const fromProfile = inst.rules?.reference_price ?? inst.rules?.previous_close ?? Math.round((inst.max_price ?? 1) / 10);
    out[sym] = given !== null ? given * scale : fromProfile;
  }
  return out;
}
