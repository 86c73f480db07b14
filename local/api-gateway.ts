// API Gateway REST (v1) with Lambda proxy integrations, on node:http: matches ROUTES by method and
// resource path, builds the proxy event API Gateway builds, invokes the route's handler with a Lambda
// context and writes its proxy result. Also serves the dashboard (web/dist) at `/` when it is built.
//
// Answers the gateway gives by itself use the API's error shape (as the stack's gateway responses do):
// unknown route 404, known path with another method 405, body over MAX_POST_BYTES 413, a handler that
// throws or returns something that is not a proxy result 500 with the generic message.
//
// With `auth` (tokens on, SPEC 13) it does what API Gateway does with the stack's REQUEST authorizer:
// a route that is not open needs an Authorization header (else 401 without asking the authorizer),
// the authorizer's answer is kept per header value for the cache's lifetime, its policy is evaluated
// against the request's method ARN (no Allow: 403), and its context reaches the handler as
// requestContext.authorizer. Its `Unauthorized` is a 401; any other failure of it a 500.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { AUTHORIZER, AUTHORIZER_CACHE_SECONDS, MAX_POST_BYTES, type RouteDef } from '../lib/definitions';
import { FORBIDDEN_BODY, type PolicyStatement, policyAllows, UNAUTHORIZED_BODY } from '../queries/access';
import { InvocationContext, LOCAL_ACCOUNT_ID, LOCAL_REGION, makeLambdaContext } from './lambda';
import type { RuntimeLogger } from './logs';

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<unknown>;

export interface ApiRoute {
  def: RouteDef;
  handler: ApiHandler;
}

export type AuthorizerHandler = (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
) => Promise<unknown>;

/** The REST authorizer, as the stack attaches it to every method whose route is not open. */
export interface LocalAuthorizer {
  handler: AuthorizerHandler;
  /** How long an answer is kept per Authorization header (default AUTHORIZER_CACHE_SECONDS; 0: never). */
  cacheSeconds?: number;
  /** The clock of the cache (tests). */
  now?: () => number;
}

export interface ApiGatewayOptions {
  routes: ApiRoute[];
  /** Tokens on: the authorizer guards every route whose access is not `open`. Default: none (open). */
  auth?: LocalAuthorizer;
  /** Default 3000; 0 = ephemeral. */
  port?: number;
  host?: string;
  /** Stage name in requestContext. Default 'local'. */
  stage?: string;
  /** Folder served at `/` when it exists (checked per request, so a dashboard built later shows up). */
  staticDir?: string;
  /**
   * Files served beside the static folder's, by name at `/` (text, e.g. the dashboard's config.js,
   * which the deployed stack writes next to index.html). Served whenever `staticDir` is set.
   */
  generatedFiles?: Record<string, string>;
  /** Largest request body. Default MAX_POST_BYTES. */
  maxBodyBytes?: number;
  /**
   * Request content types passed to the handler as base64 whatever they are, as API Gateway's
   * binaryMediaTypes: `type/subtype`, a whole type, or every type (the star-slash-star entry of
   * lib/definitions.ts API_BINARY_MEDIA_TYPES). Default none: only non-text types are.
   */
  binaryMediaTypes?: readonly string[];
  logger?: RuntimeLogger;
}

export interface ApiGatewayStats {
  requests: number;
  /** answers with a 5xx status */
  serverErrors: number;
  /** authorizer invocations (cache misses) */
  authorizerCalls: number;
}

/** What an authorizer answered, as API Gateway reads it. */
interface AuthorizerAnswer {
  principalId: string;
  statements: PolicyStatement[];
  context: Record<string, string | number | boolean>;
}

/** API Gateway's checks of an authorizer's answer; null when it would be a configuration error (500). */
function authorizerAnswer(value: unknown): AuthorizerAnswer | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const doc = v.policyDocument as { Statement?: unknown } | undefined;
  if (typeof v.principalId !== 'string' || typeof doc !== 'object' || doc === null) return null;
  if (!Array.isArray(doc.Statement)) return null;
  const context: Record<string, string | number | boolean> = {};
  if (typeof v.context === 'object' && v.context !== null) {
    for (const [k, x] of Object.entries(v.context)) {
      // API Gateway passes only strings, numbers and booleans; an object or array is a 500.
      if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') return null;
      context[k] = x;
    }
  }
  return { principalId: v.principalId, statements: doc.Statement as PolicyStatement[], context };
}

/** At most this many cached authorizer answers (one per Authorization header seen). */
const AUTH_CACHE_MAX = 10_000;

/** Whether a request's content type is one of API Gateway's binaryMediaTypes (exact, a whole type, or all). */
function isBinaryMediaType(contentType: string | undefined, binary: readonly string[]): boolean {
  if (binary.length === 0) return false;
  if (binary.includes('*/*')) return true;
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return binary.includes(type) || binary.includes(`${type.split('/')[0]}/*`);
}

/** Content types whose bodies reach the handler as text; anything else is base64 (isBase64Encoded). */
function isTextBody(contentType: string | undefined, contentEncoding: string | undefined): boolean {
  if (contentEncoding && contentEncoding.toLowerCase() !== 'identity') return false;
  if (!contentType) return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return (
    type === '' ||
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/x-ndjson' ||
    type === 'application/ndjson' ||
    type === 'application/jsonl' ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/javascript'
  );
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

/** Headers API Gateway's preflight (the stack's addCorsPreflight: CDK's defaults and If-None-Match) answers with. */
const CORS_ALLOW_HEADERS =
  'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,If-None-Match';

interface CompiledRoute extends ApiRoute {
  segments: string[];
  resourceId: string;
  /**
   * The route's execution environment: on AWS a log stream (and the rest of the context but the
   * request id and deadline) belongs to the environment, not to one invocation.
   */
  environment: Context;
}

interface Match {
  /** every route on the matched resource path, by method */
  routes: CompiledRoute[];
  pathParameters: Record<string, string>;
}

/** API Gateway's 401 for a request its authorizer refused (the stack's UNAUTHORIZED gateway response). */
function unauthorized(): HttpError {
  return new HttpError(401, UNAUTHORIZED_BODY.error.code, UNAUTHORIZED_BODY.error.message, {
    'www-authenticate': 'Bearer',
  });
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Sets an own property, whatever the key: `constructor` or `__proto__` in a query string or a header
 * are plain keys to API Gateway (its event is JSON), never the object's prototype or methods.
 */
function own<T>(obj: Record<string, T>, key: string, value: T): void {
  // Only `__proto__` is special to an assignment; defining every property would cost more per request.
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else obj[key] = value;
}

function isParam(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

function paramName(segment: string): string {
  return segment.slice(1, segment.endsWith('+}') ? -2 : -1);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's requestTime. */
function requestTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.statusCode === 'number' &&
    Number.isInteger(v.statusCode) &&
    v.statusCode >= 100 &&
    v.statusCode <= 599 &&
    (v.body === undefined || v.body === null || typeof v.body === 'string')
  );
}

export class LocalApiGateway {
  private readonly routes: CompiledRoute[];
  private readonly stage: string;
  private readonly staticDir?: string;
  private readonly generatedFiles: Map<string, Buffer>;
  private readonly maxBodyBytes: number;
  private readonly binaryMediaTypes: readonly string[];
  private readonly logger?: RuntimeLogger;
  private readonly server: Server;
  private readonly counters: ApiGatewayStats = { requests: 0, serverErrors: 0, authorizerCalls: 0 };
  private auth?: LocalAuthorizer & { environment: Context; cacheMs: number; now: () => number };
  private readonly authCache = new Map<string, { answer: Promise<AuthorizerAnswer>; until: number }>();
  private port: number;
  private readonly host: string;
  private listening = false;
  /** Requests being handled: stop() lets them finish before the emulators behind them go away. */
  private readonly inflight = new Set<Promise<void>>();

  constructor(opts: ApiGatewayOptions) {
    this.routes = opts.routes.map((r) => ({
      ...r,
      segments: r.def.path.split('/').slice(1),
      resourceId: createHash('sha1').update(r.def.path).digest('hex').slice(0, 6),
      environment: makeLambdaContext(r.def.fn),
    }));
    this.stage = opts.stage ?? 'local';
    this.staticDir = opts.staticDir ? resolve(opts.staticDir) : undefined;
    this.generatedFiles = new Map(
      Object.entries(opts.generatedFiles ?? {}).map(([name, text]) => [name, Buffer.from(text)]),
    );
    this.maxBodyBytes = opts.maxBodyBytes ?? MAX_POST_BYTES;
    this.binaryMediaTypes = (opts.binaryMediaTypes ?? []).map((t) => t.toLowerCase());
    this.logger = opts.logger;
    this.setAuth(opts.auth);
    this.port = opts.port ?? 3000;
    this.host = opts.host ?? '127.0.0.1';
    this.server = createServer((req, res) => {
      const p = this.handle(req, res).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    });
    // Keep-alive clients (benchmarks) reuse connections; the defaults are fine otherwise.
    this.server.keepAliveTimeout = 5_000;
    // Requests node:http refuses before any handler runs (request line or headers over its 16 KB limit,
    // malformed HTTP) get an answer in the API's error shape too, instead of an empty one.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      const body = JSON.stringify({
        error: tooLarge
          ? { code: 'request_too_large', message: 'The request line or headers are too large.' }
          : { code: 'bad_request', message: 'The request is not valid HTTP.' },
      });
      socket.end(
        `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
          'content-type: application/json; charset=utf-8\r\n' +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
  }

  /** Starts listening; returns the base URL (http://host:port). */
  async start(): Promise<string> {
    await new Promise<void>((resolveListen, reject) => {
      const onError = (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new Error(
                `the API cannot listen on ${this.host}:${this.port}: the port is in use (try --port)`,
                {
                  cause: err,
                },
              )
            : err,
        );
      this.server.once('error', onError);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', onError);
        resolveListen();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.listening = true;
    return this.url;
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** Turns tokens on (with this authorizer) or off from the next request on; the cache starts empty. */
  setAuth(auth: LocalAuthorizer | undefined): void {
    this.authCache.clear();
    this.auth = auth && {
      ...auth,
      environment: makeLambdaContext(AUTHORIZER),
      cacheMs: (auth.cacheSeconds ?? AUTHORIZER_CACHE_SECONDS) * 1000,
      now: auth.now ?? Date.now,
    };
  }

  stats(): ApiGatewayStats {
    return { ...this.counters };
  }

  /**
   * Hands HTTP upgrade requests (WebSocket handshakes) on the API's port to `listener`
   * (local/live-gateway.ts serves `/live`). Without one, node:http closes them.
   */
  onUpgrade(listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void {
    this.server.on('upgrade', listener);
  }

  /** Stops accepting requests, lets the ones being handled finish (up to `graceMs`), then closes. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((done) => this.server.close(() => done()));
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inflight]),
      new Promise<void>((r) => {
        timer = setTimeout(r, graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.server.closeAllConnections();
    await closed;
  }

  // ---- routing ----

  /** Routes on the resource path that matches `segments` (decoded), most specific template first. */
  private match(segments: string[]): Match | null {
    let best: { template: string[]; score: string; params: Record<string, string> } | null = null;
    for (const r of this.routes) {
      const t = r.segments;
      const greedy = t.length > 0 && t[t.length - 1].endsWith('+}');
      if (greedy ? segments.length < t.length : segments.length !== t.length) continue;
      const params: Record<string, string> = {};
      let score = '';
      let ok = true;
      for (let i = 0; i < t.length && ok; i++) {
        if (greedy && i === t.length - 1) {
          params[paramName(t[i])] = segments.slice(i).join('/');
          score += 'Q';
        } else if (isParam(t[i])) {
          if (segments[i] === '') ok = false;
          params[paramName(t[i])] = segments[i];
          score += 'P';
        } else {
          ok = t[i] === segments[i];
          score += 'L';
        }
      }
      if (ok && (best === null || score < best.score)) best = { template: t, score, params };
    }
    if (!best) return null;
    const template = best.template.join('/');
    return {
      routes: this.routes.filter((r) => r.segments.join('/') === template),
      pathParameters: best.params,
    };
  }

  // ---- request handling ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
    const rawQuery = q >= 0 ? rawUrl.slice(q + 1) : '';
    let resource: string | null = null;
    this.counters.requests++;
    try {
      let segments: string[];
      try {
        segments = rawPath.split('/').slice(1).map(decodeURIComponent);
      } catch {
        throw new HttpError(400, 'bad_request', 'The request path is not valid URL encoding.');
      }
      // A trailing slash names the same resource.
      if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
      const match = this.match(segments);

      if (!match) {
        if ((method === 'GET' || method === 'HEAD') && this.serveStatic(segments, method, res)) return;
        throw new HttpError(404, 'not_found', 'No such route.');
      }
      const methods = match.routes.map((r) => r.def.method);
      resource = match.routes[0].def.path;
      if (method === 'OPTIONS') {
        this.preflight(res, methods);
        return;
      }
      const route = match.routes.find((r) => r.def.method === method);
      if (!route) {
        throw new HttpError(
          405,
          'method_not_allowed',
          `${method} is not allowed on ${resource}; use ${methods.join(', ')}.`,
          { allow: [...methods, 'OPTIONS'].join(', ') },
        );
      }
      const authorizer =
        this.auth && route.def.access !== 'open'
          ? await this.authorize(req, route, requestId, rawPath, rawQuery, match.pathParameters)
          : undefined;
      const body = await this.readBody(req);
      const event = this.toEvent(req, route, requestId, rawPath, rawQuery, match.pathParameters, body);
      if (authorizer) event.requestContext.authorizer = authorizer;
      let result: unknown;
      try {
        result = await route.handler(event, this.invocationContext(route));
      } catch (err) {
        this.logger?.log('error', 'api-gateway', 'handler failed', {
          route: route.def.id,
          requestId,
          error: err,
        });
        throw new HttpError(500, 'internal_error', 'The server could not answer this request.');
      }
      if (!isProxyResult(result)) {
        this.logger?.log('error', 'api-gateway', 'handler returned no valid proxy result', {
          route: route.def.id,
          requestId,
        });
        throw new HttpError(500, 'internal_error', 'The server could not answer this request.');
      }
      this.writeResult(res, result, method);
    } catch (err) {
      const e =
        err instanceof HttpError
          ? err
          : new HttpError(500, 'internal_error', 'The server could not answer this request.');
      if (!(err instanceof HttpError)) {
        this.logger?.log('error', 'api-gateway', 'request failed', { requestId, error: err });
      }
      this.sendError(res, e);
    } finally {
      if (res.writableFinished) this.logRequest(req, res, requestId, method, rawPath, resource, started);
      else res.once('close', () => this.logRequest(req, res, requestId, method, rawPath, resource, started));
    }
  }

  /**
   * The authorizer's verdict on a request, as API Gateway reaches it: the context the handler sees, or
   * a 401 / 403 / 500 thrown in the API's error shape.
   */
  private async authorize(
    req: IncomingMessage,
    route: CompiledRoute,
    requestId: string,
    rawPath: string,
    rawQuery: string,
    pathParameters: Record<string, string>,
  ): Promise<Record<string, string | number | boolean>> {
    const auth = this.auth;
    if (!auth) throw new Error('no authorizer');
    const identity = req.headers.authorization;
    // The identity source is the Authorization header: without one API Gateway refuses at once.
    if (identity === undefined || identity === '') throw unauthorized();
    const methodArn = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:local/${this.stage}/${route.def.method}${rawPath}`;
    const now = auth.now();
    let entry = auth.cacheMs > 0 ? this.authCache.get(identity) : undefined;
    if (entry !== undefined && entry.until <= now) {
      this.authCache.delete(identity);
      entry = undefined;
    }
    let latencyMs = 0;
    if (entry === undefined) {
      const started = performance.now();
      const pending = this.invokeAuthorizer(
        req,
        route,
        requestId,
        rawPath,
        rawQuery,
        pathParameters,
        methodArn,
      );
      const made = { answer: pending, until: now + auth.cacheMs };
      entry = made;
      if (auth.cacheMs > 0) {
        // The promise, not the answer: concurrent requests with one header share one invocation.
        if (this.authCache.size >= AUTH_CACHE_MAX) this.authCache.clear();
        this.authCache.set(identity, made);
        // A refusal or a failure is not kept: the next request asks again.
        pending.catch(() => {
          if (this.authCache.get(identity) === made) this.authCache.delete(identity);
        });
      }
      await pending.catch(() => undefined);
      latencyMs = Math.round(performance.now() - started);
    }
    const answer = await entry.answer;
    if (!policyAllows(answer.statements, methodArn)) {
      throw new HttpError(403, FORBIDDEN_BODY.error.code, FORBIDDEN_BODY.error.message);
    }
    return {
      ...answer.context,
      principalId: answer.principalId,
      integrationLatency: latencyMs,
    };
  }

  /** One invocation of the authorizer: its answer, or the 401 / 500 its failure means. */
  private async invokeAuthorizer(
    req: IncomingMessage,
    route: CompiledRoute,
    requestId: string,
    rawPath: string,
    rawQuery: string,
    pathParameters: Record<string, string>,
    methodArn: string,
  ): Promise<AuthorizerAnswer> {
    const auth = this.auth;
    if (!auth) throw new Error('no authorizer');
    const event = this.toEvent(req, route, requestId, rawPath, rawQuery, pathParameters, null);
    const authEvent: APIGatewayRequestAuthorizerEvent = {
      type: 'REQUEST',
      methodArn,
      resource: event.resource,
      path: event.path,
      httpMethod: event.httpMethod,
      headers: event.headers as Record<string, string>,
      multiValueHeaders: event.multiValueHeaders as Record<string, string[]>,
      pathParameters: event.pathParameters as Record<string, string> | null,
      queryStringParameters: event.queryStringParameters as Record<string, string> | null,
      multiValueQueryStringParameters: event.multiValueQueryStringParameters as Record<
        string,
        string[]
      > | null,
      stageVariables: null,
      requestContext: event.requestContext as APIGatewayRequestAuthorizerEvent['requestContext'],
    };
    this.counters.authorizerCalls++;
    let raw: unknown;
    try {
      raw = await auth.handler(
        authEvent,
        new InvocationContext(auth.environment, randomUUID(), Date.now() + AUTHORIZER.timeoutSeconds * 1000),
      );
    } catch (err) {
      if (err instanceof Error && err.message === 'Unauthorized') throw unauthorized();
      this.logger?.log('error', 'api-gateway', 'authorizer failed', { requestId, error: err });
      throw new HttpError(500, 'internal_error', 'The server could not answer this request.');
    }
    const parsed = authorizerAnswer(raw);
    if (parsed === null) {
      this.logger?.log('error', 'api-gateway', 'authorizer answered no valid policy', { requestId });
      throw new HttpError(500, 'internal_error', 'The server could not answer this request.');
    }
    return parsed;
  }

  /** The access log line of an answered request (and the 5xx counter). */
  private logRequest(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    method: string,
    path: string,
    resource: string | null,
    started: number,
  ): void {
    if (res.statusCode >= 500) this.counters.serverErrors++;
    this.logger?.log('info', 'api-gateway', 'request', {
      requestId,
      ip: req.socket.remoteAddress,
      method,
      path,
      resource,
      status: res.statusCode,
      bytes: Number(res.getHeader('content-length') ?? 0),
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      userAgent: req.headers['user-agent'],
    });
  }

  /** A fresh invocation context in the route's environment: new request id, deadline from now. */
  private invocationContext(route: CompiledRoute): Context {
    return new InvocationContext(
      route.environment,
      randomUUID(),
      Date.now() + (route.def.fn.timeoutSeconds ?? 30) * 1000,
    );
  }

  private tooLarge(): HttpError {
    return new HttpError(
      413,
      'payload_too_large',
      `The request body is larger than ${this.maxBodyBytes} bytes.`,
    );
  }

  /** The body as a Buffer (null when empty), refusing more than maxBodyBytes without holding them. */
  private readBody(req: IncomingMessage): Promise<Buffer | null> | null {
    // No Content-Length and no Transfer-Encoding: HTTP/1.1 says there is no body (RFC 9112 6.3), and
    // node:http reads the empty message by itself after the answer.
    const length = req.headers['content-length'];
    if (length === undefined && req.headers['transfer-encoding'] === undefined) return null;
    const declared = Number(length);
    if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
      this.discard(req);
      return Promise.reject(this.tooLarge());
    }
    return new Promise((resolveBody, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let refused = false;
      // (listeners passed inline, unnamed: under tsx every named closure costs a defineProperty)
      req.on('data', (chunk: Buffer) => {
        if (refused) return;
        size += chunk.length;
        if (size > this.maxBodyBytes) {
          refused = true;
          chunks.length = 0;
          this.discard(req);
          reject(this.tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      req.once('end', () => {
        if (!refused) resolveBody(size === 0 ? null : Buffer.concat(chunks, size));
      });
      req.once('error', reject);
    });
  }

  /**
   * Lets the rest of a refused body flow by without keeping it, so the client can finish sending and
   * read the 413; a client that keeps sending far beyond the limit is cut off.
   */
  private discard(req: IncomingMessage): void {
    let skipped = 0;
    req.on('data', (chunk: Buffer) => {
      skipped += chunk.length;
      if (skipped > 8 * this.maxBodyBytes) req.socket.destroy();
    });
    req.resume();
  }

  private toEvent(
    req: IncomingMessage,
    route: CompiledRoute,
    requestId: string,
    rawPath: string,
    rawQuery: string,
    pathParameters: Record<string, string>,
    body: Buffer | null,
  ): APIGatewayProxyEvent {
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      own(headers, raw[i], raw[i + 1]);
      const all = Object.hasOwn(multiValueHeaders, raw[i]) ? multiValueHeaders[raw[i]] : undefined;
      if (all) all.push(raw[i + 1]);
      else own(multiValueHeaders, raw[i], [raw[i + 1]]);
    }
    const remote = req.socket.remoteAddress ?? '127.0.0.1';
    const sourceIp = remote.startsWith('::ffff:') ? remote.slice(7) : remote;
    // req.headers has every name in lower case.
    const forwarded: [string, string, string][] = [
      ['X-Forwarded-For', 'x-forwarded-for', sourceIp],
      ['X-Forwarded-Port', 'x-forwarded-port', String(this.port)],
      ['X-Forwarded-Proto', 'x-forwarded-proto', 'http'],
    ];
    for (const [k, lower, v] of forwarded) {
      if (req.headers[lower] === undefined) {
        headers[k] = v;
        multiValueHeaders[k] = [v];
      }
    }

    let queryStringParameters: Record<string, string> | null = null;
    let multiValueQueryStringParameters: Record<string, string[]> | null = null;
    if (rawQuery !== '') {
      const params = new URLSearchParams(rawQuery);
      for (const [k, v] of params) {
        queryStringParameters ??= {};
        multiValueQueryStringParameters ??= {};
        own(queryStringParameters, k, v);
        const all = Object.hasOwn(multiValueQueryStringParameters, k)
          ? multiValueQueryStringParameters[k]
          : undefined;
        if (all) all.push(v);
        else own(multiValueQueryStringParameters, k, [v]);
      }
    }

    const contentType = req.headers['content-type'];
    const text =
      !isBinaryMediaType(contentType, this.binaryMediaTypes) &&
      isTextBody(contentType, req.headers['content-encoding']);
    const now = Date.now();
    const host = req.headers.host ?? `${this.host}:${this.port}`;
    return {
      resource: route.def.path,
      path: rawPath,
      httpMethod: route.def.method,
      headers,
      multiValueHeaders,
      queryStringParameters,
      multiValueQueryStringParameters,
      pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
      stageVariables: null,
      requestContext: {
        accountId: LOCAL_ACCOUNT_ID,
        apiId: 'local',
        authorizer: undefined,
        domainName: host,
        domainPrefix: host.split('.')[0].split(':')[0],
        extendedRequestId: requestId,
        httpMethod: route.def.method,
        identity: {
          accessKey: null,
          accountId: null,
          apiKey: null,
          apiKeyId: null,
          caller: null,
          clientCert: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp,
          user: null,
          userAgent: req.headers['user-agent'] ?? null,
          userArn: null,
        },
        path: `/${this.stage}${rawPath}`,
        protocol: `HTTP/${req.httpVersion}`,
        requestId,
        requestTime: requestTime(now),
        requestTimeEpoch: now,
        resourceId: route.resourceId,
        resourcePath: route.def.path,
        stage: this.stage,
      },
      body: body === null ? null : text ? body.toString('utf8') : body.toString('base64'),
      isBase64Encoded: body !== null && !text,
    };
  }

  private writeResult(res: ServerResponse, result: APIGatewayProxyResult, method: string): void {
    const body =
      result.body === undefined || result.body === null
        ? Buffer.alloc(0)
        : result.isBase64Encoded
          ? Buffer.from(result.body, 'base64')
          : Buffer.from(result.body, 'utf8');
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
    // multiValueHeaders win over headers for the same name, as API Gateway merges them.
    for (const [k, v] of Object.entries(result.multiValueHeaders ?? {}))
      headers[k.toLowerCase()] = v.map(String);
    // A 304 has no body, and no Content-Length (one would have to name the 200's length).
    const bodiless = result.statusCode === 304;
    if (!bodiless) headers['content-length'] = String(body.length);
    // One writeHead rather than a setHeader per header: node:http checks and stores them in one pass.
    res.writeHead(result.statusCode, headers);
    res.end(method === 'HEAD' || bodiless ? undefined : body);
  }

  private sendError(res: ServerResponse, err: HttpError): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({ error: { code: err.code, message: err.message } });
    res.statusCode = err.status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('content-length', Buffer.byteLength(body));
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    res.end(body);
  }

  /** The CORS preflight the stack adds on every resource that has a route. */
  private preflight(res: ServerResponse, methods: string[]): void {
    res.statusCode = 204;
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-methods', [...methods, 'OPTIONS'].join(','));
    res.setHeader('access-control-allow-headers', CORS_ALLOW_HEADERS);
    res.end();
  }

  /** Serves a file of the static folder; false when there is no such file. */
  private serveStatic(segments: string[], method: string, res: ServerResponse): boolean {
    if (!this.staticDir) return false;
    const generated = segments.length === 1 ? this.generatedFiles.get(segments[0]) : undefined;
    if (generated !== undefined) {
      res.statusCode = 200;
      res.setHeader('content-type', STATIC_TYPES[extname(segments[0]).toLowerCase()] ?? 'text/plain');
      res.setHeader('content-length', generated.length);
      // As the deployed config.js: read again on every load.
      res.setHeader('cache-control', 'no-cache');
      res.end(method === 'HEAD' ? undefined : generated);
      return true;
    }
    if (segments.some((s) => s.includes('\0') || s.includes('/') || s.includes('\\'))) return false;
    let file = resolve(this.staticDir, ...segments);
    if (file !== this.staticDir && !file.startsWith(this.staticDir + sep)) return false;
    try {
      let st = statSync(file);
      if (st.isDirectory()) {
        file = join(file, 'index.html');
        st = statSync(file);
      }
      if (!st.isFile()) return false;
      const type = STATIC_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      res.statusCode = 200;
      res.setHeader('content-type', type);
      res.setHeader('content-length', st.size);
      res.setHeader('cache-control', type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300');
      if (method === 'HEAD') res.end();
      else
        createReadStream(file)
          .on('error', () => res.destroy())
          .pipe(res);
      return true;
    } catch {
      return false;
    }
  }
}
