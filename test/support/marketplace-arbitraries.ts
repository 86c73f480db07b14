// fast-check generators of marketplace events (SPEC section 11): valid ones in every accepted spelling,
// near misses (one field changed to a value around a limit), and items that must be malformed. The
// universes are small on purpose, so that streams name the same products and users again and again
// (identical upserts, deletes of deleted entries, ratings of products seen once, …).
import fc from 'fast-check';
import { createdAtArb } from './arbitraries';

export const PRODUCT_NUMBERS = [1, 2, 3, 10, 233] as const;
export const PRODUCT_STRINGS = ['p-1', 'P-1', 'sku 9', 'é'] as const;
export const SHOPPERS = ['ann', 'bob', 'cat', 'ghost'] as const;
export const ACTIONS = ['view', 'click', 'add_to_cart', 'purchase', 'share'] as const;
export const SOURCES = ['web', 'mobile', 'app'] as const;

/** A product id as a producer may write it: a number, the same number as a string, or a string id. */
export const productIdArb: fc.Arbitrary<number | string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PRODUCT_NUMBERS) },
  { weight: 3, arbitrary: fc.constantFrom(...PRODUCT_NUMBERS).map(String) },
  { weight: 2, arbitrary: fc.constantFrom(...PRODUCT_STRINGS) },
);

/** Edge-of-range ids, valid ones. */
export const edgeProductIdArb: fc.Arbitrary<number | string> = fc.constantFrom(
  2 ** 53 - 1,
  'x'.repeat(64),
  '😀'.repeat(64),
  '0',
  '0233',
  ' ',
);

/** Valid amounts: numbers and numeric strings with 0–2 decimals, in [0, 1e12]. */
export const amountArb: fc.Arbitrary<number | string> = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }),
  fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100),
  fc
    .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom(0, 1, 2))
    .map(([w, f, digits]) =>
      digits === 0 ? String(w) : `${w}.${String(f).padStart(2, '0').slice(0, digits)}`,
    ),
  fc.constantFrom<number | string>(
    0,
    -0,
    '0',
    '0.00',
    '007',
    '19.90',
    '19.9',
    19.9,
    0.1,
    1e12,
    '1000000000000',
    '1000000000000.00',
    999_999_999_999.99,
    '999999999999.99',
  ),
);

/** Amount-like values that must be refused. */
export const BAD_AMOUNTS: readonly unknown[] = [
  '1e3',
  ' 5',
  '5 ',
  '-1',
  -1,
  -0.01,
  '+5',
  '1,5',
  '12.',
  '.5',
  '1.005',
  1.005,
  0.1 + 0.2,
  '1000000000000.01',
  1e12 + 0.01,
  1e13,
  '１２',
  '',
  'NaN',
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  null,
  [],
  {},
  '0x10',
  1e-7,
  '99999999999999999999',
];

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> =>
  fc.oneof({ weight: 3, arbitrary: arb }, fc.constant(null), fc.constant(undefined));

/** created_at: given (any accepted form), null, or absent. */
const maybeCreatedAtArb = optional(createdAtArb);

const userArb = fc.constantFrom(...SHOPPERS);

/** The event's fields (no kind), per type. */
const FIELDS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  productSold: fc.record({
    product_id: productIdArb,
    name_of_product: optional(fc.constantFrom('product A', 'product B', 'Lampe é')),
    no_of_units: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(1_000_000)),
    amount: amountArb,
    user: optional(userArb),
    created_at: maybeCreatedAtArb,
  }),
  productRated: fc.record({
    product_id: productIdArb,
    name_of_product: optional(fc.constantFrom('product A', 'product B')),
    rating: fc.integer({ min: 1, max: 5 }),
    category: optional(fc.constantFrom('F', 'books', '')),
    user: optional(userArb),
    created_at: maybeCreatedAtArb,
  }),
  interaction: fc.record({
    user: userArb,
    product_id: productIdArb,
    action: fc.constantFrom(...ACTIONS),
    source: optional(fc.constantFrom(...SOURCES)),
    created_at: maybeCreatedAtArb,
  }),
  productUpserted: fc.record({
    product_id: productIdArb,
    name: fc.constantFrom('product A', 'product B', 'Lampe é'),
    category: optional(fc.constantFrom('F', 'books', '')),
    cost: optional(fc.constantFrom<number | string>('19.90', 19.9, 5, '5', '0')),
    description: optional(fc.constantFrom('', 'A fine lamp.', 'd'.repeat(2_000))),
    created_at: maybeCreatedAtArb,
  }),
  productDeleted: fc.record({ product_id: productIdArb, created_at: maybeCreatedAtArb }),
  profileUpserted: fc
    .record({
      user: userArb,
      display_name: optional(fc.constantFrom('Ann Lee', 'A', 'n'.repeat(128))),
      email: optional(fc.constantFrom('ann@example.com', 'a.b+c@mail.example.org')),
      created_at: maybeCreatedAtArb,
    })
    .filter((p) => p.display_name != null || p.email != null),
  profileDeleted: fc.record({ user: userArb, created_at: maybeCreatedAtArb }),
};

export const MARKETPLACE_TYPE_NAMES = Object.keys(FIELDS);

/** Drops keys whose value is undefined (what JSON would do), so shapes look like the wire. */
function clean(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

type KindSpelling = 'type' | 'event_name' | 'event' | 'event_name+nullType' | 'event+nulls';

/** The kind written in one of the accepted ways. */
function withKind(
  kind: string,
  spelling: KindSpelling,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  switch (spelling) {
    case 'type':
      return { type: kind, ...fields };
    case 'event_name':
      return { event_name: kind, ...fields };
    case 'event':
      return { event: kind, ...fields };
    case 'event_name+nullType':
      return { type: null, event_name: kind, ...fields };
    case 'event+nulls':
      return { type: null, event_name: null, event: kind, ...fields };
  }
}

const spellingArb: fc.Arbitrary<KindSpelling> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<KindSpelling>('type') },
  fc.constantFrom<KindSpelling>('event_name', 'event', 'event_name+nullType', 'event+nulls'),
);

/** A valid marketplace event of `type` (any type when omitted), in any accepted spelling. */
export function validMarketEventArb(type?: string): fc.Arbitrary<Record<string, unknown>> {
  const typeArb = type === undefined ? fc.constantFrom(...MARKETPLACE_TYPE_NAMES) : fc.constant(type);
  return typeArb.chain((t) =>
    fc.tuple(FIELDS[t], spellingArb).map(([fields, spelling]) => withKind(t, spelling, clean(fields))),
  );
}

/** Valid events weighted as a real stream: interactions ≫ sales > ratings > catalogue and profiles. */
export const weightedMarketEventArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 8, arbitrary: validMarketEventArb('interaction') },
  { weight: 4, arbitrary: validMarketEventArb('productSold') },
  { weight: 3, arbitrary: validMarketEventArb('productRated') },
  { weight: 2, arbitrary: validMarketEventArb('productUpserted') },
  { weight: 1, arbitrary: validMarketEventArb('productDeleted') },
  { weight: 2, arbitrary: validMarketEventArb('profileUpserted') },
  { weight: 1, arbitrary: validMarketEventArb('profileDeleted') },
);

/** Values around the limits of every field (some valid, most not). */
export const fieldValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...BAD_AMOUNTS),
  amountArb,
  edgeProductIdArb,
  fc.constantFrom<unknown>(
    0,
    1,
    5,
    6,
    4.5,
    1_000_000,
    1_000_001,
    -3,
    2 ** 53,
    1e21,
    '',
    'a',
    'View',
    'add_to_cart',
    'a'.repeat(32),
    'a'.repeat(33),
    '_a',
    'a-b',
    'a b',
    '9a',
    'x'.repeat(64),
    'x'.repeat(65),
    'x'.repeat(128),
    'x'.repeat(129),
    '😀'.repeat(64),
    '😀'.repeat(65),
    '😀'.repeat(128),
    '😀'.repeat(129),
    'd'.repeat(2_000),
    'd'.repeat(2_001),
    'ab\ud800',
    '\udc00',
    '\ud83d\ude00',
    'ann@example.com',
    'ann@example',
    'ann@@example.com',
    '@example.com',
    'ann@.com',
    'ann@example..com',
    'ann @example.com',
    'ann@exa\tmple.com',
    `${'a'.repeat(244)}@example.com`,
    `${'a'.repeat(243)}@example.com`,
    'productSold',
    '20250718T205354320Z',
    '2025-07-18T20:53:54+05:30',
    '20250230T000000Z',
    null,
    true,
    [],
    {},
  ),
  fc.string({ maxLength: 4 }),
  fc.jsonValue({ maxDepth: 1 }),
);

const KEYS = [
  'type',
  'event_name',
  'event',
  'product_id',
  'name_of_product',
  'no_of_units',
  'amount',
  'user',
  'rating',
  'category',
  'action',
  'source',
  'name',
  'cost',
  'description',
  'display_name',
  'email',
  'created_at',
];

const KIND_VALUES = [
  ...MARKETPLACE_TYPE_NAMES,
  'register',
  'ProductSold',
  'productsold',
  ' productSold',
  '',
  0,
];

/** Values shaped for one field: token-like, decimal-like, text around its length limit. */
const FIELD_SHAPED: [string[], fc.Arbitrary<unknown>][] = [
  [
    ['action', 'source'],
    fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'z', '0', '9', '_', 'A', '-', ' '), maxLength: 6 }),
      fc
        .tuple(fc.integer({ min: 30, max: 34 }), fc.constantFrom('a', '9', '_', 'A'))
        .map(([n, c]) => `a${c.repeat(n - 1)}`),
    ),
  ],
  [
    ['amount', 'cost'],
    fc.oneof(
      fc.string({ unit: fc.constantFrom('0', '1', '9', '.', '-', '+', 'e', ' '), maxLength: 8 }),
      fc.double({ min: -10, max: 1e13 }),
      fc.integer({ min: 99_999_999_999_990, max: 100_000_000_000_010 }).map((c) => c / 100),
    ),
  ],
  [
    ['user', 'name', 'name_of_product', 'display_name', 'category', 'product_id'],
    fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 60, maxLength: 70 }),
      fc.string({ unit: 'grapheme', minLength: 124, maxLength: 132 }),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
  ],
  [
    ['product_id', 'no_of_units', 'rating'],
    fc.oneof(fc.integer({ min: -2, max: 7 }), fc.double({ min: 0, max: 6 })),
  ],
];

/** A valid event with one thing changed (or not): where two validators could disagree. */
export const nearMissMarketEventArb: fc.Arbitrary<unknown> = fc.oneof(
  validMarketEventArb(),
  fc
    .tuple(validMarketEventArb(), fc.constantFrom(...FIELD_SHAPED))
    .chain(([e, [keys, values]]) =>
      fc.tuple(fc.constantFrom(...keys), values).map(([k, v]) => ({ ...e, [k]: v })),
    ),
  fc
    .tuple(validMarketEventArb(), fc.constantFrom(...KEYS), fieldValueArb)
    .map(([e, k, v]) => ({ ...e, [k]: v })),
  fc
    .tuple(
      validMarketEventArb(),
      fc.constantFrom(...KEYS),
      fieldValueArb,
      fc.constantFrom(...KEYS),
      fieldValueArb,
    )
    .map(([e, k1, v1, k2, v2]) => ({ ...e, [k1]: v1, [k2]: v2 })),
  fc.tuple(validMarketEventArb(), fc.constantFrom(...KEYS)).map(([e, k]) => {
    const copy: Record<string, unknown> = { ...e };
    delete copy[k];
    return copy;
  }),
  // the kind spelled again under another key, or a conflicting kind
  fc
    .tuple(
      validMarketEventArb(),
      fc.constantFrom('type', 'event_name', 'event'),
      fc.constantFrom<unknown>(...KIND_VALUES, null, undefined),
    )
    .map(([e, k, v]) => ({ ...e, [k]: v })),
  // another type's fields under this kind
  fc
    .tuple(validMarketEventArb(), fc.constantFrom(...MARKETPLACE_TYPE_NAMES))
    .map(([e, t]) => ({ ...e, type: t })),
);

/** Marketplace items that must end as `malformed`. */
export const malformedMarketEventArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(validMarketEventArb('productSold'), fc.constantFrom(...BAD_AMOUNTS)).map(([e, amount]) => ({
    ...e,
    amount,
  })),
  fc
    .tuple(validMarketEventArb('productSold'), fc.constantFrom<unknown>(0, -1, 1.5, 1_000_001, '2', null))
    .map(([e, no_of_units]) => ({ ...e, no_of_units })),
  fc
    .tuple(validMarketEventArb('productRated'), fc.constantFrom<unknown>(0, 6, 4.5, '4', null))
    .map(([e, rating]) => ({ ...e, rating })),
  fc
    .tuple(validMarketEventArb(), fc.constantFrom<unknown>(0, -3, 1.5, '', 'x'.repeat(65), null, true))
    .filter(([e]) => 'product_id' in e)
    .map(([e, product_id]) => ({ ...e, product_id })),
  fc
    .tuple(validMarketEventArb('interaction'), fc.constantFrom<unknown>('View', '', 'a-b', null, 3))
    .map(([e, action]) => ({ ...e, action })),
  fc
    .tuple(validMarketEventArb('interaction'), fc.constantFrom<unknown>('Web', 'a b', '_x', 7))
    .map(([e, source]) => ({ ...e, source })),
  fc
    .tuple(validMarketEventArb(), fc.constantFrom<unknown>('', 'x'.repeat(129), 'ab\ud800', 5))
    .filter(([e]) => 'user' in e)
    .map(([e, user]) => ({ ...e, user })),
  validMarketEventArb('interaction').map(({ user: _u, ...rest }) => rest),
  validMarketEventArb('profileUpserted').map(({ display_name: _d, email: _e, ...rest }) => rest),
  fc
    .tuple(validMarketEventArb('profileUpserted'), fc.constantFrom('ann@example', 'not an email', ''))
    .map(([e, email]) => ({ ...e, email })),
  fc
    .tuple(
      validMarketEventArb(),
      fc.constantFrom('yesterday', '20250230T000000Z', '2025-07-18T20:53:54', 1752872034320),
    )
    .map(([e, created_at]) => ({ ...e, created_at })),
  fc
    .tuple(validMarketEventArb(), fc.constantFrom('productsold', 'ProductSold', 'sale', ''))
    .map(([e, type]) => ({ ...e, type })),
);
