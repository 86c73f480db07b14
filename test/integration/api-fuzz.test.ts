// The API under bad input, through the embedded runtime's HTTP server and the real handlers: every
// route of ROUTES (with the query parameters its OpenAPI entry declares) is fuzzed with unknown
// parameters, wrong types, huge values, repeated parameters, odd encodings of names and cursors and
// forged cursors. A bad input is a 4xx in the SPEC's error shape whose message names what is wrong;
// nothing is ever a 5xx or shows a stack trace. POST /events: oversized, non-JSON and partly invalid
// bodies answer clearly, and the valid events reach the stream in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { generateEvents } from '../../domain/generator';
import { decodeRecord } from '../../domain/records';
import { MAX_POST_BYTES, ROUTES } from '../../lib/definitions';
import type { LocalRuntime } from '../../local/runtime';
import { encodeNameCursor, encodePositionCursor } from '../../queries/cursor';
import { openApiDocument } from '../../queries/openapi';
import { makeDynamoClient } from '../../storage/clients';
import { validEventArb } from '../support/arbitraries';
import { startTestRuntime } from '../support/runtime';
import { assertMatchesModel, expectedFrom, streamRecords } from '../support/runtime-check';

let rt: LocalRuntime;
let doc: DynamoDBDocumentClient;
const USER = 'user00001';
/** A product (and a post) the fuzzed stream names (routes with {id} are asked about it). */
const PRODUCT = 'p-1';

/** Query parameters each GET route declares (its handler's strict schema says the same). */
const PARAMS: Record<string, string[]> = (() => {
  const doc = openApiDocument() as {
    paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
  };
  const out: Record<string, string[]> = {};
  for (const r of ROUTES) {
    const op = doc.paths[r.path]?.[r.method.toLowerCase()];
    out[r.path] = (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  }
  return out;
})();
const GETS = ROUTES.filter((r) => r.method === 'GET');
/**
 * The catalogue writes send marketplace events into the stream when they succeed, which this file's
 * social reference model does not fold: test/integration/catalogue-writes.test.ts fuzzes them.
 */
const FUZZED_HERE = ROUTES.filter((r) => r.id === 'PostEvents' || r.fn.stream !== 'write');

/** The route's path for `name` or product `id` (raw: already encoded, or any odd encoding). */
const pathOf = (template: string, raw?: string) =>
  template
    .replace('{name}', raw ?? encodeURIComponent(USER))
    .replace('{id}', raw ?? encodeURIComponent(PRODUCT));

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

async function request(path: string, init?: RequestInit): Promise<Answer> {
  const res = await fetch(`${rt.apiUrl}${path}`, init);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // checked below
  }
  return { status: res.status, body, text };
}

const STACK = /\n\s+at |\bat [\w.<>]+ \(|\.ts:\d+|node_modules|\bError: /;

/** Never a 5xx, never a stack trace; an error is `{"error":{"code","message"}}` and nothing else. */
function wellFormed(a: Answer, what: string): void {
  assert.ok(a.status < 500, `${what} -> ${a.status} ${a.text.slice(0, 300)}`);
  assert.doesNotMatch(a.text, STACK, `${what}: ${a.text.slice(0, 300)}`);
  if (a.status >= 400) {
    const b = a.body as { error?: { code?: unknown; message?: unknown } } | null;
    assert.ok(b !== null && typeof b === 'object', `${what}: not JSON: ${a.text.slice(0, 200)}`);
    assert.deepEqual(Object.keys(b), ['error'], what);
    assert.deepEqual(Object.keys(b.error ?? {}).sort(), ['code', 'message'], what);
    assert.equal(typeof b.error?.code, 'string', what);
    assert.equal(typeof b.error?.message, 'string', what);
  }
}

/** A 400 whose message names `param`. */
function badParam(a: Answer, param: string, what: string): void {
  wellFormed(a, what);
  assert.equal(a.status, 400, `${what} -> ${a.status} ${a.text.slice(0, 200)}`);
  const message = (a.body as { error: { message: string } }).error.message;
  assert.ok(message.includes(`'${param}'`), `${what}: the message does not name '${param}': ${message}`);
}

function query(pairs: [string, string][]): string {
  const q = new URLSearchParams();
  for (const [k, v] of pairs) q.append(k, v);
  return `?${q}`;
}

/** Values that are wrong for each kind of parameter (wrong type, out of range, huge, odd forms). */
const BAD: Record<string, fc.Arbitrary<string>> = {
  limit: fc.oneof(
    fc.constantFrom(
      '0',
      '-1',
      '1.5',
      '1e2',
      ' 5',
      '5 ',
      '+5',
      '0x10',
      '',
      'NaN',
      'Infinity',
      '１０',
      '٣',
      '1_0',
      '10001',
      '9'.repeat(5_000),
      'null',
      '[1]',
    ),
    fc.integer({ min: 1_001, max: Number.MAX_SAFE_INTEGER }).map(String),
    fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/^\d+$/.test(s)),
  ),
  from: fc.oneof(
    fc.constantFrom(
      'yesterday',
      '',
      '2025-13-01T00:00:00Z',
      '2025-07-18T20:53:54',
      '20250718T205354',
      '-62167219200001', // a millisecond before the year 0000
      '-99999999999999',
      '1e3',
      '99999999999999999',
      '1'.repeat(400),
      '2025-07-18T20:53:54+25:00',
      'null',
    ),
    fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/^-?\d+$/.test(s) && !/^\d{4}/.test(s)),
  ),
  interval: fc.oneof(
    fc.constantFrom('', '5S', '1w', ' 5s', '5s ', '2m', '0s', '1M', 'null', 'x'.repeat(3_000)),
    fc.string({ maxLength: 6 }).filter((s) => !['5s', '1m', '5m', '1h', '1d'].includes(s)),
  ),
  cursor: fc.oneof(
    fc.constantFrom('', '!', '%', 'AQ', 'Ag', 'AQ==', 'A'.repeat(5_000), '..', '\u0000', 'null'),
    fc.string({ minLength: 1, maxLength: 40 }).filter((s) => /[^A-Za-z0-9_-]/.test(s)),
    // Base64url of bytes no cursor starts with, or with a kind byte and invalid UTF-8 behind it.
    fc.uint8Array({ minLength: 2, maxLength: 30 }).map((b) => {
      b[0] = b[0] < 3 ? b[0] + 3 : b[0];
      return Buffer.from(b).toString('base64url');
    }),
    fc.constantFrom(1, 2).map((kind) => Buffer.from([kind, 0xc0, 0xaf, 0xff]).toString('base64url')),
  ),
  prefix: fc.constantFrom('', 'p'.repeat(129), 'é'.repeat(200)),
  user: fc.constantFrom('', 'u'.repeat(129), 'é'.repeat(200), '😀'.repeat(129)),
  metric: fc.oneof(
    fc.constantFrom('', 'Revenue', 'revenue ', 'strength', 'null', 'rating,units', 'x'.repeat(3_000)),
    fc
      .string({ maxLength: 12 })
      .filter((s) => !['revenue', 'units', 'orders', 'interactions', 'rating', 'posts', 'words'].includes(s)),
  ),
  action: fc.oneof(
    fc.constantFrom('', 'View', '1view', ' view', 'add-to-cart', 'v'.repeat(33), 'é', 'null '),
    fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/^[a-z][a-z0-9_]{0,31}$/.test(s)),
  ),
  minRatings: fc.oneof(
    fc.constantFrom('0', '-1', '1.5', '1e2', ' 5', '', 'NaN', '１', '1000001', '9'.repeat(400)),
    fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/^\d+$/.test(s)),
  ),
  window: fc.oneof(
    fc.constantFrom('', '1H', '2h', ' 1h', '1h ', '60m', '1d', '7D', '0m', 'null', 'x'.repeat(3_000)),
    fc.string({ maxLength: 6 }).filter((s) => !['1m', '5m', '15m', '1h', '6h', '24h', '7d'].includes(s)),
  ),
};
BAD.to = BAD.from;

before(async () => {
  rt = await startTestRuntime({
    mapping: { maxBatchingWindowSeconds: 0, pollIntervalMs: 10 },
  });
  doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  const events = [
    ...generateEvents({ users: 30, batches: 3, seed: 4 }),
    { type: 'register', name: 'café ☕ / ?#%', created_at: '20250718T205354320Z' },
    { type: 'register', name: 'ﺱﻼﻣ\u202e', created_at: '20250718T205354320Z' },
    // The marketplace: products for the routes with {id}, one with an id of odd characters.
    {
      type: 'productSold',
      product_id: PRODUCT,
      no_of_units: 2,
      amount: '5.10',
      user: USER,
      created_at: '20250718T205354320Z',
    },
    { type: 'productRated', product_id: PRODUCT, rating: 3, user: USER, created_at: '20250718T205359000Z' },
    { type: 'interaction', product_id: 'café ☕ / ?#%', user: USER, action: 'view' },
    // Posts under the same ids, for GET /posts/{id}.
    {
      type: 'post',
      post_id: PRODUCT,
      user: USER,
      content: 'Hello, fuzz!',
      created_at: '20250718T205359000Z',
    },
    { type: 'post', post_id: 'café ☕ / ?#%', user: 'café ☕ / ?#%', content: '' },
  ];
  const res = await fetch(`${rt.apiUrl}/events`, { method: 'POST', body: JSON.stringify(events) });
  assert.equal(res.status, 202);
  await rt.drain();
  await rt.snapshotNow();
});

after(async () => {
  doc?.destroy();
  await rt?.stop();
});

describe('the API under bad input (embedded runtime, real handlers)', () => {
  it('every GET route: an unknown query parameter is a 400 that names it', async () => {
    for (const r of GETS) {
      const known = new Set(PARAMS[r.path]);
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1, maxLength: 16 }).filter((k) => !known.has(k)),
          fc.string({ maxLength: 20 }),
          async (key, value) => {
            const path = `${pathOf(r.path)}${query([[key, value]])}`;
            badParam(await request(path), key, `${r.path} ${key}=${value}`);
          },
        ),
        { numRuns: 12 },
      );
    }
  });

  it('every GET route: a wrong, huge or repeated value of each parameter is a 400 that names it', async () => {
    let checked = 0;
    for (const r of GETS) {
      for (const param of PARAMS[r.path]) {
        const bad = BAD[param];
        assert.ok(bad, `no bad values for '${param}' (a new parameter?)`);
        await fc.assert(
          fc.asyncProperty(bad, async (value) => {
            const path = `${pathOf(r.path)}${query([[param, value]])}`;
            badParam(await request(path), param, `${r.path} ${param}=${value.slice(0, 40)}`);
          }),
          { numRuns: 15 },
        );
        // Given twice, even with good values.
        const good = param === 'cursor' ? encodeNameCursor('a') : param === 'interval' ? '1m' : '5';
        badParam(
          await request(
            `${pathOf(r.path)}${query([
              [param, good],
              [param, good],
            ])}`,
          ),
          param,
          `${r.path} ${param} twice`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 15, 'every declared parameter was fuzzed');
    // A range that ends before it starts names 'from'; a series of too many points names 'interval'.
    for (const route of ['/leaderboards/referral-points', '/users/{name}/friends-count']) {
      badParam(await request(`${pathOf(route)}?from=2000&to=1000`), 'from', `${route} from > to`);
    }
    badParam(
      await request(`${pathOf('/users/{name}/referrals')}?interval=5s&from=0&to=86400000`),
      'interval',
      'too many points',
    );
    // A window with from or to names 'window', on every route that takes it.
    for (const r of GETS.filter((g) => PARAMS[g.path].includes('window'))) {
      badParam(await request(`${pathOf(r.path)}?window=1h&from=1000`), 'window', `${r.path} window+from`);
      badParam(await request(`${pathOf(r.path)}?to=1000&window=7d`), 'window', `${r.path} window+to`);
      badParam(await request(`${pathOf(r.path)}?from=2000&to=1000`), 'from', `${r.path} from > to`);
      badParam(
        await request(`${pathOf(r.path)}?interval=5s&from=0&to=86400000`),
        'interval',
        `${r.path} points`,
      );
    }
  });

  it('every route taking a name: odd encodings and lengths are a 400 naming it, or a 404; never a 5xx', async () => {
    const hex = fc.constantFrom(
      '00',
      '2F',
      '25',
      'C0',
      'AF',
      'ED',
      'A0',
      '80',
      'FF',
      'E2',
      '82',
      'AC',
      'ZZ',
      'G1',
      '2',
      '',
    );
    const piece = fc.oneof(
      fc.string({ minLength: 1, maxLength: 3 }).map(encodeURIComponent),
      hex.map((h) => `%${h}`),
      fc.constantFrom('.', '..', '~', "'", '(', ')', '*', '!', '%2e%2e', '%u0041', '+'),
    );
    const rawName = fc.array(piece, { minLength: 1, maxLength: 12 }).map((ps) => ps.join(''));
    const named = FUZZED_HERE.filter((r) => r.path.includes('{name}'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...named), rawName, async (r, raw) => {
        const a = await request(pathOf(r.path, raw));
        wellFormed(a, `${r.path} name=${raw}`);
        // Dot segments may be resolved by the client before sending, and land on another route: '.'
        // and '..', and (as WHATWG URLs read them) the same with any dot written %2e.
        if (
          raw.split('/').some((s) => {
            const dots = s.replace(/%2e/gi, '.');
            return dots === '.' || dots === '..';
          })
        )
          return;
        assert.ok([200, 400, 404].includes(a.status), `${r.path} ${raw} -> ${a.status}`);
        if (a.status === 400) {
          const message = (a.body as { error: { message: string } }).error.message;
          assert.ok(
            message.includes("'name'") || message.includes('URL encoding'),
            `${r.path} ${raw}: ${message}`,
          );
        }
      }),
      { numRuns: 150 },
    );
    for (const r of named) {
      badParam(await request(pathOf(r.path, 'n'.repeat(129))), 'name', `${r.path} 129 chars`);
      badParam(
        await request(pathOf(r.path, encodeURIComponent('😀'.repeat(129)))),
        'name',
        `${r.path} 129 emoji`,
      );
      const unicode = await request(pathOf(r.path, encodeURIComponent('café ☕ / ?#%')));
      assert.equal(unicode.status, 200, `${r.path}: a registered name with odd characters`);
      const missing = await request(pathOf(r.path, encodeURIComponent('nobody\u0000')));
      wellFormed(missing, r.path);
      // A user's marketplace activity and posts answer zeros for any name (SPEC 11, 12); the rest 404.
      const anyName = r.path === '/users/{name}/activity' || r.path === '/users/{name}/posts';
      assert.equal(missing.status, anyName ? 200 : 404, r.path);
    }
  });

  it('every route taking a product id: odd encodings and lengths are a 400 naming it, or a 404; never a 5xx', async () => {
    const piece = fc.oneof(
      fc.string({ minLength: 1, maxLength: 3 }).map(encodeURIComponent),
      fc.constantFrom('%00', '%2F', '%25', '%C0', '%ED%A0%80', '%FF', '%ZZ', '%2', '~', "'", '+', '%u0041'),
    );
    const rawId = fc.array(piece, { minLength: 1, maxLength: 12 }).map((ps) => ps.join(''));
    const withId = FUZZED_HERE.filter((r) => r.path.includes('{id}'));
    assert.ok(withId.length >= 1, 'routes with {id}');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...withId), rawId, async (r, raw) => {
        const a = await request(pathOf(r.path, raw));
        wellFormed(a, `${r.path} id=${raw}`);
        if (raw.split('/').some((s) => s === '.' || s === '..')) return;
        assert.ok([200, 400, 404].includes(a.status), `${r.path} ${raw} -> ${a.status}`);
        if (a.status === 400) {
          const message = (a.body as { error: { message: string } }).error.message;
          assert.ok(
            message.includes("'id'") || message.includes('URL encoding'),
            `${r.path} ${raw}: ${message}`,
          );
        }
      }),
      { numRuns: 100 },
    );
    for (const r of withId) {
      badParam(await request(pathOf(r.path, 'n'.repeat(65))), 'id', `${r.path} 65 chars`);
      badParam(
        await request(pathOf(r.path, encodeURIComponent('😀'.repeat(65)))),
        'id',
        `${r.path} 65 emoji`,
      );
      const odd = await request(pathOf(r.path, encodeURIComponent('café ☕ / ?#%')));
      assert.equal(odd.status, 200, `${r.path}: an id with odd characters`);
      const missing = await request(pathOf(r.path, encodeURIComponent('nothing\u0000')));
      wellFormed(missing, r.path);
      assert.equal(missing.status, 404, `${r.path}: an unknown product or post`);
    }
  });

  it('forged, tampered and stale cursors are a 400 naming cursor or a page; never a 5xx', async () => {
    const real = (await request('/meta/users?limit=2')).body as { nextCursor: string };
    const realRejections = (await request('/meta/rejections?limit=1')).body as { nextCursor: string | null };
    const forged = fc.oneof(
      fc.string({ minLength: 1, maxLength: 128 }).map(encodeNameCursor),
      fc
        .tuple(
          fc.stringMatching(/^\d{64}$/),
          fc.stringMatching(/^\d{8}$/),
          fc.integer({ min: 0, max: 999_999_999 }),
        )
        .map(([seq, i, offset]) => encodePositionCursor({ first: `${seq}.${i}`, offset })),
      fc.nat(real.nextCursor.length - 1).map((i) => {
        const c = real.nextCursor;
        return `${c.slice(0, i)}${c[i] === 'A' ? 'B' : 'A'}${c.slice(i + 1)}`;
      }),
    );
    const routes = GETS.filter((r) => PARAMS[r.path].includes('cursor'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), forged, async (r, cursor) => {
        const a = await request(`${pathOf(r.path)}${query([['cursor', cursor]])}`);
        wellFormed(a, `${r.path} cursor=${cursor}`);
        if (a.status !== 200) badParam(a, 'cursor', `${r.path} cursor=${cursor}`);
      }),
      { numRuns: 120 },
    );
    // A cursor of one listing handed to another is not this API's cursor for it.
    if (realRejections.nextCursor !== null) {
      badParam(
        await request(`/meta/users?cursor=${realRejections.nextCursor}`),
        'cursor',
        'rejections cursor to users',
      );
    }
    badParam(
      await request(`/meta/rejections?cursor=${real.nextCursor}`),
      'cursor',
      'users cursor to rejections',
    );
  });

  it('anything at all in the query string of any route: never a 5xx, never a stack trace', async () => {
    const rawQuery = fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(
              'limit',
              'from',
              'to',
              'interval',
              'cursor',
              'prefix',
              'window',
              'metric',
              'action',
              'minRatings',
            ),
            fc.string({ maxLength: 8 }),
          ),
          fc.oneof(
            fc.string({ maxLength: 30 }),
            fc.string({ unit: 'grapheme', maxLength: 10 }),
            fc.constantFrom('%', '%ZZ', '%C0%AF', '&&', '=='),
          ),
        ),
        { maxLength: 4 },
      )
      .map((pairs) =>
        pairs
          .map(([k, v]) => `${encodeURIComponent(k)}=${v.includes('%') ? v : encodeURIComponent(v)}`)
          .join('&'),
      );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FUZZED_HERE), rawQuery, async (r, q) => {
        const a = await request(`${pathOf(r.path)}?${q}`, { method: r.method });
        wellFormed(a, `${r.method} ${r.path}?${q}`);
      }),
      { numRuns: 200 },
    );
    // A request line far over the server's limit gets the error shape too.
    const huge = await request(`/leaderboards/network-strength?limit=${'9'.repeat(40_000)}`);
    wellFormed(huge, 'a 40 KB query');
    assert.ok(huge.status === 400 || huge.status === 431 || huge.status === 414, String(huge.status));
  });
});

describe('POST /events under bad bodies (embedded runtime, real handler)', () => {
  const post = (body: string | Buffer, type = 'application/json') =>
    request('/events', { method: 'POST', body: body as BodyInit, headers: { 'content-type': type } });

  it('a body over 5 MB is a 413; a body that is neither a JSON array nor NDJSON is a 400 saying why', async () => {
    const big = await post(`[${' '.repeat(MAX_POST_BYTES)}]`);
    wellFormed(big, 'oversized');
    assert.equal(big.status, 413);
    assert.match((big.body as { error: { message: string } }).error.message, /bytes/);
    for (const body of [
      '',
      '   \n\n',
      '42',
      '"events"',
      'null',
      'true',
      'hello world',
      '<xml/>',
      'a\nb\nc',
    ]) {
      const a = await post(body);
      wellFormed(a, JSON.stringify(body));
      assert.equal(a.status, 400, JSON.stringify(body));
      assert.match((a.body as { error: { message: string } }).error.message, /body/);
    }
    await fc.assert(
      fc.asyncProperty(
        fc
          .uint8Array({ minLength: 1, maxLength: 2_000 })
          .filter((b) => !b.includes(0x0a) && b[0] !== 0x5b && b[0] !== 0x7b),
        async (bytes) => {
          const a = await post(Buffer.from(bytes), 'application/octet-stream');
          wellFormed(a, 'binary body');
          assert.equal(a.status, 400);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('a chunked body (no Content-Length) is read whole; past 5 MB it is refused with a 413 as it streams', async () => {
    // fetch sends a stream body with Transfer-Encoding: chunked: the gateway learns its size only as it reads.
    const chunked = (parts: string[]) =>
      request('/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new ReadableStream({
          start(controller) {
            for (const p of parts) controller.enqueue(new TextEncoder().encode(p));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
    const name = `chunked${Date.now()}`;
    const small = await chunked([
      '[{"type":"register",',
      `"name":"${name}",`,
      '"created_at":"20250718T205354320Z"}]',
    ]);
    wellFormed(small, 'chunked');
    assert.equal(small.status, 202);
    assert.deepEqual(small.body, { accepted: 1 });
    const piece = ' '.repeat(1024 * 1024);
    const big = await chunked([
      '[',
      ...Array.from({ length: Math.ceil(MAX_POST_BYTES / piece.length) + 1 }, () => piece),
      ']',
    ]);
    wellFormed(big, 'chunked oversized');
    assert.equal(big.status, 413);
  });

  it('NDJSON and arrays with invalid items: 202, every item forwarded in order, the bad ones end as malformed', async () => {
    const before = (await streamRecords(rt)).length;
    const sent: unknown[] = [];
    const badLine = fc.oneof(
      fc.constantFrom('{oops', '{"type":', 'undefined', "{'type':'register'}", '[1,2', '\u0000\u0001'),
      fc.string({ minLength: 1, maxLength: 30 }).filter((s) => {
        if (s.trim() === '' || s.includes('\n') || s.includes('\r')) return false;
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
    );
    const line = fc.oneof(
      { weight: 3, arbitrary: validEventArb().map((e) => ({ json: true as const, value: e as unknown })) },
      { weight: 1, arbitrary: fc.jsonValue().map((value) => ({ json: true as const, value })) },
      { weight: 1, arbitrary: badLine.map((value) => ({ json: false as const, value: value as unknown })) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), fc.boolean(), async (lines, crlf) => {
        if (!lines.some((l) => l.json)) lines.push({ json: true, value: { type: 'poke' } });
        const text = lines
          .map((l) => (l.json ? JSON.stringify(l.value) : String(l.value)))
          .join(crlf ? '\r\n' : '\n');
        const a = await post(text, 'application/x-ndjson');
        wellFormed(a, text.slice(0, 100));
        // One JSON document (a single line holding an object) is taken as a one-item body too.
        const items = lines.map((l) =>
          l.json ? JSON.parse(JSON.stringify(l.value)) : String(l.value).trim(),
        );
        if (a.status === 400) {
          // Only a body that parses as one non-array, non-object JSON value is refused.
          assert.equal(lines.length, 1, `${text.slice(0, 100)}: ${a.text}`);
          return;
        }
        assert.equal(a.status, 202, `${text.slice(0, 100)}: ${a.text}`);
        const whole = (() => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            return undefined;
          }
        })();
        const expected = Array.isArray(whole) ? whole : whole !== undefined ? [whole] : items;
        assert.deepEqual(a.body, { accepted: expected.length });
        sent.push(...expected);
      }),
      { numRuns: 25 },
    );
    // A JSON array with invalid elements is forwarded whole, in order.
    const array = [
      { type: 'register', name: 'arr1', created_at: '20250718T205354Z' },
      42,
      null,
      'x',
      { type: 'poke' },
    ];
    assert.deepEqual((await post(JSON.stringify(array))).body, { accepted: array.length });
    sent.push(...array);

    await rt.drain();
    const records = await streamRecords(rt);
    const forwarded = records.slice(before).flatMap((r) => decodeRecord(r.data));
    assert.deepEqual(
      JSON.parse(
        JSON.stringify(
          forwarded.map((i) =>
            typeof i === 'object' && i !== null && 'raw' in i ? (i as { raw: string }).raw : i,
          ),
        ),
      ),
      JSON.parse(JSON.stringify(sent)),
      'every item reached the stream, in order',
    );
    // And the processor counted each exactly once, as the reference does.
    await assertMatchesModel(rt, doc, expectedFrom(records), 'after the fuzzed POSTs');
  });
});
