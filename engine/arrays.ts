// Empty arrays made in the form they will keep. V8 tracks the kind of an
// array's elements (small integers only, any value; packed, or with holes)
// and optimised code checks it. An array literal `[]` starts as "small
// integers, packed" and changes kind when it first takes an object or a hole,
// so code optimised on a long-lived engine's arrays is thrown away when it
// meets a new engine's still-empty ones (a fresh book, pool or index), and
// optimised again. Arrays that will hold objects are made in their final
// kind from the start instead.

/** An empty array for objects, appended to in order (no holes). */
export function objectArray<T>(): T[] {
  const a: unknown[] = [undefined];
  a.length = 0;
  return a as T[];
}

/** An empty array for objects, written at any index (holes allowed). */
export function sparseArray<T>(): T[] {
  const a: unknown[] = [];
  a[1] = undefined; // a hole at 0
  a.length = 0;
  return a as T[];
}
