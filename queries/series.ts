// Per-user time series (SPEC section 5: /users/{name}/referrals and /friends-count), computed from
// the user's own history cells: one cell per 5-second bucket in which something happened to the
// user, with the friendships made/dissolved and referrals made in it. Late events are already in
// the right cells (the fold inserts them in bucket order), so a series is a single pass.
import type { HistoryCell } from '../domain/graph';
import { bucketCeil, bucketOf, toIso } from '../domain/time';

export const INTERVALS = {
  '5s': 5_000,
  '1m': 60_000,
  '5m': 300_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
} as const;
export type Interval = keyof typeof INTERVALS;
export const INTERVAL_NAMES = Object.keys(INTERVALS) as Interval[];

/** SPEC section 4: a series answers at most this many points. */
export const MAX_POINTS = 1_000;

export interface SeriesRange {
  from: number;
  to: number;
  interval: Interval;
  intervalMs: number;
  points: number;
}

export type SeriesRangeResult =
  | { ok: true; range: SeriesRange }
  | { ok: false; param: 'from' | 'interval'; message: string };

export interface SeriesRequest {
  from?: number;
  to?: number;
  interval?: Interval;
  /** when the user registered */
  registeredAt: number;
  /**
   * The bucket of the user's earliest history cell: an event dated before the registration (stream
   * order decides, created_at only places an event in time) puts one there. Default: none.
   */
  firstActivity?: number;
  now: number;
}

function pointsOf(from: number, to: number, intervalMs: number): number {
  return Math.ceil((to - from) / intervalMs);
}

function rangeFor(q: SeriesRequest, interval: Interval): SeriesRange {
  const ms = INTERVALS[interval];
  // Given edges are widened to 5-second buckets (SPEC section 4); defaulted edges are aligned to
  // the interval, so a default series has whole steps: from the step holding the registration to
  // the step holding now.
  const to = q.to === undefined ? Math.ceil((q.now + 1) / ms) * ms : bucketCeil(q.to);
  let from: number;
  if (q.from !== undefined) from = bucketOf(q.from);
  else {
    // No `from` is the beginning of time. Nothing of the user's lies before its registration or its
    // earliest-dated event, so the series starts at the step holding the earlier of the two; a range
    // that ends at or before that (a `to` that early, or a user registered after now) is all zeros,
    // answered as the one step before `to`.
    const begin = Math.min(q.registeredAt, q.firstActivity ?? q.registeredAt);
    from = Math.floor(begin / ms) * ms;
    if (from >= to) from = Math.floor((to - 1) / ms) * ms;
  }
  return { from, to, interval, intervalMs: ms, points: pointsOf(from, to, ms) };
}

/**
 * The range and steps a series answers. Without `interval`, the finest interval that fits in
 * MAX_POINTS is chosen (a dashboard asking for "this user's history" gets as much detail as allowed);
 * when even 1d steps do not fit, the series keeps its end and covers the last MAX_POINTS days of the
 * range (the answer says which range it answered; atStart and cumulative count everything before it).
 * A request that gives no parameter is always answered.
 */
export function seriesRange(q: SeriesRequest): SeriesRangeResult {
  const candidates = q.interval === undefined ? INTERVAL_NAMES : [q.interval];
  let r: SeriesRange | undefined;
  for (const c of candidates) {
    r = rangeFor(q, c);
    if (r.from >= r.to || (q.from !== undefined && q.to !== undefined && q.from >= q.to)) {
      return {
        ok: false,
        param: 'from',
        message: `query parameter 'from': must be before 'to' (widened to 5-second buckets: ${toIso(r.from)} >= ${toIso(r.to)})`,
      };
    }
    if (r.points <= MAX_POINTS) return { ok: true, range: r };
  }
  const last = r as SeriesRange;
  if (q.interval === undefined) {
    // The last MAX_POINTS steps of the coarsest interval, aligned to it, the last one clipped at `to`.
    const from =
      Math.floor((last.to - 1) / last.intervalMs) * last.intervalMs - (MAX_POINTS - 1) * last.intervalMs;
    return { ok: true, range: { ...last, from, points: pointsOf(from, last.to, last.intervalMs) } };
  }
  const hint =
    last.interval === '1d'
      ? 'even at 1d; ask for a shorter range'
      : 'ask for a coarser interval or a shorter range';
  return {
    ok: false,
    param: 'interval',
    message: `query parameter 'interval': ${last.interval} steps over ${toIso(last.from)} .. ${toIso(last.to)} make ${last.points} points, more than the ${MAX_POINTS} allowed; ${hint}`,
  };
}

export interface ReferralSeries {
  from: number;
  to: number;
  count: number;
  series: { start: number; count: number; cumulative: number }[];
}

export interface FriendsCountSeries {
  from: number;
  to: number;
  atStart: number;
  atEnd: number;
  added: number;
  removed: number;
  series: { start: number; count: number }[];
}

/**
 * Referrals made per step, and the all-time total at each step's end. Steps start at `from`, are
 * `intervalMs` long, and the last one is clipped at `to`. Cells must be sorted by bucket.
 */
export function referralSeries(cells: readonly HistoryCell[], r: SeriesRange): ReferralSeries {
  let i = 0;
  let cumulative = 0;
  while (i < cells.length && cells[i].b < r.from) cumulative += cells[i++].rf;
  const series: ReferralSeries['series'] = [];
  let count = 0;
  for (let start = r.from; start < r.to; start += r.intervalMs) {
    const end = Math.min(start + r.intervalMs, r.to);
    let made = 0;
    while (i < cells.length && cells[i].b < end) made += cells[i++].rf;
    cumulative += made;
    count += made;
    series.push({ start, count: made, cumulative });
  }
  return { from: r.from, to: r.to, count, series };
}

/** Friends at each step's end, friends at the range's edges, and friendships made/dissolved inside. */
export function friendsCountSeries(cells: readonly HistoryCell[], r: SeriesRange): FriendsCountSeries {
  let i = 0;
  let friends = 0;
  while (i < cells.length && cells[i].b < r.from) {
    friends += cells[i].fa - cells[i].fr;
    i++;
  }
  const atStart = friends;
  let added = 0;
  let removed = 0;
  const series: FriendsCountSeries['series'] = [];
  for (let start = r.from; start < r.to; start += r.intervalMs) {
    const end = Math.min(start + r.intervalMs, r.to);
    while (i < cells.length && cells[i].b < end) {
      added += cells[i].fa;
      removed += cells[i].fr;
      friends += cells[i].fa - cells[i].fr;
      i++;
    }
    series.push({ start, count: friends });
  }
  return { from: r.from, to: r.to, atStart, atEnd: friends, added, removed, series };
}

export function referralsView(name: string, r: SeriesRange, s: ReferralSeries) {
  return {
    name,
    from: toIso(s.from),
    to: toIso(s.to),
    interval: r.interval,
    count: s.count,
    series: s.series.map((p) => ({ start: toIso(p.start), count: p.count, cumulative: p.cumulative })),
  };
}

export function friendsCountView(name: string, r: SeriesRange, s: FriendsCountSeries) {
  return {
    name,
    from: toIso(s.from),
    to: toIso(s.to),
    interval: r.interval,
    atStart: s.atStart,
    atEnd: s.atEnd,
    added: s.added,
    removed: s.removed,
    series: s.series.map((p) => ({ start: toIso(p.start), count: p.count })),
  };
}
