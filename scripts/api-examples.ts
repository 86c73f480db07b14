// One or more example requests and answers per API route, merged into docs/api.md by
// scripts/api-docs.ts (`npm run docs:api`). A route of ROUTES without an entry here fails
// test/unit/api-docs.test.ts, and so does an example whose query its route would refuse, or whose
// answer its route's schema would not accept.
//
// To document a new route: add its ROUTE_DOCS entry (queries/openapi.ts), add its examples here, run
// `npm run docs:api`, and commit docs/api.md.
//
// The answers are what the local runtime answers after EXAMPLE_EVENTS were posted to it and a snapshot
// ran: test/integration/api-examples.test.ts replays them and fails when an answer differs (fields
// listed in `varies` depend on the clock or on the stream's sequence numbers: only their type is
// compared).

/** The stream the examples answer from, as NDJSON (also the POST /events example's body). */
export const EXAMPLE_EVENTS = [
  { type: 'register', name: 'ann', created_at: '20250718T205350000Z' },
  { type: 'register', name: 'bob', created_at: '20250718T205350000Z' },
  { type: 'register', name: 'cy', created_at: '20250718T205350000Z' },
  { type: 'register', name: 'dee', created_at: '20250718T205350000Z' },
  { type: 'referral', referredBy: 'ann', user: 'bob', created_at: '20250718T205352000Z' },
  { type: 'referral', referredBy: 'bob', user: 'cy', created_at: '20250718T205412000Z' },
  { type: 'addfriend', user1_name: 'ann', user2_name: 'cy', created_at: '20250718T205412000Z' },
  { type: 'addfriend', user1_name: 'ann', user2_name: 'dee', created_at: '20250718T205533000Z' },
  { type: 'addfriend', user1_name: 'bob', user2_name: 'dee', created_at: '20250718T205533000Z' },
  { type: 'addfriend', user1_name: 'ann', user2_name: 'bob', created_at: '20250718T205533000Z' },
  { type: 'unfriend', user1_name: 'ann', user2_name: 'cy', created_at: '20250718T205655000Z' },
  { type: 'addfriend', user1_name: 'ann', user2_name: 'zed', created_at: '20250718T205655000Z' },
  { type: 'register', name: 'bob', created_at: '20250718T205655000Z' },
  // The marketplace: a catalogue entry, sales, ratings, interactions and profiles.
  {
    type: 'productUpserted',
    product_id: 12,
    name: 'Desk lamp',
    category: 'home',
    cost: '19.90',
    created_at: '20250718T205350000Z',
  },
  {
    type: 'profileUpserted',
    user: 'bob',
    display_name: 'Bob Ray',
    email: 'bob@example.com',
    created_at: '20250718T205350000Z',
  },
  {
    type: 'interaction',
    user: 'ann',
    product_id: 12,
    action: 'view',
    source: 'web',
    created_at: '20250718T205352000Z',
  },
  {
    type: 'productSold',
    product_id: 12,
    no_of_units: 2,
    amount: '39.80',
    user: 'ann',
    created_at: '20250718T205412000Z',
  },
  { type: 'productRated', product_id: 12, rating: 5, user: 'ann', created_at: '20250718T205412000Z' },
  {
    event_name: 'interaction',
    user: 'bob',
    product_id: '12',
    action: 'add_to_cart',
    source: 'mobile',
    created_at: '20250718T205533000Z',
  },
  {
    type: 'productSold',
    product_id: '12',
    no_of_units: 1,
    amount: 19.9,
    user: 'bob',
    created_at: '20250718T205533000Z',
  },
  { type: 'productRated', product_id: 12, rating: 4, user: 'cy', created_at: '20250718T205533000Z' },
  {
    type: 'productSold',
    product_id: 'B-7',
    name_of_product: 'Notebook',
    no_of_units: 3,
    amount: '7.50',
    user: 'bob',
    created_at: '20250718T205655000Z',
  },
  { type: 'interaction', user: 'zoe', product_id: 'B-7', action: 'view', created_at: '20250718T205655000Z' },
  { type: 'profileUpserted', user: 'zoe', display_name: 'Zoe', created_at: '20250718T205655000Z' },
  { type: 'productSold', product_id: 12, no_of_units: 0, amount: '5', created_at: '20250718T205655000Z' },
  // Posts: two by ann, one by bob; a repeat (a noop) and a reused id with other content (rejected).
  {
    type: 'post',
    post_id: 'p-1',
    user: 'ann',
    content: "Hello, world! It's a fine day.",
    created_at: '20250718T205412000Z',
  },
  {
    type: 'post',
    post_id: 'p-2',
    user: 'ann',
    content: 'Café au lait ☕ — très bon',
    created_at: '20250718T205533000Z',
  },
  {
    event_name: 'post',
    post_id: 'p-3',
    user: 'bob',
    content: '你好 世界 🎉',
    created_at: '20250718T205533000Z',
  },
  {
    type: 'post',
    post_id: 'p-1',
    user: 'ann',
    content: "Hello, world! It's a fine day.",
    created_at: '20250718T205655000Z',
  },
  { type: 'post', post_id: 'p-1', user: 'bob', content: 'mine now', created_at: '20250718T205655000Z' },
] as const;

export interface ApiExample {
  /** What the example shows, when a route has several. */
  title?: string;
  /** The path and query string as a client sends it, path parameters filled in. */
  request: string;
  /** The request body (POST routes). */
  body?: string;
  /** Request headers. */
  headers?: Record<string, string>;
  /** The answer's status: the route's success status when absent. */
  status?: number;
  answer: unknown;
  /**
   * Answer fields (`a`, `items[].b`) whose value depends on the clock or on the stream's sequence
   * numbers: the example shows one run's value, the test compares only the type.
   */
  varies?: string[];
  /**
   * The answer is shortened (object keys left out, array items left off at the end): the test checks
   * that the real answer holds it.
   */
  partial?: boolean;
  /** A sentence after the answer: what to notice in it. */
  note?: string;
}

const IDEMPOTENCY_KEY = '5f0c6a2e-8d1b-4b7e-9c3a-2f4e6d8a1b0c';

const SEQ = '49680835998092420923439645126471118271890056889765986306';

export interface RouteExamples {
  /** Meanings of answer fields (`items[].name`) the answer's schema does not describe itself. */
  fields?: Record<string, string>;
  /** The examples, the plain case first. */
  examples: ApiExample[];
}

/** Per route id (lib/definitions.ts ROUTES). */
export const API_EXAMPLES: Record<string, RouteExamples> = {
  Health: { examples: [{ request: '/health', answer: { status: 'ok' } }] },
  OpenApi: {
    examples: [
      {
        request: '/openapi.json',
        answer: { openapi: '3.0.3', info: { title: 'Bacefook Analytics', version: '1.0.0' }, paths: {} },
        partial: true,
        note: 'Shortened here: the answer is the whole OpenAPI 3.0 document this page is generated from.',
      },
    ],
  },
  UserProfile: {
    fields: {
      registeredAt: 'when the user registered (the created_at of its register event)',
      referredBy: "the user's referrer, or null",
      friendsCount: 'current friends',
      referralsCount: 'users this user referred',
      networkStrength: 'friends + users referred + 1 if the user has a referrer',
      referralPoints: 'all-time referral points',
    },
    examples: [
      {
        request: '/users/ann',
        answer: {
          name: 'ann',
          registeredAt: '2025-07-18T20:53:50.000Z',
          referredBy: null,
          friendsCount: 2,
          referralsCount: 1,
          networkStrength: 3,
          referralPoints: 2,
          profile: null,
        },
        note: 'ann referred bob, who referred cy: one point for each referral, two levels up. She has no marketplace profile.',
      },
      {
        title: 'A user with a marketplace profile',
        request: '/users/bob',
        answer: {
          name: 'bob',
          registeredAt: '2025-07-18T20:53:50.000Z',
          referredBy: 'ann',
          friendsCount: 2,
          referralsCount: 1,
          networkStrength: 4,
          referralPoints: 1,
          profile: { displayName: 'Bob Ray', email: 'bob@example.com' },
        },
      },
      {
        title: 'An unknown user',
        request: '/users/nobody',
        status: 404,
        answer: { error: { code: 'not_found', message: "user 'nobody' is not registered" } },
      },
    ],
  },
  UserNetwork: {
    fields: {
      'nodes[].relation':
        'how the node relates to the user; a friend who is also its referrer or referred user shows the referral relation',
      'edges[].type': 'a referral edge points from the referrer to the referred user',
    },
    examples: [
      {
        request: '/users/ann/network',
        answer: {
          name: 'ann',
          nodes: [
            { name: 'ann', relation: 'self' },
            { name: 'bob', relation: 'referred' },
            { name: 'dee', relation: 'friend' },
          ],
          edges: [
            { from: 'ann', to: 'bob', type: 'referral' },
            { from: 'ann', to: 'bob', type: 'friendship' },
            { from: 'ann', to: 'dee', type: 'friendship' },
          ],
        },
        note: 'bob is both referred by ann and her friend: one node, two edges.',
      },
    ],
  },
  UserFriends: {
    fields: {
      total: 'current friends',
      'items[].since': 'when the current friendship was made',
      nextCursor: 'the next page, or null on the last',
    },
    examples: [
      {
        request: '/users/ann/friends?limit=1',
        answer: {
          total: 2,
          items: [{ name: 'bob', since: '2025-07-18T20:55:33.000Z' }],
          nextCursor: 'AWJvYg',
        },
      },
      {
        title: 'The next page',
        request: '/users/ann/friends?limit=1&cursor=AWJvYg',
        answer: { total: 2, items: [{ name: 'dee', since: '2025-07-18T20:55:33.000Z' }], nextCursor: null },
      },
      {
        title: 'A bad parameter',
        request: '/users/ann/friends?limit=0',
        status: 400,
        answer: {
          error: {
            code: 'bad_request',
            message: "query parameter 'limit': must be an integer from 1 to 1000",
          },
        },
      },
    ],
  },
  UserTopFriends: {
    fields: {
      'items[].networkStrength': "the friend's current network strength",
      'items[].referralPoints': "the friend's all-time referral points",
      'items[].score': 'networkStrength + referralPoints: the rank order (ties by name)',
    },
    examples: [
      {
        request: '/users/ann/top-friends',
        answer: {
          items: [
            { name: 'bob', networkStrength: 4, referralPoints: 1, score: 5 },
            { name: 'dee', networkStrength: 2, referralPoints: 0, score: 2 },
          ],
        },
      },
    ],
  },
  UserReferrals: {
    fields: {
      from: 'start of the range answered',
      to: 'end of the range answered (exclusive)',
      interval: 'the length of a step',
      count: 'direct referrals made in the range',
      'series[].start': 'start of the step',
      'series[].count': 'referrals made in the step',
      'series[].cumulative': "referrals made in all time by the step's end",
    },
    examples: [
      {
        request: '/users/ann/referrals?from=2025-07-18T20:53:50Z&to=2025-07-18T20:57:00Z&interval=1m',
        answer: {
          name: 'ann',
          from: '2025-07-18T20:53:50.000Z',
          to: '2025-07-18T20:57:00.000Z',
          interval: '1m',
          count: 1,
          series: [
            { start: '2025-07-18T20:53:50.000Z', count: 1, cumulative: 1 },
            { start: '2025-07-18T20:54:50.000Z', count: 0, cumulative: 1 },
            { start: '2025-07-18T20:55:50.000Z', count: 0, cumulative: 1 },
            { start: '2025-07-18T20:56:50.000Z', count: 0, cumulative: 1 },
          ],
        },
        note: 'Steps start at the given `from` (widened to 5 seconds only); the last step is cut at `to`.',
      },
      {
        title: 'Too many points',
        request: '/users/ann/referrals?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z&interval=5s',
        status: 400,
        answer: {
          error: {
            code: 'bad_request',
            message:
              "query parameter 'interval': 5s steps over 2025-01-01T00:00:00.000Z .. 2025-02-01T00:00:00.000Z make 535680 points, more than the 1000 allowed; ask for a coarser interval or a shorter range",
          },
        },
      },
    ],
  },
  UserFriendsCount: {
    fields: {
      from: 'start of the range answered',
      to: 'end of the range answered (exclusive)',
      interval: 'the length of a step',
      atStart: 'friends at `from`',
      atEnd: 'friends at `to`',
      added: 'friendships made in the range',
      removed: 'friendships dissolved in the range',
      'series[].start': 'start of the step',
      'series[].count': "friends at the step's end",
    },
    examples: [
      {
        request: '/users/ann/friends-count?from=2025-07-18T20:53:50Z&to=2025-07-18T20:57:00Z&interval=1m',
        answer: {
          name: 'ann',
          from: '2025-07-18T20:53:50.000Z',
          to: '2025-07-18T20:57:00.000Z',
          interval: '1m',
          atStart: 0,
          atEnd: 2,
          added: 3,
          removed: 1,
          series: [
            { start: '2025-07-18T20:53:50.000Z', count: 1 },
            { start: '2025-07-18T20:54:50.000Z', count: 3 },
            { start: '2025-07-18T20:55:50.000Z', count: 3 },
            { start: '2025-07-18T20:56:50.000Z', count: 2 },
          ],
        },
        note: "`count` is the number of friends at each step's end.",
      },
    ],
  },
  LeaderboardNetworkStrength: {
    fields: {
      to: 'end of the range answered (exclusive)',
      'items[].rank': '1, 2, 3, …: equal values are ordered by name',
      'items[].value': 'net change of network strength in the range; with no `from`, the value at `to`',
    },
    examples: [
      {
        request: '/leaderboards/network-strength?limit=3',
        answer: {
          metric: 'network-strength',
          from: null,
          to: '2026-12-04T17:22:25.000Z',
          items: [
            { rank: 1, name: 'bob', value: 4 },
            { rank: 2, name: 'ann', value: 3 },
            { rank: 3, name: 'dee', value: 2 },
          ],
        },
        varies: ['to'],
        note: 'No `from`: the values at `to`, which is now (ceiled to its 5-second bucket).',
      },
      {
        title: 'A range inside one bucket',
        request: '/leaderboards/network-strength?from=2025-07-18T20:55:00Z&to=2025-07-18T20:55:01Z',
        answer: {
          metric: 'network-strength',
          from: '2025-07-18T20:55:00.000Z',
          to: '2025-07-18T20:55:05.000Z',
          items: [],
        },
        note: '`to` is widened to the end of its bucket, and the answer says so.',
      },
    ],
  },
  LeaderboardReferralPoints: {
    fields: {
      to: 'end of the range answered (exclusive)',
      'items[].rank': '1, 2, 3, …: equal values are ordered by name',
      'items[].value': 'referral points awarded in the range',
    },
    examples: [
      {
        request: '/leaderboards/referral-points?from=2025-07-18T20:53:00Z&to=2025-07-18T20:55:00Z',
        answer: {
          metric: 'referral-points',
          from: '2025-07-18T20:53:00.000Z',
          to: '2025-07-18T20:55:00.000Z',
          items: [
            { rank: 1, name: 'ann', value: 2 },
            { rank: 2, name: 'bob', value: 1 },
          ],
        },
      },
    ],
  },
  MetaUsers: {
    fields: {
      total: 'registered users (with the prefix, when given)',
      items: 'names in code-unit order',
      nextCursor: 'the next page, or null on the last',
    },
    examples: [
      {
        request: '/meta/users?limit=2',
        answer: { total: 4, items: ['ann', 'bob'], nextCursor: 'AWJvYg' },
      },
      {
        title: 'By prefix',
        request: '/meta/users?prefix=b',
        answer: { total: 1, items: ['bob'], nextCursor: null },
      },
    ],
  },
  MetaSnapshots: {
    fields: {
      resolutionMs: 'the finest bucket: 5,000 ms',
      earliest: 'start of the first 5-second bucket with data',
      latest: 'start of the last 5-second bucket with data',
      coveredUntil: 'the rollups hold every committed event with an earlier created_at',
      lastBuiltAt: 'when the last snapshot run ended',
      buckets: '5-second buckets with data',
      levels: 'rollup blocks kept at each resolution',
    },
    examples: [
      {
        request: '/meta/snapshots',
        answer: {
          resolutionMs: 5000,
          earliest: '2025-07-18T20:53:50.000Z',
          latest: '2025-07-18T20:56:55.000Z',
          coveredUntil: '2025-07-18T20:57:00.000Z',
          lastBuiltAt: '2026-12-04T17:22:21.744Z',
          buckets: 4,
          levels: [
            { resolutionMs: 5000, blocks: 4 },
            { resolutionMs: 60000, blocks: 4 },
            { resolutionMs: 3600000, blocks: 0 },
            { resolutionMs: 86400000, blocks: 0 },
          ],
        },
        varies: ['lastBuiltAt'],
      },
    ],
  },
  MetaPipeline: {
    fields: {
      applied: 'events applied (changed what the pipeline keeps)',
      noop: 'valid events that changed nothing: addfriend of friends, unfriend of non-friends, a catalogue or profile write identical to what is kept, a delete of what is not there',
      rejected: 'rejected events',
      rejectedByReason: 'rejected events per reason',
      byFamily: 'applied, noop and rejected events per family (an event of no known kind is in none)',
      byType: 'applied events per kind',
      lastSequenceNumber: 'sequence number of the last record committed',
      lastEventAt: 'created_at of the last valid event in stream order',
      batches: 'batches committed',
      users: 'registered users',
    },
    examples: [
      {
        request: '/meta/pipeline',
        answer: {
          applied: 25,
          noop: 1,
          rejected: 4,
          rejectedByReason: {
            malformed: 1,
            duplicate_register: 1,
            unknown_user: 1,
            self_relation: 0,
            already_referred: 0,
            referral_cycle: 0,
            duplicate_post: 1,
          },
          byFamily: {
            social: { applied: 11, noop: 0, rejected: 2 },
            marketplace: { applied: 11, noop: 0, rejected: 1 },
            posts: { applied: 3, noop: 1, rejected: 1 },
          },
          byType: {
            register: 4,
            referral: 2,
            addfriend: 4,
            unfriend: 1,
            productSold: 3,
            productRated: 2,
            interaction: 3,
            productUpserted: 1,
            productDeleted: 0,
            profileUpserted: 2,
            profileDeleted: 0,
            post: 3,
          },
          lastSequenceNumber: SEQ,
          lastEventAt: '2025-07-18T20:56:55.000Z',
          batches: 1,
          users: 4,
          resentRecords: 0,
        },
        varies: ['lastSequenceNumber'],
      },
    ],
  },
  MetaRejections: {
    fields: {
      'items[].reason': 'the first check the event failed',
      'items[].event': 'the event as received (long events and unreadable records are cut, as text)',
      'items[].sequenceNumber': "its record's sequence number",
      nextCursor: 'the next page, or null on the last',
    },
    examples: [
      {
        request: '/meta/rejections?limit=1',
        answer: {
          items: [
            {
              reason: 'unknown_user',
              event: {
                type: 'addfriend',
                user1_name: 'ann',
                user2_name: 'zed',
                created_at: '20250718T205655000Z',
              },
              sequenceNumber: SEQ,
            },
          ],
          nextCursor:
            'AjAwMDAwMDAwNDk2ODA4MzU5OTgwOTI0MjA5MjM0Mzk2NDUxMjY0NzExMTgyNzE4OTAwNTY4ODk3NjU5ODYzMDYuMDAwMDAwMDAvMQ',
        },
        varies: ['items[].sequenceNumber', 'nextCursor'],
      },
    ],
  },
  PostEvents: {
    fields: {
      accepted: 'events forwarded to the stream',
    },
    examples: [
      {
        request: '/events',
        body: EXAMPLE_EVENTS.map((e) => JSON.stringify(e)).join('\n'),
        headers: { 'Idempotency-Key': IDEMPOTENCY_KEY },
        answer: { accepted: 30 },
        note: 'Every line is forwarded, in order; the processor decides each outcome (here 25 applied, 1 noop, 4 rejected). The `Idempotency-Key` header is optional.',
      },
      {
        title: 'A retry with the same Idempotency-Key',
        request: '/events',
        body: EXAMPLE_EVENTS.map((e) => JSON.stringify(e)).join('\n'),
        headers: { 'Idempotency-Key': IDEMPOTENCY_KEY },
        answer: { accepted: 30 },
        note: 'The first answer again: nothing is sent a second time (the other examples on this page count 30 events, not 60).',
      },
      {
        title: 'The same Idempotency-Key with another body',
        request: '/events',
        body: JSON.stringify(EXAMPLE_EVENTS[0]),
        headers: { 'Idempotency-Key': IDEMPOTENCY_KEY },
        status: 422,
        answer: {
          error: {
            code: 'unprocessable_entity',
            message:
              "header 'Idempotency-Key': this key was used with a different body in the last 24 hours; use a new key for a new request",
          },
        },
      },
      {
        title: 'A body that is no JSON at all',
        request: '/events',
        body: 'hello',
        status: 400,
        answer: {
          error: {
            code: 'bad_request',
            message:
              'body has no JSON line: the body must be a JSON array of events or NDJSON (one JSON event per line)',
          },
        },
      },
    ],
  },
  ProductList: {
    fields: {
      total: 'products whose id starts with the prefix (all of them without one)',
      'items[].name':
        "the catalogue entry's name, else the name_of_product of the latest sale or rating, else null",
      'items[].category': "the catalogue entry's category, or null",
      nextCursor: 'the next page, or null on the last',
    },
    examples: [
      {
        request: '/products?limit=1',
        answer: {
          total: 2,
          items: [{ productId: '12', name: 'Desk lamp', category: 'home' }],
          nextCursor: 'ATEy',
        },
      },
      {
        title: 'The next page',
        request: '/products?limit=1&cursor=ATEy',
        answer: {
          total: 2,
          items: [{ productId: 'B-7', name: 'Notebook', category: null }],
          nextCursor: null,
        },
        note: 'B-7 has no catalogue entry: its name is the one its sale gave.',
      },
      {
        title: 'By prefix',
        request: '/products?prefix=B',
        answer: {
          total: 1,
          items: [{ productId: 'B-7', name: 'Notebook', category: null }],
          nextCursor: null,
        },
      },
    ],
  },
  ProductGet: {
    fields: {
      firstSeenAt: 'the time of the first applied event naming the product, in stream order',
      cost: "the catalogue entry's cost, or null",
      'sales.orders': 'productSold events (all time)',
      'sales.units': 'units sold',
      'sales.revenue': 'the sum of the sales amounts, exact',
      'ratings.average': 'the sum of the ratings over their count, unrounded; null without ratings',
      'interactions.byAction': 'interactions per action',
    },
    examples: [
      {
        request: '/products/12',
        answer: {
          productId: '12',
          name: 'Desk lamp',
          category: 'home',
          cost: 19.9,
          description: null,
          firstSeenAt: '2025-07-18T20:53:50.000Z',
          sales: { orders: 2, units: 3, revenue: 59.7 },
          ratings: { count: 2, average: 4.5 },
          interactions: { total: 2, byAction: { add_to_cart: 1, view: 1 } },
        },
        note: '`12` and `"12"` name the same product. The sale with 0 units was rejected as malformed.',
      },
      {
        title: 'An unknown product',
        request: '/products/999',
        status: 404,
        answer: { error: { code: 'not_found', message: "product '999' is not known" } },
      },
    ],
  },
  UserProfileGet: {
    fields: { profile: "the user's marketplace profile, or null" },
    examples: [
      {
        request: '/users/bob/profile',
        answer: { name: 'bob', profile: { displayName: 'Bob Ray', email: 'bob@example.com' } },
      },
      {
        title: 'A name with a profile and no registration',
        request: '/users/zoe/profile',
        answer: { name: 'zoe', profile: { displayName: 'Zoe', email: null } },
      },
      {
        title: 'A registered user without a profile',
        request: '/users/dee/profile',
        answer: { name: 'dee', profile: null },
      },
      {
        title: 'Neither',
        request: '/users/nobody/profile',
        status: 404,
        answer: {
          error: { code: 'not_found', message: "user 'nobody' is not registered and has no profile" },
        },
      },
    ],
  },
  ProductSales: {
    fields: {
      from: 'start of the range answered',
      to: 'end of the range answered (exclusive)',
      interval: 'the length of a step',
      orders: 'productSold events in the range',
      revenue: 'the sum of their amounts, exact',
      'series[].start': 'start of the step',
    },
    examples: [
      {
        request: '/products/12/sales?from=2025-07-18T20:53:50Z&to=2025-07-18T20:57:00Z&interval=1m',
        answer: {
          productId: '12',
          from: '2025-07-18T20:53:50.000Z',
          to: '2025-07-18T20:57:00.000Z',
          interval: '1m',
          orders: 2,
          units: 3,
          revenue: 59.7,
          series: [
            { start: '2025-07-18T20:53:50.000Z', orders: 1, units: 2, revenue: 39.8 },
            { start: '2025-07-18T20:54:50.000Z', orders: 1, units: 1, revenue: 19.9 },
            { start: '2025-07-18T20:55:50.000Z', orders: 0, units: 0, revenue: 0 },
            { start: '2025-07-18T20:56:50.000Z', orders: 0, units: 0, revenue: 0 },
          ],
        },
        note: 'Steps start at `from`; the last one is cut at `to`.',
      },
      {
        title: 'The last five minutes',
        request: '/products/12/sales?window=5m&interval=1m',
        answer: {
          productId: '12',
          from: '2026-12-04T17:17:25.000Z',
          to: '2026-12-04T17:22:25.000Z',
          interval: '1m',
          orders: 0,
          units: 0,
          revenue: 0,
          series: [
            { start: '2026-12-04T17:17:25.000Z', orders: 0, units: 0, revenue: 0 },
            { start: '2026-12-04T17:18:25.000Z', orders: 0, units: 0, revenue: 0 },
            { start: '2026-12-04T17:19:25.000Z', orders: 0, units: 0, revenue: 0 },
            { start: '2026-12-04T17:20:25.000Z', orders: 0, units: 0, revenue: 0 },
            { start: '2026-12-04T17:21:25.000Z', orders: 0, units: 0, revenue: 0 },
          ],
        },
        varies: ['from', 'to', 'series[].start'],
        note: '`to` is the end of the 5-second bucket holding now, `from` five minutes before it.',
      },
      {
        title: 'A window and a range at once',
        request: '/products/12/sales?window=1h&from=2025-07-18T20:53:50Z',
        status: 400,
        answer: {
          error: {
            code: 'bad_request',
            message:
              "query parameter 'window': cannot be combined with 'from' (a window is the last stretch of time up to now)",
          },
        },
      },
    ],
  },
  ProductRatings: {
    fields: {
      count: 'ratings in the range',
      average: 'their sum over their count, unrounded; null without ratings',
      distribution: 'ratings per star',
      'series[].average': 'the average of the step, null without ratings',
    },
    examples: [
      {
        request: '/products/12/ratings?from=2025-07-18T20:53:50Z&to=2025-07-18T20:57:00Z&interval=1m',
        answer: {
          productId: '12',
          from: '2025-07-18T20:53:50.000Z',
          to: '2025-07-18T20:57:00.000Z',
          interval: '1m',
          count: 2,
          average: 4.5,
          distribution: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 1 },
          series: [
            { start: '2025-07-18T20:53:50.000Z', count: 1, average: 5 },
            { start: '2025-07-18T20:54:50.000Z', count: 1, average: 4 },
            { start: '2025-07-18T20:55:50.000Z', count: 0, average: null },
            { start: '2025-07-18T20:56:50.000Z', count: 0, average: null },
          ],
        },
      },
      {
        title: 'An unknown product',
        request: '/products/999/ratings',
        status: 404,
        answer: { error: { code: 'not_found', message: "product '999' is not known" } },
      },
    ],
  },
  UserActivity: {
    fields: {
      interactions: "the user's interactions in the range",
      byAction: 'interactions per action',
      bySource: 'interactions per source',
      purchases: 'the sales naming the user',
      ratings: 'the ratings the user gave',
      'series[].interactions': 'interactions in the step',
    },
    examples: [
      {
        request: '/users/bob/activity?from=2025-07-18T20:53:50Z&to=2025-07-18T20:57:00Z&interval=1m',
        answer: {
          name: 'bob',
          from: '2025-07-18T20:53:50.000Z',
          to: '2025-07-18T20:57:00.000Z',
          interval: '1m',
          interactions: 1,
          byAction: { add_to_cart: 1 },
          bySource: { mobile: 1 },
          purchases: { orders: 2, units: 4, revenue: 27.4 },
          ratings: { count: 0, average: null },
          series: [
            { start: '2025-07-18T20:53:50.000Z', interactions: 0 },
            { start: '2025-07-18T20:54:50.000Z', interactions: 1 },
            { start: '2025-07-18T20:55:50.000Z', interactions: 0 },
            { start: '2025-07-18T20:56:50.000Z', interactions: 0 },
          ],
        },
      },
      {
        title: 'A name that only appears in the marketplace',
        request: '/users/zoe/activity',
        answer: {
          name: 'zoe',
          from: '2025-07-18T00:00:00.000Z',
          to: '2026-12-05T00:00:00.000Z',
          interval: '1d',
          interactions: 1,
          byAction: { view: 1 },
          bySource: { unknown: 1 },
          purchases: { orders: 0, units: 0, revenue: 0 },
          ratings: { count: 0, average: null },
          series: [{ start: '2025-07-18T00:00:00.000Z', interactions: 1 }],
        },
        varies: ['from', 'to', 'interval', 'series'],
        note: '`from`, `to`, `interval` and `series` depend on the clock (the series is shortened here: it has a step per day up to today). zoe is not registered: her activity counts all the same. Without `from` the series starts at the step holding her first event (2025-07-18T20:56:55Z), at the finest interval with at most 1,000 steps up to now. A name with no marketplace event at all answers zeros.',
      },
    ],
  },
  EventFrequencies: {
    fields: {
      total: 'applied events in the range, of every family',
      byType: 'applied events per type (only the types that occurred)',
      byAction: 'interactions per action',
      'series[].byType': 'applied events per type in the step',
    },
    examples: [
      {
        request: '/events/frequencies?from=2025-07-18T20:53:50Z&to=2025-07-18T20:57:00Z&interval=1m',
        answer: {
          from: '2025-07-18T20:53:50.000Z',
          to: '2025-07-18T20:57:00.000Z',
          interval: '1m',
          total: 25,
          byType: {
            addfriend: 4,
            interaction: 3,
            post: 3,
            productRated: 2,
            productSold: 3,
            productUpserted: 1,
            profileUpserted: 2,
            referral: 2,
            register: 4,
            unfriend: 1,
          },
          byAction: { add_to_cart: 1, view: 2 },
          series: [
            {
              start: '2025-07-18T20:53:50.000Z',
              total: 13,
              byType: {
                addfriend: 1,
                interaction: 1,
                post: 1,
                productRated: 1,
                productSold: 1,
                productUpserted: 1,
                profileUpserted: 1,
                referral: 2,
                register: 4,
              },
            },
            {
              start: '2025-07-18T20:54:50.000Z',
              total: 8,
              byType: { addfriend: 3, interaction: 1, post: 2, productRated: 1, productSold: 1 },
            },
            { start: '2025-07-18T20:55:50.000Z', total: 0, byType: {} },
            {
              start: '2025-07-18T20:56:50.000Z',
              total: 4,
              byType: { interaction: 1, productSold: 1, profileUpserted: 1, unfriend: 1 },
            },
          ],
        },
        note: 'Rejected events (a duplicate register, an unknown user, a malformed sale) are not counted.',
      },
    ],
  },
  LeaderboardProducts: {
    fields: {
      from: 'start of the range answered; null: the beginning of time',
      to: 'end of the range answered (exclusive)',
      'items[].name': "the product's name now",
      'items[].value': 'the metric over the range: revenue in money, rating the average (unrounded)',
    },
    examples: [
      {
        request: '/leaderboards/products?metric=revenue&from=2025-07-18T20:53:50Z&to=2025-07-18T20:57:00Z',
        answer: {
          metric: 'revenue',
          from: '2025-07-18T20:53:50.000Z',
          to: '2025-07-18T20:57:00.000Z',
          items: [
            { rank: 1, productId: '12', name: 'Desk lamp', value: 59.7 },
            { rank: 2, productId: 'B-7', name: 'Notebook', value: 7.5 },
          ],
        },
      },
      {
        title: 'Interactions of one action',
        request:
          '/leaderboards/products?metric=interactions&action=view&from=2025-07-18T20:53:50Z&to=2025-07-18T20:57:00Z',
        answer: {
          metric: 'interactions',
          from: '2025-07-18T20:53:50.000Z',
          to: '2025-07-18T20:57:00.000Z',
          items: [
            { rank: 1, productId: '12', name: 'Desk lamp', value: 1 },
            { rank: 2, productId: 'B-7', name: 'Notebook', value: 1 },
          ],
        },
        note: 'A tie: product ids in code-unit order.',
      },
      {
        title: 'Average rating, at least two ratings',
        request:
          '/leaderboards/products?metric=rating&minRatings=2&from=2025-07-18T20:53:50Z&to=2025-07-18T20:57:00Z',
        answer: {
          metric: 'rating',
          from: '2025-07-18T20:53:50.000Z',
          to: '2025-07-18T20:57:00.000Z',
          items: [{ rank: 1, productId: '12', name: 'Desk lamp', value: 4.5 }],
        },
      },
      {
        title: 'A parameter of another metric',
        request: '/leaderboards/products?metric=revenue&action=view',
        status: 400,
        answer: {
          error: {
            code: 'bad_request',
            message: "query parameter 'action': only with metric=interactions (not revenue)",
          },
        },
      },
    ],
  },
  Metrics: {
    fields: {
      'items[].name': 'the figure, as POST /metrics/query names it',
      'items[].params': "its parameters: the path and query parameters of the figure's own route",
    },
    examples: [
      {
        request: '/metrics',
        answer: {
          items: [
            {
              name: 'users.profile',
              family: 'social',
              description: "A user's profile",
              params: [{ name: 'name', type: 'string', required: true, description: "the user's name" }],
            },
          ],
        },
        partial: true,
        note: 'Shortened to its first figure: the catalogue lists every figure the API answers.',
      },
    ],
  },
  MetricsQuery: {
    fields: {
      params: 'the parameters as given',
      result: "exactly what the figure's own route answers",
    },
    examples: [
      {
        request: '/metrics/query',
        body: '{"name":"leaderboards.products","params":{"metric":"rating","minRatings":2,"from":"2025-07-18T20:53:50Z","to":"2025-07-18T20:57:00Z"}}',
        answer: {
          name: 'leaderboards.products',
          params: {
            metric: 'rating',
            minRatings: 2,
            from: '2025-07-18T20:53:50Z',
            to: '2025-07-18T20:57:00Z',
          },
          result: {
            metric: 'rating',
            from: '2025-07-18T20:53:50.000Z',
            to: '2025-07-18T20:57:00.000Z',
            items: [{ rank: 1, productId: '12', name: 'Desk lamp', value: 4.5 }],
          },
        },
        note: 'The result is what `GET /leaderboards/products?metric=rating&minRatings=2&from=…&to=…` answers.',
      },
      {
        title: "A product's figure",
        request: '/metrics/query',
        body: '{"name":"products.profile","params":{"productId":"B-7"}}',
        answer: {
          name: 'products.profile',
          params: { productId: 'B-7' },
          result: {
            productId: 'B-7',
            name: 'Notebook',
            category: null,
            cost: null,
            description: null,
            firstSeenAt: '2025-07-18T20:56:55.000Z',
            sales: { orders: 1, units: 3, revenue: 7.5 },
            ratings: { count: 0, average: null },
            interactions: { total: 1, byAction: { view: 1 } },
          },
        },
      },
      {
        title: 'An unknown figure',
        request: '/metrics/query',
        body: '{"name":"products.colour"}',
        status: 400,
        answer: {
          error: {
            code: 'bad_request',
            message:
              "body field 'name': 'products.colour' is no figure of this API (GET /metrics lists them)",
          },
        },
      },
      {
        title: 'A bad parameter',
        request: '/metrics/query',
        body: '{"name":"users.friends","params":{"name":"ann","limit":0}}',
        status: 400,
        answer: {
          error: { code: 'bad_request', message: "param 'limit': must be an integer from 1 to 1000" },
        },
      },
      {
        title: 'An unknown product',
        request: '/metrics/query',
        body: '{"name":"products.sales","params":{"productId":"999","window":"1h"}}',
        status: 404,
        answer: { error: { code: 'not_found', message: "product '999' is not known" } },
        note: 'As the route answers it.',
      },
    ],
  },
  PostGet: {
    fields: {
      createdAt: "the post's time: its created_at, or its record's arrival in the stream",
      wordCount: 'tokens between Unicode White_Space characters holding a letter or digit',
      averageWordLength: 'letters and digits of the words over wordCount, unrounded; null with no words',
    },
    examples: [
      {
        request: '/posts/p-1',
        answer: {
          postId: 'p-1',
          user: 'ann',
          createdAt: '2025-07-18T20:54:12.000Z',
          content: "Hello, world! It's a fine day.",
          wordCount: 6,
          averageWordLength: 3.5,
        },
        note: "Hello 5, world 5, It's 3 (the apostrophe does not count), a 1, fine 4, day 3: 21 letters over 6 words.",
      },
      {
        title: 'Accents, emoji and dashes',
        request: '/posts/p-2',
        answer: {
          postId: 'p-2',
          user: 'ann',
          createdAt: '2025-07-18T20:55:33.000Z',
          content: 'Café au lait ☕ — très bon',
          wordCount: 5,
          averageWordLength: 3.4,
        },
        note: 'The cup and the dash hold no letter or digit: they are no words.',
      },
      {
        title: 'An unknown post',
        request: '/posts/p-9',
        status: 404,
        answer: { error: { code: 'not_found', message: "post 'p-9' is not known" } },
      },
    ],
  },
  UserPosts: {
    examples: [
      {
        request: '/users/ann/posts',
        answer: {
          total: 2,
          items: [
            { postId: 'p-2', createdAt: '2025-07-18T20:55:33.000Z', wordCount: 5, averageWordLength: 3.4 },
            { postId: 'p-1', createdAt: '2025-07-18T20:54:12.000Z', wordCount: 6, averageWordLength: 3.5 },
          ],
          nextCursor: null,
        },
        note: 'Newest first. The repeat of p-1 was a noop, and bob could not take its id.',
      },
      {
        title: 'One at a time',
        request: '/users/ann/posts?limit=1',
        answer: {
          total: 2,
          items: [
            { postId: 'p-2', createdAt: '2025-07-18T20:55:33.000Z', wordCount: 5, averageWordLength: 3.4 },
          ],
          nextCursor:
            'ATg5ODc2NDQ2OTk3NDY2NiM1MDMxOTE2NDAwMTkwNzU3OTA3NjU2MDU0ODcxNTI3NjE4NzI4MTA5OTQzMjEwMjM0Njk2LjkzOTk5OTk5',
        },
        varies: ['nextCursor'],
        note: 'Pass nextCursor as `cursor` for the next page; null on the last one.',
      },
      {
        title: 'A name with no post',
        request: '/users/nobody/posts',
        answer: { total: 0, items: [], nextCursor: null },
      },
    ],
  },
  PostsStats: {
    examples: [
      {
        request: '/posts/stats?from=2025-07-18T20:54:00Z&to=2025-07-18T20:57:00Z&interval=1m',
        answer: {
          from: '2025-07-18T20:54:00.000Z',
          to: '2025-07-18T20:57:00.000Z',
          interval: '1m',
          user: null,
          posts: 3,
          words: 13,
          averageWordLength: 3.230769230769231,
          series: [
            { start: '2025-07-18T20:54:00.000Z', posts: 1, words: 6, averageWordLength: 3.5 },
            { start: '2025-07-18T20:55:00.000Z', posts: 2, words: 7, averageWordLength: 3 },
            { start: '2025-07-18T20:56:00.000Z', posts: 0, words: 0, averageWordLength: null },
          ],
        },
        note: 'Every writer: 42 letters and digits over 13 words; the average is unrounded.',
      },
      {
        title: "One writer's",
        request: '/posts/stats?user=ann&from=2025-07-18T20:54:00Z&to=2025-07-18T20:57:00Z&interval=1m',
        answer: {
          from: '2025-07-18T20:54:00.000Z',
          to: '2025-07-18T20:57:00.000Z',
          interval: '1m',
          user: 'ann',
          posts: 2,
          words: 11,
          averageWordLength: 3.4545454545454546,
          series: [
            { start: '2025-07-18T20:54:00.000Z', posts: 1, words: 6, averageWordLength: 3.5 },
            { start: '2025-07-18T20:55:00.000Z', posts: 1, words: 5, averageWordLength: 3.4 },
            { start: '2025-07-18T20:56:00.000Z', posts: 0, words: 0, averageWordLength: null },
          ],
        },
      },
    ],
  },
  LeaderboardWriters: {
    examples: [
      {
        request: '/leaderboards/writers',
        answer: {
          metric: 'posts',
          from: null,
          to: '2025-07-18T20:57:00.000Z',
          items: [
            { rank: 1, name: 'ann', value: 2 },
            { rank: 2, name: 'bob', value: 1 },
          ],
        },
        varies: ['to'],
      },
      {
        title: 'By words, over a range',
        request: '/leaderboards/writers?metric=words&from=2025-07-18T20:55:00Z&to=2025-07-18T20:56:00Z',
        answer: {
          metric: 'words',
          from: '2025-07-18T20:55:00.000Z',
          to: '2025-07-18T20:56:00.000Z',
          items: [
            { rank: 1, name: 'ann', value: 5 },
            { rank: 2, name: 'bob', value: 2 },
          ],
        },
      },
    ],
  },
  PostCreate: {
    examples: [
      {
        request: '/posts',
        body: '{"postId":"p-10","user":"dee","content":"First post! 🎉"}',
        status: 201,
        answer: {
          postId: 'p-10',
          user: 'dee',
          createdAt: '2026-12-05T09:00:00.000Z',
          content: 'First post! 🎉',
          wordCount: 2,
          averageWordLength: 4.5,
        },
        varies: ['createdAt'],
        note: "Answered once the processor has committed the post event. Its time is its record's arrival in the stream.",
      },
      {
        title: 'A post id already taken by another post',
        request: '/posts',
        body: '{"postId":"p-1","user":"dee","content":"Hello"}',
        status: 409,
        answer: {
          error: { code: 'duplicate_post', message: "post 'p-1' already holds another user or content" },
        },
      },
    ],
  },
  ProductCreate: {
    fields: {
      productId: 'the product id, as a string',
      cost: 'the cost, or null',
    },
    examples: [
      {
        request: '/products',
        body: '{"productId":"sku-1","name":"Desk lamp","category":"home","cost":"19.90"}',
        status: 201,
        answer: { productId: 'sku-1', name: 'Desk lamp', category: 'home', cost: 19.9, description: null },
        note: 'Answered once the processor has committed the productUpserted event: this is the entry as stored.',
      },
      {
        title: 'Without productId',
        request: '/products',
        body: '{"name":"Mug","cost":4.5}',
        status: 201,
        answer: {
          productId: '3b0c3f2e-6f5d-4e55-9a3c-0c8e2f7d9a41',
          name: 'Mug',
          category: null,
          cost: 4.5,
          description: null,
        },
        varies: ['productId'],
        note: 'The product gets a random UUID. Send an `Idempotency-Key` header to retry such a request safely.',
      },
      {
        title: 'A field the catalogue refuses',
        request: '/products',
        body: '{"name":"Desk lamp","cost":"1e3"}',
        status: 400,
        answer: {
          error: {
            code: 'bad_request',
            message: "body field 'cost': must be digits with at most 2 decimals",
          },
        },
      },
    ],
  },
  ProductPut: {
    fields: {
      productId: 'the product id, as a string',
      cost: 'the cost, or null',
    },
    examples: [
      {
        title: 'Replace an entry',
        request: '/products/sku-1',
        body: '{"name":"Desk lamp","category":"home","cost":17.5,"description":"LED, warm white"}',
        answer: {
          productId: 'sku-1',
          name: 'Desk lamp',
          category: 'home',
          cost: 17.5,
          description: 'LED, warm white',
        },
      },
      {
        title: 'A product without an entry',
        request: '/products/233',
        body: '{"name":"Chair"}',
        status: 201,
        answer: { productId: '233', name: 'Chair', category: null, cost: null, description: null },
      },
      {
        title: 'The same entry again',
        request: '/products/233',
        body: '{"productId":233,"name":"Chair"}',
        answer: { productId: '233', name: 'Chair', category: null, cost: null, description: null },
        note: 'An identical entry is a noop for the processor; the route answers 200 with the entry.',
      },
      {
        title: 'A body productId that is not the path id',
        request: '/products/233',
        body: '{"productId":234,"name":"Chair"}',
        status: 400,
        answer: {
          error: {
            code: 'bad_request',
            message: "body field 'productId': 234 is not the path's product id \"233\"",
          },
        },
      },
    ],
  },
  ProductDelete: {
    examples: [
      {
        request: '/products/233',
        status: 204,
        answer: null,
        note: "The entry is gone once this answers; the product's sales, ratings and interactions stay.",
      },
    ],
  },
  UserProfilePut: {
    fields: {
      profile: 'the profile as stored',
    },
    examples: [
      {
        request: '/users/ann/profile',
        body: '{"displayName":"Ann Lee","email":"ann@example.com"}',
        status: 201,
        answer: { name: 'ann', profile: { displayName: 'Ann Lee', email: 'ann@example.com' } },
      },
      {
        title: 'Replace a profile',
        request: '/users/ann/profile',
        body: '{"displayName":"Ann L."}',
        answer: { name: 'ann', profile: { displayName: 'Ann L.', email: null } },
        note: 'The profile is replaced as a whole: a field left out is now null.',
      },
      {
        title: 'A profile with neither field',
        request: '/users/ann/profile',
        body: '{"email":null}',
        status: 400,
        answer: {
          error: { code: 'bad_request', message: "body: give 'displayName' or 'email' (or both)" },
        },
      },
    ],
  },
  UserProfileDelete: {
    examples: [{ request: '/users/ann/profile', status: 204, answer: null }],
  },
};
