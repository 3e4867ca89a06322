// Speed of the headless simulator (a benchmark, not a test):
//
//   npm run bench:sim -- [--scenario regimes] [--duration 6h30m] [--seed 7] [--runs 1]
//
// Prints, per run: wall time, simulated seconds per wall second, agent
// commands (per simulated second and per wall second) and engine events per
// wall second. Goal: a 6.5-hour `regimes` session in at most 60 s on the
// project's 2-core VM.
import { parseArgs } from 'node:util';
import { runSim } from './run.ts';
import { loadScenario, parseDuration } from './scenario.ts';

const { values } = parseArgs({
  args: process.argv.slice(2), strict: true,
  options: { scenario: { type: 'string' }, duration: { type: 'string' }, seed: { type: 'string' }, runs: { type: 'string' } },
});
const scenario = loadScenario(values.scenario ?? 'regimes');
const durationUs = parseDuration(values.duration ?? '6h30m', '--duration');
const seed = Number(values.seed ?? 7);
const runs = Math.max(1, Number(values.runs ?? 1));
for (let r = 0; r < runs; r++) {
  let events = 0;
  const count = (): void => { events++; };
  const { summary } = await runSim({
    scenario, seed, durationUs,
    observe: { order: count, fill: count, level: count, massCancel: count, phase: count, auction: count, rule: count, obligation: count },
  });
  const wallS = summary.wall_ms / 1000;
  process.stdout.write(
    `${scenario.name} ${summary.simulated_s} simulated s, seed ${seed}: ${wallS.toFixed(1)} s wall, `
    + `${summary.simulated_s_per_wall_s} simulated s / wall s, ${summary.agent_commands} agent commands `
    + `(${summary.agent_commands_per_simulated_s} per simulated s, ${Math.round(summary.agent_commands / wallS)} per wall s), `
    + `${Math.round(events / wallS)} engine events / wall s, ${summary.trades} trades\n`,
  );
}
