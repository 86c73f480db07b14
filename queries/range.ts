// Time ranges of the analytics API (SPEC section 4) and their decomposition into rollup blocks.
//
// The snapshot job keeps, per time block, the net change of every user's network strength and
// referral points (storage/rollup-store.ts). Blocks come in four sizes, each a multiple of the one
// below and aligned to the epoch, so any bucket-aligned range is an exact union of blocks and a
// ranged leaderboard reads a handful of them instead of one per 5-second bucket.
import { BUCKET_MS, bucketCeil, bucketOf } from '../domain/time';

/** Rollup levels, finest first: 5 s, 1 min, 1 h, 1 d (UTC days: the epoch is a midnight). */
export const LEVELS_MS = [BUCKET_MS, 60_000, 3_600_000, 86_400_000] as const;

export interface Block {
  levelMs: number;
  start: number;
}

/** A half-open range [from, to) widened to bucket edges: from floored, to ceiled. */
export interface Widened {
  from: number;
  to: number;
}

export function widen(from: number, to: number): Widened {
  return { from: bucketOf(from), to: bucketCeil(to) };
}

/**
 * The fewest aligned blocks whose union is exactly [from, to) (both bucket edges): walking left to
 * right, take the largest block that starts at the current edge and ends inside the range. Because
 * every level divides the next, a greedy choice never blocks a coarser one later, so it is minimal.
 */
export function decompose(from: number, to: number): Block[] {
  if (from % BUCKET_MS !== 0 || to % BUCKET_MS !== 0) {
    throw new RangeError('decompose: range edges must be bucket edges');
  }
  const out: Block[] = [];
  let at = from;
  while (at < to) {
    let level: number = BUCKET_MS;
    for (let i = LEVELS_MS.length - 1; i > 0; i--) {
      const l = LEVELS_MS[i];
      if (at % l === 0 && at + l <= to) {
        level = l;
        break;
      }
    }
    out.push({ levelMs: level, start: at });
    at += level;
  }
  return out;
}

/** The block of `levelMs` holding instant `ms`. */
export function blockOf(levelMs: number, ms: number): number {
  return Math.floor(ms / levelMs) * levelMs;
}

/** The range a leaderboard answers: `from` null means the beginning of time. */
export interface AnsweredRange {
  from: number | null;
  to: number;
}

/**
 * SPEC section 4: given edges are widened to bucket edges, a missing `to` is now (ceiled to its
 * bucket). Returns null when the range is empty: from >= to as given (even when both fall in one
 * bucket, which widening alone would accept) or after widening.
 */
export function answeredRange(
  from: number | undefined,
  to: number | undefined,
  now: number,
): AnsweredRange | null {
  const end = to ?? now;
  if (from !== undefined && from >= end) return null;
  const t = bucketCeil(end);
  const f = from === undefined ? null : bucketOf(from);
  return f !== null && f >= t ? null : { from: f, to: t };
}

/**
 * The blocks to read for `range`, given the buckets that hold data ([earliest, latest], both
 * bucket starts, or null when there is none): parts of the range outside the data read nothing.
 */
export function blocksFor(range: AnsweredRange, earliest: number | null, latest: number | null): Block[] {
  if (earliest === null || latest === null) return [];
  const lo = Math.max(range.from ?? earliest, earliest);
  const hi = Math.min(range.to, latest + BUCKET_MS);
  return lo < hi ? decompose(lo, hi) : [];
}

/**
 * Whether the block holding all the data, whose buckets span [lo, hi] (bucket starts), answers
 * `range` exactly: every bucket it holds lies inside the range. "All time" and any range reaching
 * from before the first data to after the last do; a range that cuts the data anywhere does not.
 */
export function coversSpan(range: AnsweredRange, lo: number, hi: number): boolean {
  return (range.from === null || range.from <= lo) && hi + BUCKET_MS <= range.to;
}
