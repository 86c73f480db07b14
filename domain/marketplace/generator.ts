// The marketplace family's part of the seeded generator (domain/family-generator.ts mixes it with the
// social batches). Per batch, after the social events and with the same created_at:
//   - the first batch upserts the whole seeded catalogue (products 1..P; every 7th has a string id such
//     as "sku-e", the others numeric ids written as a number or as a string);
//   - then round(ratio × social events of the batch) events (default ratio 0.5), drawn with realistic
//     proportions: interactions 78%, sales 12%, ratings 5%, catalogue updates 1.5% and deletes 0.5%
//     (some identical or of a deleted product: noops), profile upserts 2.5% and deletes 0.5%;
//   - by the registered users (user00001…), products drawn with a popularity skew (low ids sell more);
//   - in the wild's spellings: 10% of events name their kind with `event_name` or `event`, 15% carry no
//     created_at (placed at their record's arrival time), half of the amounts are numbers and half
//     numeric strings, optional fields are sometimes absent and sometimes null;
//   - with `dirt` > 0, each event is followed by a malformed marketplace event with that probability.
// Everything flows from one mulberry32 PRNG of its own (seeded from the generator's seed), so adding the
// marketplace never changes the social events of a stream.
import type { BatchContext, FamilyGenerator } from '../family-generator';
import { Mulberry32 } from '../generator';
import { centsToAmount } from './money';

export interface MarketplaceGeneratorOptions {
  /** Marketplace events per social event of the same batch. Default 0.5. */
  ratio?: number;
  /** Products in the seeded catalogue. Default clamp(users / 20, 20, 5000). */
  products?: number;
  /** Probability that a malformed marketplace event follows each event. Default 0. */
  dirt?: number;
}

export const DEFAULT_MARKETPLACE_RATIO = 0.5;

interface Entry {
  name: string;
  category: string;
  costCents: number;
  description: string | null;
}

interface Profile {
  displayName: string | null;
  email: string | null;
}

/** The marketplace generator's state as plain data (JSON-safe). */
export interface MarketplaceGeneratorSnapshot {
  version: 1;
  rngState: number;
  ratio: number;
  dirt: number;
  products: number;
  catalogueSent: boolean;
  /** per product (index = number − 1): the current entry, or null when deleted */
  catalogue: (Entry | null)[];
  /** [user index, display name, email] */
  profiles: [number, string | null, string | null][];
}

const ADJECTIVES = [
  'Blue',
  'Quiet',
  'Rapid',
  'Golden',
  'Tiny',
  'Bold',
  'Soft',
  'Bright',
  'Wild',
  'Smart',
  'Café',
];
const NOUNS = [
  'Lamp',
  'Kettle',
  'Backpack',
  'Notebook',
  'Headphones',
  'Mug',
  'Chair',
  'Scarf',
  'Drone',
  'Plant',
];
const CATEGORIES = [
  'home',
  'kitchen',
  'books',
  'audio',
  'fashion',
  'garden',
  'toys',
  'sports',
  'office',
  'F',
];
const FIRST = ['Ann', 'Bo', 'Chloé', 'Dev', 'Emma', 'Femi', 'Grace', 'Hiro', 'Ines', 'José', 'Kai', 'Lena'];
const LAST = ['Lee', 'Smith', 'Okafor', 'Tanaka', 'García', 'Nguyen', 'Müller', 'Rossi', 'Khan', 'Silva'];
const ACTIONS: [string, number][] = [
  ['view', 60],
  ['click', 20],
  ['add_to_cart', 10],
  ['share', 5],
  ['purchase', 5],
];
const SOURCES: [string, number][] = [
  ['web', 45],
  ['mobile', 40],
  ['app', 10],
  ['email', 5],
];
const RATINGS: [number, number][] = [
  [1, 5],
  [2, 7],
  [3, 18],
  [4, 35],
  [5, 35],
];
/** Cumulative shares of the event kinds (see the header). */
const KINDS: [string, number][] = [
  ['interaction', 0.78],
  ['productSold', 0.9],
  ['productRated', 0.95],
  ['productUpserted', 0.965],
  ['productDeleted', 0.97],
  ['profileUpserted', 0.995],
  ['profileDeleted', 1],
];

/** The id of product `n` (1-based): a number, or for every 7th a string id. */
export function productIdOf(n: number): number | string {
  return n % 7 === 0 ? `sku-${n.toString(36)}` : n;
}

function userName(index: number): string {
  return `user${String(index + 1).padStart(5, '0')}`;
}

export class MarketplaceGenerator implements FamilyGenerator {
  readonly family = 'marketplace';
  private readonly rng: Mulberry32;
  private readonly ratio: number;
  private readonly dirt: number;
  private products: number;
  private catalogueSent = false;
  private catalogue: (Entry | null)[] = [];
  private readonly profiles = new Map<number, Profile>();

  /** `seed` is the generator's seed; `users` the first batch's users (sizes the default catalogue). */
  constructor(seed: number, users: number, o: MarketplaceGeneratorOptions = {}) {
    const ratio = o.ratio ?? DEFAULT_MARKETPLACE_RATIO;
    const dirt = o.dirt ?? 0;
    if (!(ratio >= 0 && ratio <= 100)) throw new RangeError('marketplace ratio must be within 0..100');
    if (!(dirt >= 0 && dirt <= 1)) throw new RangeError('dirt must be within 0..1');
    const products = o.products ?? Math.min(5_000, Math.max(20, Math.round(users / 20)));
    if (!Number.isInteger(products) || products < 1 || products > 1_000_000) {
      throw new RangeError('products must be an integer within 1..1000000');
    }
    // Its own stream of numbers: the social events do not depend on the marketplace being on.
    this.rng = new Mulberry32((seed ^ 0x6d61726b) >>> 0);
    this.ratio = ratio;
    this.dirt = dirt;
    this.products = products;
  }

  snapshot(): MarketplaceGeneratorSnapshot {
    return {
      version: 1,
      rngState: this.rng.state,
      ratio: this.ratio,
      dirt: this.dirt,
      products: this.products,
      catalogueSent: this.catalogueSent,
      catalogue: this.catalogue.map((e) => (e === null ? null : { ...e })),
      profiles: [...this.profiles].map(([u, p]) => [u, p.displayName, p.email]),
    };
  }

  static restore(s: MarketplaceGeneratorSnapshot): MarketplaceGenerator {
    if (s?.version !== 1) throw new RangeError('unknown marketplace generator snapshot version');
    if (!Number.isInteger(s.rngState) || s.rngState < 0 || s.rngState > 0xffffffff) {
      throw new RangeError('marketplace generator snapshot has a bad rngState');
    }
    if (!Array.isArray(s.catalogue) || !Array.isArray(s.profiles)) {
      throw new RangeError('marketplace generator snapshot has no catalogue or profiles');
    }
    const g = new MarketplaceGenerator(0, 1, { ratio: s.ratio, dirt: s.dirt, products: s.products });
    g.rng.state = s.rngState;
    g.catalogueSent = s.catalogueSent === true;
    g.catalogue = s.catalogue.map((e) => (e === null ? null : { ...e }));
    for (const [u, displayName, email] of s.profiles) g.profiles.set(u, { displayName, email });
    return g;
  }

  private rand(): number {
    return this.rng.next();
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  private chance(p: number): boolean {
    return this.rand() < p;
  }

  private weighted<T>(table: readonly [T, number][]): T {
    let total = 0;
    for (const [, w] of table) total += w;
    let r = this.rand() * total;
    for (const [v, w] of table) {
      r -= w;
      if (r < 0) return v;
    }
    return table[table.length - 1][0];
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** A product number (1-based), popular ones more often: the square of a uniform draw skews low. */
  private product(): number {
    const r = this.rand();
    return 1 + Math.floor(r * r * this.products);
  }

  /** How the product id is written: string ids as they are, numeric ones as a number or a string. */
  private idOf(n: number): number | string {
    const id = productIdOf(n);
    return typeof id === 'number' && this.chance(0.4) ? String(id) : id;
  }

  /** An amount as a producer writes it: a number, or a numeric string with 0, 1 or 2 decimals. */
  private amount(cents: number): number | string {
    if (this.chance(0.5)) return centsToAmount(cents);
    const whole = Math.floor(cents / 100);
    const frac = cents % 100;
    if (frac === 0 && this.chance(0.5)) return String(whole);
    if (frac % 10 === 0 && this.chance(0.5)) return `${whole}.${frac / 10}`;
    return `${whole}.${String(frac).padStart(2, '0')}`;
  }

  /** The kind written as `type` (90%), `event_name` or `event`, with the fields after it. */
  private kinded(type: string, fields: Record<string, unknown>): Record<string, unknown> {
    const r = this.rand();
    const key = r < 0.9 ? 'type' : r < 0.95 ? 'event_name' : 'event';
    return { [key]: type, ...fields };
  }

  /** created_at: the batch's (85%), or none (the record's arrival time places the event). */
  private stamp(e: Record<string, unknown>, ctx: BatchContext, share = 0.85): Record<string, unknown> {
    if (this.chance(share)) e.created_at = ctx.createdAt;
    return e;
  }

  /** An optional field: present (with probability p), absent, or now and then null. */
  private maybe(e: Record<string, unknown>, key: string, value: unknown, p: number): void {
    if (this.chance(p)) e[key] = value;
    else if (this.chance(0.2)) e[key] = null;
  }

  private newEntry(): Entry {
    const cents = (1 + this.int(500)) * 100 - (this.chance(0.6) ? 1 : 0) - (this.chance(0.1) ? 50 : 0);
    return {
      name: `${this.pick(ADJECTIVES)} ${this.pick(NOUNS)} ${1 + this.int(99)}`,
      category: this.pick(CATEGORIES),
      costCents: Math.max(0, cents),
      description: this.chance(0.5) ? `A ${this.pick(ADJECTIVES).toLowerCase()} pick for every day.` : null,
    };
  }

  private upsert(n: number, entry: Entry, ctx: BatchContext, stampShare: number): Record<string, unknown> {
    const e: Record<string, unknown> = {
      product_id: this.idOf(n),
      name: entry.name,
      category: entry.category,
    };
    e.cost = this.amount(entry.costCents);
    if (entry.description !== null) e.description = entry.description;
    else if (this.chance(0.2)) e.description = null;
    return this.stamp(this.kinded('productUpserted', e), ctx, stampShare);
  }

  /** The events of this family for one batch, appended to `out`. */
  batch(ctx: BatchContext, out: unknown[]): void {
    if (!this.catalogueSent) {
      this.catalogueSent = true;
      for (let n = 1; n <= this.products; n++) {
        const entry = this.newEntry();
        this.catalogue.push(entry);
        out.push(this.upsert(n, entry, ctx, 0.5));
      }
    }
    if (ctx.users < 1) return;
    const count = Math.round(this.ratio * ctx.socialEvents);
    for (let i = 0; i < count; i++) {
      out.push(this.event(ctx));
      if (this.dirt > 0 && this.chance(this.dirt)) out.push(this.malformed(ctx));
    }
  }

  private event(ctx: BatchContext): Record<string, unknown> {
    const r = this.rand();
    let kind = KINDS[KINDS.length - 1][0];
    for (const [k, upTo] of KINDS) {
      if (r < upTo) {
        kind = k;
        break;
      }
    }
    const user = this.int(ctx.users);
    switch (kind) {
      case 'interaction': {
        const e: Record<string, unknown> = {
          user: userName(user),
          product_id: this.idOf(this.product()),
          action: this.weighted(ACTIONS),
        };
        this.maybe(e, 'source', this.weighted(SOURCES), 0.8);
        return this.stamp(this.kinded('interaction', e), ctx);
      }
      case 'productSold': {
        const n = this.product();
        const entry = this.catalogue[n - 1];
        const r2 = this.rand();
        const units = r2 < 0.7 ? 1 : r2 < 0.95 ? 2 + this.int(2) : 4 + this.int(7);
        const unitCents = entry?.costCents ?? 100 * (1 + this.int(50));
        // now and then a discount of 10%, rounded down to the cent
        const cents = this.chance(0.1) ? Math.floor((units * unitCents * 9) / 10) : units * unitCents;
        const e: Record<string, unknown> = { product_id: this.idOf(n) };
        if (entry !== null && entry !== undefined) this.maybe(e, 'name_of_product', entry.name, 0.7);
        e.no_of_units = units;
        e.amount = this.amount(cents);
        this.maybe(e, 'user', userName(user), 0.95);
        return this.stamp(this.kinded('productSold', e), ctx);
      }
      case 'productRated': {
        const n = this.product();
        const entry = this.catalogue[n - 1];
        const e: Record<string, unknown> = { product_id: this.idOf(n) };
        if (entry !== null && entry !== undefined) this.maybe(e, 'name_of_product', entry.name, 0.7);
        e.rating = this.weighted(RATINGS);
        if (entry !== null && entry !== undefined) this.maybe(e, 'category', entry.category, 0.3);
        this.maybe(e, 'user', userName(user), 0.95);
        return this.stamp(this.kinded('productRated', e), ctx);
      }
      case 'productUpserted': {
        // a new cost for an existing product, the same entry again (a noop), a deleted one back, or a
        // product new to the catalogue
        const r2 = this.rand();
        if (r2 < 0.1) {
          this.products++;
          const entry = this.newEntry();
          this.catalogue.push(entry);
          return this.upsert(this.products, entry, ctx, 0.5);
        }
        const n = this.product();
        const current = this.catalogue[n - 1];
        let entry: Entry;
        if (current === null) entry = this.newEntry();
        else if (r2 < 0.3) entry = current;
        else entry = { ...current, costCents: Math.max(0, current.costCents + 100 * (this.int(11) - 5)) };
        this.catalogue[n - 1] = entry;
        return this.upsert(n, entry, ctx, 0.5);
      }
      case 'productDeleted': {
        // mostly the least popular products; a deleted one again is a noop
        const n = this.products - Math.floor(this.rand() * this.rand() * this.products);
        this.catalogue[n - 1] = null;
        return this.stamp(this.kinded('productDeleted', { product_id: this.idOf(n) }), ctx, 0.5);
      }
      case 'profileUpserted': {
        const current = this.profiles.get(user);
        let p: Profile;
        if (current !== undefined && this.chance(0.3)) p = current;
        else {
          const first = this.pick(FIRST);
          const last = this.pick(LAST);
          const r2 = this.rand();
          p = {
            displayName: r2 < 0.85 ? `${first} ${last}` : null,
            email:
              r2 >= 0.6
                ? this.chance(0.5)
                  ? `${userName(user)}@example.com`
                  : `${first}.${last}@mail.example.org`.toLowerCase()
                : null,
          };
        }
        this.profiles.set(user, p);
        const e: Record<string, unknown> = { user: userName(user) };
        if (p.displayName !== null) e.display_name = p.displayName;
        if (p.email !== null) e.email = p.email;
        return this.stamp(this.kinded('profileUpserted', e), ctx, 0.5);
      }
      default: {
        // profileDeleted: mostly of a user with a profile; else of anyone (likely a noop)
        let target = user;
        if (this.profiles.size > 0 && this.chance(0.7)) {
          const keys = [...this.profiles.keys()];
          target = keys[this.int(keys.length)];
        }
        this.profiles.delete(target);
        return this.stamp(this.kinded('profileDeleted', { user: userName(target) }), ctx, 0.5);
      }
    }
  }

  /** A marketplace event that must end as malformed. */
  private malformed(ctx: BatchContext): Record<string, unknown> {
    const user = userName(this.int(Math.max(1, ctx.users)));
    const id = this.idOf(this.product());
    const at = ctx.createdAt;
    const sale = (patch: Record<string, unknown>) => ({
      type: 'productSold',
      product_id: id,
      no_of_units: 1,
      amount: '9.99',
      user,
      created_at: at,
      ...patch,
    });
    const rated = (patch: Record<string, unknown>) => ({
      type: 'productRated',
      product_id: id,
      rating: 4,
      ...patch,
    });
    const look = (patch: Record<string, unknown>) => ({
      type: 'interaction',
      user,
      product_id: id,
      action: 'view',
      ...patch,
    });
    const cases: (() => Record<string, unknown>)[] = [
      () => sale({ amount: this.pick(['1e3', ' 5', '-1', '12.345', '1,50', '']) }),
      () => sale({ amount: this.pick([-1, 0.1 + 0.2, 2e12]) }),
      () => sale({ no_of_units: this.pick([0, 1.5, 1_000_001, '2']) }),
      () => sale({ product_id: this.pick([0, -3, '', 'x'.repeat(65), 1.5]) }),
      () => rated({ rating: this.pick([0, 6, 4.5, '4']) }),
      () => look({ action: this.pick(['View', 'add-to-cart', '', 'a'.repeat(33)]) }),
      () => look({ source: 'Mobile' }),
      () => {
        const { user: _u, ...rest } = look({});
        return rest;
      },
      () => look({ user: this.pick(['', 'x'.repeat(129), 'bad\ud800']) }),
      () => look({ created_at: this.pick(['yesterday', '20250230T000000Z', '2025-07-18T20:53:54']) }),
      () => ({ type: 'productsold', product_id: id, no_of_units: 1, amount: '1' }),
      () => ({ type: 'productUpserted', product_id: id, name: '' }),
      () => ({ type: 'productUpserted', product_id: id, name: 'ok', cost: '19.999' }),
      () => ({ type: 'profileUpserted', user }),
      () => ({ type: 'profileUpserted', user, email: this.pick(['not-an-email', 'a@b', 'a b@example.com']) }),
      () => ({ type: 'profileDeleted', user: null }),
    ];
    return this.pick(cases)();
  }
}
