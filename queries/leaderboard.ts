// Ranged leaderboards (SPEC sections 3 and 5) over already-loaded rollup blocks.
//
// A block holds, for every user whose network strength or referral points changed inside it, the
// net change of both. Summing the blocks that tile a range gives each user's change over the range
// (with no `from`: its value at `to`, since everything starts at zero). Users are interned to small
// integers so that summing a hundred 100,000-user blocks is typed-array arithmetic, not map lookups.

export type Metric = 'network-strength' | 'referral-points';

/** Process-wide interning of user names: name <-> dense integer id. Ids are never reused. */
export class NameTable {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }

  get size(): number {
    return this.names.length;
  }
}

/** One rollup block as the API keeps it in memory. */
export interface BlockData {
  ids: Int32Array;
  strength: Int32Array;
  points: Int32Array;
}

/** Parses a rollup block's packed entries (flat [name, strength, points, ...]) against `names`. */
export function toBlockData(names: NameTable, flat: readonly (string | number)[]): BlockData {
  const n = flat.length / 3;
  const ids = new Int32Array(n);
  const strength = new Int32Array(n);
  const points = new Int32Array(n);
  for (let i = 0, j = 0; j < n; i += 3, j++) {
    ids[j] = names.id(flat[i] as string);
    strength[j] = flat[i + 1] as number;
    points[j] = flat[i + 2] as number;
  }
  return { ids, strength, points };
}

export interface RankedItem {
  rank: number;
  name: string;
  value: number;
}

/** Code-unit order, the order of every name listing in the API. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Keeps the `limit` best (value desc, then name asc) of candidates with a positive value, in rank
 * order. A bounded heap: O(n log limit) rather than sorting every positive user.
 */
export function topK(
  names: readonly string[],
  values: ArrayLike<number>,
  ids: Iterable<number>,
  limit: number,
) {
  // heap[0] is the worst kept candidate.
  const heap: number[] = [];
  const worse = (a: number, b: number): boolean => {
    const va = values[a];
    const vb = values[b];
    return va < vb || (va === vb && names[a] > names[b]);
  };
  const siftUp = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < heap.length && worse(heap[l], heap[w])) w = l;
      if (r < heap.length && worse(heap[r], heap[w])) w = r;
      if (w === i) return;
      [heap[i], heap[w]] = [heap[w], heap[i]];
      i = w;
    }
  };
  if (limit <= 0) return [];
  for (const id of ids) {
    if (!(values[id] > 0)) continue;
    if (heap.length < limit) {
      heap.push(id);
      siftUp(heap.length - 1);
    } else if (worse(heap[0], id)) {
      heap[0] = id;
      siftDown(0);
    }
  }
  heap.sort((a, b) => values[b] - values[a] || compareNames(names[a], names[b]));
  return heap.map((id, i): RankedItem => ({ rank: i + 1, name: names[id], value: values[id] }));
}

/** Ranks users by a map of values (positive only, value desc then name asc). */
export function rankValues(values: ReadonlyMap<string, number>, limit: number): RankedItem[] {
  const names = [...values.keys()];
  const vals = names.map((n) => values.get(n) as number);
  return topK(names, vals, names.keys(), limit);
}

/** The leaderboard of `metric` over the union of `blocks`, at most `limit` users. */
export function rankBlocks(names: NameTable, blocks: readonly BlockData[], metric: Metric, limit: number) {
  const sums = new Float64Array(names.size);
  const seen = new Uint8Array(names.size);
  const touched: number[] = [];
  for (const b of blocks) {
    const v = metric === 'network-strength' ? b.strength : b.points;
    const ids = b.ids;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      sums[id] += v[i];
      if (seen[id] === 0) {
        seen[id] = 1;
        touched.push(id);
      }
    }
  }
  return topK(names.names, sums, touched, limit);
}
