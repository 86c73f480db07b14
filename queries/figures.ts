// Sums of figure-set rows (domain/figures.ts) over rollup blocks: the ranged answers of every family
// are these sums, over the blocks that tile a range (lambdas/api/reader.ts rangeBlocks, stepBlocks).
import type { BlockData } from '../storage/rollup-codec';

/**
 * Per key accepted by `accept` (every key when omitted), the sum of each column over `blocks`;
 * `names[id]` is the key of id `id`. Keys whose sums are all zero are left out.
 */
export function sumBlocks(
  names: readonly string[],
  blocks: readonly BlockData[],
  accept?: (key: string) => boolean,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const b of blocks) {
    const w = b.cols.length;
    for (let i = 0; i < b.ids.length; i++) {
      const key = names[b.ids[i]];
      if (accept !== undefined && !accept(key)) continue;
      let row = out.get(key);
      if (row === undefined) {
        row = new Array<number>(w).fill(0);
        out.set(key, row);
      }
      for (let c = 0; c < w; c++) row[c] += b.cols[c][i];
    }
  }
  for (const [k, row] of out) if (row.every((v) => v === 0)) out.delete(k);
  return out;
}

/** The sum of each of `width` columns over `blocks` for one key (zeros when absent). */
export function sumKey(
  names: readonly string[],
  blocks: readonly BlockData[],
  key: string,
  width: number,
): number[] {
  return sumBlocks(names, blocks, (k) => k === key).get(key) ?? new Array<number>(width).fill(0);
}

/**
 * A part of a range that one rollup block answers: the buckets [from, to) it holds and `upTo`, the
 * `first` of the last journal folded into it ('' for a block not written: it holds none).
 */
export interface Piece {
  from: number;
  to: number;
  upTo: string;
}

/** A committed journal as the tail keeps it: its first position and its rows per set. */
export interface TailJournal {
  first: string;
  sets: Record<string, readonly (string | number)[]>;
}

/**
 * One part of a ranged question: the buckets [from, to) asked about (from null: the beginning of time)
 * and the rollup blocks read for it, sorted by `from` and not overlapping.
 */
export interface TailStep {
  from: number | null;
  to: number;
  pieces: readonly Piece[];
}

/** The piece of `pieces` holding bucket `b`, or null. */
function pieceOf(pieces: readonly Piece[], b: number): Piece | null {
  let lo = 0;
  let hi = pieces.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pieces[mid].to <= b) lo = mid + 1;
    else hi = mid;
  }
  return lo < pieces.length && pieces[lo].from <= b ? pieces[lo] : null;
}

/**
 * What the committed journals after the rollups add to each step, per key: the rows of set `set`
 * (`width` columns) whose bucket lies in the step, unless the rollup block read for that bucket already
 * holds the row's journal (`first` at or before its `upTo`). A bucket no block of the step holds has
 * nothing in the rollups read, so its rows all count. `steps` are sorted and do not overlap; a row in
 * none of them counts nowhere. With `accept`, only the keys it accepts.
 */
export function tailStepSums(
  journals: readonly TailJournal[],
  set: string,
  width: number,
  steps: readonly TailStep[],
  accept?: (key: string) => boolean,
): Map<string, number[]>[] {
  const out = steps.map(() => new Map<string, number[]>());
  if (steps.length === 0) return out;
  const stride = 2 + width;
  for (const j of journals) {
    const rows = j.sets[set];
    if (rows === undefined) continue;
    for (let i = 0; i < rows.length; i += stride) {
      const b = rows[i] as number;
      // The step holding b: the last whose start is at or before it.
      let lo = 0;
      let hi = steps.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const f = steps[mid].from;
        if (f === null || f <= b) lo = mid + 1;
        else hi = mid;
      }
      if (lo === 0) continue;
      const s = lo - 1;
      const step = steps[s];
      if (b >= step.to) continue;
      const piece = pieceOf(step.pieces, b);
      if (piece !== null && j.first <= piece.upTo) continue;
      const key = rows[i + 1] as string;
      if (accept !== undefined && !accept(key)) continue;
      const sums = out[s];
      let row = sums.get(key);
      if (row === undefined) {
        row = new Array<number>(width).fill(0);
        sums.set(key, row);
      }
      for (let c = 0; c < width; c++) row[c] += rows[i + 2 + c] as number;
    }
  }
  return out;
}

/**
 * The earliest bucket of a row of `set` for `key` in the journals (any row: they are all committed
 * events, whether the rollups hold them yet or not), or null.
 */
export function tailEarliest(
  journals: readonly TailJournal[],
  set: string,
  width: number,
  key: string | null,
): number | null {
  let best: number | null = null;
  const stride = 2 + width;
  for (const j of journals) {
    const rows = j.sets[set];
    if (rows === undefined) continue;
    for (let i = 0; i < rows.length; i += stride) {
      const b = rows[i] as number;
      if ((best === null || b < best) && (key === null || rows[i + 1] === key)) best = b;
    }
  }
  return best;
}

/** The index of key id `id` in a block's ascending `ids`, or -1. */
export function indexOfId(ids: Int32Array, id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < ids.length && ids[lo] === id ? lo : -1;
}

/** The sum of each of `width` columns over `blocks` for key id `id` (zeros when absent; ids ascending). */
export function sumId(blocks: readonly BlockData[], id: number | undefined, width: number): number[] {
  const out = new Array<number>(width).fill(0);
  if (id === undefined) return out;
  for (const b of blocks) {
    const i = indexOfId(b.ids, id);
    if (i >= 0) for (let c = 0; c < width; c++) out[c] += b.cols[c][i];
  }
  return out;
}
