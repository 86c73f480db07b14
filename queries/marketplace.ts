// The marketplace family's read answers (SPEC section 11), pure: the handlers load the product items,
// profiles and rollup sums, and these shape them. Money is summed in integer cents (in two parts,
// domain/marketplace/money.ts) and answered as a number with at most 2 decimals, exact from the cents.

import { P, U } from '../domain/marketplace/family';
import { type ProductState, productName } from '../domain/marketplace/fold';
import { CENTS_BASE, CentsSum, centsToAmount, partsToAmount } from '../domain/marketplace/money';
import { BUCKET_MS, bucketOf, toIso } from '../domain/time';
import type { BlockData } from '../storage/rollup-codec';
import { BadRequestError } from './errors';
import { type AnsweredRange, answeredRange } from './range';
import { type Interval, type SeriesRange, seriesRange } from './series';

export interface ProductView {
  productId: string;
  name: string | null;
  category: string | null;
  cost: number | null;
  description: string | null;
  firstSeenAt: string;
  sales: { orders: number; units: number; revenue: number };
  ratings: { count: number; average: number | null };
  interactions: { total: number; byAction: Record<string, number> };
}

/** An average: the sum over the count, unrounded; null when the count is 0. */
export function average(sum: number, count: number): number | null {
  return count === 0 ? null : sum / count;
}

/** GET /products/{id}: the product's catalogue entry and all-time figures, from its item. */
export function productView(p: ProductState): ProductView {
  const e = p.entry;
  const byAction: Record<string, number> = {};
  for (const a of Object.keys(p.byAction).sort()) if (p.byAction[a] !== 0) byAction[a] = p.byAction[a];
  return {
    productId: p.productId,
    name: productName(p),
    category: e?.category ?? null,
    cost: e === null || e.costCents === null ? null : centsToAmount(e.costCents),
    description: e?.description ?? null,
    firstSeenAt: toIso(p.firstSeenAt as number),
    sales: { orders: p.orders, units: p.units, revenue: partsToAmount(p.cents, p.centsHi) },
    ratings: { count: p.ratings, average: average(p.ratingSum, p.ratings) },
    interactions: { total: p.interactions, byAction },
  };
}

/** One item of GET /products. */
export function productListItem(p: ProductState): {
  productId: string;
  name: string | null;
  category: string | null;
} {
  return { productId: p.productId, name: productName(p), category: p.entry?.category ?? null };
}

/** The product leaderboards' metrics (SPEC 11). */
export const PRODUCT_METRICS = ['revenue', 'units', 'orders', 'interactions', 'rating'] as const;
export type ProductMetric = (typeof PRODUCT_METRICS)[number];

// ---- ranges: window, from/to, interval ---------------------------------------------------------------

/** SPEC 11: `window` is the last stretch of time up to the end of the 5-second bucket holding now. */
export const WINDOWS = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '6h': 21_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
} as const;
export type Window = keyof typeof WINDOWS;
export const WINDOW_NAMES = Object.keys(WINDOWS) as Window[];

export interface MarketRangeQuery {
  from?: number;
  to?: number;
  window?: Window;
  interval?: Interval;
}

/** The range a window stands for: [to − window, to) with to the end of the bucket holding now. */
export function windowRange(window: Window, now: number): { from: number; to: number } {
  const to = bucketOf(now) + BUCKET_MS;
  return { from: to - WINDOWS[window], to };
}

function noWindowWithEdges(q: MarketRangeQuery): void {
  if (q.window !== undefined && (q.from !== undefined || q.to !== undefined)) {
    throw new BadRequestError(
      `query parameter 'window': cannot be combined with '${q.from !== undefined ? 'from' : 'to'}' (a window is the last stretch of time up to now)`,
    );
  }
}

/**
 * The range and steps of a marketplace series, as the social series choose them (queries/series.ts):
 * a window gives both edges; without `from` the series starts at the step holding `earliest`, the
 * subject's earliest event (null: none, then the step before `to`). 400s name the parameter.
 */
export function marketSeriesRange(q: MarketRangeQuery, earliest: number | null, now: number): SeriesRange {
  noWindowWithEdges(q);
  const edges = q.window !== undefined ? windowRange(q.window, now) : { from: q.from, to: q.to };
  const r = seriesRange({
    from: edges.from,
    to: edges.to,
    interval: q.interval,
    // No event: no start of its own, so the series is the step before `to` (seriesRange's rule).
    registeredAt: earliest ?? Number.POSITIVE_INFINITY,
    now,
  });
  if (!r.ok) throw new BadRequestError(r.message);
  return r.range;
}

/** The range of a ranged figure without a series (the product leaderboards), as the social ones. */
export function marketRange(q: MarketRangeQuery, now: number): AnsweredRange {
  noWindowWithEdges(q);
  if (q.window !== undefined) return windowRange(q.window, now);
  const range = answeredRange(q.from, q.to, now);
  if (range === null) {
    throw new BadRequestError(
      "query parameter 'from': must be before 'to' (after widening both to 5-second buckets)",
    );
  }
  return range;
}

export interface SeriesStep {
  readonly from: number;
  readonly to: number;
}

/** Recent series' steps and their ISO starts, by range (a series asked again computes nothing). */
const seriesCache = new Map<string, { starts: readonly string[]; steps: readonly SeriesStep[] }>();
const MAX_CACHED_SERIES = 256;

function cachedSeries(r: SeriesRange): { starts: readonly string[]; steps: readonly SeriesStep[] } {
  const key = `${r.from}|${r.intervalMs}|${r.to}`;
  let series = seriesCache.get(key);
  if (series === undefined) {
    const starts: string[] = [];
    const steps: SeriesStep[] = [];
    for (let start = r.from; start < r.to; start += r.intervalMs) {
      starts.push(toIso(start));
      steps.push(Object.freeze({ from: start, to: Math.min(start + r.intervalMs, r.to) }));
    }
    series = { starts: Object.freeze(starts), steps: Object.freeze(steps) };
    if (seriesCache.size >= MAX_CACHED_SERIES) seriesCache.delete(seriesCache.keys().next().value as string);
    seriesCache.set(key, series);
  }
  return series;
}

/** The ISO start of every step of `r`, in order (shared: read only). */
export function seriesStarts(r: SeriesRange): readonly string[] {
  return cachedSeries(r).starts;
}

/** The steps of a series: [start, end) each, the last one clipped at `to` (shared: read only). */
export function seriesSteps(r: SeriesRange): readonly SeriesStep[] {
  return cachedSeries(r).steps;
}

function rangeHead(r: SeriesRange) {
  return { from: toIso(r.from), to: toIso(r.to), interval: r.interval };
}

// ---- a product's sales and ratings -----------------------------------------------------------------

/** GET /products/{id}/sales from the product's figure rows (PRODUCT_FIGURES) per step. */
export function salesView(productId: string, r: SeriesRange, rows: readonly (readonly number[])[]) {
  let orders = 0;
  let units = 0;
  const cents = new CentsSum();
  const starts = seriesStarts(r);
  const series = rows.map((row, i) => {
    orders += row[P.orders];
    units += row[P.units];
    cents.add(row[P.cents], row[P.centsHi]);
    return {
      start: starts[i],
      orders: row[P.orders],
      units: row[P.units],
      revenue: partsToAmount(row[P.cents], row[P.centsHi]),
    };
  });
  return { productId, ...rangeHead(r), orders, units, revenue: cents.amount(), series };
}

/** GET /products/{id}/ratings from the product's figure rows per step. */
export function ratingsView(productId: string, r: SeriesRange, rows: readonly (readonly number[])[]) {
  let count = 0;
  let sum = 0;
  const stars = [0, 0, 0, 0, 0];
  const starts = seriesStarts(r);
  const series = rows.map((row, i) => {
    count += row[P.ratings];
    sum += row[P.ratingSum];
    for (let s = 0; s < 5; s++) stars[s] += row[P.star1 + s];
    return {
      start: starts[i],
      count: row[P.ratings],
      average: average(row[P.ratingSum], row[P.ratings]),
    };
  });
  return {
    productId,
    ...rangeHead(r),
    count,
    average: average(sum, count),
    distribution: { '1': stars[0], '2': stars[1], '3': stars[2], '4': stars[3], '5': stars[4] },
    series,
  };
}

// ---- a user's activity -----------------------------------------------------------------------------

/** Counts by token, keys sorted, zeros left out. */
export function byToken(counts: Iterable<[string, number]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (v !== 0) out[k] = (out[k] ?? 0) + v;
  }
  return out;
}

/** GET /users/{name}/activity from the user's figure rows (USER_FIGURES) per step. */
export function activityView(
  name: string,
  r: SeriesRange,
  rows: readonly (readonly number[])[],
  byAction: Record<string, number>,
  bySource: Record<string, number>,
) {
  let interactions = 0;
  let orders = 0;
  let units = 0;
  const cents = new CentsSum();
  let ratings = 0;
  let ratingSum = 0;
  const starts = seriesStarts(r);
  const series = rows.map((row, i) => {
    interactions += row[U.interactions];
    orders += row[U.orders];
    units += row[U.units];
    cents.add(row[U.cents], row[U.centsHi]);
    ratings += row[U.ratings];
    ratingSum += row[U.ratingSum];
    return { start: starts[i], interactions: row[U.interactions] };
  });
  return {
    name,
    ...rangeHead(r),
    interactions,
    byAction,
    bySource,
    purchases: { orders, units, revenue: cents.amount() },
    ratings: { count: ratings, average: average(ratingSum, ratings) },
    series,
  };
}

// ---- event frequencies -----------------------------------------------------------------------------

/**
 * GET /events/frequencies from the EVENT_FIGURES blocks of each step (`names[id]` is a block id's kind):
 * counted into one row per step over the kinds met, so no map is made or sorted per step.
 */
export function frequenciesView(
  r: SeriesRange,
  names: readonly string[],
  perStep: readonly (readonly BlockData[])[],
  byAction: Record<string, number>,
) {
  // The kinds the blocks hold (a handful), each given a column; the rows then sum by column.
  const column = new Map<number, number>();
  const ids: number[] = [];
  for (const blocks of perStep) {
    for (const b of blocks) {
      for (let i = 0; i < b.ids.length; i++) {
        const id = b.ids[i];
        if (!column.has(id)) {
          column.set(id, ids.length);
          ids.push(id);
        }
      }
    }
  }
  const w = ids.length;
  const counts = new Float64Array(perStep.length * w);
  perStep.forEach((blocks, s) => {
    for (const b of blocks) {
      const col = b.cols[0];
      for (let i = 0; i < b.ids.length; i++) counts[s * w + (column.get(b.ids[i]) as number)] += col[i];
    }
  });
  // Columns in the order of their kinds (code units), as byToken orders keys.
  const order = ids.map((_, c) => c).sort((a, b) => (names[ids[a]] < names[ids[b]] ? -1 : 1));
  const totals = new Float64Array(w);
  let total = 0;
  const starts = seriesStarts(r);
  const series = starts.map((start, s) => {
    const byType: Record<string, number> = {};
    let n = 0;
    for (const c of order) {
      const v = counts[s * w + c];
      if (v === 0) continue;
      byType[names[ids[c]]] = v;
      totals[c] += v;
      n += v;
    }
    total += n;
    return { start, total: n, byType };
  });
  const byType: Record<string, number> = {};
  for (const c of order) if (totals[c] !== 0) byType[names[ids[c]]] = totals[c];
  return { ...rangeHead(r), total, byType, byAction, series };
}

// ---- product leaderboards --------------------------------------------------------------------------

export interface ProductRank {
  productId: string;
  /** the answered value */
  value: number;
}

export interface RankOptions {
  /** metric=interactions: only this action (the blocks are then of the (product, action) set) */
  action?: string;
  /** metric=rating: the fewest ratings a product needs */
  minRatings: number;
}

/**
 * The products ranked by `metric` over the union of `blocks` (of PRODUCT_FIGURES, or of
 * PRODUCT_ACTION_FIGURES with an action), at most `limit`: value descending (exactly: money as its two
 * cents parts, averages by cross-multiplication), ties by productId in code-unit order, positive values
 * only. `names[id]` is the key of id `id`.
 */
export function rankProducts(
  metric: ProductMetric,
  names: readonly string[],
  blocks: readonly { ids: Int32Array; cols: Float64Array[] }[],
  o: RankOptions,
  limit: number,
): ProductRank[] {
  // The columns the metric needs: [value] or [numerator parts...].
  const cols =
    o.action !== undefined
      ? [0]
      : metric === 'revenue'
        ? [P.cents, P.centsHi]
        : metric === 'rating'
          ? [P.ratingSum, P.ratings]
          : [metric === 'units' ? P.units : metric === 'orders' ? P.orders : P.interactions];
  const sums = cols.map(() => new Float64Array(names.length));
  const seen = new Uint8Array(names.length);
  const touched: number[] = [];
  for (const b of blocks) {
    for (let i = 0; i < b.ids.length; i++) {
      const id = b.ids[i];
      for (let c = 0; c < cols.length; c++) sums[c][id] += b.cols[cols[c]][i];
      if (seen[id] === 0) {
        seen[id] = 1;
        touched.push(id);
      }
    }
  }
  const suffix = o.action === undefined ? null : `\u0001${o.action}`;
  const rows: { productId: string; a: number; b: number }[] = [];
  for (const id of touched) {
    let key = names[id];
    if (suffix !== null) {
      if (!key.endsWith(suffix)) continue;
      key = key.slice(0, key.length - suffix.length);
    }
    const x = sums[0][id];
    if (metric === 'revenue' && o.action === undefined) {
      // hi, lo with 0 <= lo < CENTS_BASE: compared as the pair (hi, lo).
      const carry = Math.floor(x / CENTS_BASE);
      const lo = x - carry * CENTS_BASE;
      const hi = sums[1][id] + carry;
      if (hi > 0 || lo > 0) rows.push({ productId: key, a: hi, b: lo });
    } else if (metric === 'rating' && o.action === undefined) {
      const count = sums[1][id];
      if (count > 0 && count >= o.minRatings && x > 0) rows.push({ productId: key, a: x, b: count });
    } else if (x > 0) rows.push({ productId: key, a: x, b: 1 });
  }
  const ratio = metric === 'rating';
  rows.sort((p, q) => {
    const d = ratio ? q.a * p.b - p.a * q.b : metric === 'revenue' ? q.a - p.a || q.b - p.b : q.a - p.a;
    return d !== 0 ? d : p.productId < q.productId ? -1 : p.productId > q.productId ? 1 : 0;
  });
  return rows.slice(0, limit).map((row) => ({
    productId: row.productId,
    value: ratio ? row.a / row.b : metric === 'revenue' ? partsToAmount(row.b, row.a) : row.a,
  }));
}
