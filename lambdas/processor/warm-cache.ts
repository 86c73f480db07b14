// A family's warm cache: what the processor committed, kept for the next chunk of a warm container.
//
// The processor is the only writer of a family's items, so what it committed stays true for as long as
// the pipeline's checkpoint is the one it committed at; any other checkpoint (another container ran, a
// commit failed, a pending batch was settled by another attempt) voids the cache. A cache that began
// on an empty store and never had to drop an entry is complete: a key it lacks has no item, so the
// chunk reads nothing for it (the case of a warm processor that folded the stream from its start).
import type { ChunkContext } from './family-chunk';

/** The cache as a chunk sees it at its begin. */
export interface CacheView<V> {
  /** committed values by key (the chunk may add to it and mutate them: it is the cache's own map) */
  readonly entries: Map<string, V>;
  /** every key that has an item is in `entries` */
  readonly complete: boolean;
}

export class WarmCache<V> {
  private entries = new Map<string, V>();
  private checkpoint: string | null = null;
  private complete = false;
  private cost = 0;
  /** what each cached value was counted with (values may be mutated in place between commits) */
  private readonly counted = new Map<string, number>();

  /**
   * @param budget largest total cost kept; past it only the last chunk's values stay, and the cache is
   *   no longer complete
   * @param costOf a value's cost (1 by default)
   */
  constructor(
    private readonly budget: number,
    private readonly costOf: (v: V) => number = () => 1,
  ) {}

  /**
   * At a chunk's begin: the cache if it is in step with `ctx.checkpoint` (an empty store gives an empty,
   * complete one), else an empty incomplete one. Until `commit` the cache is void: the chunk's fold may
   * change the values it was given, and a chunk that fails to commit must leave nothing behind.
   */
  begin(ctx: ChunkContext): CacheView<V> {
    const inStep = this.checkpoint !== null && this.checkpoint === ctx.checkpoint;
    let view: CacheView<V>;
    if (ctx.emptyStore) {
      view = { entries: new Map(), complete: true };
      this.counted.clear();
      this.cost = 0;
    } else if (inStep) view = { entries: this.entries, complete: this.complete };
    else {
      view = { entries: new Map(), complete: false };
      this.counted.clear();
      this.cost = 0;
    }
    this.entries = new Map();
    this.checkpoint = null;
    return view;
  }

  /**
   * The chunk that began with `view` committed at `checkpoint`; `values` are what it folded (committed
   * now).
   */
  commit(checkpoint: string, view: CacheView<V>, values: ReadonlyMap<string, V>): void {
    const entries = view.entries;
    let complete = view.complete;
    for (const [k, v] of values) {
      const c = this.costOf(v);
      this.cost += c - (this.counted.get(k) ?? 0);
      this.counted.set(k, c);
      entries.set(k, v);
    }
    if (this.cost > this.budget) {
      // Over budget: keep only this chunk's values (the likeliest to come back); no longer complete.
      entries.clear();
      this.counted.clear();
      this.cost = 0;
      for (const [k, v] of values) {
        entries.set(k, v);
        const c = this.costOf(v);
        this.counted.set(k, c);
        this.cost += c;
      }
      complete = false;
    }
    this.entries = entries;
    this.complete = complete;
    this.checkpoint = checkpoint;
  }
}

/**
 * Splits `keys` by `view`: the values it holds go into `into`; returns the keys that may have an item
 * to read (none when the view is complete).
 */
export function toRead<V>(keys: Iterable<string>, view: CacheView<V>, into: Map<string, V>): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const hit = view.entries.get(k);
    if (hit !== undefined) into.set(k, hit);
    else if (!view.complete) out.push(k);
  }
  return out;
}
