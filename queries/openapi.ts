// The OpenAPI 3.0 document served at GET /openapi.json. It is generated from ROUTES (every route the
// stack and the local runtime serve) plus, per route id, the query schema the handler validates with
// and the zod schema of its answer. test/unit/queries-openapi.test.ts checks that it has every route
// and nothing else; test/unit/route-docs.test.ts that each handler validates with the schema and path
// parameters documented here; the integration tests parse the answers with the answer schemas.
import { type ZodType, z } from 'zod';
import { MAX_POST_BYTES, ROUTES, type RouteDef } from '../lib/definitions';
import { QUERY } from './params';
import * as S from './schemas';

interface RouteDoc {
  summary: string;
  description?: string;
  query: z.ZodObject;
  response: ZodType;
  status?: number;
  /** error statuses the route can answer besides 500 */
  errors: number[];
  body?: boolean;
  /** request headers the route reads */
  headers?: { name: string; description: string; schema: Record<string, unknown> }[];
}

const RANGE_NOTE =
  'from/to inside a 5-second bucket are widened to its edges (from floored, to ceiled); the answer echoes the range answered.';

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
    query: QUERY.none,
    response: S.ProfileSchema,
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
    description: `Only positive values; ties by name. ${RANGE_NOTE} Reflects the rollups (see /meta/snapshots).`,
    query: QUERY.leaderboard,
    response: S.LeaderboardSchema,
    errors: [400],
  },
  LeaderboardReferralPoints: {
    summary: 'Users by referral points awarded in [from, to)',
    description: `Only positive values; ties by name. ${RANGE_NOTE} Reflects the rollups (see /meta/snapshots).`,
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
      'earliest/latest: starts of the first and last 5-second buckets with data. coveredUntil: every event committed when the last snapshot run started, with created_at before it, is reflected in ranged answers.',
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
};

const ERROR_TEXT: Record<number, string> = {
  400: 'A bad parameter (the message names it)',
  404: 'Unknown user or route',
  409: 'A request with the same Idempotency-Key is still in progress',
  413: 'Body too large',
  422: 'The Idempotency-Key was used with another body',
  429: 'Too many requests',
  500: 'Internal error (generic message)',
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
      schema: { type: 'string', minLength: 1, maxLength: 128 },
    });
  }
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

function operation(route: RouteDef): Json {
  const doc = ROUTE_DOCS[route.id];
  const responses: Json = {};
  responses[String(doc?.status ?? 200)] = {
    description: 'OK',
    content: {
      'application/json': { schema: doc ? jsonSchema(doc.response, 'output') : { type: 'object' } },
    },
  };
  for (const code of [...(doc?.errors ?? [400]), 500]) {
    responses[String(code)] = { $ref: `#/components/responses/E${code}` };
  }
  const op: Json = {
    operationId: route.id,
    summary: doc?.summary ?? route.id,
    ...(doc?.description === undefined ? {} : { description: doc.description }),
    parameters: parameters(route, doc),
    responses,
  };
  if (doc?.body) {
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
    components: { schemas: { Error: jsonSchema(S.ErrorSchema, 'output') }, responses },
  };
}
