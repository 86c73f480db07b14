// The marketplace fold: decides every marketplace event's outcome, in stream order, over the products
// and profiles a batch loaded, and reports what it changed: the touched products and profiles (each
// written once per batch) and the figure rows per 5-second bucket of the event's time.
//
// Outcomes: a sale, a rating and an interaction are always applied when well formed; a catalogue
// upsert identical to the product's entry is a noop, as is a delete of a product with no entry; a
// profile upsert identical to the user's profile is a noop, as is a delete of a user with none.
// Nothing of the social graph is consulted: a user named here need not be registered.
import { type FigureDeltas, IdFigureAccumulator, KeyIds, PairIds } from '../figures';
import { bucketOf } from '../time';
import { type MarketplaceEvent, readMarketplaceEvent } from './events';
import {
  P,
  PRODUCT_ACTION_FIGURES,
  PRODUCT_FIGURES,
  pairKey,
  SOURCE_ACTION_FIGURES,
  U,
  USER_ACTION_FIGURES,
  USER_FIGURES,
  USER_SOURCE_FIGURES,
} from './family';

/** A product's catalogue entry (productUpserted), money in cents. */
export interface CatalogueEntry {
  name: string;
  category: string | null;
  costCents: number | null;
  description: string | null;
}

/** A product as the API knows it: its entry, its all-time figures, and when it was first named. */
export interface ProductState {
  productId: string;
  /** time of the first applied event naming it; null while none has (the product does not exist) */
  firstSeenAt: number | null;
  entry: CatalogueEntry | null;
  /** name_of_product of the latest applied sale or rating that gave one, in stream order */
  soldName: string | null;
  orders: number;
  units: number;
  cents: number;
  ratings: number;
  ratingSum: number;
  /** ratings per star, 1 to 5 */
  stars: [number, number, number, number, number];
  interactions: number;
  byAction: Record<string, number>;
}

export interface Profile {
  displayName: string | null;
  email: string | null;
}

export function newProduct(productId: string): ProductState {
  return {
    productId,
    firstSeenAt: null,
    entry: null,
    soldName: null,
    orders: 0,
    units: 0,
    cents: 0,
    ratings: 0,
    ratingSum: 0,
    stars: [0, 0, 0, 0, 0],
    interactions: 0,
    byAction: {},
  };
}

/** The product's name for the API: its catalogue entry's, else the latest sold or rated name. */
export function productName(p: ProductState): string | null {
  return p.entry?.name ?? p.soldName;
}

function sameEntry(a: CatalogueEntry | null, b: CatalogueEntry): boolean {
  return (
    a !== null &&
    a.name === b.name &&
    a.category === b.category &&
    a.costCents === b.costCents &&
    a.description === b.description
  );
}

/** The ids a value names, when it is a well-formed marketplace event (for loading before the fold). */
export function namedBy(
  v: unknown,
  arrivalMs: number,
): { productId: string | null; profileOf: string | null } | null {
  const e = readMarketplaceEvent(v, arrivalMs);
  if (e === null) return null;
  if (e.type === 'profileUpserted' || e.type === 'profileDeleted')
    return { productId: null, profileOf: e.user };
  return { productId: e.productId, profileOf: null };
}

function grownTo(a: Float64Array, i: number): Float64Array {
  const g = new Float64Array(Math.max(2 * a.length, i + 1));
  g.set(a);
  return g;
}

export class MarketplaceFold {
  /** time of the last well-formed event read */
  eventAt = 0;
  readonly touchedProducts = new Set<string>();
  readonly touchedProfiles = new Set<string>();
  // Keys get dense ids once per event (products, users, actions and sources), and the figure rows are
  // accumulated by id: no key string is built or hashed per figure (docs/performance.md).
  private readonly productIds = new KeyIds();
  /** per product id: its state */
  private readonly productStates: ProductState[] = [];
  /** per product id: whether touchedProducts holds it */
  private productTouched = new Uint8Array(64);
  private readonly userIds = new KeyIds();
  private readonly tokenIds = new KeyIds();
  private readonly productActionIds = new PairIds();
  private readonly userActionIds = new PairIds();
  private readonly userSourceIds = new PairIds();
  private readonly sourceActionIds = new PairIds();
  private readonly product = new IdFigureAccumulator(PRODUCT_FIGURES.columns.length);
  private readonly user = new IdFigureAccumulator(USER_FIGURES.columns.length);
  private readonly productAction = new IdFigureAccumulator(1);
  private readonly userAction = new IdFigureAccumulator(1);
  private readonly userSource = new IdFigureAccumulator(1);
  private readonly sourceAction = new IdFigureAccumulator(1);

  /** interactions per (product, action) pair id not yet added to the product's byAction */
  private actionCounts: Float64Array = new Float64Array(64);
  private actionsPending = false;

  /**
   * `products` and `profiles` hold, as committed, every product and profile the batch names (absent:
   * none stored); the fold updates them in place.
   */
  constructor(
    private readonly store: Map<string, ProductState> = new Map(),
    readonly profiles: Map<string, Profile | null> = new Map(),
  ) {}

  /**
   * Every product the batch named, as folded so far (the map given to the constructor, updated in
   * place; products the fold met first added).
   */
  get products(): Map<string, ProductState> {
    if (this.actionsPending) this.settleActions();
    return this.store;
  }

  /** Adds the interactions counted per (product, action) into the products' byAction. */
  private settleActions(): void {
    const ids = this.productActionIds;
    const actions = this.tokenIds.keys;
    const counts = this.actionCounts;
    for (let pa = 0; pa < ids.as.length; pa++) {
      const n = counts[pa];
      if (n === 0) continue;
      const byAction = this.productStates[ids.as[pa]].byAction;
      const action = actions[ids.bs[pa]];
      byAction[action] = (byAction[action] ?? 0) + n;
      counts[pa] = 0;
    }
    this.actionsPending = false;
  }

  /** Validates one parsed value (of a marketplace kind) and applies it. */
  apply(value: unknown, arrivalMs: number): 'applied' | 'noop' | 'malformed' {
    const e = readMarketplaceEvent(value, arrivalMs);
    if (e === null) return 'malformed';
    this.eventAt = e.at;
    return this.applyEvent(e);
  }

  applyEvent(e: MarketplaceEvent): 'applied' | 'noop' {
    switch (e.type) {
      case 'profileUpserted': {
        const old = this.profiles.get(e.user) ?? null;
        if (old !== null && old.displayName === e.displayName && old.email === e.email) return 'noop';
        this.profiles.set(e.user, { displayName: e.displayName, email: e.email });
        this.touchedProfiles.add(e.user);
        return 'applied';
      }
      case 'profileDeleted': {
        if ((this.profiles.get(e.user) ?? null) === null) return 'noop';
        this.profiles.set(e.user, null);
        this.touchedProfiles.add(e.user);
        return 'applied';
      }
      case 'productUpserted': {
        const k = this.productOf(e.productId);
        const p = this.productStates[k];
        const entry: CatalogueEntry = {
          name: e.name,
          category: e.category,
          costCents: e.costCents,
          description: e.description,
        };
        if (sameEntry(p.entry, entry)) return 'noop';
        p.entry = entry;
        this.seen(k, e.at);
        return 'applied';
      }
      case 'productDeleted': {
        const k = this.productOf(e.productId);
        const p = this.productStates[k];
        if (p.entry === null) return 'noop';
        p.entry = null;
        this.seen(k, e.at);
        return 'applied';
      }
      case 'productSold': {
        const k = this.productOf(e.productId);
        const p = this.productStates[k];
        p.orders++;
        p.units += e.units;
        p.cents += e.cents;
        if (e.productName !== null) p.soldName = e.productName;
        this.seen(k, e.at);
        const b = bucketOf(e.at);
        const pv = this.product.values;
        const pr = this.product.at(b, k);
        pv[pr + P.orders] += 1;
        pv[pr + P.units] += e.units;
        pv[pr + P.cents] += e.cents;
        if (e.user !== null) {
          const ur = this.user.at(b, this.userIds.id(e.user));
          const uv = this.user.values;
          uv[ur + U.orders] += 1;
          uv[ur + U.units] += e.units;
          uv[ur + U.cents] += e.cents;
        }
        return 'applied';
      }
      case 'productRated': {
        const k = this.productOf(e.productId);
        const p = this.productStates[k];
        p.ratings++;
        p.ratingSum += e.rating;
        p.stars[e.rating - 1]++;
        if (e.productName !== null) p.soldName = e.productName;
        this.seen(k, e.at);
        const b = bucketOf(e.at);
        const pr = this.product.at(b, k);
        const pv = this.product.values;
        pv[pr + P.ratings] += 1;
        pv[pr + P.ratingSum] += e.rating;
        pv[pr + P.star1 + e.rating - 1] += 1;
        if (e.user !== null) {
          const ur = this.user.at(b, this.userIds.id(e.user));
          const uv = this.user.values;
          uv[ur + U.ratings] += 1;
          uv[ur + U.ratingSum] += e.rating;
        }
        return 'applied';
      }
      case 'interaction': {
        const k = this.productOf(e.productId);
        const p = this.productStates[k];
        p.interactions++;
        this.seen(k, e.at);
        const b = bucketOf(e.at);
        const u = this.userIds.id(e.user);
        const action = this.tokenIds.id(e.action);
        const source = this.tokenIds.id(e.source);
        const pa = this.productActionIds.id(k, action);
        // Counted per (product, action) here, into the product's byAction when products is read.
        if (pa >= this.actionCounts.length) this.actionCounts = grownTo(this.actionCounts, pa);
        this.actionCounts[pa]++;
        this.actionsPending = true;
        this.product.add(b, k, P.interactions, 1);
        this.user.add(b, u, U.interactions, 1);
        this.productAction.add(b, pa, 0, 1);
        this.userAction.add(b, this.userActionIds.id(u, action), 0, 1);
        this.userSource.add(b, this.userSourceIds.id(u, source), 0, 1);
        this.sourceAction.add(b, this.sourceActionIds.id(source, action), 0, 1);
        return 'applied';
      }
    }
  }

  /** The figure rows of everything applied, by set. */
  figures(): FigureDeltas {
    const out: FigureDeltas = {};
    const products = this.productIds.keys;
    const users = this.userIds.keys;
    const tokens = this.tokenIds.keys;
    const put = (id: string, acc: IdFigureAccumulator, keyOf: (id: number) => string) => {
      if (acc.size > 0) out[id] = acc.flat(keyOf);
    };
    const pair = (ids: PairIds, a: readonly string[]) => (id: number) =>
      pairKey(a[ids.as[id]], tokens[ids.bs[id]]);
    put(PRODUCT_FIGURES.id, this.product, (id) => products[id]);
    put(USER_FIGURES.id, this.user, (id) => users[id]);
    put(PRODUCT_ACTION_FIGURES.id, this.productAction, pair(this.productActionIds, products));
    put(USER_ACTION_FIGURES.id, this.userAction, pair(this.userActionIds, users));
    put(USER_SOURCE_FIGURES.id, this.userSource, pair(this.userSourceIds, users));
    put(SOURCE_ACTION_FIGURES.id, this.sourceAction, pair(this.sourceActionIds, tokens));
    return out;
  }

  /** The product's key id (its state made, absent from the store, when new). */
  private productOf(productId: string): number {
    const k = this.productIds.id(productId);
    if (k === this.productStates.length) {
      let p = this.store.get(productId);
      if (p === undefined) {
        p = newProduct(productId);
        this.store.set(productId, p);
      }
      this.productStates.push(p);
    }
    return k;
  }

  private seen(k: number, at: number): void {
    const p = this.productStates[k];
    if (p.firstSeenAt === null) p.firstSeenAt = at;
    if (k >= this.productTouched.length) {
      const g = new Uint8Array(2 * k + 2);
      g.set(this.productTouched);
      this.productTouched = g;
    }
    if (this.productTouched[k] === 0) {
      this.productTouched[k] = 1;
      this.touchedProducts.add(p.productId);
    }
  }
}
