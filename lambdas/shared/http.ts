// The API's edge, in one place: middy wiring for every route, query/path validation with zod,
// JSON responses, and the mapping of errors to SPEC section 5's error shape.
import { createHash } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type ZodType, z } from 'zod';
import { ROUTES } from '../../lib/definitions';
import {
  AppError,
  BadRequestError,
  type ErrorBody,
  errorBody,
  GENERIC_500,
  PayloadTooLargeError,
} from '../../queries/errors';
import { bodyText } from '../../queries/ingest';
import { requireEnvironment } from './deps';
import { makeLogger } from './logger';

export const logger = makeLogger('bacefook-api');

const BASE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  // The dashboard may be served from another origin (S3/CloudFront); the API is read-mostly and keyless by default.
  'access-control-allow-origin': '*',
};

const NO_CONTENT_HEADERS = { 'access-control-allow-origin': '*' };

export interface RouteInput<Q> {
  query: Q;
  path: Record<string, string>;
  body: string | null;
  headers: Record<string, string | undefined>;
  event: APIGatewayProxyEvent;
}

/** What a route returns: a JSON body, optionally with a status other than 200. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/**
 * A body serialized ahead of time: a route whose answer never changes (the OpenAPI document) returns
 * the same text on every call instead of serializing the same object again.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * The validator of a GET answer: a strong entity tag naming the exact bytes of its body. A body is
 * computed from the committed checkpoint and the snapshot state the reader saw (and nothing else that
 * changes), so the tag stays the same between two batches and changes as soon as a commit or a snapshot
 * run changes the answer; one that leaves this answer as it was keeps its tag (and the client's copy).
 */
export function entityTag(text: string): string {
  // A route whose answer never changes (JsonText: the 98 KB OpenAPI document) hands over the same
  // string each time: comparing it is a pointer check, hashing it again 0.25 ms.
  if (text === lastTagged.text) return lastTagged.tag;
  const tag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  if (text.length >= 16_384) lastTagged = { text, tag };
  return tag;
}

let lastTagged: { text: string | null; tag: string } = { text: null, tag: '' };

/** The opaque part of an entity tag, weak or strong (`W/"x"` and `"x"` compare equal: weak comparison). */
function opaque(tag: string): string {
  const t = tag.trim();
  return t.startsWith('W/') ? t.slice(2) : t;
}

/**
 * Whether an If-None-Match header matches `tag` (RFC 9110 13.1.2): `*` matches any current answer,
 * else any tag of its comma-separated list that is weakly equal to it.
 */
export function noneMatchHits(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  const value = header.trim();
  if (value === '*') return true;
  const mine = opaque(tag);
  // Entity tags hold no comma or quote inside their quotes, so a split on commas is exact.
  return value.split(',').some((t) => opaque(t) === mine);
}

/**
 * A GET route's 200 made conditional: an ETag and `Cache-Control: no-cache` (keep it, ask again each
 * time), and a 304 with no body when the request's If-None-Match names it. Errors carry neither.
 */
export function conditional(
  result: APIGatewayProxyResult,
  ifNoneMatch: string | undefined,
): APIGatewayProxyResult {
  if (result.statusCode !== 200) return result;
  const etag = entityTag(result.body);
  const validators = { etag, 'cache-control': 'no-cache', 'access-control-expose-headers': 'ETag' };
  if (noneMatchHits(ifNoneMatch, etag)) {
    return { statusCode: 304, headers: { ...NO_CONTENT_HEADERS, ...validators }, body: '' };
  }
  return { ...result, headers: { ...result.headers, ...validators } };
}

/** Every If-None-Match line of the request as one list (API Gateway's `headers` keeps only the last). */
/** The request's headers by lower-case name. */
function lowerHeaders(event: APIGatewayProxyEvent): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) headers[k.toLowerCase()] = v ?? undefined;
  return headers;
}

function ifNoneMatch(
  event: APIGatewayProxyEvent,
  headers: Record<string, string | undefined>,
): string | undefined {
  for (const [k, v] of Object.entries(event.multiValueHeaders ?? {})) {
    if (v !== undefined && v.length > 1 && k.toLowerCase() === 'if-none-match') return v.join(',');
  }
  return headers['if-none-match'];
}

export function json(body: unknown, status = 200): APIGatewayProxyResult {
  // 204 No Content: no body at all (a kept idempotent answer stores it as `null`).
  if (status === 204) return { statusCode: 204, headers: NO_CONTENT_HEADERS, body: '' };
  const text = body instanceof JsonText ? body.text : JSON.stringify(body);
  return { statusCode: status, headers: BASE_HEADERS, body: text };
}

/**
 * The request body as text: a 413 past `maxBytes`; a base64 body (the stack hands every body over so,
 * API_BINARY_MEDIA_TYPES) decoded strictly, bytes that are not UTF-8 a 400 (queries/ingest.ts bodyText).
 */
export function requestText(event: APIGatewayProxyEvent, maxBytes: number): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : null;
  const size = bytes === null ? Buffer.byteLength(raw) : bytes.length;
  if (size > maxBytes) throw new PayloadTooLargeError(`body exceeds ${maxBytes} bytes`);
  return bytes === null ? raw : bodyText(bytes);
}

function errorResult(status: number, body: ErrorBody): APIGatewayProxyResult {
  return json(body, status);
}

/** Turns the first zod issue into a message that names the parameter. */
export function describeIssue(where: 'query parameter' | 'path parameter' | 'body', err: z.ZodError): string {
  const issue = err.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `'${k}'`).join(', ');
    return `unknown ${where}${issue.keys.length > 1 ? 's' : ''} ${keys}`;
  }
  const name = issue.path.length > 0 ? String(issue.path[0]) : '';
  return name ? `${where} '${name}': ${issue.message}` : `${where}: ${issue.message}`;
}

function readQuery(event: APIGatewayProxyEvent): Record<string, string> {
  const multi = event.multiValueQueryStringParameters ?? {};
  const single = event.queryStringParameters ?? {};
  // No prototype: a parameter named `__proto__` or `constructor` is a key like any other (and unknown).
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(single)) {
    if (v === undefined || v === null) continue;
    const all = Object.hasOwn(multi, k) ? multi[k] : undefined;
    if (all && all.length > 1) throw new BadRequestError(`query parameter '${k}' is given more than once`);
    out[k] = v;
  }
  return out;
}

export interface RouteSpec<Q extends ZodType> {
  /** The route's id in ROUTES (lib/definitions.ts): its function's resources and its documentation. */
  id: string;
  /** A strict zod object for the query string (unknown parameters are a 400). */
  query: Q;
  /** Path parameters the route needs (validated as non-empty names). */
  path?: readonly string[];
  /**
   * The JSON body's schema, for a route that takes a JSON object (the handler validates with it;
   * test/unit/route-docs.test.ts checks that it is the documented one).
   */
  body?: ZodType;
}

/** A route's handler, carrying the spec it validates with (test/unit/route-docs.test.ts reads it). */
export type RouteHandler<Q extends ZodType> = middy.MiddyfiedHandler<
  APIGatewayProxyEvent,
  APIGatewayProxyResult
> & {
  readonly spec: RouteSpec<Q>;
  /**
   * The route's answer to `event` before it is serialized: its value, or a Reply; a bad input throws
   * the route's AppError. For a caller in the same process that embeds the answer in its own
   * (POST /metrics/query), without a JSON round trip and an ETag of its own.
   */
  readonly answer: (event: APIGatewayProxyEvent, context: Context) => Promise<unknown>;
};

const pathName = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

/** Error mapping middleware: 4xx from AppError as written; everything else a generic 500, logged. */
const httpErrors = (): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  onError: (request) => {
    const err = request.error;
    if (err instanceof AppError) {
      request.response = errorResult(err.status, errorBody(err.code, err.message));
      return;
    }
    logger.error('unhandled error', { error: err as Error, path: request.event?.path });
    request.response = errorResult(500, GENERIC_500);
  },
});

/**
 * Builds a Lambda handler for one route: validates the path and query, calls `fn`, and serializes
 * its answer as JSON (200 unless `fn` returns a Reply). Called as the handler module loads: a function
 * deployed without the name of a resource its route uses fails then, naming the variable.
 */
export function route<Q extends ZodType>(
  spec: RouteSpec<Q>,
  fn: (input: RouteInput<z.infer<Q>>, context: Context) => Promise<unknown>,
): RouteHandler<Q> {
  const def = ROUTES.find((r) => r.id === spec.id);
  if (def === undefined) throw new Error(`route '${spec.id}' is not in ROUTES (lib/definitions.ts)`);
  requireEnvironment(def.fn);
  const answer = async (event: APIGatewayProxyEvent, context: Context): Promise<unknown> => {
    const path: Record<string, string> = {};
    for (const p of spec.path ?? []) {
      const parsed = pathName.safeParse(event.pathParameters?.[p] ?? '');
      if (!parsed.success) {
        throw new BadRequestError(`path parameter '${p}': ${parsed.error.issues[0].message}`);
      }
      path[p] = parsed.data;
    }
    const q = spec.query.safeParse(readQuery(event));
    if (!q.success) throw new BadRequestError(describeIssue('query parameter', q.error));
    return fn({ query: q.data, path, body: event.body, headers: lowerHeaders(event), event }, context);
  };
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrors())
    .handler(async (event, context) => {
      const result = await answer(event, context);
      const reply = result instanceof Reply ? json(result.body, result.status) : json(result);
      return event.httpMethod === 'GET' ? conditional(reply, ifNoneMatch(event, lowerHeaders(event))) : reply;
    });
  return Object.assign(handler, { spec, answer });
}
