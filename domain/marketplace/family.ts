// The marketplace family as the shared layers see it: its kinds, and the figure sets its fold reports
// per 5-second bucket (domain/figures.ts). Keys of the composite sets join their parts with U+0001,
// which no name, product id, action or source can hold... except a name or product id, which may hold
// any character: so the product id or user always comes first and the action or source (a token of
// [a-z0-9_]) last, and a key is split at its last U+0001.
import type { FamilyDef } from '../family';
import type { FigureSet } from '../figures';
import { CENTS_BASE } from './money';

export const MARKETPLACE_KINDS = [
  'productSold',
  'productRated',
  'interaction',
  'productUpserted',
  'productDeleted',
  'profileUpserted',
  'profileDeleted',
] as const;

/**
 * Per product: sales, ratings (count, sum, per star) and interactions. Revenue in cents is
 * `centsHi × CENTS_BASE + cents` (domain/marketplace/money.ts; `centsHi` came later: older rows and
 * blocks hold all of it in `cents`).
 */
export const PRODUCT_FIGURES: FigureSet = {
  id: 'mkt.product',
  columns: [
    'orders',
    'units',
    'cents',
    'ratings',
    'ratingSum',
    'star1',
    'star2',
    'star3',
    'star4',
    'star5',
    'interactions',
    'centsHi',
  ],
  wide: [{ lo: 2, hi: 11, base: CENTS_BASE }],
};
export const P = {
  orders: 0,
  units: 1,
  cents: 2,
  ratings: 3,
  ratingSum: 4,
  star1: 5,
  interactions: 10,
  centsHi: 11,
} as const;

/** Per user: interactions, purchases (orders, units, cents as the products' are) and ratings given (count, sum). */
export const USER_FIGURES: FigureSet = {
  id: 'mkt.user',
  columns: ['interactions', 'orders', 'units', 'cents', 'ratings', 'ratingSum', 'centsHi'],
  wide: [{ lo: 3, hi: 6, base: CENTS_BASE }],
};
export const U = {
  interactions: 0,
  orders: 1,
  units: 2,
  cents: 3,
  ratings: 4,
  ratingSum: 5,
  centsHi: 6,
} as const;

/** Interactions per (product, action), (user, action), (user, source) and (source, action). */
export const PRODUCT_ACTION_FIGURES: FigureSet = { id: 'mkt.productAction', columns: ['interactions'] };
export const USER_ACTION_FIGURES: FigureSet = { id: 'mkt.userAction', columns: ['interactions'] };
export const USER_SOURCE_FIGURES: FigureSet = { id: 'mkt.userSource', columns: ['interactions'] };
export const SOURCE_ACTION_FIGURES: FigureSet = { id: 'mkt.sourceAction', columns: ['interactions'] };

export const KEY_JOIN = '\u0001';

/** The key of a pair (entity first, token last). */
export function pairKey(entity: string, token: string): string {
  return `${entity}${KEY_JOIN}${token}`;
}

/** A pair key's parts (split at its last U+0001). */
export function splitPairKey(key: string): [string, string] {
  const i = key.lastIndexOf(KEY_JOIN);
  return [key.slice(0, i), key.slice(i + 1)];
}

export const MARKETPLACE: FamilyDef = {
  name: 'marketplace',
  types: MARKETPLACE_KINDS,
  reasons: [],
  sets: [
    PRODUCT_FIGURES,
    USER_FIGURES,
    PRODUCT_ACTION_FIGURES,
    USER_ACTION_FIGURES,
    USER_SOURCE_FIGURES,
    SOURCE_ACTION_FIGURES,
  ],
};
