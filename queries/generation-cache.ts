// Answers computed from one state of the data, kept while that state is the newest.
//
// The read side caches answers by the exact state they came from (the snapshot cursor, the rollup
// dictionary, the journal tail). Every request reads the newest state, so once a newer one is seen
// no request asks for an answer of an older one again: kept, those answers were only memory that
// grew with every snapshot run (one a second) until a count cap, some minutes later. So the cache
// holds one generation: the first answer of a new one drops the rest.

export class GenerationCache<V> {
  private generation = '';
  private readonly kept = new Map<string, V>();

  /** @param max answers kept within one generation; past it the least recently used goes */
  constructor(private readonly max = 256) {}

  /** The answer kept for `key` in `generation`; a hit becomes the newest (the last to go past `max`). */
  get(generation: string, key: string): V | undefined {
    if (generation !== this.generation) return undefined;
    const hit = this.kept.get(key);
    if (hit !== undefined) {
      this.kept.delete(key);
      this.kept.set(key, hit);
    }
    return hit;
  }

  set(generation: string, key: string, value: V): void {
    if (generation !== this.generation) {
      // A request that began before the newest state may finish after it: its answer replaces the
      // newer generation's, which the next request computes again (rare, and never wrong).
      this.kept.clear();
      this.generation = generation;
    } else if (this.kept.size >= this.max && !this.kept.has(key)) {
      this.kept.delete(this.kept.keys().next().value as string);
    }
    this.kept.set(key, value);
  }

  get size(): number {
    return this.kept.size;
  }

  clear(): void {
    this.kept.clear();
    this.generation = '';
  }
}
