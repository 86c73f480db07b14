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

export type Metric = 'network-strength' | 'referral-points';

/** One rollup block as the API keeps it in memory: key ids and the net changes of each column. */
export type { BlockData } from '../storage/rollup-codec';

export interface RankedItem {
  rank: number;
  name: string;
  value: number;
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
) {
  const sums = new Float64Array(names.length);
  const seen = new Uint8Array(names.length);
  const touched: number[] = [];
  for (const b of blocks) {
    const v = b.cols[column];
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
  return topK(names, sums, touched, limit);
}
