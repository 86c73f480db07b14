// The OpenAPI 3.0 document served at GET /openapi.json. It is generated from ROUTES (every route the
// stack and the local runtime serve) plus, per route id, the query schema the handler validates with
// and the zod schema of its answer. test/unit/queries-openapi.test.ts checks that it has every route
// and nothing else; test/unit/route-docs.test.ts that each handler validates with the schema and path
// parameters documented here; the integration tests parse the answers with the answer schemas.
import { type ZodType, z } from 'zod';
import {
  CATALOGUE_WRITE_WAIT_MS,
  MAX_POST_BODY_BYTES,
  MAX_POST_BYTES,
  MAX_WRITE_BODY_BYTES,
  ROUTES,
  type RouteDef,
} from '../lib/definitions';
import {
  ProductBodySchema,
  ProductEntrySchema,
  ProfileBodySchema,
  UserProfileEntrySchema,
  WriteAcceptedSchema,
} from './catalogue';
import { QUERY } from './params';
import {
  PostAcceptedSchema,
  PostBodySchema,
  PostSchema,
  PostsStatsSchema,
  UserPostsSchema,
  WritersSchema,
} from './posts';
import * as S from './schemas';

interface RouteDoc {
  summary: string;
  description?: string;
  query: z.ZodObject;
  /** the answer's schema at `status`; absent: no body (a 204) */
  response?: ZodType;
  status?: number;
  /** other success statuses the route can answer, with their answer's schema (absent: no body) */
  also?: { status: number; description: string; response?: ZodType }[];
  /** error statuses the route can answer besides 500 */
  errors: number[];
  /** `true`: POST /events' body (a JSON array or NDJSON of events); a schema: a JSON object body */
  body?: true | ZodType;
  /** request headers the route reads */
  headers?: { name: string; description: string; schema: Record<string, unknown> }[];
}

/** The schema of a route's answer at `status` (null: an answer without a body, or no such status). */
export function responseSchema(doc: RouteDoc, status: number): ZodType | null {
  if (status === (doc.status ?? 200)) return doc.response ?? null;
  return doc.also?.find((a) => a.status === status)?.response ?? null;
}

/** The success statuses of a route, its main one first. */
export function successStatuses(doc: RouteDoc): number[] {
  return [doc.status ?? 200, ...(doc.also ?? []).map((a) => a.status)];
}

const WRITE_WAIT_NOTE = `The write goes into the stream as a ${'`'}%EVENT%${'`'} event (the processor stays the only writer) and the route waits up to ${CATALOGUE_WRITE_WAIT_MS / 1000} s for the processor to commit it.`;
const ACCEPTED_NOTE =
  "`{sequenceNumber}` of the write's record: the processor had not committed it within the wait; it is in the stream and will be applied in order (done once `/meta/pipeline` shows a `lastSequenceNumber` at least as large, compared as numbers)";
const WRITE_KEY_HEADER = [
  {
    name: 'Idempotency-Key',
    description:
      'Makes a retry safe: a request with the same key within 24 hours gets the first answer (same status and body, a 202 included) and sends nothing again; the same key with another body or on another product or user is a 422; while the first request with the key is still being answered, a 409 (after a wait of up to 2 s).',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
  },
];
const writeNote = (event: string) => WRITE_WAIT_NOTE.replace('%EVENT%', event);

const RANGE_NOTE =
  'from/to inside a 5-second bucket are widened to its edges (from floored, to ceiled); the answer echoes the range answered.';

const MARKET_RANGE_NOTE = `${RANGE_NOTE} window (1m … 7d) is the last stretch of time up to the end of the 5-second bucket holding now, and cannot be given with from or to. Without from, the series starts at the step holding the subject's earliest event. Steps of interval (default: the finest with at most 1,000 points). Answered from the rollups and the committed events after them: as fresh as the last committed batch.`;

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  Health: { summary: 'Liveness', query: QUERY.none, response: S.HealthSchema, errors: [] },
  OpenApi: {
    summary: 'This document',
    query: QUERY.none,
    response: z.object({ openapi: z.string() }).loose(),
    errors: [],
  },
  UserProfile: {
    summary: "A user's profile",
    description:
      'The graph figures of a registered user, and its marketplace profile (`profile`, null when it has none).',
    query: QUERY.none,
    response: S.UserProfileSchema,
    errors: [400, 404],
  },
  UserNetwork: {
    summary: "A user's one-hop network",
    description:
      'A neighbour that is both a friend and the referrer (or a referred user) appears once, with its referral relation; both of its edges are listed. Referral edges point from referrer to referred.',
    query: QUERY.none,
    response: S.NetworkSchema,
    errors: [400, 404],
  },
  UserFriends: {
    summary: "A user's friends by name ascending, paginated",
    query: QUERY.friends,
    response: S.FriendsSchema,
    errors: [400, 404],
  },
  UserTopFriends: {
    summary: "A user's friends ranked by network strength + referral points",
    query: QUERY.topFriends,
    response: S.TopFriendsSchema,
    errors: [400, 404],
  },
  UserReferrals: {
    summary: 'Direct referrals made, as a time series',
    description: `count: referrals made in range; cumulative: all-time total at each step's end. ${RANGE_NOTE} At most 1,000 points.`,
    query: QUERY.series,
    response: S.ReferralsSchema,
    errors: [400, 404],
  },
  UserFriendsCount: {
    summary: 'Friend count as a time series',
    description: `count: friends at each step's end. ${RANGE_NOTE} At most 1,000 points.`,
    query: QUERY.series,
    response: S.FriendsCountSchema,
    errors: [400, 404],
  },
  LeaderboardNetworkStrength: {
    summary: 'Users by net change of network strength in [from, to) (no from: strength at to)',
    description: `Only positive values; ties by name. ${RANGE_NOTE} Answered from the rollups and the committed events after them: as fresh as the last committed batch.`,
    query: QUERY.leaderboard,
    response: S.LeaderboardSchema,
    errors: [400],
  },
  LeaderboardReferralPoints: {
    summary: 'Users by referral points awarded in [from, to)',
    description: `Only positive values; ties by name. ${RANGE_NOTE} Answered from the rollups and the committed events after them: as fresh as the last committed batch.`,
    query: QUERY.leaderboard,
    response: S.LeaderboardSchema,
    errors: [400],
  },
  MetaUsers: {
    summary: 'Registered user names by name ascending, paginated',
    query: QUERY.metaUsers,
    response: S.MetaUsersSchema,
    errors: [400],
  },
  MetaSnapshots: {
    summary: 'What the time-bucketed rollups cover',
    description:
      'earliest/latest: starts of the first and last 5-second buckets with data. coveredUntil: every event committed when the last snapshot run started, with created_at before it, is in the rollups (ranged answers also add the committed events the rollups do not hold yet).',
    query: QUERY.none,
    response: S.MetaSnapshotsSchema,
    errors: [],
  },
  MetaPipeline: {
    summary: 'Outcome counters and stream position',
    query: QUERY.none,
    response: S.MetaPipelineSchema,
    errors: [],
  },
  MetaRejections: {
    summary: 'Rejected events in stream order, paginated',
    query: QUERY.rejections,
    response: S.RejectionsSchema,
    errors: [400],
  },
  PostEvents: {
    summary: 'Send events into the stream, in order',
    description: `A JSON array or NDJSON of events, at most ${MAX_POST_BYTES} bytes. The processor decides each outcome.`,
    query: QUERY.none,
    response: S.AcceptedSchema,
    status: 202,
    errors: [400, 409, 413, 422, 429],
    body: true,
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Makes a retry safe: a request with the same key within 24 hours gets the first answer (same status and body) and sends nothing again; the same key with another body is a 422; while the first request with the key is still being answered, a 409 (after a wait of up to 2 s).',
        schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
      },
    ],
  },
  ProductList: {
    summary: 'Products by productId ascending (code-unit order), paginated',
    description:
      "A product exists once an applied event names it (a sale, a rating, an interaction or a catalogue upsert). `name` is the catalogue entry's, else the `name_of_product` of its latest sale or rating; `category` the catalogue entry's (null without one).",
    query: QUERY.products,
    response: S.ProductListSchema,
    errors: [400],
  },
  ProductGet: {
    summary: "A product's catalogue entry and all-time figures",
    description:
      '`firstSeenAt`: the time of the first applied event naming the product, in stream order. `category`, `cost` and `description` come from the catalogue entry (null without one). Figures are all-time and as fresh as the last committed batch; `ratings.average` is unrounded (null without ratings).',
    query: QUERY.none,
    response: S.ProductSchema,
    errors: [400, 404],
  },
  UserProfileGet: {
    summary: "A user's marketplace profile",
    description:
      'Answers for a registered user (profile null when it has none) and for a name that only has a profile (a profile needs no registration); 404 for a name that is neither.',
    query: QUERY.none,
    response: S.UserMarketProfileSchema,
    errors: [400, 404],
  },
  ProductSales: {
    summary: "A product's sales over a range, as a time series",
    description: `orders: productSold events; units; revenue: the sum of the amounts, exact from integer cents. ${MARKET_RANGE_NOTE}`,
    query: QUERY.marketSeries,
    response: S.ProductSalesSchema,
    errors: [400, 404],
  },
  ProductRatings: {
    summary: "A product's ratings over a range, as a time series",
    description: `count, average (sum / count, unrounded; null without ratings) and the count per star over the range; count and average per step. ${MARKET_RANGE_NOTE}`,
    query: QUERY.marketSeries,
    response: S.ProductRatingsSchema,
    errors: [400, 404],
  },
  UserActivity: {
    summary: "A user's marketplace activity over a range, as a time series",
    description: `The user's interactions (by action and by source), purchases (the sales naming the user) and ratings given; interactions per step. A name with no marketplace event answers zeros, not 404 (the user need not be registered). byAction and bySource list only what happened in the range. ${MARKET_RANGE_NOTE}`,
    query: QUERY.marketSeries,
    response: S.UserActivitySchema,
    errors: [400],
  },
  EventFrequencies: {
    summary: 'Applied events per type, of every family, over a range, as a time series',
    description: `byType: applied events per type (only the types with a count in the range); byAction: interactions per action. ${MARKET_RANGE_NOTE}`,
    query: QUERY.marketSeries,
    response: S.EventFrequenciesSchema,
    errors: [400],
  },
  LeaderboardProducts: {
    summary: 'Products ranked by a metric over [from, to) (no from: all time up to to)',
    description: `metric: revenue, units or orders (sales), interactions (with action: of that action only), rating (the average rating, products with at least minRatings ratings, default 1). action is for metric=interactions only and minRatings for metric=rating only (a 400 naming them otherwise). Only positive values; ties by productId in code-unit order. ${RANGE_NOTE} window (1m … 7d) is the last stretch of time up to the end of the 5-second bucket holding now, and cannot be given with from or to. Answered from the rollups and the committed events after them.`,
    query: QUERY.productLeaderboard,
    response: S.ProductLeaderboardSchema,
    errors: [400],
  },
  Metrics: {
    summary: 'The catalogue of figures',
    description:
      "Every figure the API answers, its family, and its parameters: the path and query parameters of the figure's own route (a product's `{id}` is `productId`). POST /metrics/query answers any of them.",
    query: QUERY.none,
    response: S.MetricsSchema,
    errors: [],
  },
  MetricsQuery: {
    summary: 'Query a figure of the catalogue by name',
    description:
      "`result` is exactly what the figure's own route answers for these parameters. An unknown name or a bad parameter is a 400 naming it; an unknown user or product a 404, as the route answers.",
    query: QUERY.none,
    body: S.MetricsQueryBodySchema,
    response: S.MetricsQueryAnswerSchema,
    errors: [400, 404, 413],
  },
  ProductCreate: {
    summary: "Create or replace a product's catalogue entry",
    description: `${writeNote('productUpserted')} Without \`productId\` the product gets a random UUID. 201 when the product had no entry before, 200 when it replaced one (an identical entry is a noop, and a 200). A body over ${MAX_WRITE_BODY_BYTES.toLocaleString('en-US')} bytes is a 413.`,
    query: QUERY.none,
    body: ProductBodySchema,
    status: 201,
    response: ProductEntrySchema,
    also: [
      {
        status: 200,
        description: 'replaced (or identical to) an existing entry',
        response: ProductEntrySchema,
      },
      { status: 202, description: ACCEPTED_NOTE, response: WriteAcceptedSchema },
    ],
    errors: [400, 409, 413, 422, 429],
    headers: WRITE_KEY_HEADER,
  },
  ProductPut: {
    summary: 'Create or replace the catalogue entry of product {id}',
    description: `${writeNote('productUpserted')} 201 when the product had no entry before, 200 when it replaced one (an identical entry is a noop, and a 200). A \`productId\` in the body must be the path's. A body over ${MAX_WRITE_BODY_BYTES.toLocaleString('en-US')} bytes is a 413.`,
    query: QUERY.none,
    body: ProductBodySchema,
    status: 200,
    response: ProductEntrySchema,
    also: [
      { status: 201, description: 'created: the product had no entry before', response: ProductEntrySchema },
      { status: 202, description: ACCEPTED_NOTE, response: WriteAcceptedSchema },
    ],
    errors: [400, 409, 413, 422, 429],
    headers: WRITE_KEY_HEADER,
  },
  ProductDelete: {
    summary: 'Remove the catalogue entry of product {id}',
    description: `${writeNote('productDeleted')} 204 once committed, also when there was no entry (a noop). The product's figures (sales, ratings, interactions) stay, and so does the product for GET /products/{id} once an event named it.`,
    query: QUERY.none,
    status: 204,
    also: [{ status: 202, description: ACCEPTED_NOTE, response: WriteAcceptedSchema }],
    errors: [400, 409, 422, 429],
    headers: WRITE_KEY_HEADER,
  },
  UserProfilePut: {
    summary: "Create or replace a user's profile",
    description: `${writeNote('profileUpserted')} The user need not be registered. 201 when the user had no profile before, 200 when it replaced one (an identical profile is a noop, and a 200). A body over ${MAX_WRITE_BODY_BYTES.toLocaleString('en-US')} bytes is a 413.`,
    query: QUERY.none,
    body: ProfileBodySchema,
    status: 200,
    response: UserProfileEntrySchema,
    also: [
      {
        status: 201,
        description: 'created: the user had no profile before',
        response: UserProfileEntrySchema,
      },
      { status: 202, description: ACCEPTED_NOTE, response: WriteAcceptedSchema },
    ],
    errors: [400, 409, 413, 422, 429],
    headers: WRITE_KEY_HEADER,
  },
  UserProfileDelete: {
    summary: "Remove a user's profile",
    description: `${writeNote('profileDeleted')} 204 once committed, also when there was none (a noop).`,
    query: QUERY.none,
    status: 204,
    also: [{ status: 202, description: ACCEPTED_NOTE, response: WriteAcceptedSchema }],
    errors: [400, 409, 422, 429],
    headers: WRITE_KEY_HEADER,
  },
  PostGet: {
    summary: 'A post and its analysis',
    description:
      'wordCount: the tokens between Unicode White_Space characters that hold a letter or digit; averageWordLength: the letters and digits of those words over wordCount, unrounded (null with no words). A post never changes once written.',
    query: QUERY.none,
    response: PostSchema,
    errors: [400, 404],
  },
  UserPosts: {
    summary: "A writer's posts, newest first, paginated",
    description:
      "Newest first by the post's time (created_at, or its record's arrival time), later in the stream first on a tie. total: the writer's posts, all time. A name with no post answers total 0 and no items, not 404 (the user need not be registered).",
    query: QUERY.userPosts,
    response: UserPostsSchema,
    errors: [400],
  },
  PostsStats: {
    summary: 'Posts, words and the average word length over a range, as a time series',
    description: `Every writer's posts, or with user one writer's. averageWordLength: the words' total length over the words, unrounded (null with no words), over the range and per step. ${MARKET_RANGE_NOTE}`,
    query: QUERY.postsStats,
    response: PostsStatsSchema,
    errors: [400],
  },
  LeaderboardWriters: {
    summary: 'Writers ranked by posts or words over [from, to) (no from: all time up to to)',
    description: `metric: posts (default) or words. Only positive values; ties by name. ${RANGE_NOTE} window (1m … 7d) is the last stretch of time up to the end of the 5-second bucket holding now, and cannot be given with from or to. Answered from the rollups and the committed events after them.`,
    query: QUERY.writers,
    response: WritersSchema,
    errors: [400],
  },
  PostCreate: {
    summary: 'Write a post',
    description: `${writeNote('post')} Without \`postId\` the post gets a random UUID. 201 with the post once committed; 200 when the same post (same user and content) was already stored (the event is a noop); 409 \`duplicate_post\` when the id holds another post (nothing is sent). Its time is its record's arrival in the stream. A body over ${MAX_POST_BODY_BYTES.toLocaleString('en-US')} bytes is a 413.`,
    query: QUERY.none,
    body: PostBodySchema,
    status: 201,
    response: PostSchema,
    also: [
      { status: 200, description: 'the same post was already stored (a noop)', response: PostSchema },
      {
        status: 202,
        description: ACCEPTED_NOTE.replace('`{sequenceNumber}`', '`{postId, sequenceNumber}`'),
        response: PostAcceptedSchema,
      },
    ],
    errors: [400, 409, 413, 422, 429],
    headers: WRITE_KEY_HEADER,
  },
};

/** The access tokens' scheme (SPEC 13): an operation's security names the ability it needs. */
const SECURITY_SCHEME = 'accessToken';

const ERROR_TEXT: Record<number, string> = {
  400: 'A bad parameter (the message names it)',
  404: 'Unknown user, product, post or route',
  409: 'A request with the same Idempotency-Key is still in progress',
  401: 'No valid access token (missing, malformed, unknown or revoked) where tokens are on',
  403: "The access token lacks the route's ability",
  413: 'Body too large',
  422: 'The Idempotency-Key was used with another body',
  429: 'Too many requests',
  500: 'Internal error (generic message)',
};

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
};

type Json = Record<string, unknown>;

/** zod writes the safe-integer bounds on every integer; they only add noise to a document. */
function dropSafeBounds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropSafeBounds);
  if (v === null || typeof v !== 'object') return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) {
    if ((k === 'minimum' || k === 'maximum') && Math.abs(x as number) === Number.MAX_SAFE_INTEGER) continue;
    out[k] = dropSafeBounds(x);
  }
  return out;
}

function jsonSchema(schema: ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'openapi-3.0',
    unrepresentable: 'any',
  }) as Json;
  return dropSafeBounds(rest) as Json;
}

function parameters(route: RouteDef, doc: RouteDoc | undefined): Json[] {
  const out: Json[] = [];
  for (const m of route.path.matchAll(/\{(\w+)\}/g)) {
    out.push({
      name: m[1],
      in: 'path',
      required: true,
      // {id} is a product id (SPEC 10: 1–64 characters); {name} a user's name.
      schema: { type: 'string', minLength: 1, maxLength: m[1] === 'id' ? 64 : 128 },
    });
  }
  if (route.method === 'GET') out.push(IF_NONE_MATCH);
  if (doc === undefined) return out;
  for (const h of doc.headers ?? []) {
    out.push({ name: h.name, in: 'header', required: false, description: h.description, schema: h.schema });
  }
  const q = jsonSchema(doc.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
  for (const [name, prop] of Object.entries(q.properties ?? {})) {
    const { description, ...schema } = prop;
    out.push({
      name,
      in: 'query',
      required: q.required?.includes(name) ?? false,
      ...(description === undefined ? {} : { description }),
      schema,
    });
  }
  return out;
}

function answer(description: string, schema: ZodType | undefined): Json {
  if (schema === undefined) return { description };
  return { description, content: { 'application/json': { schema: jsonSchema(schema, 'output') } } };
}

/** Every GET answer is conditional (lambdas/shared/http.ts): these describe how, once. */
const IF_NONE_MATCH: Json = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description:
    'ETags of answers the client holds (a list, weak forms compared weakly, or *): a 304 with no body while the answer is the same',
  schema: { type: 'string' },
};
const VALIDATORS: Json = {
  ETag: {
    description:
      'A strong tag of this exact answer: the same until a committed batch or a snapshot run changes it',
    schema: { type: 'string' },
  },
  'Cache-Control': {
    description: '`no-cache`: keep the answer, ask again with its ETag',
    schema: { type: 'string' },
  },
};

function operation(route: RouteDef): Json {
  const doc = ROUTE_DOCS[route.id];
  const responses: Json = {};
  if (doc === undefined) {
    responses['200'] = { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } };
  } else {
    const status = doc.status ?? 200;
    responses[String(status)] = answer(STATUS_TEXT[status] ?? 'OK', doc.response);
    for (const a of doc.also ?? []) responses[String(a.status)] = answer(a.description, a.response);
  }
  if (route.method === 'GET') {
    for (const r of Object.values(responses)) (r as Json).headers = VALIDATORS;
    responses['304'] = {
      description: "Not Modified: If-None-Match names this answer's ETag; no body",
      headers: VALIDATORS,
    };
  }
  const guarded = route.access !== 'open';
  for (const code of [...(doc?.errors ?? [400]), ...(guarded ? [401, 403] : []), 500].sort((a, b) => a - b)) {
    responses[String(code)] = { $ref: `#/components/responses/E${code}` };
  }
  const op: Json = {
    operationId: route.id,
    summary: doc?.summary ?? route.id,
    ...(doc?.description === undefined ? {} : { description: doc.description }),
    // Where tokens are on (a deployed stack, npm start -- --auth): a bearer token with this ability.
    security: guarded ? [{ [SECURITY_SCHEME]: [route.access] }] : [],
    parameters: parameters(route, doc),
    responses,
  };
  if (doc?.body !== undefined && doc.body !== true) {
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } },
    };
  } else if (doc?.body === true) {
    op.requestBody = {
      required: true,
      content: {
        'application/json': { schema: { type: 'array', items: { type: 'object' } } },
        'application/x-ndjson': { schema: { type: 'string' } },
      },
    };
  }
  return op;
}

export function openApiDocument(routes: readonly RouteDef[] = ROUTES): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    paths[r.path] ??= {};
    paths[r.path][r.method.toLowerCase()] = operation(r);
  }
  const responses: Json = {};
  for (const [code, description] of Object.entries(ERROR_TEXT)) {
    responses[`E${code}`] = {
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Bacefook Analytics',
      version: '1.0.0',
      description:
        'Relationship graph analytics over the Bacefook event stream. Times are UTC; analytics resolution is 5 seconds.',
    },
    paths,
    components: {
      schemas: { Error: jsonSchema(S.ErrorSchema, 'output') },
      responses,
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A personal access token (`npm run token -- create`) in `Authorization: Bearer <token>`, with the ability the operation names (read, ingest or admin). Required by a deployed stack and by `npm start -- --auth`.',
        },
      },
    },
  };
}
