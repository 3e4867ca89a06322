// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by
// package/file, so a bench run can say where the server spends its time
// without opening DevTools.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow { name: string; ms: number; pct: number }

export interface ProfileSummary { totalMs: number; byFunction: ProfileRow[]; byArea: ProfileRow[]; inclusive: ProfileRow[] }

/** Where a script lives, coarsely: a dependency's name, or the project file. */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return url;
  const proj = /\/(engine|gateway|bench|client)\/[^/]+$/.exec(url);
  return proj ? proj[0].slice(1) : url;
}

function rows(m: Map<string, number>, total: number, top: number): ProfileRow[] {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / total }));
}

/** A function's name and place. tsx emits each module on one line, so the column tells same-named functions apart. */
function label(cf: ProfileNode['callFrame']): string {
  const a = area(cf.url, cf.functionName);
  return `${cf.functionName || '(anonymous)'} ${a}:${cf.lineNumber + 1}:${cf.columnNumber}`;
}

/**
 * Inclusive time (self + callees) of the project's own functions: which
 * gateway step costs what, encoding and socket writes included. A function
 * that recurses is counted once per stack (its outermost frame).
 */
function inclusiveTimes(p: CpuProfile, selfUs: Map<number, number>): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  const walk = (id: number, open: Set<string>): number => {
    const n = byId.get(id) as ProfileNode;
    let us = selfUs.get(id) ?? 0;
    const name = /\/(engine|gateway)\//.test(n.callFrame.url) ? label(n.callFrame) : '';
    const outer = name !== '' && !open.has(name);
    if (outer) open.add(name);
    for (const c of n.children ?? []) us += walk(c, open);
    if (outer) {
      open.delete(name);
      out.set(name, (out.get(name) ?? 0) + us);
    }
    return us;
  };
  walk(p.nodes[0].id, new Set());
  return out;
}

export function summariseProfile(file: string, top = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    if (us === 0) continue;
    const a = area(n.callFrame.url, n.callFrame.functionName);
    const fn = label(n.callFrame);
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
    total += us;
  }
  return {
    totalMs: total / 1000, byFunction: rows(byFn, total, top), byArea: rows(byArea, total, top), inclusive: rows(inclusiveTimes(p, selfUs), total, top),
  };
}

export function printProfile(file: string, top = 25): void {
  const s = summariseProfile(file, top);
  console.log(`profile file=${file} total_ms=${s.totalMs.toFixed(0)}`);
  console.log('self time by area:');
  for (const r of s.byArea) console.log(`  ${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`);
  console.log('self time by function:');
  for (const r of s.byFunction) console.log(`  ${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`);
  console.log('inclusive time of engine/gateway functions:');
  for (const r of s.inclusive) console.log(`  ${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`);
}

/** The main-thread profiles in a --cpu-prof directory: CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile, thread 0 (tsx adds a loader thread). */
export function mainThreadProfiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => /\.\d+\.0\.\d+\.cpuprofile$/.test(n)).map((n) => path.join(dir, n));
}

// `node --import tsx bench/gateway-profile.ts FILE.cpuprofile [TOP]` prints the summary of an existing profile.
if (process.argv[1]?.endsWith('gateway-profile.ts') && process.argv[2]) printProfile(process.argv[2], Number(process.argv[3] ?? 25));
