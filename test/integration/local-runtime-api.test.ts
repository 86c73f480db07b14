// The local API Gateway on its own, with route handlers written here: the proxy event it builds, how
// it writes proxy results, the answers it gives by itself (404, 405, 413, 500, preflight), the static
// dashboard folder; and the local schedule (never overlapping, EventBridge-shaped payload).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEvent, Context, ScheduledEvent } from 'aws-lambda';
import { type FunctionDef, MAX_POST_BYTES, type RouteDef } from '../../lib/definitions';
import { type ApiRoute, LocalApiGateway } from '../../local/api-gateway';
import { Scheduler } from '../../local/scheduler';

const fn = (id: string): FunctionDef => ({
  id,
  entry: 'x.ts',
  memoryMb: 512,
  timeoutSeconds: 29,
  tables: {},
});
const def = (id: string, method: 'GET' | 'POST', path: string): RouteDef => ({
  id,
  method,
  path,
  entry: 'x.ts',
  fn: fn(`Api${id}`),
  access: method === 'GET' ? 'read' : 'ingest',
});

let seen: { event: APIGatewayProxyEvent; context: Context }[] = [];
const echo: ApiRoute['handler'] = async (event, context) => {
  seen.push({ event, context });
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'x-single': 'one' },
    multiValueHeaders: { 'x-multi': ['a', 'b'] },
    body: JSON.stringify({ ok: true }),
  };
};

const routes: ApiRoute[] = [
  { def: def('Profile', 'GET', '/users/{name}'), handler: echo },
  { def: def('Network', 'GET', '/users/{name}/network'), handler: echo },
  { def: def('Leaders', 'GET', '/leaderboards/top'), handler: echo },
  { def: def('Post', 'POST', '/events'), handler: echo },
  {
    def: def('Binary', 'GET', '/binary'),
    handler: async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([0, 1, 2, 255]).toString('base64'),
      isBase64Encoded: true,
    }),
  },
  {
    def: def('Throws', 'GET', '/throws'),
    handler: async () => {
      throw new Error('secret internals: table bacefook-graph');
    },
  },
  { def: def('Garbage', 'GET', '/garbage'), handler: async () => ({ nope: true }) },
];

let api: LocalApiGateway;
let base: string;
let staticDir: string;

before(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'bacefook-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>dash</title>');
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(staticDir, 'assets', 'styles.css'), 'body{}');
  api = new LocalApiGateway({ routes, port: 0, staticDir });
  base = await api.start();
});

after(async () => {
  await api?.stop();
  rmSync(staticDir, { recursive: true, force: true });
});

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
  return body.error;
}

/** POST with a chunked body (no content-length), written in pieces. */
function postChunked(
  url: string,
  chunks: number,
  chunkBytes: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(chunkBytes, 0x20);
    let i = 0;
    const write = () => {
      while (i < chunks) {
        i++;
        if (!req.write(chunk)) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

describe('local API Gateway', () => {
  it('builds the REST v1 proxy event: resource, decoded path parameters, query and header maps', async () => {
    seen = [];
    const res = await fetch(`${base}/users/caf%C3%A9%20bar%2F1/network?limit=5&tag=a&tag=b&empty=`, {
      headers: { 'x-custom': 'v' },
    });
    assert.equal(res.status, 200);
    const { event, context } = seen[0];
    assert.equal(event.resource, '/users/{name}/network');
    assert.equal(event.path, '/users/caf%C3%A9%20bar%2F1/network');
    assert.equal(event.httpMethod, 'GET');
    assert.deepEqual(event.pathParameters, { name: 'café bar/1' });
    assert.deepEqual(event.queryStringParameters, { limit: '5', tag: 'b', empty: '' });
    assert.deepEqual(event.multiValueQueryStringParameters, { limit: ['5'], tag: ['a', 'b'], empty: [''] });
    assert.equal(event.headers['x-custom'], 'v');
    assert.deepEqual(event.multiValueHeaders['x-custom'], ['v']);
    assert.equal(event.headers['X-Forwarded-Proto'], 'http');
    assert.equal(event.body, null);
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.stageVariables, null);
    const rc = event.requestContext;
    assert.equal(rc.stage, 'local');
    assert.equal(rc.resourcePath, '/users/{name}/network');
    assert.equal(rc.httpMethod, 'GET');
    assert.equal(rc.path, '/local/users/caf%C3%A9%20bar%2F1/network');
    assert.equal(rc.identity.sourceIp, '127.0.0.1');
    assert.match(rc.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(typeof rc.requestTimeEpoch, 'number');
    assert.match(rc.requestTime ?? '', /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(context.functionName, 'bacefook-ApiNetwork');
    assert.equal(context.memoryLimitInMB, '512');
    assert.ok(context.getRemainingTimeInMillis() <= 29_000);
  });

  it('gives null query maps when there is no query string, and a literal segment beats a parameter', async () => {
    seen = [];
    await fetch(`${base}/users/alice`);
    await fetch(`${base}/leaderboards/top`);
    assert.equal(seen[0].event.queryStringParameters, null);
    assert.equal(seen[0].event.multiValueQueryStringParameters, null);
    assert.equal(seen[0].event.resource, '/users/{name}');
    assert.equal(seen[1].event.resource, '/leaderboards/top');
    assert.equal(seen[1].event.pathParameters, null);
  });

  it('passes text bodies as utf8 and binary bodies as base64 with isBase64Encoded', async () => {
    seen = [];
    await fetch(`${base}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[1,"é"]',
    });
    await fetch(`${base}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0x1f, 0x8b, 0, 255]),
    });
    assert.equal(seen[0].event.body, '[1,"é"]');
    assert.equal(seen[0].event.isBase64Encoded, false);
    assert.equal(seen[1].event.body, Buffer.from([0x1f, 0x8b, 0, 255]).toString('base64'));
    assert.equal(seen[1].event.isBase64Encoded, true);
  });

  it('writes the proxy result: status, headers, multi-value headers, base64 bodies', async () => {
    const res = await fetch(`${base}/users/alice`);
    assert.equal(res.headers.get('x-single'), 'one');
    assert.equal(res.headers.get('x-multi'), 'a, b');
    assert.deepEqual(await res.json(), { ok: true });
    const bin = await fetch(`${base}/binary`);
    assert.deepEqual([...new Uint8Array(await bin.arrayBuffer())], [0, 1, 2, 255]);
  });

  it('answers an unknown route with a 404 in the error shape', async () => {
    for (const path of ['/nope', '/users', '/users/a/b/c', '/assets/missing.js']) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal((await errorOf(res)).code, 'not_found');
    }
  });

  it('answers a known path with another method with a 405 that says which methods are allowed', async () => {
    const res = await fetch(`${base}/events`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST, OPTIONS');
    assert.equal((await errorOf(res)).code, 'method_not_allowed');
    const del = await fetch(`${base}/users/alice`, { method: 'DELETE' });
    assert.equal(del.status, 405);
  });

  it('answers the CORS preflight on a route as the stack does', async () => {
    const res = await fetch(`${base}/events`, { method: 'OPTIONS' });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-methods'), 'POST,OPTIONS');
  });

  it('refuses a body over MAX_POST_BYTES with a 413, declared or chunked, without calling the handler', async () => {
    seen = [];
    const big = await fetch(`${base}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(MAX_POST_BYTES + 1, 0x20),
    });
    assert.equal(big.status, 413);
    assert.equal((await errorOf(big)).code, 'payload_too_large');
    const chunked = await postChunked(`${base}/events`, 6, 1024 * 1024);
    assert.equal(chunked.status, 413);
    assert.equal(JSON.parse(chunked.body).error.code, 'payload_too_large');
    assert.equal(seen.length, 0);
    // Exactly the limit is fine.
    const ok = await fetch(`${base}/events`, { method: 'POST', body: Buffer.alloc(MAX_POST_BYTES, 0x20) });
    assert.equal(ok.status, 200);
  });

  it('turns a handler that throws, or answers garbage, into a generic 500 that leaks nothing', async () => {
    for (const path of ['/throws', '/garbage']) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 500);
      const err = await errorOf(res);
      assert.equal(err.code, 'internal_error');
      assert.doesNotMatch(err.message, /secret|bacefook-graph|Error/);
    }
  });

  it('serves the static folder at / with content types, and never outside it', async () => {
    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await index.text(), /<title>dash<\/title>/);
    const js = await fetch(`${base}/assets/app.js`);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    const css = await fetch(`${base}/assets/styles.css`);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    for (const path of [
      '/..%2F..%2Fetc%2Fpasswd',
      '/assets/..%2F..%2Fpackage.json',
      '/%2e%2e/%2e%2e/etc/passwd',
    ]) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 404, path);
    }
  });

  it('counts requests and server errors', () => {
    const s = api.stats();
    assert.ok(s.requests > 10);
    assert.ok(s.serverErrors >= 2);
  });
});

describe('local schedule', () => {
  it('runs the handler with an EventBridge scheduled event, never two runs at once', async () => {
    const events: ScheduledEvent[] = [];
    let active = 0;
    let maxActive = 0;
    let release: () => void = () => {};
    const enough = new Promise<void>((r) => {
      release = r;
    });
    const scheduler = new Scheduler({
      fn: fn('Snapshot'),
      everyMs: 1,
      handler: async (event) => {
        active++;
        maxActive = Math.max(maxActive, active);
        events.push(event);
        // Each run outlasts the period many times over.
        await new Promise((r) => setTimeout(r, 15));
        active--;
        if (events.length === 4) release();
      },
    });
    scheduler.start();
    // A manual run at the same time must wait for the scheduled one.
    await Promise.all([scheduler.runNow(), enough]);
    await scheduler.stop();
    assert.equal(maxActive, 1);
    const e = events[0];
    assert.equal(e.source, 'aws.events');
    assert.equal(e['detail-type'], 'Scheduled Event');
    assert.deepEqual(e.detail, {});
    assert.match(e.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.match(e.resources[0], /^arn:aws:events:[a-z0-9-]+:\d{12}:rule\/bacefook-SnapshotSchedule$/);
    assert.equal(scheduler.stats().runs, events.length);
  });
});
