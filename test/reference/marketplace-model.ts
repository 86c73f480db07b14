// The reference model of the marketplace family (SPEC sections 10 and 11): plain, obviously correct, no
// performance tricks. Comparison tests feed it the same stream as the pipeline and compare every
// marketplace route's answer, the outcome of every event, and the counters of /meta/pipeline.
//
// How it works:
//   1. `MarketplaceModel.fromRecords(records)` walks the stream: records in order, the events of each in
//      order. Each event's kind is `type`, else `event_name`, else `event` (null is absent). A social
//      kind goes to the social reference model (test/reference/model.ts, which decides its outcome; the
//      event is handed over with its kind under `type`, since SPEC 10's spellings hold for every
//      family); a marketplace kind is validated by the zod contract (domain/marketplace/events.ts, never
//      the fast validator) and judged here; any other value is `malformed` and belongs to no family.
//   2. An event without created_at is placed at its record's arrival time.
//   3. Outcomes: every valid productSold, productRated and interaction is applied; productUpserted is a
//      noop when identical to the current catalogue entry (else applied, replacing it); productDeleted is
//      a noop when there is no entry (else applied, removing it); profileUpserted is a noop when identical
//      to the current profile; profileDeleted a noop when there is none.
//   4. Questions about "now" (catalogue, profiles, a product's name) read the final state; every figure
//      over time is a brute-force sum over the applied-event log, each event placed by its time.
//
// Conventions (the SPEC leaves them to us; docs/semantics.md says the same):
//   - A product exists for the API once an applied event names it; `firstSeenAt` is the time of the first
//     such event in stream order (a later event with an earlier created_at does not move it).
//   - Its `name`: the catalogue entry's, else the `name_of_product` of the latest applied sale or rating
//     (in stream order) that carries one, else null.
//   - Money is summed as bigint cents and answered as a number with at most 2 decimals.
//   - Ranged answers list only the actions, sources and types with a count in the range (byAction,
//     bySource, frequencies' byType); /meta/pipeline's byType lists every type, zeros included.
//   - Ranges: see `resolveSeries` (routes with a series) and `resolveRange` (leaderboards). Missing
//     `from` on a series route starts at the step holding the subject's earliest event (a product's
//     firstSeenAt or earliest sale, rating or interaction; a user's marketplace activity; any applied
//     event for frequencies), so that the series sums to the totals; with no event at all, at the step
//     holding `to` − 1 ms.
import {
  fromMarketplaceRaw,
  type MarketplaceEvent,
  MarketplaceEventSchema,
} from '../../domain/marketplace/events';
import { MODEL_REASONS, type ModelReason, ReferenceModel } from './model';
import { PostsModel } from './posts-model';

export const SOCIAL_TYPES = ['register', 'referral', 'addfriend', 'unfriend'] as const;
export const MARKET_TYPES = [
  'productSold',
  'productRated',
  'interaction',
  'productUpserted',
  'productDeleted',
  'profileUpserted',
  'profileDeleted',
] as const;
export const POST_TYPES = ['post'] as const;
/** Every known event type, of every family the model knows. */
export const ALL_TYPES: readonly string[] = [...SOCIAL_TYPES, ...MARKET_TYPES, ...POST_TYPES];
export type ModelFamily = 'social' | 'marketplace' | 'posts';
export const MODEL_FAMILIES: readonly ModelFamily[] = ['social', 'marketplace', 'posts'];

const BUCKET = 5_000;
export const MODEL_INTERVALS = {
  '5s': 5_000,
  '1m': 60_000,
  '5m': 300_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
} as const;
export type ModelInterval = keyof typeof MODEL_INTERVALS;
export const MODEL_WINDOWS = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '6h': 21_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
} as const;
export type ModelWindow = keyof typeof MODEL_WINDOWS;
const MAX_POINTS = 1_000;

/** One Kinesis record, already decoded: its ApproximateArrivalTimestamp (ms) and its events in order. */
export interface ModelRecord {
  arrivalMs: number;
  events: readonly unknown[];
  /**
   * The producer's mark (SPEC 10, domain/marks.ts), when the record carries one: a marked record whose
   * number is at or below the highest already folded for its producer is a resend, skipped whole and
   * counted in `resentRecords`. (The processor also forgets producers silent for a day; test streams
   * are shorter, so the model does not.)
   */
  mark?: { producer: string; n: number };
}

export interface EventVerdict {
  /** index of the event in the whole stream (records flattened) */
  seq: number;
  /** the family of its kind; null for an unknown kind (counted in the totals only) */
  family: ModelFamily | null;
  /** its kind when known, else null */
  type: string | null;
  outcome: 'applied' | 'noop' | ModelReason;
}

/** An applied event of any family, placed in time. */
export interface AppliedAny {
  seq: number;
  at: number;
  type: string;
}

/** An applied marketplace event. */
export interface AppliedMarket {
  seq: number;
  event: MarketplaceEvent;
}

export interface CatalogueEntry {
  name: string;
  category: string | null;
  costCents: number | null;
  description: string | null;
}

export interface ModelProduct {
  productId: string;
  /** time of the first applied event naming it, in stream order */
  firstSeenAt: number;
  /** the name_of_product of the latest applied sale or rating carrying one */
  lastSoldOrRatedName: string | null;
}

export interface ProfileEntry {
  displayName: string | null;
  email: string | null;
}

/** Query parameters of a ranged route, already parsed: instants in ms. */
export interface RangeParams {
  from?: number;
  to?: number;
  window?: ModelWindow;
  interval?: ModelInterval;
}

/** The route must answer 400 naming `param`. */
export class ModelQueryError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`${param}: ${message}`);
  }
}

export interface SeriesRange {
  from: number;
  to: number;
  interval: ModelInterval;
  intervalMs: number;
}

// ---- answers, as the routes render them (times ISO 8601, money as numbers) ------------------------

export interface PipelineCounts {
  applied: number;
  noop: number;
  rejected: number;
  rejectedByReason: Record<ModelReason, number>;
  byFamily: Record<ModelFamily, { applied: number; noop: number; rejected: number }>;
  /** applied events per type, every known type (zeros included) */
  byType: Record<string, number>;
}

export interface ProductListAnswer {
  total: number;
  items: { productId: string; name: string | null; category: string | null }[];
  /** the last productId of this page when more follow (the route encodes it as its cursor), else null */
  nextAfter: string | null;
}

export interface ProductAnswer {
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

export interface SalesAnswer {
  productId: string;
  from: string;
  to: string;
  interval: ModelInterval;
  orders: number;
  units: number;
  revenue: number;
  series: { start: string; orders: number; units: number; revenue: number }[];
}

export interface RatingsAnswer {
  productId: string;
  from: string;
  to: string;
  interval: ModelInterval;
  count: number;
  average: number | null;
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
  series: { start: string; count: number; average: number | null }[];
}

export type ProductMetric = 'revenue' | 'units' | 'orders' | 'interactions' | 'rating';
export const PRODUCT_METRICS: readonly ProductMetric[] = [
  'revenue',
  'units',
  'orders',
  'interactions',
  'rating',
];

export interface LeaderboardParams {
  metric: ProductMetric;
  /** interactions only */
  action?: string;
  /** rating only; default 1 */
  minRatings?: number;
  /** default 10 */
  limit?: number;
  from?: number;
  to?: number;
  window?: ModelWindow;
}

export interface ProductLeaderboardAnswer {
  metric: ProductMetric;
  from: string | null;
  to: string;
  items: { rank: number; productId: string; name: string | null; value: number }[];
}

export interface ActivityAnswer {
  name: string;
  from: string;
  to: string;
  interval: ModelInterval;
  interactions: number;
  byAction: Record<string, number>;
  bySource: Record<string, number>;
  purchases: { orders: number; units: number; revenue: number };
  ratings: { count: number; average: number | null };
  series: { start: string; interactions: number }[];
}

export interface FrequenciesAnswer {
  from: string;
  to: string;
  interval: ModelInterval;
  total: number;
  byType: Record<string, number>;
  byAction: Record<string, number>;
  series: { start: string; total: number; byType: Record<string, number> }[];
}

export interface UserProfileAnswer {
  name: string;
  profile: { displayName: string | null; email: string | null } | null;
}

// ---- small helpers ------------------------------------------------------------------------------

const iso = (ms: number): string => new Date(ms).toISOString();
const floorTo = (ms: number, step: number): number => Math.floor(ms / step) * step + 0;
const ceilTo = (ms: number, step: number): number => Math.ceil(ms / step) * step + 0;

/** bigint cents as the API answers money: the number written with at most 2 decimals. */
export function money(cents: bigint): number {
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  const frac = (abs % 100n).toString().padStart(2, '0');
  return Number(`${neg ? '-' : ''}${abs / 100n}.${frac}`);
}

/** Code-unit order (what the SPEC asks for product ids). */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bump(into: Record<string, number>, key: string, by = 1): void {
  into[key] = (into[key] ?? 0) + by;
}

/** SPEC 10: the kind is `type`, else `event_name`, else `event`; null is absent. */
function kindOf(item: unknown): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  if (o.type !== undefined && o.type !== null) return o.type;
  if (o.event_name !== undefined && o.event_name !== null) return o.event_name;
  return o.event === null ? undefined : o.event;
}

const isSocialType = (k: unknown): k is string => (SOCIAL_TYPES as readonly unknown[]).includes(k);
const isMarketType = (k: unknown): k is string => (MARKET_TYPES as readonly unknown[]).includes(k);

function sameEntry(a: CatalogueEntry, b: CatalogueEntry): boolean {
  return (
    a.name === b.name &&
    a.category === b.category &&
    a.costCents === b.costCents &&
    a.description === b.description
  );
}

// ---- ranges ---------------------------------------------------------------------------------------

/**
 * The range and steps of a route with a series (products' sales and ratings, a user's activity,
 * frequencies), given `now` and the subject's earliest event time (null: none):
 *   - `window` with `from` or `to`: 400 naming window. With `window`: to = the end of the 5-second bucket
 *     holding now, from = to − window.
 *   - else `to` given: ceiled to its bucket; missing: the end of the interval step holding now (as the
 *     social series do). `from` given: floored to its bucket; missing: the start of the interval step
 *     holding min(earliest, to − 1 ms) (with no event: to − 1 ms).
 *   - `from` >= `to` as given, or after widening: 400 naming from.
 *   - `interval` given: more than 1,000 steps is a 400 naming interval; missing: the finest of 5s, 1m, 5m,
 *     1h, 1d with at most 1,000 steps (none fits: the last 1,000 days of the range at 1d, the answer's
 *     `from` saying where it starts, as the social series do).
 * Steps start at `from`, are `intervalMs` long, and the last one is clipped at `to`.
 */
export function resolveSeries(p: RangeParams, now: number, earliest: number | null): SeriesRange {
  if (p.window !== undefined && (p.from !== undefined || p.to !== undefined)) {
    throw new ModelQueryError('window', 'cannot be given with from or to');
  }
  if (p.from !== undefined && p.to !== undefined && p.from >= p.to) {
    throw new ModelQueryError('from', 'must be before to');
  }
  const candidates: ModelInterval[] =
    p.interval !== undefined ? [p.interval] : (Object.keys(MODEL_INTERVALS) as ModelInterval[]);
  for (const interval of candidates) {
    const ms = MODEL_INTERVALS[interval];
    let from: number;
    let to: number;
    if (p.window !== undefined) {
      to = floorTo(now, BUCKET) + BUCKET;
      from = to - MODEL_WINDOWS[p.window];
    } else {
      to = p.to !== undefined ? ceilTo(p.to, BUCKET) : floorTo(now, ms) + ms;
      if (p.from !== undefined) from = floorTo(p.from, BUCKET);
      else from = floorTo(earliest === null ? to - 1 : Math.min(earliest, to - 1), ms);
    }
    if (from >= to) throw new ModelQueryError('from', 'must be before to');
    if (Math.ceil((to - from) / ms) <= MAX_POINTS) return { from, to, interval, intervalMs: ms };
    if (p.interval === undefined && interval === '1d') {
      // As the social series: the last 1,000 days of the range, the last step holding `to`.
      return { from: floorTo(to - 1, ms) - (MAX_POINTS - 1) * ms, to, interval, intervalMs: ms };
    }
  }
  throw new ModelQueryError('interval', 'more than 1000 points');
}

/**
 * The range of a route without a series (the product leaderboards), as the social leaderboards do:
 * `window` as in resolveSeries; else `from` floored (missing: the beginning of time, answered as null),
 * `to` ceiled (missing: now, ceiled). `from` >= `to` as given or after widening: 400 naming from.
 */
export function resolveRange(p: RangeParams, now: number): { from: number | null; to: number } {
  if (p.window !== undefined) {
    if (p.from !== undefined || p.to !== undefined) {
      throw new ModelQueryError('window', 'cannot be given with from or to');
    }
    const to = floorTo(now, BUCKET) + BUCKET;
    return { from: to - MODEL_WINDOWS[p.window], to };
  }
  const end = p.to ?? now;
  if (p.from !== undefined && p.from >= end) throw new ModelQueryError('from', 'must be before to');
  const to = ceilTo(end, BUCKET);
  const from = p.from === undefined ? null : floorTo(p.from, BUCKET);
  if (from !== null && from >= to) throw new ModelQueryError('from', 'must be before to');
  return { from, to };
}

/** The steps of a series range. */
export function stepsOf(r: SeriesRange): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let start = r.from; start < r.to; start += r.intervalMs) {
    out.push({ start, end: Math.min(start + r.intervalMs, r.to) });
  }
  return out;
}

const inRange = (at: number, from: number | null, to: number): boolean =>
  (from === null || at >= from) && at < to;

// ---- the model ------------------------------------------------------------------------------------

export class MarketplaceModel {
  /** The social family's reference model, fed the social events of the stream in order. */
  readonly social = new ReferenceModel();
  /** Every event of the stream, in order. */
  readonly items: unknown[] = [];
  /** The verdict on every event, by stream index. */
  readonly verdicts: EventVerdict[] = [];
  /** Applied events of every family, in stream order. */
  readonly applied: AppliedAny[] = [];
  /** Applied marketplace events, in stream order. */
  readonly log: AppliedMarket[] = [];
  /** The catalogue now. */
  readonly catalogue = new Map<string, CatalogueEntry>();
  /** Products that exist for the API. */
  readonly products = new Map<string, ModelProduct>();
  /** Profiles now. */
  readonly profiles = new Map<string, ProfileEntry>();
  /** The posts family's reference model, fed the `post` events of the stream in order. */
  readonly posts = new PostsModel();

  /** Records skipped as producer resends. */
  resentRecords = 0;
  /** Per producer, the highest record number folded. */
  private readonly highestMark = new Map<string, number>();

  static fromRecords(records: readonly ModelRecord[]): MarketplaceModel {
    const m = new MarketplaceModel();
    for (const r of records) m.pushRecord(r);
    return m;
  }

  /** Folds one more record (or skips it as a resend). */
  pushRecord(r: ModelRecord): void {
    if (r.mark !== undefined) {
      const highest = this.highestMark.get(r.mark.producer);
      if (highest !== undefined && r.mark.n <= highest) {
        this.resentRecords++;
        return;
      }
      this.highestMark.set(r.mark.producer, r.mark.n);
    }
    for (const e of r.events) this.push(e, r.arrivalMs);
  }

  /** Every event in one record per event, all arriving at `arrivalMs` (for small hand-written streams). */
  static fromEvents(events: readonly unknown[], arrivalMs: number): MarketplaceModel {
    return MarketplaceModel.fromRecords([{ arrivalMs, events }]);
  }

  /** Judges and (if applied) applies one more event; returns its verdict. */
  push(item: unknown, arrivalMs: number): EventVerdict {
    const seq = this.items.length;
    this.items.push(item);
    const kind = kindOf(item);
    let verdict: EventVerdict;
    if (isSocialType(kind)) {
      const outcome = this.social.push({ ...(item as object), type: kind });
      verdict = { seq, family: 'social', type: kind, outcome };
      if (outcome === 'applied') {
        const e = this.social.log[this.social.log.length - 1];
        this.applied.push({ seq, at: e.at, type: kind });
      }
    } else if (isMarketType(kind)) {
      const parsed = MarketplaceEventSchema.safeParse(item);
      const outcome = parsed.success
        ? this.apply(seq, fromMarketplaceRaw(parsed.data, arrivalMs))
        : 'malformed';
      verdict = { seq, family: 'marketplace', type: kind, outcome };
    } else if (kind === 'post') {
      const outcome = this.posts.push(item, arrivalMs, seq);
      verdict = { seq, family: 'posts', type: kind, outcome };
      if (outcome === 'applied')
        this.applied.push({ seq, at: this.posts.log[this.posts.log.length - 1].at, type: kind });
    } else {
      verdict = { seq, family: null, type: null, outcome: 'malformed' };
    }
    this.verdicts.push(verdict);
    this.byProduct = null;
    return verdict;
  }

  private apply(seq: number, e: MarketplaceEvent): 'applied' | 'noop' {
    switch (e.type) {
      case 'productUpserted': {
        const entry: CatalogueEntry = {
          name: e.name,
          category: e.category,
          costCents: e.costCents,
          description: e.description,
        };
        const current = this.catalogue.get(e.productId);
        if (current !== undefined && sameEntry(current, entry)) return 'noop';
        this.catalogue.set(e.productId, entry);
        break;
      }
      case 'productDeleted':
        if (!this.catalogue.has(e.productId)) return 'noop';
        this.catalogue.delete(e.productId);
        break;
      case 'profileUpserted': {
        const current = this.profiles.get(e.user);
        if (current !== undefined && current.displayName === e.displayName && current.email === e.email) {
          return 'noop';
        }
        this.profiles.set(e.user, { displayName: e.displayName, email: e.email });
        break;
      }
      case 'profileDeleted':
        if (!this.profiles.has(e.user)) return 'noop';
        this.profiles.delete(e.user);
        break;
      case 'productSold':
      case 'productRated':
      case 'interaction':
        break;
    }
    if ('productId' in e) {
      let p = this.products.get(e.productId);
      if (p === undefined) {
        p = { productId: e.productId, firstSeenAt: e.at, lastSoldOrRatedName: null };
        this.products.set(e.productId, p);
      }
      if ((e.type === 'productSold' || e.type === 'productRated') && e.productName !== null) {
        p.lastSoldOrRatedName = e.productName;
      }
    }
    this.log.push({ seq, event: e });
    this.applied.push({ seq, at: e.at, type: e.type });
    return 'applied';
  }

  // ---- counters (/meta/pipeline) -------------------------------------------------------------------

  pipeline(): PipelineCounts {
    const rejectedByReason = {} as Record<ModelReason, number>;
    for (const r of MODEL_REASONS) rejectedByReason[r] = 0;
    const byFamily = {} as PipelineCounts['byFamily'];
    for (const f of MODEL_FAMILIES) byFamily[f] = { applied: 0, noop: 0, rejected: 0 };
    const byType: Record<string, number> = {};
    for (const t of ALL_TYPES) byType[t] = 0;
    const out: PipelineCounts = { applied: 0, noop: 0, rejected: 0, rejectedByReason, byFamily, byType };
    for (const v of this.verdicts) {
      const fam = v.family === null ? null : byFamily[v.family];
      if (v.outcome === 'applied') {
        out.applied++;
        if (fam) fam.applied++;
        byType[v.type as string]++;
      } else if (v.outcome === 'noop') {
        out.noop++;
        if (fam) fam.noop++;
      } else {
        out.rejected++;
        rejectedByReason[v.outcome]++;
        if (fam) fam.rejected++;
      }
    }
    return out;
  }

  // ---- products -------------------------------------------------------------------------------------

  /** The product's name now: the catalogue entry's, else the latest sale or rating's name_of_product. */
  nameOf(productId: string): string | null {
    return this.catalogue.get(productId)?.name ?? this.products.get(productId)?.lastSoldOrRatedName ?? null;
  }

  /** Applied marketplace events by product, in stream order (built lazily; push() drops it). */
  private byProduct: Map<string, MarketplaceEvent[]> | null = null;

  /** Applied marketplace events naming the product, in stream order. */
  eventsOfProduct(productId: string): MarketplaceEvent[] {
    if (this.byProduct === null) {
      this.byProduct = new Map();
      for (const { event } of this.log) {
        if (!('productId' in event)) continue;
        const list = this.byProduct.get(event.productId);
        if (list === undefined) this.byProduct.set(event.productId, [event]);
        else list.push(event);
      }
    }
    return this.byProduct.get(productId) ?? [];
  }

  /** GET /products?prefix&limit&cursor: `after` is the productId the cursor carries. */
  listProducts(prefix: string | undefined, limit: number, after?: string): ProductListAnswer {
    const ids = [...this.products.keys()].filter((id) => id.startsWith(prefix ?? '')).sort(byCodeUnits);
    const rest = after === undefined ? ids : ids.filter((id) => id > after);
    const page = rest.slice(0, limit);
    return {
      total: ids.length,
      items: page.map((productId) => ({
        productId,
        name: this.nameOf(productId),
        category: this.catalogue.get(productId)?.category ?? null,
      })),
      nextAfter: rest.length > limit ? page[page.length - 1] : null,
    };
  }

  /** GET /products/{id} (all-time); null = 404. */
  product(productId: string): ProductAnswer | null {
    const p = this.products.get(productId);
    if (p === undefined) return null;
    const entry = this.catalogue.get(productId) ?? null;
    const events = this.eventsOfProduct(productId);
    const sales = salesOf(events);
    const ratings = ratingsOf(events);
    const byAction: Record<string, number> = {};
    let total = 0;
    for (const e of events) {
      if (e.type !== 'interaction') continue;
      total++;
      bump(byAction, e.action);
    }
    return {
      productId,
      name: this.nameOf(productId),
      category: entry?.category ?? null,
      cost: entry?.costCents == null ? null : money(BigInt(entry.costCents)),
      description: entry?.description ?? null,
      firstSeenAt: iso(p.firstSeenAt),
      sales: { orders: sales.orders, units: sales.units, revenue: money(sales.cents) },
      ratings: { count: ratings.count, average: ratings.count === 0 ? null : ratings.sum / ratings.count },
      interactions: { total, byAction },
    };
  }

  /**
   * Where a product's series without `from` starts: the earlier of its first applied event in stream
   * order (firstSeenAt, which may be a catalogue write) and its earliest sale, rating or interaction.
   * (A later catalogue write dated earlier still carries no figure.)
   */
  private earliestOfProduct(productId: string): number | null {
    const p = this.products.get(productId);
    if (p === undefined) return null;
    const ats = this.eventsOfProduct(productId)
      .filter((e) => e.type === 'productSold' || e.type === 'productRated' || e.type === 'interaction')
      .map((e) => e.at);
    return Math.min(p.firstSeenAt, ...ats);
  }

  /** GET /products/{id}/sales; null = 404; throws ModelQueryError for a 400. */
  productSales(productId: string, p: RangeParams, now: number): SalesAnswer | null {
    const r = resolveSeries(p, now, this.earliestOfProduct(productId));
    if (!this.products.has(productId)) return null;
    const events = this.eventsOfProduct(productId);
    const total = salesOf(events.filter((e) => inRange(e.at, r.from, r.to)));
    return {
      productId,
      from: iso(r.from),
      to: iso(r.to),
      interval: r.interval,
      orders: total.orders,
      units: total.units,
      revenue: money(total.cents),
      series: stepsOf(r).map(({ start, end }) => {
        const s = salesOf(events.filter((e) => inRange(e.at, start, end)));
        return { start: iso(start), orders: s.orders, units: s.units, revenue: money(s.cents) };
      }),
    };
  }

  /** GET /products/{id}/ratings; null = 404; throws ModelQueryError for a 400. */
  productRatings(productId: string, p: RangeParams, now: number): RatingsAnswer | null {
    const r = resolveSeries(p, now, this.earliestOfProduct(productId));
    if (!this.products.has(productId)) return null;
    const events = this.eventsOfProduct(productId);
    const inside = events.filter((e) => inRange(e.at, r.from, r.to));
    const total = ratingsOf(inside);
    const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
    for (const e of inside) if (e.type === 'productRated') distribution[String(e.rating) as '1']++;
    return {
      productId,
      from: iso(r.from),
      to: iso(r.to),
      interval: r.interval,
      count: total.count,
      average: total.count === 0 ? null : total.sum / total.count,
      distribution,
      series: stepsOf(r).map(({ start, end }) => {
        const s = ratingsOf(events.filter((e) => inRange(e.at, start, end)));
        return { start: iso(start), count: s.count, average: s.count === 0 ? null : s.sum / s.count };
      }),
    };
  }

  /** GET /leaderboards/products; throws ModelQueryError for a 400. */
  productLeaderboard(q: LeaderboardParams, now: number): ProductLeaderboardAnswer {
    if (q.action !== undefined && q.metric !== 'interactions') {
      throw new ModelQueryError('action', 'only with metric=interactions');
    }
    if (q.minRatings !== undefined && q.metric !== 'rating') {
      throw new ModelQueryError('minRatings', 'only with metric=rating');
    }
    const r = resolveRange(q, now);
    const minRatings = q.minRatings ?? 1;
    // value as an exact fraction num/den (den 1 but for ratings), compared by cross-multiplication
    const rows: { productId: string; num: bigint; den: bigint }[] = [];
    for (const productId of this.products.keys()) {
      const events = this.eventsOfProduct(productId).filter((e) => inRange(e.at, r.from, r.to));
      let num = 0n;
      let den = 1n;
      switch (q.metric) {
        case 'revenue':
          num = salesOf(events).cents;
          break;
        case 'units':
          num = BigInt(salesOf(events).units);
          break;
        case 'orders':
          num = BigInt(salesOf(events).orders);
          break;
        case 'interactions':
          num = BigInt(
            events.filter(
              (e) => e.type === 'interaction' && (q.action === undefined || e.action === q.action),
            ).length,
          );
          break;
        case 'rating': {
          const s = ratingsOf(events);
          if (s.count < minRatings || s.count === 0) continue;
          num = BigInt(s.sum);
          den = BigInt(s.count);
          break;
        }
      }
      if (num > 0n) rows.push({ productId, num, den });
    }
    rows.sort((a, b) => {
      const l = a.num * b.den;
      const rr = b.num * a.den;
      return l > rr ? -1 : l < rr ? 1 : byCodeUnits(a.productId, b.productId);
    });
    return {
      metric: q.metric,
      from: r.from === null ? null : iso(r.from),
      to: iso(r.to),
      items: rows.slice(0, q.limit ?? 10).map((row, i) => ({
        rank: i + 1,
        productId: row.productId,
        name: this.nameOf(row.productId),
        value:
          q.metric === 'revenue'
            ? money(row.num)
            : q.metric === 'rating'
              ? Number(row.num) / Number(row.den)
              : Number(row.num),
      })),
    };
  }

  // ---- users ----------------------------------------------------------------------------------------

  /** The user's applied interactions, and the sales and ratings that name them as `user`. */
  activityEventsOf(name: string): MarketplaceEvent[] {
    return this.log
      .map((l) => l.event)
      .filter(
        (e) =>
          (e.type === 'interaction' || e.type === 'productSold' || e.type === 'productRated') &&
          e.user === name,
      );
  }

  /** GET /users/{name}/activity: zeros for a name with no marketplace event; throws ModelQueryError for a 400. */
  userActivity(name: string, p: RangeParams, now: number): ActivityAnswer {
    const events = this.activityEventsOf(name);
    const r = resolveSeries(p, now, events.length === 0 ? null : Math.min(...events.map((e) => e.at)));
    const inside = events.filter((e) => inRange(e.at, r.from, r.to));
    const byAction: Record<string, number> = {};
    const bySource: Record<string, number> = {};
    let interactions = 0;
    for (const e of inside) {
      if (e.type !== 'interaction') continue;
      interactions++;
      bump(byAction, e.action);
      bump(bySource, e.source);
    }
    const sales = salesOf(inside);
    const ratings = ratingsOf(inside);
    return {
      name,
      from: iso(r.from),
      to: iso(r.to),
      interval: r.interval,
      interactions,
      byAction,
      bySource,
      purchases: { orders: sales.orders, units: sales.units, revenue: money(sales.cents) },
      ratings: { count: ratings.count, average: ratings.count === 0 ? null : ratings.sum / ratings.count },
      series: stepsOf(r).map(({ start, end }) => ({
        start: iso(start),
        interactions: inside.filter((e) => e.type === 'interaction' && inRange(e.at, start, end)).length,
      })),
    };
  }

  /** The profile now, as GET /users/{name} shows it; null when none. */
  profileOf(name: string): ProfileEntry | null {
    const p = this.profiles.get(name);
    return p === undefined ? null : { displayName: p.displayName, email: p.email };
  }

  /** GET /users/{name}/profile: answers for a registered user or a name with a profile; null = 404. */
  userProfile(name: string): UserProfileAnswer | null {
    const profile = this.profileOf(name);
    if (profile === null && this.social.user(name) === undefined) return null;
    return { name, profile };
  }

  // ---- event frequencies ----------------------------------------------------------------------------

  /** GET /events/frequencies: applied events of every family per type, interactions per action. */
  frequencies(p: RangeParams, now: number): FrequenciesAnswer {
    const r = resolveSeries(
      p,
      now,
      this.applied.length === 0 ? null : Math.min(...this.applied.map((a) => a.at)),
    );
    const inside = this.applied.filter((a) => inRange(a.at, r.from, r.to));
    const byType: Record<string, number> = {};
    for (const a of inside) bump(byType, a.type);
    const byAction: Record<string, number> = {};
    for (const l of this.log) {
      if (l.event.type === 'interaction' && inRange(l.event.at, r.from, r.to)) bump(byAction, l.event.action);
    }
    return {
      from: iso(r.from),
      to: iso(r.to),
      interval: r.interval,
      total: inside.length,
      byType,
      byAction,
      series: stepsOf(r).map(({ start, end }) => {
        const step = inside.filter((a) => inRange(a.at, start, end));
        const t: Record<string, number> = {};
        for (const a of step) bump(t, a.type);
        return { start: iso(start), total: step.length, byType: t };
      }),
    };
  }
}

function salesOf(events: readonly MarketplaceEvent[]): { orders: number; units: number; cents: bigint } {
  const out = { orders: 0, units: 0, cents: 0n };
  for (const e of events) {
    if (e.type !== 'productSold') continue;
    out.orders++;
    out.units += e.units;
    out.cents += BigInt(e.cents);
  }
  return out;
}

function ratingsOf(events: readonly MarketplaceEvent[]): { count: number; sum: number } {
  const out = { count: 0, sum: 0 };
  for (const e of events) {
    if (e.type !== 'productRated') continue;
    out.count++;
    out.sum += e.rating;
  }
  return out;
}
