// The marketplace reference model's own tests: small streams whose answers are worked out by hand
// (SPEC sections 10 and 11). Every expectation below is written out, never computed by the model.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MarketplaceModel, ModelQueryError } from './marketplace-model';

/** 2025-07-18T21:00:00.000Z: a bucket, minute and hour edge. */
const T = Date.UTC(2025, 6, 18, 21, 0, 0);
const at = (ms: number) => new Date(ms).toISOString();
/** The compact created_at of T + ms. */
const ca = (ms: number) => new Date(T + ms).toISOString().replace(/[-:]/g, '').replace('.', '');
const ARRIVAL = T + 30 * 60_000; // 21:30:00

describe('marketplace model: outcomes and counters', () => {
  const events: unknown[] = [
    { type: 'register', name: 'ann', created_at: ca(0) }, // 0 social applied
    { type: 'productUpserted', product_id: 12, name: 'Lamp', category: 'home', cost: '19.90' }, // 1 applied
    { event_name: 'productUpserted', product_id: '12', name: 'Lamp', category: 'home', cost: 19.9 }, // 2 noop
    { type: 'productDeleted', product_id: 7 }, // 3 noop: no entry
    { event: 'productSold', product_id: 12, no_of_units: 2, amount: '39.80', user: 'ann', created_at: ca(0) }, // 4
    { type: 'productSold', product_id: 12, no_of_units: 1, amount: '1e3' }, // 5 malformed
    { type: 'poke', name: 'ann' }, // 6 malformed, no family
    { type: 'profileDeleted', user: 'ann' }, // 7 noop: no profile
    { type: 'profileUpserted', user: 'ann', display_name: 'Ann' }, // 8 applied
    { type: 'addfriend', user1_name: 'ann', user2_name: 'bob', created_at: ca(0) }, // 9 unknown_user
    { type: 'profileUpserted', user: 'ann', display_name: 'Ann', email: null }, // 10 noop: identical
    { type: null, event_name: 'register', name: 'bob', created_at: ca(0) }, // 11 social applied
  ];
  const m = MarketplaceModel.fromEvents(events, ARRIVAL);

  test('every event gets its family and outcome', () => {
    assert.deepEqual(
      m.verdicts.map((v) => [v.family, v.type, v.outcome]),
      [
        ['social', 'register', 'applied'],
        ['marketplace', 'productUpserted', 'applied'],
        ['marketplace', 'productUpserted', 'noop'],
        ['marketplace', 'productDeleted', 'noop'],
        ['marketplace', 'productSold', 'applied'],
        ['marketplace', 'productSold', 'malformed'],
        [null, null, 'malformed'],
        ['marketplace', 'profileDeleted', 'noop'],
        ['marketplace', 'profileUpserted', 'applied'],
        ['social', 'addfriend', 'unknown_user'],
        ['marketplace', 'profileUpserted', 'noop'],
        ['social', 'register', 'applied'],
      ],
    );
  });

  test('/meta/pipeline counts per family and per type', () => {
    assert.deepEqual(m.pipeline(), {
      applied: 5,
      noop: 4,
      rejected: 3,
      rejectedByReason: {
        malformed: 2,
        duplicate_register: 0,
        unknown_user: 1,
        self_relation: 0,
        already_referred: 0,
        referral_cycle: 0,
        duplicate_post: 0,
      },
      byFamily: {
        social: { applied: 2, noop: 0, rejected: 1 },
        marketplace: { applied: 3, noop: 4, rejected: 1 },
        posts: { applied: 0, noop: 0, rejected: 0 },
      },
      byType: {
        register: 2,
        referral: 0,
        addfriend: 0,
        unfriend: 0,
        productSold: 1,
        productRated: 0,
        interaction: 0,
        productUpserted: 1,
        productDeleted: 0,
        profileUpserted: 1,
        profileDeleted: 0,
        post: 0,
      },
    });
  });

  test('product 7 (only a noop delete) does not exist; 12 does', () => {
    assert.equal(m.product('7'), null);
    assert.deepEqual(m.listProducts(undefined, 10), {
      total: 1,
      items: [{ productId: '12', name: 'Lamp', category: 'home' }],
      nextAfter: null,
    });
  });
});

describe('marketplace model: the product profile', () => {
  const m = MarketplaceModel.fromRecords([
    {
      arrivalMs: ARRIVAL,
      events: [
        {
          type: 'productSold',
          product_id: 5,
          name_of_product: 'Old name',
          no_of_units: 1,
          amount: '0.10',
          created_at: ca(10_000),
        },
        {
          type: 'productRated',
          product_id: '5',
          name_of_product: 'New name',
          rating: 4,
          category: 'ignored',
          created_at: ca(20_000),
        },
        { type: 'productSold', product_id: 5, no_of_units: 3, amount: 0.2, created_at: ca(30_000) },
        { type: 'interaction', user: 'ann', product_id: 9, action: 'view' }, // at ARRIVAL
      ],
    },
  ]);

  test('name from the latest sale or rating carrying one; no catalogue entry: nulls', () => {
    assert.deepEqual(m.product('5'), {
      productId: '5',
      name: 'New name',
      category: null,
      cost: null,
      description: null,
      firstSeenAt: at(T + 10_000),
      sales: { orders: 2, units: 4, revenue: 0.3 }, // 10 + 20 cents, exactly
      ratings: { count: 1, average: 4 },
      interactions: { total: 0, byAction: {} },
    });
    assert.deepEqual(m.product('9'), {
      productId: '9',
      name: null,
      category: null,
      cost: null,
      description: null,
      firstSeenAt: at(ARRIVAL),
      sales: { orders: 0, units: 0, revenue: 0 },
      ratings: { count: 0, average: null },
      interactions: { total: 1, byAction: { view: 1 } },
    });
  });

  test('the catalogue entry wins while it exists; a delete keeps the figures; late events keep firstSeenAt', () => {
    const m2 = MarketplaceModel.fromRecords([
      { arrivalMs: ARRIVAL, events: m.items },
      {
        arrivalMs: ARRIVAL + 1_000,
        events: [
          { type: 'productUpserted', product_id: 5, name: 'Catalogue name', cost: 5, description: 'Nice' },
          // a late sale: created_at before firstSeenAt
          {
            type: 'productSold',
            product_id: '5',
            no_of_units: 1,
            amount: '1000000000000',
            created_at: ca(0),
          },
        ],
      },
    ]);
    assert.deepEqual(m2.product('5'), {
      productId: '5',
      name: 'Catalogue name',
      category: null,
      cost: 5,
      description: 'Nice',
      firstSeenAt: at(T + 10_000),
      sales: { orders: 3, units: 5, revenue: 1000000000000.3 },
      ratings: { count: 1, average: 4 },
      interactions: { total: 0, byAction: {} },
    });
    m2.push({ type: 'productDeleted', product_id: '5' }, ARRIVAL + 2_000);
    const after = m2.product('5');
    assert.equal(after?.name, 'New name');
    assert.equal(after?.cost, null);
    assert.equal(after?.description, null);
    assert.deepEqual(after?.sales, { orders: 3, units: 5, revenue: 1000000000000.3 });
  });

  test('an upsert replaces the whole entry (absent fields become null)', () => {
    const m3 = MarketplaceModel.fromEvents(
      [
        { type: 'productUpserted', product_id: 1, name: 'A', category: 'c', cost: '2.50', description: 'd' },
        { type: 'productUpserted', product_id: 1, name: 'A' },
        { type: 'productUpserted', product_id: 1, name: 'A', category: null },
      ],
      ARRIVAL,
    );
    assert.deepEqual(
      m3.verdicts.map((v) => v.outcome),
      ['applied', 'applied', 'noop'],
    );
    const p = m3.product('1');
    assert.deepEqual([p?.name, p?.category, p?.cost, p?.description], ['A', null, null, null]);
  });
});

describe('marketplace model: products list', () => {
  const m = MarketplaceModel.fromEvents(
    [
      { type: 'interaction', user: 'u', product_id: 9, action: 'view' },
      { type: 'interaction', user: 'u', product_id: 10, action: 'view' },
      { type: 'interaction', user: 'u', product_id: '100', action: 'view' },
      { type: 'productUpserted', product_id: 'b-1', name: 'Bee', category: 'bugs' },
      { type: 'interaction', user: 'u', product_id: 'B-1', action: 'view' },
    ],
    ARRIVAL,
  );

  test('by productId in code-unit order, with prefix and pages', () => {
    const first = m.listProducts(undefined, 2);
    assert.deepEqual(first, {
      total: 5,
      items: [
        { productId: '10', name: null, category: null },
        { productId: '100', name: null, category: null },
      ],
      nextAfter: '100',
    });
    assert.deepEqual(
      m.listProducts(undefined, 2, '100').items.map((i) => i.productId),
      ['9', 'B-1'],
    );
    assert.deepEqual(m.listProducts(undefined, 2, 'B-1'), {
      total: 5,
      items: [{ productId: 'b-1', name: 'Bee', category: 'bugs' }],
      nextAfter: null,
    });
    assert.deepEqual(
      m.listProducts('10', 10).items.map((i) => i.productId),
      ['10', '100'],
    );
    assert.equal(m.listProducts('x', 10).total, 0);
  });
});

describe('marketplace model: sales and ratings over ranges', () => {
  const m = MarketplaceModel.fromEvents(
    [
      { type: 'productSold', product_id: 1, no_of_units: 1, amount: '10', created_at: ca(1_000) },
      { type: 'productSold', product_id: 1, no_of_units: 2, amount: '20.50', created_at: ca(7_000) },
      { type: 'productSold', product_id: 1, no_of_units: 4, amount: 1.25, created_at: ca(61_000) },
      { type: 'productRated', product_id: 1, rating: 5, created_at: ca(2_000) },
      { type: 'productRated', product_id: 1, rating: 4, created_at: ca(3_000) },
      { type: 'productRated', product_id: 1, rating: 4, created_at: ca(12_000) },
    ],
    ARRIVAL,
  );
  const now = T + 65_000; // a bucket edge: the bucket holding now is [T+65 s, T+70 s)

  test('a range widened to buckets, with a 5 s series', () => {
    assert.deepEqual(m.productSales('1', { from: T + 2_000, to: T + 9_000, interval: '5s' }, now), {
      productId: '1',
      from: at(T),
      to: at(T + 10_000),
      interval: '5s',
      orders: 2,
      units: 3,
      revenue: 30.5,
      series: [
        { start: at(T), orders: 1, units: 1, revenue: 10 },
        { start: at(T + 5_000), orders: 1, units: 2, revenue: 20.5 },
      ],
    });
  });

  test('no from, no to: from the earliest sale to the step holding now, finest interval', () => {
    const s = m.productSales('1', {}, now);
    assert.equal(s?.from, at(T));
    assert.equal(s?.to, at(T + 70_000));
    assert.equal(s?.interval, '5s');
    assert.equal(s?.series.length, 14);
    assert.deepEqual([s?.orders, s?.units, s?.revenue], [3, 7, 31.75]);
    assert.deepEqual(s?.series[12], { start: at(T + 60_000), orders: 1, units: 4, revenue: 1.25 });
    // interval 1m: steps aligned to minutes, the last one holding now
    const m1 = m.productSales('1', { interval: '1m' }, now);
    assert.deepEqual(m1?.series, [
      { start: at(T), orders: 2, units: 3, revenue: 30.5 },
      { start: at(T + 60_000), orders: 1, units: 4, revenue: 1.25 },
    ]);
  });

  test('window: the last stretch up to the end of the bucket holding now', () => {
    const w = m.productSales('1', { window: '1m' }, now + 1);
    assert.deepEqual([w?.from, w?.to, w?.orders, w?.series.length], [at(T + 10_000), at(T + 70_000), 1, 12]);
  });

  test('the finest interval with at most 1,000 points; errors name their parameter', () => {
    assert.equal(m.productSales('1', { from: T, to: T + 2 * 86_400_000 }, now)?.interval, '5m');
    const fails: [object, string][] = [
      [{ window: '1m', from: T }, 'window'],
      [{ window: '1h', to: T }, 'window'],
      [{ from: T + 5_000, to: T }, 'from'],
      [{ from: T + 1_000, to: T + 1_000 }, 'from'],
      [{ from: T, to: T + 2 * 86_400_000, interval: '5s' }, 'interval'],
      [{ from: 0, to: T, interval: '1d' }, 'interval'], // 55 years at 1d
    ];
    for (const [p, param] of fails) {
      assert.throws(
        () => m.productSales('1', p, now),
        (e: unknown) => e instanceof ModelQueryError && e.param === param,
        JSON.stringify(p),
      );
    }
    assert.equal(m.productSales('2', {}, now), null);
    // Without interval, a range too long even at 1d: its last 1,000 days, as the social series.
    const long = m.productSales('1', { from: 0, to: T }, now);
    assert.deepEqual([long?.interval, long?.series.length, long?.to], ['1d', 1_000, at(T)]);
    assert.equal(long?.from, at(Math.floor((T - 1) / 86_400_000) * 86_400_000 - 999 * 86_400_000));
  });

  test('ratings: count, average, distribution, series with null averages', () => {
    assert.deepEqual(m.productRatings('1', { from: T, to: T + 15_000 }, now), {
      productId: '1',
      from: at(T),
      to: at(T + 15_000),
      interval: '5s',
      count: 3,
      average: 13 / 3,
      distribution: { '1': 0, '2': 0, '3': 0, '4': 2, '5': 1 },
      series: [
        { start: at(T), count: 2, average: 4.5 },
        { start: at(T + 5_000), count: 0, average: null },
        { start: at(T + 10_000), count: 1, average: 4 },
      ],
    });
  });
});

describe('marketplace model: product leaderboards', () => {
  const m = MarketplaceModel.fromEvents(
    [
      { type: 'productUpserted', product_id: 9, name: 'Nine' },
      { type: 'productSold', product_id: 9, no_of_units: 1, amount: '10', created_at: ca(0) },
      { type: 'productSold', product_id: 10, no_of_units: 5, amount: '10.00', created_at: ca(0) },
      { type: 'productSold', product_id: 2, no_of_units: 3, amount: '0', created_at: ca(0) },
      { type: 'productSold', product_id: 2, no_of_units: 1, amount: '99', created_at: ca(60_000) },
      { type: 'productRated', product_id: 9, rating: 5, created_at: ca(0) },
      { type: 'productRated', product_id: 10, rating: 5, created_at: ca(0) },
      { type: 'productRated', product_id: 10, rating: 4, created_at: ca(0) },
      { type: 'productRated', product_id: 2, rating: 3, created_at: ca(0) },
      { type: 'interaction', user: 'u', product_id: 2, action: 'view', created_at: ca(0) },
      { type: 'interaction', user: 'u', product_id: 2, action: 'view', created_at: ca(0) },
      { type: 'interaction', user: 'u', product_id: 9, action: 'click', created_at: ca(0) },
    ],
    ARRIVAL,
  );
  const now = T + 3_600_000;
  const upTo = { to: T + 5_000 }; // leaves out the sale at T + 60 s

  test('revenue: ties by productId in code-unit order; zero values left out', () => {
    assert.deepEqual(m.productLeaderboard({ metric: 'revenue', ...upTo }, now), {
      metric: 'revenue',
      from: null,
      to: at(T + 5_000),
      items: [
        { rank: 1, productId: '10', name: null, value: 10 },
        { rank: 2, productId: '9', name: 'Nine', value: 10 },
      ],
    });
    assert.deepEqual(
      m.productLeaderboard({ metric: 'revenue' }, now).items.map((i) => [i.productId, i.value]),
      [
        ['2', 99],
        ['10', 10],
        ['9', 10],
      ],
    );
  });

  test('units, orders, interactions (of one action), rating with minRatings', () => {
    const ids = (q: Parameters<MarketplaceModel['productLeaderboard']>[0]) =>
      m.productLeaderboard(q, now).items.map((i) => [i.productId, i.value]);
    assert.deepEqual(ids({ metric: 'units', ...upTo }), [
      ['10', 5],
      ['2', 3],
      ['9', 1],
    ]);
    assert.deepEqual(ids({ metric: 'orders', ...upTo }), [
      ['10', 1],
      ['2', 1],
      ['9', 1],
    ]);
    assert.deepEqual(ids({ metric: 'interactions' }), [
      ['2', 2],
      ['9', 1],
    ]);
    assert.deepEqual(ids({ metric: 'interactions', action: 'click' }), [['9', 1]]);
    assert.deepEqual(ids({ metric: 'rating' }), [
      ['9', 5],
      ['10', 4.5],
      ['2', 3],
    ]);
    assert.deepEqual(ids({ metric: 'rating', minRatings: 2 }), [['10', 4.5]]);
    assert.deepEqual(ids({ metric: 'units', limit: 1 }), [['10', 5]]);
    assert.deepEqual(ids({ metric: 'revenue', from: T + 5_000 }), [['2', 99]]);
    assert.deepEqual(ids({ metric: 'revenue', window: '1m' }), []);
  });

  test('parameters that do not apply to the metric are errors', () => {
    assert.throws(() => m.productLeaderboard({ metric: 'units', action: 'view' }, now), ModelQueryError);
    assert.throws(() => m.productLeaderboard({ metric: 'orders', minRatings: 2 }, now), ModelQueryError);
    assert.throws(() => m.productLeaderboard({ metric: 'orders', from: T, to: T }, now), ModelQueryError);
  });
});

describe("marketplace model: a user's activity and profile", () => {
  const m = MarketplaceModel.fromEvents(
    [
      { type: 'register', name: 'reg', created_at: ca(0) },
      { type: 'interaction', user: 'ann', product_id: 1, action: 'view', source: 'web', created_at: ca(0) },
      {
        type: 'interaction',
        user: 'ann',
        product_id: 2,
        action: 'view',
        source: 'mobile',
        created_at: ca(6_000),
      },
      { type: 'interaction', user: 'ann', product_id: 2, action: 'click', created_at: ca(6_000) },
      {
        type: 'productSold',
        product_id: 2,
        no_of_units: 2,
        amount: '5.05',
        user: 'ann',
        created_at: ca(7_000),
      },
      { type: 'productSold', product_id: 2, no_of_units: 9, amount: '1', created_at: ca(7_000) }, // no user
      { type: 'productRated', product_id: 2, rating: 2, user: 'ann', created_at: ca(8_000) },
      { type: 'profileUpserted', user: 'ann', display_name: 'Ann', email: 'ann@example.com' },
      { type: 'profileUpserted', user: 'ann', display_name: 'Ann Lee' },
      { type: 'profileUpserted', user: 'ghost', email: 'g@example.org' },
      { type: 'profileDeleted', user: 'ghost' },
    ],
    ARRIVAL,
  );
  const now = T + 9_000;

  test('interactions by action and source (unknown by default), purchases, ratings, series', () => {
    assert.deepEqual(m.userActivity('ann', {}, now), {
      name: 'ann',
      from: at(T),
      to: at(T + 10_000),
      interval: '5s',
      interactions: 3,
      byAction: { view: 2, click: 1 },
      bySource: { web: 1, mobile: 1, unknown: 1 },
      purchases: { orders: 1, units: 2, revenue: 5.05 },
      ratings: { count: 1, average: 2 },
      series: [
        { start: at(T), interactions: 1 },
        { start: at(T + 5_000), interactions: 2 },
      ],
    });
  });

  test('a name with no marketplace event answers zeros', () => {
    assert.deepEqual(m.userActivity('nobody', {}, now), {
      name: 'nobody',
      from: at(T + 5_000),
      to: at(T + 10_000),
      interval: '5s',
      interactions: 0,
      byAction: {},
      bySource: {},
      purchases: { orders: 0, units: 0, revenue: 0 },
      ratings: { count: 0, average: null },
      series: [{ start: at(T + 5_000), interactions: 0 }],
    });
  });

  test('profiles: replaced whole, answered for a profile alone or a registered user, else 404', () => {
    assert.deepEqual(m.userProfile('ann'), { name: 'ann', profile: { displayName: 'Ann Lee', email: null } });
    assert.deepEqual(m.userProfile('reg'), { name: 'reg', profile: null });
    assert.equal(m.userProfile('ghost'), null);
    assert.equal(m.profileOf('ghost'), null);
  });
});

describe('marketplace model: event frequencies and arrival times', () => {
  const m = MarketplaceModel.fromRecords([
    {
      arrivalMs: T + 12_000,
      events: [
        { type: 'register', name: 'a', created_at: ca(1_000) },
        { type: 'register', name: 'b', created_at: ca(1_000) },
        { type: 'register', name: 'a', created_at: ca(1_000) }, // duplicate_register: not counted
        { type: 'addfriend', user1_name: 'a', user2_name: 'b', created_at: ca(6_000) },
        { type: 'interaction', user: 'a', product_id: 1, action: 'view' }, // at T + 12 s
        { type: 'productDeleted', product_id: 1 }, // noop: not counted
      ],
    },
    {
      arrivalMs: T + 16_000,
      events: [
        { event_name: 'interaction', user: 'b', product_id: 1, action: 'share' }, // at T + 16 s
        { type: 'interaction', user: 'b', product_id: 1, action: 'view', created_at: ca(2_000) },
      ],
    },
  ]);

  test('applied events per type of every family, interactions per action, per step', () => {
    assert.deepEqual(m.frequencies({ from: T, to: T + 20_000, interval: '5s' }, T + 60_000), {
      from: at(T),
      to: at(T + 20_000),
      interval: '5s',
      total: 6,
      byType: { register: 2, interaction: 3, addfriend: 1 },
      byAction: { view: 2, share: 1 },
      series: [
        { start: at(T), total: 3, byType: { register: 2, interaction: 1 } },
        { start: at(T + 5_000), total: 1, byType: { addfriend: 1 } },
        { start: at(T + 10_000), total: 1, byType: { interaction: 1 } },
        { start: at(T + 15_000), total: 1, byType: { interaction: 1 } },
      ],
    });
    const narrow = m.frequencies({ from: T + 10_000, to: T + 15_000 }, T + 60_000);
    assert.deepEqual([narrow.total, narrow.byType, narrow.byAction], [1, { interaction: 1 }, { view: 1 }]);
  });

  test('an event without created_at takes its own record’s arrival time', () => {
    assert.deepEqual(
      m.log.map((l) => l.event.at - T),
      [12_000, 16_000, 2_000],
    );
  });
});

describe('marketplace model: producer resends', () => {
  test('a marked record at or below its producer’s highest number is skipped and counted', () => {
    const sale = { type: 'productSold', product_id: 1, no_of_units: 1, amount: '2.50', created_at: ca(0) };
    const m = MarketplaceModel.fromRecords([
      { arrivalMs: ARRIVAL, events: [sale], mark: { producer: 'p', n: 1 } },
      { arrivalMs: ARRIVAL + 1, events: [sale], mark: { producer: 'p', n: 1 } }, // resend
      { arrivalMs: ARRIVAL + 2, events: [sale], mark: { producer: 'q', n: 1 } }, // another producer
      { arrivalMs: ARRIVAL + 3, events: [sale] }, // unmarked: folded as it comes
      { arrivalMs: ARRIVAL + 4, events: [sale, sale], mark: { producer: 'p', n: 2 } },
      { arrivalMs: ARRIVAL + 5, events: [sale], mark: { producer: 'q', n: 1 } }, // resend
    ]);
    assert.equal(m.resentRecords, 2);
    assert.deepEqual(m.product('1')?.sales, { orders: 5, units: 5, revenue: 12.5 });
    assert.equal(m.pipeline().applied, 5);
  });
});
