// The answer of every route (SPEC section 5) as a zod schema: the OpenAPI document is generated
// from them, and the integration tests parse every real answer with them, so the document describes
// what the handlers actually send.
import { z } from 'zod';

const iso = z.string().describe('ISO 8601 instant (UTC)');
const name = z.string().min(1).max(128);
const int = z.number().int();

export const ErrorSchema = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string() }),
});

export const HealthSchema = z.strictObject({ status: z.literal('ok') });

export const ProfileSchema = z.strictObject({
  name,
  registeredAt: iso,
  referredBy: name.nullable(),
  friendsCount: int,
  referralsCount: int,
  networkStrength: int,
  referralPoints: int,
});

export const NetworkSchema = z.strictObject({
  name,
  nodes: z.array(z.strictObject({ name, relation: z.enum(['self', 'referrer', 'referred', 'friend']) })),
  edges: z.array(z.strictObject({ from: name, to: name, type: z.enum(['referral', 'friendship']) })),
});

export const FriendsSchema = z.strictObject({
  total: int,
  items: z.array(z.strictObject({ name, since: iso })),
  nextCursor: z.string().nullable(),
});

export const TopFriendsSchema = z.strictObject({
  items: z.array(z.strictObject({ name, networkStrength: int, referralPoints: int, score: int })),
});

const interval = z.enum(['5s', '1m', '5m', '1h', '1d']);

export const ReferralsSchema = z.strictObject({
  name,
  from: iso,
  to: iso,
  interval,
  count: int,
  series: z.array(z.strictObject({ start: iso, count: int, cumulative: int })),
});

export const FriendsCountSchema = z.strictObject({
  name,
  from: iso,
  to: iso,
  interval,
  atStart: int,
  atEnd: int,
  added: int,
  removed: int,
  series: z.array(z.strictObject({ start: iso, count: int })),
});

export const LeaderboardSchema = z.strictObject({
  metric: z.enum(['network-strength', 'referral-points']),
  from: iso.nullable().describe('null when the request had no from (the beginning of time)'),
  to: iso,
  items: z.array(z.strictObject({ rank: int, name, value: int })),
});

export const MetaUsersSchema = z.strictObject({
  total: int,
  items: z.array(name),
  nextCursor: z.string().nullable(),
});

export const MetaSnapshotsSchema = z.strictObject({
  resolutionMs: int,
  earliest: iso.nullable(),
  latest: iso.nullable(),
  coveredUntil: iso.nullable(),
  lastBuiltAt: iso.nullable(),
  buckets: int,
  levels: z.array(z.strictObject({ resolutionMs: int, blocks: int })),
});

export const MetaPipelineSchema = z.strictObject({
  applied: int,
  noop: int,
  rejected: int,
  rejectedByReason: z.record(z.string(), int),
  /** per family: applied, noop and rejected events (an event of no known kind is in no family) */
  byFamily: z.record(z.string(), z.strictObject({ applied: int, noop: int, rejected: int })),
  /** applied events per kind */
  byType: z.record(z.string(), int),
  lastSequenceNumber: z.string().nullable(),
  lastEventAt: iso.nullable(),
  batches: int,
  users: int,
  resentRecords: int.describe(
    "marked records skipped as a producer's resend of a record already folded (their events are counted once)",
  ),
});

export const RejectionsSchema = z.strictObject({
  items: z.array(z.strictObject({ reason: z.string(), event: z.unknown(), sequenceNumber: z.string() })),
  nextCursor: z.string().nullable(),
});

export const AcceptedSchema = z.strictObject({ accepted: int });

// ---- the marketplace family (SPEC section 11) ------------------------------------------------------

const productId = z.string().min(1).max(128).describe('answered as a string (233 -> "233")');
const amount = z.number().describe('money: exact from integer cents, at most 2 decimals');

/** A profile's email: left out of a read for a caller without the admin ability when tokens are on. */
export const ProfileEmailSchema = z
  .string()
  .nullable()
  .optional()
  .describe('absent for a caller without the admin ability when access tokens are on');

export const MarketProfileSchema = z
  .strictObject({ displayName: z.string().nullable(), email: ProfileEmailSchema })
  .nullable()
  .describe("the user's marketplace profile; null when none");

/** GET /users/{name}: the graph's figures and the marketplace profile. */
export const UserProfileSchema = ProfileSchema.extend({ profile: MarketProfileSchema });

/** GET /users/{name}/profile */
export const UserMarketProfileSchema = z.strictObject({ name, profile: MarketProfileSchema });

export const ProductListSchema = z.strictObject({
  total: int,
  items: z.array(z.strictObject({ productId, name: z.string().nullable(), category: z.string().nullable() })),
  nextCursor: z.string().nullable(),
});

export const ProductSchema = z.strictObject({
  productId,
  name: z.string().nullable(),
  category: z.string().nullable(),
  cost: amount.nullable(),
  description: z.string().nullable(),
  firstSeenAt: iso,
  sales: z.strictObject({ orders: int, units: int, revenue: amount }),
  ratings: z.strictObject({ count: int, average: z.number().nullable() }),
  interactions: z.strictObject({ total: int, byAction: z.record(z.string(), int) }),
});

const marketInterval = z.enum(['5s', '1m', '5m', '1h', '1d']);
const counts = z.record(z.string(), int);

export const ProductSalesSchema = z.strictObject({
  productId,
  from: iso,
  to: iso,
  interval: marketInterval,
  orders: int,
  units: int,
  revenue: amount,
  series: z.array(z.strictObject({ start: iso, orders: int, units: int, revenue: amount })),
});

export const ProductRatingsSchema = z.strictObject({
  productId,
  from: iso,
  to: iso,
  interval: marketInterval,
  count: int,
  average: z.number().nullable().describe('sum / count, unrounded; null without ratings'),
  distribution: z.strictObject({ '1': int, '2': int, '3': int, '4': int, '5': int }),
  series: z.array(z.strictObject({ start: iso, count: int, average: z.number().nullable() })),
});

export const UserActivitySchema = z.strictObject({
  name,
  from: iso,
  to: iso,
  interval: marketInterval,
  interactions: int,
  byAction: counts,
  bySource: counts,
  purchases: z.strictObject({ orders: int, units: int, revenue: amount }),
  ratings: z.strictObject({ count: int, average: z.number().nullable() }),
  series: z.array(z.strictObject({ start: iso, interactions: int })),
});

export const EventFrequenciesSchema = z.strictObject({
  from: iso,
  to: iso,
  interval: marketInterval,
  total: int,
  byType: counts,
  byAction: counts,
  series: z.array(z.strictObject({ start: iso, total: int, byType: counts })),
});

export const ProductLeaderboardSchema = z.strictObject({
  metric: z.enum(['revenue', 'units', 'orders', 'interactions', 'rating']),
  from: iso.nullable().describe('null when the request had no from (the beginning of time)'),
  to: iso,
  items: z.array(
    z.strictObject({
      rank: int,
      productId,
      name: z.string().nullable(),
      value: z.number().describe('revenue: money (at most 2 decimals); rating: the average, unrounded'),
    }),
  ),
});

// ---- the metrics catalogue ------------------------------------------------------------------------

export const MetricsSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      name: z.string().describe('the figure, e.g. products.sales'),
      family: z.string(),
      description: z.string(),
      params: z.array(
        z.strictObject({
          name: z.string().describe("as the route's path or query parameter (a product's {id}: productId)"),
          type: z.enum(['string', 'integer', 'instant', 'enum']),
          required: z.boolean(),
          description: z.string(),
        }),
      ),
    }),
  ),
});

export const MetricsQueryBodySchema = z.strictObject({
  name: z.string().min(1).max(128).describe('a figure of GET /metrics'),
  params: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .describe("the figure's parameters by name (values as a query string carries them: strings or numbers)"),
});

export const MetricsQueryAnswerSchema = z.strictObject({
  name: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  result: z.unknown().describe("exactly what the figure's own route answers"),
});
