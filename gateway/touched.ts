// What one command touched (symbols, positions), collected while the engine
// runs it and emptied after it, without allocating.
//
// Why not a Set: clear() gives a Set a new hash table, and for a long-lived
// Set V8 allocates that table in the old generation. Once per command that
// was ~100 bytes of old-space garbage per order, and under load a full
// mark-compact (a 20–50 ms hiccup) every few seconds. A command touches a
// handful of entries, so a linear search is as fast as hashing.
export class Touched<T> {
  private readonly items: T[] = [];
  size = 0;

  add(v: T): void {
    for (let i = 0; i < this.size; i++) if (this.items[i] === v) return;
    this.items[this.size++] = v;
  }

  at(i: number): T {
    return this.items[i];
  }

  clear(): void {
    this.size = 0;
  }
}
