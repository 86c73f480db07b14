// domain/marketplace/events.ts: the hand-written validator `readMarketplaceEvent` accepts exactly what
// the zod contract `MarketplaceEventSchema` accepts, and gives the same normalized event; and the
// contract itself says what SPEC sections 10 and 11 say (hand-picked cases).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { eventKind } from '../../domain/event-kind';
import {
  isMarketplaceType,
  MarketplaceEventSchema,
  parseMarketplaceEvent,
  readMarketplaceEvent,
  toMarketplaceWire,
} from '../../domain/marketplace/events';
import { amountCents, centsToAmount } from '../../domain/marketplace/money';
import { validEventArb } from '../support/arbitraries';
import {
  BAD_AMOUNTS,
  malformedMarketEventArb,
  nearMissMarketEventArb,
  validMarketEventArb,
} from '../support/marketplace-arbitraries';

const ARRIVAL = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const AT = Date.UTC(2025, 6, 18, 20, 53, 54, 320);

/** The fast validator's answer as a plain record (to read any field of any type). */
function fields(x: unknown): Record<string, unknown> | null {
  return readMarketplaceEvent(x, ARRIVAL) as unknown as Record<string, unknown> | null;
}

/** The two validators agree on x: both accept (with the same event) or both refuse. */
function assertAgree(x: unknown): void {
  const parsed = MarketplaceEventSchema.safeParse(x);
  const fast = readMarketplaceEvent(x, ARRIVAL);
  if (parsed.success) {
    assert.notEqual(fast, null, `zod accepts, the fast validator refuses: ${show(x)}`);
    assert.deepEqual(fast, parseMarketplaceEvent(x, ARRIVAL), show(x));
  } else {
    assert.equal(fast, null, `zod refuses, the fast validator accepts: ${show(x)}`);
  }
}

function show(x: unknown): string {
  try {
    return JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  } catch {
    return String(x);
  }
}

describe('readMarketplaceEvent agrees with MarketplaceEventSchema', () => {
  test('on arbitrary values (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), assertAgree), { numRuns: 1000 });
    fc.assert(fc.property(fc.anything(), assertAgree), { numRuns: 500 });
  });

  test('on valid events in every spelling (property)', () => {
    fc.assert(
      fc.property(validMarketEventArb(), (x) => {
        assert.notEqual(readMarketplaceEvent(x, ARRIVAL), null, show(x));
        assertAgree(x);
      }),
      { numRuns: 1500 },
    );
  });

  test('on near-miss events (property)', () => {
    fc.assert(fc.property(nearMissMarketEventArb, assertAgree), { numRuns: 6000 });
  });

  test('on the malformed items the streams use (property)', () => {
    fc.assert(
      fc.property(malformedMarketEventArb, (x) => {
        assert.equal(readMarketplaceEvent(x, ARRIVAL), null, show(x));
        assertAgree(x);
      }),
      { numRuns: 1500 },
    );
  });

  test('social events are not marketplace events', () => {
    fc.assert(
      fc.property(validEventArb(), (x) => {
        assert.equal(readMarketplaceEvent(x, ARRIVAL), null);
        assert.equal(MarketplaceEventSchema.safeParse(x).success, false);
      }),
      { numRuns: 200 },
    );
  });

  test('toMarketplaceWire round-trips (property)', () => {
    fc.assert(
      fc.property(validMarketEventArb(), (x) => {
        const e = readMarketplaceEvent(x, ARRIVAL)!;
        assert.deepEqual(readMarketplaceEvent(toMarketplaceWire(e), e.at), e);
        assert.deepEqual(readMarketplaceEvent(toMarketplaceWire(e, '2025-07-18T20:53:54.320Z'), ARRIVAL), {
          ...e,
          at: AT,
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('the contract (SPEC 10, 11)', () => {
  const sale = {
    type: 'productSold',
    product_id: 233,
    name_of_product: 'product A',
    no_of_units: 10,
    amount: '2500',
    user: 'user00001',
    created_at: '20250718T205354320Z',
  };

  test("the SPEC's examples are valid", () => {
    const examples = [
      sale,
      {
        type: 'productRated',
        product_id: 12,
        name_of_product: 'product A',
        rating: 4,
        category: 'F',
        user: 'user00002',
        created_at: '20250718T205354320Z',
      },
      {
        type: 'interaction',
        user: 'user00001',
        product_id: 12,
        action: 'view',
        source: 'mobile',
        created_at: '20250718T205354320Z',
      },
      { type: 'productUpserted', product_id: 12, name: 'product A', category: 'F', cost: '19.90' },
      { type: 'productDeleted', product_id: 12 },
      { type: 'profileUpserted', user: 'user00001', display_name: 'Ann Lee', email: 'ann@example.com' },
      { type: 'profileDeleted', user: 'user00001' },
    ];
    for (const x of examples) {
      assert.notEqual(readMarketplaceEvent(x, ARRIVAL), null, show(x));
      assertAgree(x);
    }
  });

  test('a sale normalizes: product id as a string, amount in cents, created_at in ms', () => {
    assert.deepEqual(readMarketplaceEvent(sale, ARRIVAL), {
      type: 'productSold',
      at: AT,
      productId: '233',
      units: 10,
      cents: 250_000,
      productName: 'product A',
      user: 'user00001',
    });
  });

  test('233 and "233" are the same product; "0233" is another', () => {
    assert.equal(fields({ ...sale, product_id: '233' })?.productId, '233');
    assert.equal(fields({ ...sale, product_id: '0233' })?.productId, '0233');
    for (const bad of [0, -1, 1.5, 2 ** 53, '', 'x'.repeat(65), '😀'.repeat(65), 'a\ud800', null, true]) {
      assert.equal(readMarketplaceEvent({ ...sale, product_id: bad }, ARRIVAL), null, show(bad));
      assertAgree({ ...sale, product_id: bad });
    }
    assert.equal(fields({ ...sale, product_id: '😀'.repeat(64) })?.productId, '😀'.repeat(64));
  });

  test('the kind is type, else event_name, else event; null is absent; a present type wins', () => {
    const { type: _t, ...fields } = sale;
    const kinds: [Record<string, unknown>, boolean][] = [
      [{ event_name: 'productSold' }, true],
      [{ event: 'productSold' }, true],
      [{ type: null, event_name: 'productSold' }, true],
      [{ type: null, event_name: null, event: 'productSold' }, true],
      [{ type: 'productSold', event_name: 'x' }, true],
      [{ event_name: 'productSold', event: 'register' }, true],
      [{ type: 'x', event_name: 'productSold' }, false],
      [{ type: '', event_name: 'productSold' }, false],
      [{ event_name: 'x', event: 'productSold' }, false],
      [{ type: 'ProductSold' }, false],
      [{}, false],
    ];
    for (const [kind, ok] of kinds) {
      const x = { ...fields, ...kind };
      assert.equal(readMarketplaceEvent(x, ARRIVAL) !== null, ok, show(x));
      assertAgree(x);
    }
    assert.equal(eventKind({ event_name: 'register' }), 'register');
    assert.equal(eventKind({ type: null, event_name: null, event: null }), undefined);
    assert.equal(eventKind([{ type: 'productSold' }]), undefined);
    assert.ok(isMarketplaceType('profileDeleted'));
    assert.ok(!isMarketplaceType('register'));
  });

  test('without created_at (or with null) the event is placed at the arrival time', () => {
    const { created_at: _c, ...rest } = sale;
    assert.equal(fields(rest)?.at, ARRIVAL);
    assert.equal(fields({ ...rest, created_at: null })?.at, ARRIVAL);
    assert.equal(fields({ ...sale, created_at: '2025-07-18T22:53:54.320+02:00' })?.at, AT);
    for (const bad of ['', 'yesterday', '20250230T000000Z', '2025-07-18T20:53:54', 1752872034320]) {
      assert.equal(readMarketplaceEvent({ ...sale, created_at: bad }, ARRIVAL), null, show(bad));
    }
  });

  test('amounts: numbers and numeric strings with at most 2 decimals, exactly in cents', () => {
    const cases: [unknown, number][] = [
      ['2500', 250_000],
      [2500, 250_000],
      ['19.90', 1_990],
      ['19.9', 1_990],
      [19.9, 1_990],
      [0.1, 10],
      [0.07, 7],
      ['0.07', 7],
      [1.15, 115], // 1.15 * 100 is 114.99999999999999 in floating point
      [4.35, 435], // and 434.99999999999994
      ['007', 700],
      [0, 0],
      [-0, 0],
      ['1000000000000', 100_000_000_000_000],
      [1e12, 100_000_000_000_000],
      ['999999999999.99', 99_999_999_999_999],
    ];
    for (const [v, cents] of cases) {
      assert.equal(amountCents(v), cents, show(v));
      assert.equal(fields({ ...sale, amount: v })?.cents, cents, show(v));
      assertAgree({ ...sale, amount: v });
    }
    for (const v of BAD_AMOUNTS) {
      assert.equal(amountCents(v), null, show(v));
      assert.equal(readMarketplaceEvent({ ...sale, amount: v }, ARRIVAL), null, show(v));
      assertAgree({ ...sale, amount: v });
    }
  });

  test('amounts are answered as numbers with at most 2 decimals', () => {
    assert.equal(centsToAmount(1_990), 19.9);
    assert.equal(centsToAmount(7), 0.07);
    assert.equal(centsToAmount(250_000), 2500);
    assert.equal(centsToAmount(0), 0);
    assert.equal(centsToAmount(115), 1.15);
    assert.equal(centsToAmount(12_345_678_901_234_567n), 123456789012345.67);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000_000_000 }), (c) => {
        const v = centsToAmount(c);
        assert.match(String(v), /^\d+(\.\d{1,2})?$/);
        assert.equal(amountCents(v), c);
      }),
      { numRuns: 2000 },
    );
  });

  test('units and ratings are integer JSON numbers in range', () => {
    for (const [units, ok] of [
      [1, true],
      [1_000_000, true],
      [0, false],
      [1_000_001, false],
      [2.5, false],
      ['2', false],
    ] as const) {
      assert.equal(readMarketplaceEvent({ ...sale, no_of_units: units }, ARRIVAL) !== null, ok, show(units));
    }
    const rated = { type: 'productRated', product_id: 1, rating: 3 };
    for (const [rating, ok] of [
      [1, true],
      [5, true],
      [0, false],
      [6, false],
      [4.5, false],
      ['4', false],
    ] as const) {
      assert.equal(readMarketplaceEvent({ ...rated, rating }, ARRIVAL) !== null, ok, show(rating));
      assertAgree({ ...rated, rating });
    }
  });

  test('interactions: user and product required, action and source tokens, source defaults to unknown', () => {
    const i = { type: 'interaction', user: 'ann', product_id: 'p-1', action: 'add_to_cart' };
    assert.deepEqual(readMarketplaceEvent(i, ARRIVAL), {
      type: 'interaction',
      at: ARRIVAL,
      productId: 'p-1',
      user: 'ann',
      action: 'add_to_cart',
      source: 'unknown',
    });
    assert.equal(fields({ ...i, source: null })?.source, 'unknown');
    for (const bad of [
      { user: undefined },
      { product_id: null },
      { action: undefined },
      { action: 'View' },
    ]) {
      assert.equal(readMarketplaceEvent({ ...i, ...bad }, ARRIVAL), null, show(bad));
    }
    for (const [token, ok] of [
      ['a', true],
      ['a'.repeat(32), true],
      ['a'.repeat(33), false],
      ['a9_', true],
      ['9a', false],
      ['_a', false],
      ['a-b', false],
    ] as const) {
      assert.equal(readMarketplaceEvent({ ...i, action: token }, ARRIVAL) !== null, ok, token);
      assert.equal(readMarketplaceEvent({ ...i, source: token }, ARRIVAL) !== null, ok, token);
    }
  });

  test('names and texts: lengths in code points, no lone surrogate', () => {
    const i = { type: 'interaction', user: 'ann', product_id: 1, action: 'view' };
    assert.notEqual(readMarketplaceEvent({ ...i, user: '😀'.repeat(128) }, ARRIVAL), null);
    assert.equal(readMarketplaceEvent({ ...i, user: '😀'.repeat(129) }, ARRIVAL), null);
    assert.equal(readMarketplaceEvent({ ...i, user: 'ann\ud800' }, ARRIVAL), null);
    assert.equal(readMarketplaceEvent({ ...i, user: '\udc00ann' }, ARRIVAL), null);
    const up = { type: 'productUpserted', product_id: 1, name: 'n' };
    for (const [patch, ok] of [
      [{ description: 'd'.repeat(2_000) }, true],
      [{ description: 'd'.repeat(2_001) }, false],
      [{ description: '' }, true],
      [{ category: 'c'.repeat(64) }, true],
      [{ category: 'c'.repeat(65) }, false],
      [{ category: '' }, true],
      [{ name: '' }, false],
      [{ name: 'n'.repeat(129) }, false],
      [{ name: null }, false],
      [{ cost: '19.90' }, true],
      [{ cost: '1e3' }, false],
      [{ cost: null }, true],
    ] as const) {
      assert.equal(readMarketplaceEvent({ ...up, ...patch }, ARRIVAL) !== null, ok, show(patch));
      assertAgree({ ...up, ...patch });
    }
  });

  test('profiles: display_name or email (or both); a plausible email of at most 254', () => {
    const p = { type: 'profileUpserted', user: 'ann' };
    for (const [patch, ok] of [
      [{}, false],
      [{ display_name: null, email: null }, false],
      [{ display_name: 'Ann' }, true],
      [{ display_name: '' }, false],
      [{ email: 'ann@example.com' }, true],
      [{ email: 'ann+tag@mail.example.co.uk' }, true],
      [{ email: `${'a'.repeat(242)}@example.com` }, true], // 254
      [{ email: `${'a'.repeat(243)}@example.com` }, false], // 255
      [{ email: 'ann@example' }, false],
      [{ email: 'ann@@example.com' }, false],
      [{ email: 'ann example@example.com' }, false],
      [{ email: '@example.com' }, false],
      [{ email: 'ann@.example.com' }, false],
      [{ email: 'ann@example.com.' }, false],
      [{ email: '' }, false],
      [{ display_name: 'Ann', email: 'nope' }, false],
    ] as const) {
      assert.equal(readMarketplaceEvent({ ...p, ...patch }, ARRIVAL) !== null, ok, show(patch));
      assertAgree({ ...p, ...patch });
    }
  });
});
