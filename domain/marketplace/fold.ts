// The marketplace fold: decides every marketplace event's outcome, in stream order, over the products
// and profiles a batch loaded, and reports what it changed: the touched products and profiles (each
// written once per batch) and the figure rows per 5-second bucket of the event's time.
//
// Outcomes: a sale, a rating and an interaction are always applied when well formed; a catalogue
// upsert identical to the product's entry is a noop, as is a delete of a product with no entry; a
// profile upsert identical to the user's profile is a noop, as is a delete of a user with none.
// Nothing of the social graph is consulted: a user named here need not be registered.
import { FigureAccumulator, type FigureDeltas } from '../figures';
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

export class MarketplaceFold {
  /** time of the last well-formed event read */
  eventAt = 0;
  readonly touchedProducts = new Set<string>();
  readonly touchedProfiles = new Set<string>();
  private readonly product = new FigureAccumulator(PRODUCT_FIGURES.columns.length);
  private readonly user = new FigureAccumulator(USER_FIGURES.columns.length);
  private readonly productAction = new FigureAccumulator(1);
  private readonly userAction = new FigureAccumulator(1);
  private readonly userSource = new FigureAccumulator(1);
  private readonly sourceAction = new FigureAccumulator(1);

  /**
   * `products` and `profiles` hold, as committed, every product and profile the batch names (absent:
   * none stored); the fold updates them in place.
   */
  constructor(
    readonly products: Map<string, ProductState> = new Map(),
    readonly profiles: Map<string, Profile | null> = new Map(),
  ) {}

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
        const p = this.productOf(e.productId);
        const entry: CatalogueEntry = {
          name: e.name,
          category: e.category,
          costCents: e.costCents,
          description: e.description,
        };
        if (sameEntry(p.entry, entry)) return 'noop';
        p.entry = entry;
        this.seen(p, e.at);
        return 'applied';
      }
      case 'productDeleted': {
        const p = this.productOf(e.productId);
        if (p.entry === null) return 'noop';
        p.entry = null;
        this.seen(p, e.at);
        return 'applied';
      }
      case 'productSold': {
        const p = this.productOf(e.productId);
        p.orders++;
        p.units += e.units;
        p.cents += e.cents;
        if (e.productName !== null) p.soldName = e.productName;
        this.seen(p, e.at);
        const b = bucketOf(e.at);
        this.product.add(b, e.productId, P.orders, 1);
        this.product.add(b, e.productId, P.units, e.units);
        this.product.add(b, e.productId, P.cents, e.cents);
        if (e.user !== null) {
          this.user.add(b, e.user, U.orders, 1);
          this.user.add(b, e.user, U.units, e.units);
          this.user.add(b, e.user, U.cents, e.cents);
        }
        return 'applied';
      }
      case 'productRated': {
        const p = this.productOf(e.productId);
        p.ratings++;
        p.ratingSum += e.rating;
        p.stars[e.rating - 1]++;
        if (e.productName !== null) p.soldName = e.productName;
        this.seen(p, e.at);
        const b = bucketOf(e.at);
        this.product.add(b, e.productId, P.ratings, 1);
        this.product.add(b, e.productId, P.ratingSum, e.rating);
        this.product.add(b, e.productId, P.star1 + e.rating - 1, 1);
        if (e.user !== null) {
          this.user.add(b, e.user, U.ratings, 1);
          this.user.add(b, e.user, U.ratingSum, e.rating);
        }
        return 'applied';
      }
      case 'interaction': {
        const p = this.productOf(e.productId);
        p.interactions++;
        p.byAction[e.action] = (p.byAction[e.action] ?? 0) + 1;
        this.seen(p, e.at);
        const b = bucketOf(e.at);
        this.product.add(b, e.productId, P.interactions, 1);
        this.user.add(b, e.user, U.interactions, 1);
        this.productAction.add(b, pairKey(e.productId, e.action), 0, 1);
        this.userAction.add(b, pairKey(e.user, e.action), 0, 1);
        this.userSource.add(b, pairKey(e.user, e.source), 0, 1);
        this.sourceAction.add(b, pairKey(e.source, e.action), 0, 1);
        return 'applied';
      }
    }
  }

  /** The figure rows of everything applied, by set. */
  figures(): FigureDeltas {
    const out: FigureDeltas = {};
    const put = (id: string, acc: FigureAccumulator) => {
      if (acc.size > 0) out[id] = acc.flat();
    };
    put(PRODUCT_FIGURES.id, this.product);
    put(USER_FIGURES.id, this.user);
    put(PRODUCT_ACTION_FIGURES.id, this.productAction);
    put(USER_ACTION_FIGURES.id, this.userAction);
    put(USER_SOURCE_FIGURES.id, this.userSource);
    put(SOURCE_ACTION_FIGURES.id, this.sourceAction);
    return out;
  }

  private productOf(id: string): ProductState {
    let p = this.products.get(id);
    if (p === undefined) {
      p = newProduct(id);
      this.products.set(id, p);
    }
    return p;
  }

  private seen(p: ProductState, at: number): void {
    if (p.firstSeenAt === null) p.firstSeenAt = at;
    this.touchedProducts.add(p.productId);
  }
}
