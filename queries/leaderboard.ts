// Ranged leaderboards (SPEC sections 3 and 5) over already-loaded rollup blocks.
//
// A block holds, for every user whose network strength or referral points changed inside it, the
// net change of both. Summing the blocks that tile a range gives each user's change over the range
// (with no `from`: its value at `to`, since everything starts at zero). Blocks name users by their id
// in the rollup name dictionary (storage/rollup-store.ts), so summing a dozen 100,000-user blocks is
// typed-array arithmetic, not map lookups.

import { compareNames } from '../domain/name-list';
import { SOCIAL_POINTS, SOCIAL_STRENGTH } from '../domain/social-family';
import type { BlockData } from '../storage/rollup-codec';
import { GenerationCache } from './generation-cache';

export type Metric = 'network-strength' | 'referral-points';

/** One rollup block as the API keeps it in memory: key ids and the net changes of each column. */
export type { BlockData } from '../storage/rollup-codec';

export interface RankedItem {
  rank: number;
  name: string;
  value: number;
}

/**
 * Scratch arrays reused by every ranking, grown as needed and never kept by an answer: the name
 * dictionary holds every family's keys (some 100,000s), and allocating and zeroing arrays of that size
 * per ranking cost more than the ranking. A key's running sum is live when its stamp is the current
 * ranking's.
 */
const scratch = {
  sums: new Float64Array(0),
  stamps: new Uint32Array(0),
  now: 0,
  touched: new Int32Array(0),
  candId: new Int32Array(0),
  candVal: new Float64Array(0),
  select: new Float64Array(0),
};

/** Room for `n` candidates in the scratch arrays. */
function candidateRoom(n: number): void {
  if (scratch.candId.length >= n) return;
  scratch.candId = new Int32Array(n);
  scratch.candVal = new Float64Array(n);
  scratch.select = new Float64Array(n);
  scratch.touched = new Int32Array(n);
}

/**
 * The `limit` best of the m candidates in scratch.candId/candVal (all positive), in rank order: value
 * desc, then name asc. The `limit`-th value is found by selection (linear), so only the keys above it
 * and the ties at it are compared by name: a leaderboard ranks to depth 1,000 among tens of thousands
 * of users, most of them tied on small values.
 */
function rankCandidates(names: readonly string[], m: number, limit: number): RankedItem[] {
  if (limit <= 0) return [];
  const { candId, candVal } = scratch;
  const keep: number[] = [];
  if (m <= limit) {
    for (let i = 0; i < m; i++) keep.push(i);
  } else {
    const select = scratch.select.subarray(0, m);
    select.set(candVal.subarray(0, m));
    const kth = kthLargest(select, limit);
    const ties: number[] = [];
    for (let i = 0; i < m; i++) {
      const v = candVal[i];
      if (v > kth) keep.push(i);
      else if (v === kth) ties.push(i);
    }
    keep.push(...smallestNames(names, candId, ties, limit - keep.length));
  }
  keep.sort((a, b) => candVal[b] - candVal[a] || compareNames(names[candId[a]], names[candId[b]]));
  return keep.map((i, r): RankedItem => ({ rank: r + 1, name: names[candId[i]], value: candVal[i] }));
}

/** The k-th largest (1-based) of `a`, which it reorders: a selection with three-way partitions. */
function kthLargest(a: Float64Array, k: number): number {
  const target = k - 1;
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const x = a[lo];
    const y = a[(lo + hi) >> 1];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // Descending: [lo, lt) above the pivot, [lt, gt] equal to it, (gt, hi] below.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i];
      if (v > pivot) {
        a[i++] = a[lt];
        a[lt++] = v;
      } else if (v < pivot) {
        a[i] = a[gt];
        a[gt--] = v;
      } else i++;
    }
    if (target < lt) hi = lt - 1;
    else if (target > gt) lo = gt + 1;
    else return pivot;
  }
  return a[target];
}

/** The `room` candidates of `among` whose names come first (a bounded heap, the last-named on top). */
function smallestNames(
  names: readonly string[],
  candId: Int32Array,
  among: readonly number[],
  room: number,
): number[] {
  if (among.length <= room) return [...among];
  const heap: number[] = [];
  const later = (a: number, b: number) => names[candId[a]] > names[candId[b]];
  for (const c of among) {
    if (heap.length < room) {
      heap.push(c);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!later(heap[i], heap[parent])) break;
        [heap[i], heap[parent]] = [heap[parent], heap[i]];
        i = parent;
      }
    } else if (later(heap[0], c)) {
      heap[0] = c;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let w = i;
        if (l < heap.length && later(heap[l], heap[w])) w = l;
        if (r < heap.length && later(heap[r], heap[w])) w = r;
        if (w === i) break;
        [heap[i], heap[w]] = [heap[w], heap[i]];
        i = w;
      }
    }
  }
  return heap;
}

/** The `limit` best of `ids` by `values[id]` (positive only; value desc, then name asc). */
export function topK(
  names: readonly string[],
  values: ArrayLike<number>,
  ids: Iterable<number>,
  limit: number,
): RankedItem[] {
  const idList = Int32Array.from(ids);
  candidateRoom(idList.length);
  let m = 0;
  for (const id of idList) {
    const v = values[id];
    if (v > 0) {
      scratch.candId[m] = id;
      scratch.candVal[m++] = v;
    }
  }
  return rankCandidates(names, m, limit);
}

/** Ranks users by a map of values (positive only, value desc then name asc). */
export function rankValues(values: ReadonlyMap<string, number>, limit: number): RankedItem[] {
  const names = [...values.keys()];
  const vals = names.map((n) => values.get(n) as number);
  return topK(names, vals, names.keys(), limit);
}

/** The column of the social figure set (domain/social-family.ts) each social leaderboard ranks. */
export const METRIC_COLUMN: Record<Metric, number> = {
  'network-strength': SOCIAL_STRENGTH,
  'referral-points': SOCIAL_POINTS,
};

/**
 * The ranking by column `column` of the sums over the union of `blocks`, at most `limit` keys;
 * `names[id]` is the name of id `id` (every id in the blocks must have one).
 */
export function rankBlocks(
  names: readonly string[],
  blocks: readonly BlockData[],
  column: number,
  limit: number,
): RankedItem[] {
  let entries = 0;
  for (const b of blocks) entries += b.ids.length;
  candidateRoom(entries);
  const { candId, candVal } = scratch;
  let m = 0;
  if (blocks.length === 1) {
    // A block holds each key once: one block is its own sums.
    const ids = blocks[0].ids;
    const v = blocks[0].cols[column];
    for (let i = 0; i < ids.length; i++) {
      if (v[i] > 0) {
        candId[m] = ids[i];
        candVal[m++] = v[i];
      }
    }
    return rankCandidates(names, m, limit);
  }
  if (scratch.sums.length < names.length) {
    scratch.sums = new Float64Array(names.length);
    scratch.stamps = new Uint32Array(names.length);
    scratch.now = 0;
  }
  if (scratch.now === 0xffffffff) {
    scratch.stamps.fill(0);
    scratch.now = 0;
  }
  const now = ++scratch.now;
  const { sums, stamps, touched } = scratch;
  let n = 0;
  for (const b of blocks) {
    const v = b.cols[column];
    const ids = b.ids;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (stamps[id] === now) sums[id] += v[i];
      else {
        stamps[id] = now;
        sums[id] = v[i];
        touched[n++] = id;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const id = touched[i];
    if (sums[id] > 0) {
      candId[m] = id;
      candVal[m++] = sums[id];
    }
  }
  return rankCandidates(names, m, limit);
}

/** Depths rankings are computed to: the shallow one serves the usual limits (10, 50) cheaply. */
const SHALLOW_DEPTH = 100;
export const MAX_RANK_DEPTH = 1_000;

/**
 * Rankings kept by key (what was ranked and the exact data version it was ranked from), computed
 * once per key to the shallow depth, or the full one when a request asks for more, then cut to each
 * request's limit. Kept for the newest generation of the data only (queries/generation-cache.ts), the
 * least recently used going first past `max` entries.
 */
export class RankingCache<T> {
  private readonly kept: GenerationCache<T[]>;

  constructor(max = 256) {
    this.kept = new GenerationCache(max);
  }

  /**
   * The first `limit` (≤ MAX_RANK_DEPTH) of the ranking of `key`; `rank(depth)` ranks when none is kept.
   * @param generation the state of the data `key` was read at (its snapshot cursor and journal tail)
   */
  top(key: string, limit: number, rank: (depth: number) => T[], generation = ''): T[] {
    const depth = limit <= SHALLOW_DEPTH ? SHALLOW_DEPTH : MAX_RANK_DEPTH;
    for (const d of depth === SHALLOW_DEPTH ? [SHALLOW_DEPTH, MAX_RANK_DEPTH] : [MAX_RANK_DEPTH]) {
      const hit = this.kept.get(generation, `${d}|${key}`);
      if (hit !== undefined) return hit.slice(0, limit);
    }
    const ranked = rank(depth);
    this.kept.set(generation, `${depth}|${key}`, ranked);
    return ranked.slice(0, limit);
  }

  clear(): void {
    this.kept.clear();
  }
}
