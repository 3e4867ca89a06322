// Engine state ↔ plain data, for snapshots (pure: no I/O; the gateway's
// journal writes and reads the files).
//
// The state is captured as an object graph, not field by field: starting from
// a root (the Engine, or an adapter object holding it), every reachable object
// is written once, in breadth-first order, with its class, its own fields and
// references to other objects by number. So books, orders and their links,
// accounts, rule and rate-limit state, obligation meters — and whatever a
// later change adds to them — are captured without a serialiser per class.
//
// A restore goes INTO a freshly built root of the same configuration: each
// snapshot object takes over the fresh object found at the same place (same
// class), which it overwrites in place, so closures and callbacks the fresh
// graph built (they cannot be serialised) keep working on the restored state;
// objects the fresh graph does not have are created with their class's
// prototype. Functions, and fields a policy names as external (event sinks,
// listeners), keep the fresh graph's value.
//
// A class is named by its name and a hash of its source text: a snapshot
// written by other code (another version of a class) names classes the
// restoring process does not know, and is refused rather than misread.
import btreeModule from 'sorted-btree';
import { Account, Position } from './account.ts';
import { Emitter } from './emitter.ts';
import { Level } from './level.ts';
import { Accumulator } from './money.ts';
import { Order } from './order.ts';
import { Market } from './market.ts';
import { QuoteBook, QuoteSide } from './obligations/quote-book.ts';
import { Bits1024, Page, PriceIndex } from './book.ts';
import { Rec } from './rules/otr.ts';
import { BanState, Bucket, Fixed, KeyMap, Sliding } from './rules/rate-limit.ts';
import { Extremes, PriceControls, TradeWindow, WeightedWindow } from './rules/price-controls.ts';
import { Schedule } from './rules/phases.ts';
import { MarketWide } from './rules/market-wide.ts';
import { ZoneClock } from './time.ts';
import { InstrumentParked, ParkedOrders } from './parked.ts';
import { InstrumentCrosses, Interest } from './rules/crosses.ts';
import { MarketMakerProtection, Rec as MmpRec } from './rules/mmp.ts';
import { WideSum } from './obligations/arith.ts';
import { Ledger } from './obligations/ledger.ts';
import { ObligationMeter } from './obligations/meter.ts';
import { Membership } from './obligations/programme.ts';
import { Totals } from './obligations/report.ts';

const BTree = btreeModule.default;
type Tree = InstanceType<typeof BTree<unknown, unknown>>;

export class SnapshotError extends Error {}

/** A captured object graph: plain data (numbers, strings and arrays of them), JSON-safe. */
export interface GraphSnapshot {
  format: 1;
  /** class names (name#source hash); -1 in a shape = plain object */
  classes: string[];
  /** object shapes: [class index, field names] */
  shapes: [number, string[]][];
  /** one head per object, 3 numbers each: kind, argument, argument (see Kind) */
  heads: number[];
  /** the objects' contents, one tag per value (Tag), in object order */
  tags: Uint8Array;
  /** the tags' payloads: numbers and strings */
  vals: (number | string)[];
}

/** How to capture a graph: which fields are not state, and custom forms for library classes. */
export interface GraphPolicy {
  /** fields (by class) kept from the fresh graph on restore: sinks, listeners, pools of free objects */
  external?: ReadonlyMap<object, ReadonlySet<string>>;
  /** classes the restoring side must know although a fresh graph may not hold one yet */
  classes?: readonly (abstract new (...args: never[]) => unknown)[];
}

const enum Kind { OBJECT = 0, FROZEN_OBJECT = 1, ARRAY = 2, FROZEN_ARRAY = 3, MAP = 4, SET = 5, TYPED = 6, BTREE = 7 }
const enum Tag { NUM = 1, STR, TRUE, FALSE, UNDEF, NULL, BIGINT, NAN, INF, NEG_INF, NEG_ZERO, REF, KEEP, HOLE }

const TYPED: Record<string, new (n: number) => ArrayLike<number> & { [i: number]: number }> = {
  Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array, Uint8ClampedArray,
};
const TYPED_NAMES = Object.keys(TYPED);

const classKeys = new WeakMap<object, string>();
/** A class's name: its constructor name and a hash (FNV-1a) of its source. */
function classKey(proto: object): string {
  let k = classKeys.get(proto);
  if (k === undefined) {
    const ctor = (proto as { constructor?: unknown }).constructor;
    const src = typeof ctor === 'function' ? Function.prototype.toString.call(ctor) : '';
    let h = 0x811c9dc5;
    for (let i = 0; i < src.length; i++) h = Math.imul(h ^ src.charCodeAt(i), 0x01000193);
    k = `${typeof ctor === 'function' ? ctor.name : '?'}#${(h >>> 0).toString(36)}`;
    classKeys.set(proto, k);
  }
  return k;
}

const isPlainProto = (p: object | null): boolean => p === null || p === Object.prototype;

const NO_FIELDS: ReadonlySet<string> = new Set();

/** An object shape met in a capture: its field names, its number, which fields are kept from the fresh graph (null: none). */
interface Shape { keys: string[]; idx: number; keep: boolean[] | null }

/** Captures the graph reachable from `root`. Synchronous: the graph must not change meanwhile. */
export function captureGraph(root: object, policy: GraphPolicy = {}): GraphSnapshot {
  const ids = new Map<object, number>([[root, 0]]);
  const queue: object[] = [root];
  const classes: string[] = [];
  const classIdx = new Map<object, number>();
  const shapes: [number, string[]][] = [];
  const shapeCache = new Map<object, Shape[]>();
  const heads: number[] = [];
  let tags = new Uint8Array(1 << 16);
  let nt = 0;
  const vals: (number | string)[] = [];
  const ext = policy.external ?? new Map<object, ReadonlySet<string>>();

  const tag = (t: Tag): void => {
    if (nt === tags.length) {
      const grown = new Uint8Array(tags.length * 2);
      grown.set(tags);
      tags = grown;
    }
    tags[nt++] = t;
  };
  const ref = (o: object): number => {
    let id = ids.get(o);
    if (id === undefined) {
      id = queue.length;
      ids.set(o, id);
      queue.push(o);
    }
    return id;
  };
  const value = (v: unknown): void => {
    switch (typeof v) {
      case 'number':
        if (v !== v) tag(Tag.NAN);
        else if (v === Infinity) tag(Tag.INF);
        else if (v === -Infinity) tag(Tag.NEG_INF);
        else if (v === 0 && 1 / v < 0) tag(Tag.NEG_ZERO);
        else { tag(Tag.NUM); vals.push(v); }
        return;
      case 'string': tag(Tag.STR); vals.push(v); return;
      case 'boolean': tag(v ? Tag.TRUE : Tag.FALSE); return;
      case 'undefined': tag(Tag.UNDEF); return;
      case 'bigint': tag(Tag.BIGINT); vals.push(v.toString()); return;
      case 'function': tag(Tag.KEEP); return;
      case 'object':
        if (v === null) tag(Tag.NULL);
        else { tag(Tag.REF); vals.push(ref(v)); }
        return;
      default:
        throw new SnapshotError(`cannot capture a ${typeof v}`);
    }
  };
  const shapeOf = (o: object, proto: object | null): Shape => {
    const key = proto ?? NO_FIELDS;
    const keys = Object.keys(o);
    let list = shapeCache.get(key);
    if (!list) shapeCache.set(key, (list = []));
    for (const s of list) if (sameKeys(s.keys, keys)) return s;
    let ci = -1;
    if (!isPlainProto(proto)) {
      const p = proto as object;
      let c = classIdx.get(p);
      if (c === undefined) {
        c = classes.length;
        classes.push(classKey(p));
        classIdx.set(p, c);
      }
      ci = c;
    }
    const kept = (proto && ext.get(proto.constructor)) ?? NO_FIELDS;
    const s = { keys, idx: shapes.length, keep: kept.size === 0 ? null : keys.map((k) => kept.has(k)) };
    shapes.push([ci, keys]);
    list.push(s);
    return s;
  };

  for (let i = 0; i < queue.length; i++) {
    const o = queue[i];
    if (Array.isArray(o)) {
      heads.push(Object.isFrozen(o) ? Kind.FROZEN_ARRAY : Kind.ARRAY, o.length, 0);
      for (let k = 0; k < o.length; k++) {
        const v: unknown = o[k];
        if (v === undefined && !(k in o)) tag(Tag.HOLE);
        else value(v);
      }
    } else if (o instanceof Map) {
      heads.push(Kind.MAP, o.size, 0);
      for (const [k, v] of o) { value(k); value(v); }
    } else if (o instanceof Set) {
      heads.push(Kind.SET, o.size, 0);
      for (const v of o) value(v);
    } else if (ArrayBuffer.isView(o)) {
      const t = TYPED_NAMES.indexOf(o.constructor.name);
      if (t < 0) throw new SnapshotError(`cannot capture a ${o.constructor.name}`);
      const a = o as unknown as ArrayLike<number>;
      heads.push(Kind.TYPED, t, a.length);
      for (let k = 0; k < a.length; k++) value(a[k]);
    } else if (o instanceof BTree) {
      // a library tree: its entries, rebuilt on restore (its nodes share a module-level empty leaf)
      const t = o as Tree;
      heads.push(Kind.BTREE, t.size, 0);
      t.forEachPair((k, v) => { value(k); value(v); });
    } else {
      const proto = Object.getPrototypeOf(o) as object | null;
      const s = shapeOf(o, proto);
      heads.push(Object.isFrozen(o) ? Kind.FROZEN_OBJECT : Kind.OBJECT, s.idx, 0);
      // Object.values reads the fields in Object.keys order in one builtin call: a keyed read per
      // field (rec[k]) is megamorphic across the graph's many shapes and cost most of a capture
      const vs = Object.values(o);
      const keep = s.keep;
      for (let k = 0; k < vs.length; k++) {
        if (keep !== null && keep[k]) tag(Tag.KEEP);
        else value(vs[k]);
      }
    }
  }
  return { format: 1, classes, shapes, heads, tags: tags.slice(0, nt), vals };
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The prototypes of every class instance reachable from `root`, by class name. */
function prototypesOf(root: object, into: Map<string, object>): void {
  const seen = new Set<object>([root]);
  const queue: object[] = [root];
  const visit = (v: unknown): void => {
    if (typeof v === 'object' && v !== null && !seen.has(v)) {
      seen.add(v);
      queue.push(v);
    }
  };
  for (let i = 0; i < queue.length; i++) {
    const o = queue[i];
    const proto = Object.getPrototypeOf(o) as object | null;
    if (!isPlainProto(proto) && !Array.isArray(o) && !ArrayBuffer.isView(o)) into.set(classKey(proto as object), proto as object);
    if (o instanceof Map) for (const [k, v] of o) { visit(k); visit(v); }
    else if (o instanceof Set) for (const v of o) visit(v);
    else if (o instanceof BTree || ArrayBuffer.isView(o)) continue;
    else for (const k of Object.keys(o)) visit((o as Record<string, unknown>)[k]);
  }
}

function knownClasses(root: object, policy: GraphPolicy): Map<string, object> {
  const protos = new Map<string, object>();
  for (const c of policy.classes ?? []) protos.set(classKey(c.prototype as object), c.prototype as object);
  prototypesOf(root, protos);
  return protos;
}

/** The classes a snapshot names that neither `root`'s graph nor the policy knows (a restore would refuse it). */
export function unknownClasses(root: object, snap: GraphSnapshot, policy: GraphPolicy = {}): string[] {
  const protos = knownClasses(root, policy);
  return snap.classes.filter((k) => !protos.has(k));
}

const KEEP = Symbol('keep');

/**
 * Restores a captured graph into `root`, a freshly built object of the same
 * configuration as the captured one (see the top of this file). Throws
 * SnapshotError when the snapshot names a class this code does not have or
 * does not fit the fresh graph; `root` is unusable after a throw.
 */
export function restoreGraph(root: object, snap: GraphSnapshot, policy: GraphPolicy = {}): void {
  if (snap.format !== 1) throw new SnapshotError(`unknown snapshot format ${String(snap.format)}`);
  const protos = knownClasses(root, policy);
  const classProtos = snap.classes.map((k) => {
    const p = protos.get(k);
    if (!p) throw new SnapshotError(`the snapshot holds a class this code does not have: ${k}`);
    return p;
  });
  const { heads, tags, vals, shapes } = snap;
  const n = heads.length / 3;
  const objs: unknown[] = new Array(n);
  objs[0] = root;
  const claimed = new Set<object>([root]);
  const freeze: object[] = [];
  const trees: [Tree, number, number, number][] = [];
  let ti = 0;
  let vi = 0;

  const protoOfShape = (s: number): object | null => {
    const c = shapes[s][0];
    return c < 0 ? Object.prototype : classProtos[c];
  };
  const fits = (old: unknown, id: number): old is object => {
    if (typeof old !== 'object' || old === null || claimed.has(old)) return false;
    const h = heads[id * 3];
    switch (h) {
      case Kind.OBJECT: case Kind.FROZEN_OBJECT:
        return !Array.isArray(old) && !(old instanceof Map) && !(old instanceof Set) && Object.getPrototypeOf(old) === protoOfShape(heads[id * 3 + 1]);
      case Kind.ARRAY: return Array.isArray(old) && !Object.isFrozen(old);
      case Kind.FROZEN_ARRAY: return Array.isArray(old) && Object.isFrozen(old);
      case Kind.MAP: return old instanceof Map;
      case Kind.SET: return old instanceof Set;
      case Kind.BTREE: return old instanceof BTree;
      default: return false;
    }
  };
  const materialise = (id: number, old: unknown): object => {
    if (fits(old, id)) {
      claimed.add(old);
      objs[id] = old;
      return old;
    }
    const a = heads[id * 3 + 1];
    let o: object;
    switch (heads[id * 3]) {
      case Kind.OBJECT: case Kind.FROZEN_OBJECT: o = Object.create(protoOfShape(a)) as object; break;
      case Kind.ARRAY: case Kind.FROZEN_ARRAY: o = new Array<unknown>(a); break;
      case Kind.MAP: o = new Map(); break;
      case Kind.SET: o = new Set(); break;
      case Kind.TYPED: o = new TYPED[TYPED_NAMES[a]](heads[id * 3 + 2]); break;
      case Kind.BTREE: throw new SnapshotError('a sorted tree the fresh graph does not have');
      default: throw new SnapshotError(`object ${id}: unknown kind ${heads[id * 3]}`);
    }
    if (heads[id * 3] === Kind.FROZEN_OBJECT || heads[id * 3] === Kind.FROZEN_ARRAY) freeze.push(o);
    objs[id] = o;
    return o;
  };
  /** The next value; `old` is the fresh graph's value at the same place (a candidate to take over). */
  const value = (old: unknown): unknown => {
    switch (tags[ti++] as Tag) {
      case Tag.NUM: return vals[vi++];
      case Tag.STR: return vals[vi++];
      case Tag.TRUE: return true;
      case Tag.FALSE: return false;
      case Tag.UNDEF: return undefined;
      case Tag.NULL: return null;
      case Tag.BIGINT: return BigInt(vals[vi++]);
      case Tag.NAN: return NaN;
      case Tag.INF: return Infinity;
      case Tag.NEG_INF: return -Infinity;
      case Tag.NEG_ZERO: return -0;
      case Tag.REF: {
        const id = vals[vi++] as number;
        return objs[id] ?? materialise(id, old);
      }
      case Tag.KEEP: return KEEP;
      case Tag.HOLE: return KEEP;
      default: throw new SnapshotError(`bad tag ${tags[ti - 1]} at ${ti - 1}`);
    }
  };
  const set = (o: Record<string | number, unknown>, k: string | number, v: unknown): void => {
    if (v === KEEP) return; // a kept field: the fresh graph's value stays (a function, a sink, a listener set)
    if (!Object.is(o[k], v)) o[k] = v;
  };

  for (let id = 0; id < n; id++) {
    const o = objs[id];
    if (o === undefined) throw new SnapshotError(`object ${id} is not referenced`);
    const a = heads[id * 3 + 1];
    switch (heads[id * 3]) {
      case Kind.OBJECT: case Kind.FROZEN_OBJECT: {
        const rec = o as Record<string, unknown>;
        const keys = shapes[a][1];
        if (claimed.has(rec) && !sameKeys(Object.keys(rec), keys)) {
          // a fresh object with other fields or another field order: rebuilt in the captured order (values taken first)
          const old = { ...rec };
          for (const k of Object.keys(rec)) delete rec[k];
          for (const k of keys) {
            const v = value(old[k]);
            rec[k] = v === KEEP ? old[k] : v;
          }
          break;
        }
        for (const k of keys) set(rec, k, value(rec[k]));
        break;
      }
      case Kind.ARRAY: case Kind.FROZEN_ARRAY: {
        const arr = o as unknown[];
        if (arr.length !== a) arr.length = a;
        for (let k = 0; k < a; k++) {
          const hole = tags[ti] === Tag.HOLE;
          const v = value(arr[k]);
          if (hole) {
            if (k in arr) delete arr[k];
          } else if (v !== KEEP && (!Object.is(arr[k], v) || (v === undefined && !(k in arr)))) arr[k] = v;
        }
        break;
      }
      case Kind.MAP: {
        const m = o as Map<unknown, unknown>;
        const old = new Map(m);
        m.clear();
        for (let k = 0; k < a; k++) {
          const key = value(undefined);
          const v = value(typeof key === 'object' ? undefined : old.get(key));
          m.set(key, v === KEEP ? old.get(key) : v);
        }
        break;
      }
      case Kind.SET: {
        const s = o as Set<unknown>;
        const fns = [...s].filter((v) => typeof v === 'function');
        s.clear();
        for (let k = 0; k < a; k++) {
          const v = value(undefined);
          if (v !== KEEP) s.add(v);
        }
        for (const f of fns) s.add(f); // functions (listeners) stay
        break;
      }
      case Kind.TYPED: {
        const t = o as { [i: number]: number };
        const len = heads[id * 3 + 2];
        for (let k = 0; k < len; k++) t[k] = value(undefined) as number;
        break;
      }
      case Kind.BTREE: {
        trees.push([o as Tree, ti, vi, a]);
        // skip its entries for now: they are read once every object exists
        for (let k = 0; k < 2 * a; k++) value(undefined);
        break;
      }
      default:
        throw new SnapshotError(`object ${id}: unknown kind ${heads[id * 3]}`);
    }
  }
  if (ti !== tags.length || vi !== vals.length) throw new SnapshotError('the snapshot has data past its last object');
  // the trees' entries, now that every object they point to exists
  for (const [tree, t, v, size] of trees) {
    ti = t;
    vi = v;
    const pairs: [unknown, unknown][] = [];
    for (let k = 0; k < size; k++) pairs.push([value(undefined), value(undefined)]);
    tree.clear();
    for (const [k, x] of pairs) tree.set(k, x);
  }
  for (const f of freeze) Object.freeze(f);
}

/**
 * The engine's policy: the event sink is the adapter's (kept), and the pool of
 * free order objects is not state (the fresh, empty one is kept). `classes`: engine classes a fresh engine
 * holds no instance of until it trades.
 */
export const ENGINE_SNAPSHOT_POLICY: GraphPolicy = {
  external: new Map<object, ReadonlySet<string>>([
    [Emitter, new Set(['sink'])],
    [Market, new Set(['pool'])],
  ]),
  classes: [
    Order, Level, Account, Position, Accumulator, PriceIndex, Page, Bits1024, Rec, BanState, Sliding, Fixed, Bucket, KeyMap, TradeWindow, Extremes, WeightedWindow,
    PriceControls, Schedule, MarketWide, ZoneClock, ParkedOrders, InstrumentParked, InstrumentCrosses, Interest, MarketMakerProtection, MmpRec,
    WideSum, Ledger, ObligationMeter, Membership, Totals, QuoteBook, QuoteSide,
  ],
};

/** Merges policies (an adapter's root holding the engine adds its own externals). */
export function mergePolicies(...ps: GraphPolicy[]): GraphPolicy {
  const external = new Map<object, ReadonlySet<string>>();
  for (const p of ps) for (const [c, f] of p.external ?? []) external.set(c, new Set([...(external.get(c) ?? []), ...f]));
  return { external, classes: ps.flatMap((p) => p.classes ?? []) };
}
