// The metrics catalogue end to end (embedded runtime, real handlers): GET /metrics lists exactly the
// figures of ROUTES, with the parameters their routes declare (OpenAPI), and POST /metrics/query answers
// each of them with exactly what its own route answers, for path parameters, numbers given as JSON
// numbers, ranges and defaults; a bad name or parameter is a 400 naming it, an unknown user or product
// a 404 as the route answers (a post too), and no body whatever is a 5xx.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { ROUTES } from '../../lib/definitions';
import type { LocalRuntime } from '../../local/runtime';
import { openApiDocument } from '../../queries/openapi';
import * as S from '../../queries/schemas';
import { EXAMPLE_EVENTS } from '../../scripts/api-examples';
import { startTestRuntime } from '../support/runtime';

let rt: LocalRuntime;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${rt.apiUrl}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown), text };
}

const query = (path: string, body: unknown) => call('POST', path, body);

/** The figures the product contract names. */
const FIGURES = [
  'users.profile',
  'users.network',
  'users.friends',
  'users.topFriends',
  'users.referrals',
  'users.friendsCount',
  'leaderboards.networkStrength',
  'leaderboards.referralPoints',
  'products.list',
  'products.profile',
  'products.sales',
  'products.ratings',
  'leaderboards.products',
  'users.activity',
  'events.frequencies',
  'posts.get',
  'users.posts',
  'posts.stats',
  'leaderboards.writers',
];

const RANGE = { from: '2025-07-18T20:53:50Z', to: '2025-07-18T20:57:00Z' };

/** Per figure, parameters to ask with (besides none but the path's). */
const ASKS: Record<string, Record<string, string | number>[]> = {
  'users.friends': [{ limit: 1 }, { limit: '1', cursor: 'AWJvYg' }],
  'users.topFriends': [{ limit: 2 }],
  'users.referrals': [{ ...RANGE, interval: '1m' }],
  'users.friendsCount': [{ ...RANGE, interval: '1m' }],
  'leaderboards.networkStrength': [{ ...RANGE, limit: 2 }],
  'leaderboards.referralPoints': [{ ...RANGE }],
  'products.list': [{ limit: 1 }, { prefix: 'B' }],
  'products.sales': [
    { ...RANGE, interval: '1m' },
    { window: '1h', interval: '5m' },
  ],
  'products.ratings': [{ ...RANGE }],
  'leaderboards.products': [
    { metric: 'rating', minRatings: 2, ...RANGE },
    { metric: 'interactions', action: 'view', ...RANGE },
  ],
  'users.activity': [{ ...RANGE, interval: '1m' }],
  'events.frequencies': [{ ...RANGE, interval: '1m' }],
  'users.posts': [{ limit: 1 }],
  'posts.stats': [
    { ...RANGE, interval: '1m' },
    { ...RANGE, user: 'bob' },
  ],
  'leaderboards.writers': [{ metric: 'words', ...RANGE, limit: 1 }],
};

before(async () => {
  rt = await startTestRuntime();
  const res = await fetch(`${rt.apiUrl}/events`, {
    method: 'POST',
    body: EXAMPLE_EVENTS.map((e) => JSON.stringify(e)).join('\n'),
  });
  assert.equal(res.status, 202);
  await rt.drain();
  await rt.snapshotNow();
});

after(async () => {
  await rt?.stop();
});

describe('the metrics catalogue (embedded runtime)', () => {
  it('GET /metrics lists every figure of ROUTES with its route parameters', async () => {
    const a = await call('GET', '/metrics');
    assert.equal(a.status, 200);
    const cat = S.MetricsSchema.parse(a.body);
    assert.deepEqual(cat.items.map((i) => i.name).sort(), [...FIGURES].sort());
    // Made from the route records: each figure's params are its route's path and query parameters.
    const doc = openApiDocument() as {
      paths: Record<string, { get: { parameters: { name: string; in: string; required: boolean }[] } }>;
    };
    for (const item of cat.items) {
      const r = ROUTES.find((x) => x.metric?.name === item.name);
      assert.ok(r, item.name);
      const declared = doc.paths[r.path].get.parameters
        .filter((p) => p.in !== 'header')
        .map((p) => ({ name: r.metric?.rename?.[p.name] ?? p.name, required: p.required }));
      assert.deepEqual(
        item.params.map((p) => ({ name: p.name, required: p.required })),
        declared,
        item.name,
      );
    }
  });

  it('POST /metrics/query answers exactly what the figure route answers', async () => {
    const cat = S.MetricsSchema.parse((await call('GET', '/metrics')).body);
    let asked = 0;
    for (const item of cat.items) {
      const r = ROUTES.find((x) => x.metric?.name === item.name);
      assert.ok(r);
      const base: Record<string, string | number> = {};
      for (const p of item.params.filter((x) => x.required))
        base[p.name] = p.name === 'productId' ? '12' : p.name === 'postId' ? 'p-1' : 'ann';
      for (const extra of [{}, ...(ASKS[item.name] ?? [])]) {
        const params = { ...base, ...extra };
        let path = r.path;
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(params)) {
          const param = Object.entries(r.metric?.rename ?? {}).find(([, alias]) => alias === k)?.[0] ?? k;
          if (path.includes(`{${param}}`)) path = path.replace(`{${param}}`, encodeURIComponent(String(v)));
          else qs.set(k, String(v));
        }
        const url = `${path}${qs.size > 0 ? `?${qs}` : ''}`;
        let direct = await call('GET', url);
        const viaQuery = await query('/metrics/query', { name: item.name, params });
        assert.equal(direct.status, 200, `${item.name} ${JSON.stringify(params)}: ${direct.text}`);
        assert.equal(viaQuery.status, 200, `${item.name}: ${viaQuery.text}`);
        // A range that ends now ends on the clock's current step; when the two calls straddle a step
        // boundary, the direct answer asked just after the query one must match it.
        const expected = (d: typeof direct) => ({ name: item.name, params, result: d.body });
        if (!isDeepStrictEqual(viaQuery.body, expected(direct))) direct = await call('GET', url);
        assert.deepEqual(viaQuery.body, expected(direct), item.name);
        S.MetricsQueryAnswerSchema.parse(viaQuery.body);
        asked++;
      }
    }
    assert.ok(asked >= 30);
  });

  it('a bad name or parameter is a 400 naming it; unknown users and products a 404 as the route', async () => {
    const bad = async (body: unknown, named: string, status = 400) => {
      const a = await query('/metrics/query', body);
      assert.equal(a.status, status, `${JSON.stringify(body)}: ${a.text}`);
      const message = (a.body as { error: { message: string } }).error.message;
      assert.ok(message.includes(`'${named}'`), `${JSON.stringify(body)}: ${message}`);
    };
    await bad({ name: 'stories.get' }, 'name');
    await bad({ name: 'posts.get' }, 'postId');
    await bad({ name: 'users.posts', params: { name: 'ann', limit: 'many' } }, 'limit');
    await bad({ name: 'leaderboards.writers', params: { metric: 'likes' } }, 'metric');
    await bad({ name: 'posts.get', params: { postId: 'p-9' } }, 'p-9', 404);
    await bad({}, 'name');
    await bad({ name: 'users.profile', params: { name: 'ann' }, extra: 1 }, 'extra');
    await bad({ name: 'products.sales' }, 'productId');
    await bad({ name: 'products.sales', params: { productId: 'x'.repeat(65) } }, 'productId');
    await bad({ name: 'users.friends', params: { name: 'ann', limit: 0 } }, 'limit');
    await bad({ name: 'users.friends', params: { name: 'ann', colour: 'red' } }, 'colour');
    await bad({ name: 'products.sales', params: { productId: '12', window: '1h', from: 0 } }, 'window');
    await bad({ name: 'leaderboards.products', params: { metric: 'units', action: 'view' } }, 'action');
    await bad({ name: 'users.profile', params: { name: 'nobody' } }, 'nobody', 404);
    await bad({ name: 'products.profile', params: { productId: '999' } }, '999', 404);
    const notJson = await call('POST', '/metrics/query', '{"name":');
    assert.equal(notJson.status, 400);
    const big = await call('POST', '/metrics/query', JSON.stringify({ name: 'x'.repeat(70_000) }));
    assert.equal(big.status, 413);
  });

  it('any body at all: never a 5xx, always the error shape', async () => {
    const cat = S.MetricsSchema.parse((await call('GET', '/metrics')).body);
    const names = cat.items.map((i) => i.name);
    const paramNames = [...new Set(cat.items.flatMap((i) => i.params.map((p) => p.name)))];
    const value = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null));
    const body = fc.oneof(
      fc.record({
        name: fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 20 })),
        params: fc.dictionary(fc.oneof(fc.constantFrom(...paramNames), fc.string({ maxLength: 8 })), value, {
          maxKeys: 4,
        }),
      }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const a = await call('POST', '/metrics/query', typeof b === 'string' ? b : JSON.stringify(b));
        assert.ok(a.status < 500, `${JSON.stringify(b)} -> ${a.status} ${a.text.slice(0, 200)}`);
        if (a.status >= 400) S.ErrorSchema.parse(a.body);
      }),
      { numRuns: 150 },
    );
  });
});
