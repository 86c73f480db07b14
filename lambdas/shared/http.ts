// The API's edge, in one place: middy wiring for every route, query/path validation with zod,
// JSON responses, and the mapping of errors to SPEC section 5's error shape.
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
> & { readonly spec: RouteSpec<Q> };

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
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrors())
    .handler(async (event, context) => {
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
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(event.headers ?? {})) headers[k.toLowerCase()] = v ?? undefined;
      const result = await fn({ query: q.data, path, body: event.body, headers, event }, context);
      if (result instanceof Reply) return json(result.body, result.status);
      return json(result);
    });
  return Object.assign(handler, { spec });
}
