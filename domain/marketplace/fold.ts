// The marketplace fold: decides every marketplace event's outcome, in stream order, over the products
// and profiles a batch loaded, and reports what it changed: the touched products and profiles (each
// written once per batch) and the figure rows per 5-second bucket of the event's time.
//
// Outcomes: a sale, a rating and an interaction are always applied when well formed; a catalogue
// upsert identical to the product's entry is a noop, as is a delete of a product with no entry; a
// profile upsert identical to the user's profile is a noop, as is a delete of a user with none.
// Nothing of the social graph is consulted: a user named here need not be registered.
import { type FigureDeltas, IdFigureAccumulator, KeyIds, PairIds, TokenCounts } from '../figures';
import { bucketOf } from '../time';
import { type MarketplaceEvent, MarketplaceReader } from './events';
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
import { CENTS_BASE, splitCents } from './money';

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
  /** revenue in cents: centsHi × CENTS_BASE + cents (domain/marketplace/money.ts) */
  cents: number;
  centsHi: number;
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
    centsHi: 0,
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

const namer = new MarketplaceReader();

/** The ids a value names, when it is a well-formed marketplace event (for loading before the fold). */
export function namedBy(
  v: unknown,
  arrivalMs: number,
): { productId: string | null; profileOf: string | null } | null {
  const e = namer;
  const type = e.read(v, arrivalMs);
  if (type === null) return null;
  if (type === 'profileUpserted' || type === 'profileDeleted') return { productId: null, profileOf: e.user };
  return { productId: e.productId, profileOf: null };
}

const PRODUCT_WIDTH = PRODUCT_FIGURES.columns.length;
const USER_WIDTH = USER_FIGURES.columns.length;

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
  private readonly sourceActionIds = new PairIds();
  /** reads each value the fold applies (no object per event) */
  private readonly reader = new MarketplaceReader();
  /** holds an event given to applyEvent */
  private readonly loaded = new MarketplaceReader();
  private readonly product = new IdFigureAccumulator(PRODUCT_FIGURES.columns.length);
  private readonly user = new IdFigureAccumulator(USER_FIGURES.columns.length);
  // Interactions per (bucket, product, action), (bucket, user, action) and (bucket, user, source): on
  // the product's and the user's rows of the bucket, found for their own interactions column anyway.
  private readonly productAction = new TokenCounts();
  private readonly userAction = new TokenCounts();
  private readonly userSource = new TokenCounts();
  private readonly sourceAction = new IdFigureAccumulator(1);
  /** interactions per (product id, action) not yet added to the product's byAction */
  private readonly actionCounts = new TokenCounts();
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
    const actions = this.tokenIds.keys;
    this.actionCounts.forEach((k, t, n) => {
      const byAction = this.productStates[k].byAction;
      const action = actions[t];
      byAction[action] = (byAction[action] ?? 0) + n;
    });
    this.actionCounts.clear();
    this.actionsPending = false;
  }

  /** Validates one parsed value (of a marketplace kind; `kind` its eventKind if known) and applies it. */
  apply(value: unknown, arrivalMs: number, kind?: string): 'applied' | 'noop' | 'malformed' {
    const r = this.reader;
    if (r.read(value, arrivalMs, kind) === null) return 'malformed';
    this.eventAt = r.at;
    return this.applyRead(r);
  }

  /** Applies a normalized event. */
  applyEvent(e: MarketplaceEvent): 'applied' | 'noop' {
    this.loaded.load(e);
    return this.applyRead(this.loaded);
  }

  /** Applies the event `e` has read (or loaded). */
  private applyRead(e: MarketplaceReader): 'applied' | 'noop' {
    switch (e.type) {
      case 'profileUpserted': {
        const user = e.user as string;
        const old = this.profiles.get(user) ?? null;
        if (old !== null && old.displayName === e.displayName && old.email === e.email) return 'noop';
        this.profiles.set(user, { displayName: e.displayName, email: e.email });
        this.touchedProfiles.add(user);
        return 'applied';
      }
      case 'profileDeleted': {
        const user = e.user as string;
        if ((this.profiles.get(user) ?? null) === null) return 'noop';
        this.profiles.set(user, null);
        this.touchedProfiles.add(user);
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
        const [lo, hi] = splitCents(e.cents);
        p.cents += lo;
        p.centsHi += hi;
        if (p.cents >= CENTS_BASE) {
          p.centsHi += Math.floor(p.cents / CENTS_BASE);
          p.cents %= CENTS_BASE;
        }
        if (e.productName !== null) p.soldName = e.productName;
        this.seen(k, e.at);
        const b = bucketOf(e.at);
        const pr = this.product.at(b, k);
        const pv = this.product.values;
        pv[pr + P.orders] += 1;
        pv[pr + P.units] += e.units;
        pv[pr + P.cents] += lo;
        pv[pr + P.centsHi] += hi;
        if (e.user !== null) {
          const ur = this.user.at(b, this.userIds.id(e.user));
          const uv = this.user.values;
          uv[ur + U.orders] += 1;
          uv[ur + U.units] += e.units;
          uv[ur + U.cents] += lo;
          uv[ur + U.centsHi] += hi;
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
        const action = this.tokenIds.id(e.action);
        const source = this.tokenIds.id(e.source);
        // Counted per (product, action) here, into the product's byAction when products is read.
        this.actionCounts.add(k, action, 1);
        this.actionsPending = true;
        const pr = this.product.row(b, k);
        this.product.values[pr * PRODUCT_WIDTH + P.interactions] += 1;
        this.productAction.add(pr, action, 1);
        const ur = this.user.row(b, this.userIds.id(e.user as string));
        this.user.values[ur * USER_WIDTH + U.interactions] += 1;
        this.userAction.add(ur, action, 1);
        this.userSource.add(ur, source, 1);
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
    const putTokens = (
      id: string,
      counts: TokenCounts,
      acc: IdFigureAccumulator,
      keys: readonly string[],
    ) => {
      const rows = counts.flat(acc, (k, t) => pairKey(keys[k], tokens[t]));
      if (rows.length > 0) out[id] = rows;
    };
    put(PRODUCT_FIGURES.id, this.product, (id) => products[id]);
    put(USER_FIGURES.id, this.user, (id) => users[id]);
    putTokens(PRODUCT_ACTION_FIGURES.id, this.productAction, this.product, products);
    putTokens(USER_ACTION_FIGURES.id, this.userAction, this.user, users);
    putTokens(USER_SOURCE_FIGURES.id, this.userSource, this.user, users);
    const ids = this.sourceActionIds;
    put(SOURCE_ACTION_FIGURES.id, this.sourceAction, (id) => pairKey(tokens[ids.as[id]], tokens[ids.bs[id]]));
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
