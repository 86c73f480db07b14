// The marketplace family's seven events (SPEC sections 10 and 11): their zod contract, and the fast
// validator the processor uses. The zod schemas are the documented contract; `readMarketplaceEvent` is
// a hand-written equivalent with no zod on the hot path. A property test
// (test/unit/marketplace-events.test.ts) keeps the two in agreement on arbitrary and near-miss inputs.
//
// Rules, all from the SPEC unless marked "our choice":
// - The kind is `type`, else `event_name`, else `event` (domain/event-kind.ts). The zod contract spells
//   that out as three variants per event, independently of eventKind.
// - `created_at` is optional: the compact form or ISO 8601 with a zone (domain/time.ts parseCreatedAt);
//   absent (or null), the event is placed at its record's arrival time, which the caller passes in.
// - An optional field given as null is taken as absent; a required one given as null is missing.
// - Lengths count code points. Every text must be well-formed UTF-16: a lone surrogate (which JSON can
//   carry as "\ud800" but UTF-8 storage cannot) makes the event malformed (our choice for texts other
//   than names, where SPEC 2 already says so).
// - `product_id`: a positive safe integer, or a string of 1–64 code points; it is answered as a string,
//   and `233` and `"233"` are the same product ("233"). `"0233"` is another product. Integers past 2^53
//   are refused (JSON cannot carry them exactly; our choice).
// - Names (`user`): 1–128 code points (SPEC 2). `name_of_product` follows the catalogue's `name` rule,
//   1–128 (our choice: the SPEC gives it no bound, and it can become the product's name).
// - `category` ≤ 64 and `description` ≤ 2,000 code points; the empty string is allowed (the SPEC gives
//   no lower bound; null or absent means none). `display_name` 1–128.
// - Amounts (`amount`, `cost`): domain/marketplace/money.ts, kept as integer cents.
// - `no_of_units` an integer 1–1,000,000 and `rating` an integer 1–5, as JSON numbers (a numeric string
//   is refused: only amounts may be strings).
// - `action` and `source` match [a-z][a-z0-9_]{0,31}; `source` defaults to "unknown".
// - `email`: at most 254 code points, exactly one `@`, a non-empty local part, a domain of at least two
//   non-empty dot-separated labels, no whitespace or control characters (our reading of "plausible").
//   `profileUpserted` needs `display_name` or `email` (or both).
// - Extra fields are ignored, as zod does.
import { z } from 'zod';
import { createdAtOrArrival, parseCreatedAt } from '../time';
import { amountCents } from './money';

export const MARKETPLACE_TYPES = [
  'productSold',
  'productRated',
  'interaction',
  'productUpserted',
  'productDeleted',
  'profileUpserted',
  'profileDeleted',
] as const;
export type MarketplaceType = (typeof MARKETPLACE_TYPES)[number];

const MARKETPLACE_TYPE_SET: ReadonlySet<unknown> = new Set<unknown>(MARKETPLACE_TYPES);

/** Whether an event kind (see eventKind) belongs to the marketplace family. */
export function isMarketplaceType(kind: unknown): kind is MarketplaceType {
  return MARKETPLACE_TYPE_SET.has(kind);
}

export const MAX_NAME_LENGTH = 128;
export const MAX_PRODUCT_ID_LENGTH = 64;
export const MAX_PRODUCT_NAME_LENGTH = 128;
export const MAX_CATEGORY_LENGTH = 64;
export const MAX_DESCRIPTION_LENGTH = 2_000;
export const MAX_DISPLAY_NAME_LENGTH = 128;
export const MAX_EMAIL_LENGTH = 254;
export const MAX_UNITS = 1_000_000;
export const DEFAULT_SOURCE = 'unknown';
/** `action` and `source`. */
export const TOKEN_RE = /^[a-z][a-z0-9_]{0,31}$/;

// ---- the normalized events ------------------------------------------------------------------------

interface Base {
  /** created_at as epoch ms, or the record's arrival time when the event has none. */
  at: number;
}
export interface ProductSold extends Base {
  type: 'productSold';
  productId: string;
  units: number;
  /** amount in cents */
  cents: number;
  productName: string | null;
  user: string | null;
}
export interface ProductRated extends Base {
  type: 'productRated';
  productId: string;
  rating: number;
  category: string | null;
  productName: string | null;
  user: string | null;
}
export interface Interaction extends Base {
  type: 'interaction';
  productId: string;
  user: string;
  action: string;
  source: string;
}
export interface ProductUpserted extends Base {
  type: 'productUpserted';
  productId: string;
  name: string;
  category: string | null;
  /** cost in cents */
  costCents: number | null;
  description: string | null;
}
export interface ProductDeleted extends Base {
  type: 'productDeleted';
  productId: string;
}
export interface ProfileUpserted extends Base {
  type: 'profileUpserted';
  user: string;
  displayName: string | null;
  email: string | null;
}
export interface ProfileDeleted extends Base {
  type: 'profileDeleted';
  user: string;
}
export type MarketplaceEvent =
  | ProductSold
  | ProductRated
  | Interaction
  | ProductUpserted
  | ProductDeleted
  | ProfileUpserted
  | ProfileDeleted;

// ---- the zod contract ------------------------------------------------------------------------------

/** Well-formed UTF-16: every surrogate is half of a pair. */
const WELL_FORMED_RE = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
/** See the header. `\s` and `\p{Cc}` exclude whitespace and control characters. */
export const EMAIL_RE = /^[^\s@\p{Cc}]+@[^\s@.\p{Cc}]+(?:\.[^\s@.\p{Cc}]+)+$/u;

const text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => WELL_FORMED_RE.test(s), { message: 'must not hold a lone surrogate' });
/** Optional: null or missing is absent. */
const opt = <T extends z.ZodType>(s: T) => s.nullable().optional();
const absent = z.null().optional();

export const UserNameSchema = text(1, MAX_NAME_LENGTH);
export const ProductIdSchema = z.union([z.number().int().positive(), text(1, MAX_PRODUCT_ID_LENGTH)]);
/** An amount: validated as the decimal text of the string, or of the number's shortest form. */
export const AmountSchema = z.union([z.number().transform((n) => String(n)), z.string()]).pipe(
  z
    .string()
    .regex(/^[0-9]+(?:\.[0-9]{1,2})?$/, 'must be digits with at most 2 decimals')
    .transform((s) => {
      const [whole, frac = ''] = s.split('.');
      return BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
    })
    .refine((c) => c <= 100_000_000_000_000n, { message: 'must be at most 1e12' })
    .transform((c) => Number(c)),
);
const CreatedAtSchema = z.string().refine((s) => parseCreatedAt(s) !== null, {
  message: 'created_at must be YYYYMMDDTHHMMSS[mmm]Z or ISO 8601 with a time zone',
});
const TokenSchema = z.string().regex(TOKEN_RE);
const EmailSchema = text(1, MAX_EMAIL_LENGTH).pipe(z.string().regex(EMAIL_RE));

const SHAPES = {
  productSold: {
    product_id: ProductIdSchema,
    name_of_product: opt(text(1, MAX_PRODUCT_NAME_LENGTH)),
    no_of_units: z.number().int().min(1).max(MAX_UNITS),
    amount: AmountSchema,
    user: opt(UserNameSchema),
    created_at: opt(CreatedAtSchema),
  },
  productRated: {
    product_id: ProductIdSchema,
    name_of_product: opt(text(1, MAX_PRODUCT_NAME_LENGTH)),
    rating: z.number().int().min(1).max(5),
    category: opt(text(0, MAX_CATEGORY_LENGTH)),
    user: opt(UserNameSchema),
    created_at: opt(CreatedAtSchema),
  },
  interaction: {
    user: UserNameSchema,
    product_id: ProductIdSchema,
    action: TokenSchema,
    source: opt(TokenSchema),
    created_at: opt(CreatedAtSchema),
  },
  productUpserted: {
    product_id: ProductIdSchema,
    name: text(1, MAX_PRODUCT_NAME_LENGTH),
    category: opt(text(0, MAX_CATEGORY_LENGTH)),
    cost: opt(AmountSchema),
    description: opt(text(0, MAX_DESCRIPTION_LENGTH)),
    created_at: opt(CreatedAtSchema),
  },
  productDeleted: {
    product_id: ProductIdSchema,
    created_at: opt(CreatedAtSchema),
  },
  profileUpserted: {
    user: UserNameSchema,
    display_name: opt(text(1, MAX_DISPLAY_NAME_LENGTH)),
    email: opt(EmailSchema),
    created_at: opt(CreatedAtSchema),
  },
  profileDeleted: {
    user: UserNameSchema,
    created_at: opt(CreatedAtSchema),
  },
} satisfies Record<MarketplaceType, z.ZodRawShape>;

/**
 * Each event's fields and their schemas, by type: the API's catalogue writes (queries/catalogue.ts)
 * validate their bodies with these very schemas, under the API's field names.
 */
export const MARKETPLACE_FIELDS = SHAPES;

/** One event's schema under its three spellings of the kind: `type`, else `event_name`, else `event`. */
function kinded<T extends MarketplaceType>(t: T) {
  const shape = SHAPES[t];
  return z.union([
    z.object({ ...shape, type: z.literal(t) }),
    z.object({ ...shape, type: absent, event_name: z.literal(t) }),
    z.object({ ...shape, type: absent, event_name: absent, event: z.literal(t) }),
  ]);
}

export const ProductSoldSchema = kinded('productSold');
export const ProductRatedSchema = kinded('productRated');
export const InteractionSchema = kinded('interaction');
export const ProductUpsertedSchema = kinded('productUpserted');
export const ProductDeletedSchema = kinded('productDeleted');
export const ProfileUpsertedSchema = kinded('profileUpserted').refine(
  (e) => (e.display_name ?? null) !== null || (e.email ?? null) !== null,
  { message: 'profileUpserted needs display_name or email' },
);
export const ProfileDeletedSchema = kinded('profileDeleted');

export const MarketplaceEventSchema = z.union([
  ProductSoldSchema,
  ProductRatedSchema,
  InteractionSchema,
  ProductUpsertedSchema,
  ProductDeletedSchema,
  ProfileUpsertedSchema,
  ProfileDeletedSchema,
]);
/** A zod-validated event (amounts already in cents, product ids as given). */
export type MarketplaceRawEvent = z.output<typeof MarketplaceEventSchema>;
/** What a producer writes (the input side of the contract). */
export type MarketplaceWireEvent = z.input<typeof MarketplaceEventSchema>;

/** Converts a zod-validated event to the normalized shape; `arrivalMs` places an event without created_at. */
export function fromMarketplaceRaw(e: MarketplaceRawEvent, arrivalMs: number): MarketplaceEvent {
  const kind = (e as { type?: unknown }).type ?? (e as { event_name?: unknown }).event_name;
  const type = (kind ?? (e as { event?: unknown }).event) as MarketplaceType;
  const at = e.created_at == null ? arrivalMs : (parseCreatedAt(e.created_at) as number);
  const orNull = <T>(v: T | null | undefined): T | null => v ?? null;
  switch (type) {
    case 'productSold': {
      const s = e as z.output<typeof ProductSoldSchema>;
      return {
        type,
        at,
        productId: String(s.product_id),
        units: s.no_of_units,
        cents: s.amount,
        productName: orNull(s.name_of_product),
        user: orNull(s.user),
      };
    }
    case 'productRated': {
      const r = e as z.output<typeof ProductRatedSchema>;
      return {
        type,
        at,
        productId: String(r.product_id),
        rating: r.rating,
        category: orNull(r.category),
        productName: orNull(r.name_of_product),
        user: orNull(r.user),
      };
    }
    case 'interaction': {
      const i = e as z.output<typeof InteractionSchema>;
      return {
        type,
        at,
        productId: String(i.product_id),
        user: i.user,
        action: i.action,
        source: i.source ?? DEFAULT_SOURCE,
      };
    }
    case 'productUpserted': {
      const u = e as z.output<typeof ProductUpsertedSchema>;
      return {
        type,
        at,
        productId: String(u.product_id),
        name: u.name,
        category: orNull(u.category),
        costCents: orNull(u.cost),
        description: orNull(u.description),
      };
    }
    case 'productDeleted':
      return { type, at, productId: String((e as z.output<typeof ProductDeletedSchema>).product_id) };
    case 'profileUpserted': {
      const p = e as z.output<typeof ProfileUpsertedSchema>;
      return { type, at, user: p.user, displayName: orNull(p.display_name), email: orNull(p.email) };
    }
    case 'profileDeleted':
      return { type, at, user: (e as z.output<typeof ProfileDeletedSchema>).user };
  }
}

/** Validates with the zod contract (slow; for tests, the reference model and request bodies). */
export function parseMarketplaceEvent(v: unknown, arrivalMs: number): MarketplaceEvent | null {
  const parsed = MarketplaceEventSchema.safeParse(v);
  return parsed.success ? fromMarketplaceRaw(parsed.data, arrivalMs) : null;
}

// ---- the fast validator ----------------------------------------------------------------------------

/**
 * Code points of `s` when it is well-formed and holds min..max of them, else -1. One pass over the
 * UTF-16 units, stopping early past the bound.
 */
function textLength(s: string, min: number, max: number): number {
  const n = s.length;
  if (n < min || n > 2 * max) return -1;
  let points = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c >= 0xdc00 || i + 1 === n) return -1;
      const d = s.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return -1;
      i++;
    }
    if (++points > max) return -1;
  }
  return points < min ? -1 : points;
}

function isText(v: unknown, min: number, max: number): v is string {
  return typeof v === 'string' && textLength(v, min, max) >= 0;
}

/** A present optional text: a valid string, or null/undefined (absent). Returns false when invalid. */
function optText(v: unknown, min: number, max: number): boolean {
  return v === undefined || v === null || isText(v, min, max);
}

/** [a-z][a-z0-9_]{0,31} without a regex. */
function isToken(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 32) return false;
  const c0 = v.charCodeAt(0);
  if (c0 < 97 || c0 > 122) return false;
  for (let i = 1; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

/** The product id as its string, or null when invalid. */
function productIdOf(v: unknown): string | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? String(v) : null;
  return isText(v, 1, MAX_PRODUCT_ID_LENGTH) ? v : null;
}

function isEmail(v: unknown): v is string {
  return isText(v, 1, MAX_EMAIL_LENGTH) && EMAIL_RE.test(v);
}

function isRating(v: unknown): v is number {
  return v === 1 || v === 2 || v === 3 || v === 4 || v === 5;
}

function isUnits(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_UNITS;
}

const nullish = (v: unknown): v is null | undefined => v === undefined || v === null;

/**
 * Validates parsed JSON values as marketplace events, without zod and without an object per event:
 * `read` leaves the event's fields in the reader (those of its type; the others keep older values), as
 * the social EventReader does. Accepts exactly what MarketplaceEventSchema accepts; `event()` gives
 * what fromMarketplaceRaw gives.
 */
export class MarketplaceReader {
  type: MarketplaceType = 'productSold';
  at = 0;
  productId = '';
  units = 0;
  cents = 0;
  rating = 0;
  /** productSold, productRated: the buyer or rater, or null; interaction, profile events: the user */
  user: string | null = null;
  productName: string | null = null;
  category: string | null = null;
  action = '';
  source = '';
  name = '';
  costCents: number | null = null;
  description: string | null = null;
  displayName: string | null = null;
  email: string | null = null;

  /**
   * The event's type, or null when the value is not a marketplace event or is malformed (the
   * processor decides the family from eventKind first: null for a value of a marketplace kind means
   * `malformed`). `knownKind`: the value's eventKind, when the caller has read it already.
   */
  read(v: unknown, arrivalMs: number, knownKind?: string): MarketplaceType | null {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const o = v as Record<string, unknown>;
    // The processor gives the kind it already read (domain/event-kind.ts eventKind); else inlined here.
    let kind: unknown = knownKind;
    if (kind === undefined) {
      kind = o.type;
      if (kind === undefined || kind === null) {
        kind = o.event_name;
        if (kind === undefined || kind === null) kind = o.event;
      }
    }
    if (typeof kind !== 'string') return null;
    const at = createdAtOrArrival(o.created_at, arrivalMs);
    if (Number.isNaN(at)) return null;
    switch (kind) {
      case 'productSold': {
        const productId = productIdOf(o.product_id);
        const units = o.no_of_units;
        const cents = amountCents(o.amount);
        const productName = o.name_of_product;
        const user = o.user;
        if (productId === null || !isUnits(units) || cents === null) return null;
        if (!optText(productName, 1, MAX_PRODUCT_NAME_LENGTH) || !optText(user, 1, MAX_NAME_LENGTH))
          return null;
        this.productId = productId;
        this.units = units;
        this.cents = cents;
        this.productName = nullish(productName) ? null : (productName as string);
        this.user = nullish(user) ? null : (user as string);
        break;
      }
      case 'productRated': {
        const productId = productIdOf(o.product_id);
        const rating = o.rating;
        const category = o.category;
        const productName = o.name_of_product;
        const user = o.user;
        if (productId === null || !isRating(rating) || !optText(category, 0, MAX_CATEGORY_LENGTH))
          return null;
        if (!optText(productName, 1, MAX_PRODUCT_NAME_LENGTH) || !optText(user, 1, MAX_NAME_LENGTH))
          return null;
        this.productId = productId;
        this.rating = rating;
        this.category = nullish(category) ? null : (category as string);
        this.productName = nullish(productName) ? null : (productName as string);
        this.user = nullish(user) ? null : (user as string);
        break;
      }
      case 'interaction': {
        const productId = productIdOf(o.product_id);
        const user = o.user;
        const action = o.action;
        const source = o.source;
        if (productId === null || !isText(user, 1, MAX_NAME_LENGTH) || !isToken(action)) return null;
        if (!nullish(source) && !isToken(source)) return null;
        this.productId = productId;
        this.user = user;
        this.action = action;
        this.source = nullish(source) ? DEFAULT_SOURCE : (source as string);
        break;
      }
      case 'productUpserted': {
        const productId = productIdOf(o.product_id);
        const name = o.name;
        const category = o.category;
        const cost = o.cost;
        const description = o.description;
        if (productId === null || !isText(name, 1, MAX_PRODUCT_NAME_LENGTH)) return null;
        if (!optText(category, 0, MAX_CATEGORY_LENGTH) || !optText(description, 0, MAX_DESCRIPTION_LENGTH)) {
          return null;
        }
        const costCents = nullish(cost) ? null : amountCents(cost);
        if (costCents === null && !nullish(cost)) return null;
        this.productId = productId;
        this.name = name;
        this.category = nullish(category) ? null : (category as string);
        this.costCents = costCents;
        this.description = nullish(description) ? null : (description as string);
        break;
      }
      case 'productDeleted': {
        const productId = productIdOf(o.product_id);
        if (productId === null) return null;
        this.productId = productId;
        break;
      }
      case 'profileUpserted': {
        const user = o.user;
        const displayName = o.display_name;
        const email = o.email;
        if (!isText(user, 1, MAX_NAME_LENGTH)) return null;
        if (!optText(displayName, 1, MAX_DISPLAY_NAME_LENGTH) || !(nullish(email) || isEmail(email)))
          return null;
        if (nullish(displayName) && nullish(email)) return null;
        this.user = user;
        this.displayName = nullish(displayName) ? null : (displayName as string);
        this.email = nullish(email) ? null : email;
        break;
      }
      case 'profileDeleted': {
        const user = o.user;
        if (!isText(user, 1, MAX_NAME_LENGTH)) return null;
        this.user = user;
        break;
      }
      default:
        return null;
    }
    this.type = kind;
    this.at = at;
    return kind;
  }

  /** The fields of a normalized event, as `read` would leave them. */
  load(e: MarketplaceEvent): void {
    this.type = e.type;
    this.at = e.at;
    switch (e.type) {
      case 'productSold':
        this.productId = e.productId;
        this.units = e.units;
        this.cents = e.cents;
        this.productName = e.productName;
        this.user = e.user;
        break;
      case 'productRated':
        this.productId = e.productId;
        this.rating = e.rating;
        this.category = e.category;
        this.productName = e.productName;
        this.user = e.user;
        break;
      case 'interaction':
        this.productId = e.productId;
        this.user = e.user;
        this.action = e.action;
        this.source = e.source;
        break;
      case 'productUpserted':
        this.productId = e.productId;
        this.name = e.name;
        this.category = e.category;
        this.costCents = e.costCents;
        this.description = e.description;
        break;
      case 'productDeleted':
        this.productId = e.productId;
        break;
      case 'profileUpserted':
        this.user = e.user;
        this.displayName = e.displayName;
        this.email = e.email;
        break;
      case 'profileDeleted':
        this.user = e.user;
        break;
    }
  }

  /** The last event read, as a normalized event. */
  event(): MarketplaceEvent {
    const { type, at } = this;
    switch (type) {
      case 'productSold':
        return {
          type,
          at,
          productId: this.productId,
          units: this.units,
          cents: this.cents,
          productName: this.productName,
          user: this.user,
        };
      case 'productRated':
        return {
          type,
          at,
          productId: this.productId,
          rating: this.rating,
          category: this.category,
          productName: this.productName,
          user: this.user,
        };
      case 'interaction':
        return {
          type,
          at,
          productId: this.productId,
          user: this.user as string,
          action: this.action,
          source: this.source,
        };
      case 'productUpserted':
        return {
          type,
          at,
          productId: this.productId,
          name: this.name,
          category: this.category,
          costCents: this.costCents,
          description: this.description,
        };
      case 'productDeleted':
        return { type, at, productId: this.productId };
      case 'profileUpserted':
        return { type, at, user: this.user as string, displayName: this.displayName, email: this.email };
      case 'profileDeleted':
        return { type, at, user: this.user as string };
    }
  }
}

const sharedReader = new MarketplaceReader();

/**
 * Validates one parsed JSON value as a marketplace event, without zod (MarketplaceReader). Returns the
 * normalized event, or null when the value is not a marketplace event or is malformed. Accepts
 * exactly what MarketplaceEventSchema accepts, and gives what fromMarketplaceRaw gives.
 */
export function readMarketplaceEvent(v: unknown, arrivalMs: number): MarketplaceEvent | null {
  return sharedReader.read(v, arrivalMs) === null ? null : sharedReader.event();
}

// ---- back to the wire ------------------------------------------------------------------------------

/**
 * A normalized event in its canonical wire shape (`type` spelling, product id as a string, amounts as
 * decimal strings, created_at given as `createdAt` or left out). For the catalogue write routes and tests.
 */
export function toMarketplaceWire(e: MarketplaceEvent, createdAt?: string): Record<string, unknown> {
  const money = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
  const out: Record<string, unknown> = { type: e.type };
  switch (e.type) {
    case 'productSold':
      out.product_id = e.productId;
      if (e.productName !== null) out.name_of_product = e.productName;
      out.no_of_units = e.units;
      out.amount = money(e.cents);
      if (e.user !== null) out.user = e.user;
      break;
    case 'productRated':
      out.product_id = e.productId;
      if (e.productName !== null) out.name_of_product = e.productName;
      out.rating = e.rating;
      if (e.category !== null) out.category = e.category;
      if (e.user !== null) out.user = e.user;
      break;
    case 'interaction':
      out.user = e.user;
      out.product_id = e.productId;
      out.action = e.action;
      out.source = e.source;
      break;
    case 'productUpserted':
      out.product_id = e.productId;
      out.name = e.name;
      if (e.category !== null) out.category = e.category;
      if (e.costCents !== null) out.cost = money(e.costCents);
      if (e.description !== null) out.description = e.description;
      break;
    case 'productDeleted':
      out.product_id = e.productId;
      break;
    case 'profileUpserted':
      out.user = e.user;
      if (e.displayName !== null) out.display_name = e.displayName;
      if (e.email !== null) out.email = e.email;
      break;
    case 'profileDeleted':
      out.user = e.user;
      break;
  }
  if (createdAt !== undefined) out.created_at = createdAt;
  return out;
}
