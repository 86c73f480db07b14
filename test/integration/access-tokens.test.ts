// Access tokens through the embedded runtime with tokens on (SPEC 13): the real authorizer module in
// the local gateway, tokens made by `npm run token` into the runtime's dynalite. Every route of ROUTES
// (so a route added later is covered as it is added) without a token, with a malformed Authorization
// header, with the token somewhere else than that header, with an unknown and a revoked token, and
// with a token lacking the route's ability, answers 401 or 403 in the API's error shape, the same
// answer whatever the token was, so nothing tells a caller whether a token exists. The open routes stay
// open; a token with the route's ability gets the route's own answer; the profile's email shows only
// to a token with the admin ability; a revoked token stops working once the gateway's cached answer
// runs out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  ABILITIES,
  type Ability,
  AUTHORIZER_CACHE_SECONDS,
  ROUTES,
  type RouteDef,
  TOKEN_PARTITION,
} from '../../lib/definitions';
import type { LocalRuntime } from '../../local/runtime';
import { FORBIDDEN_BODY, tokenHash, UNAUTHORIZED_BODY } from '../../queries/access';
import type { Io } from '../../scripts/cli-args';
import { tokenMain } from '../../scripts/token';
import { makeDynamoClient } from '../../storage/clients';
import { startTestRuntime } from '../support/runtime';

let rt: LocalRuntime;
let doc: DynamoDBDocumentClient;
/** The gateway's clock: moved by hand to run the authorizer cache out. */
let clock = Date.now();

before(async () => {
  rt = await startTestRuntime({ auth: { now: () => clock } });
  doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  await makeTokens();
});
after(async () => {
  doc?.destroy();
  await rt?.stop();
});

/** Runs `npm run token -- ...argv` against the runtime's dynalite; returns stdout. */
async function token(...argv: string[]): Promise<string> {
  let out = '';
  const io: Io = {
    stdout: {
      write: (s: string | Uint8Array) => {
        out += String(s);
        return true;
      },
    },
    stderr: { write: () => true },
    env: {},
  };
  await tokenMain([...argv, '--endpoint', rt.endpoints.dynamodb, '--table', rt.tables.meta], io, { doc });
  return out;
}

async function create(name: string, abilities: readonly Ability[]): Promise<string> {
  const out = (await token('create', '--name', name, '--abilities', abilities.join(','))).trim();
  assert.match(out, /^bfa_[A-Za-z0-9_-]{43}$/);
  return out;
}

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** A concrete URL of a route: its path parameters filled in. */
function urlOf(r: RouteDef): string {
  return r.path.replace(/\{name\}/g, 'user00001').replace(/\{[^}]+\}/g, '1');
}

async function call(r: RouteDef, headers: Record<string, string> = {}, query = ''): Promise<Answer> {
  const res = await fetch(`${rt.apiUrl}${urlOf(r)}${query}`, {
    method: r.method,
    headers: { 'content-type': 'application/json', ...headers },
    body: r.method === 'GET' ? undefined : '{}',
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text), headers: res.headers };
}

const guarded = ROUTES.filter((r) => r.access !== 'open');
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

let all: string; // every ability
let revoked: string;
const lacking = new Map<Ability, string>(); // every ability but the key

async function makeTokens(): Promise<void> {
  all = await create('all', ABILITIES);
  for (const a of ABILITIES)
    lacking.set(
      a,
      await create(
        `no-${a}`,
        ABILITIES.filter((x) => x !== a),
      ),
    );
  revoked = await create('revoked', ABILITIES);
  // Revoked before its first use: no answer of the gateway's cache stands for it.
  await token('revoke', 'revoked');
}

function assertUnauthorized(a: Answer, what: string): void {
  assert.equal(a.status, 401, what);
  // One body for every reason: nothing tells a missing token from an unknown or a revoked one.
  assert.deepEqual(a.body, UNAUTHORIZED_BODY, what);
  assert.equal(a.headers.get('www-authenticate'), 'Bearer', what);
}

describe('access tokens: every guarded route', () => {
  it('guards every route but /health and /openapi.json', () => {
    assert.deepEqual(
      ROUTES.filter((r) => r.access === 'open').map((r) => `${r.method} ${r.path}`),
      ['GET /health', 'GET /openapi.json'],
    );
    assert.ok(guarded.length > 20);
  });

  it('answers 401 without a token, and with a malformed Authorization header', async () => {
    const malformed = [
      '',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from('user:pass').toString('base64')}`,
      all, // no scheme
      `Token ${all}`,
      `Bearer  ${all}`, // two spaces
      `Bearer ${all} extra`,
      `Bearer ${all}x`, // one character too many
      `Bearer ${all.slice(0, -1)}`,
      `Bearer ${all.replace('bfa_', 'bfb_')}`,
      `Bearer ${all.slice(0, -1)}!`,
    ];
    for (const r of guarded) {
      assertUnauthorized(await call(r), `${r.method} ${r.path} without a token`);
      for (const h of malformed) {
        assertUnauthorized(await call(r, { authorization: h }), `${r.method} ${r.path} with '${h}'`);
      }
    }
  });

  it('answers 401 for an unknown and for a revoked token', async () => {
    const unknown = `bfa_${'A'.repeat(43)}`;
    for (const r of guarded) {
      assertUnauthorized(await call(r, bearer(unknown)), `${r.method} ${r.path} unknown token`);
      assertUnauthorized(await call(r, bearer(revoked)), `${r.method} ${r.path} revoked token`);
    }
  });

  it('answers 401 for a token in the wrong place', async () => {
    for (const r of guarded) {
      const what = `${r.method} ${r.path}`;
      assertUnauthorized(await call(r, {}, `?token=${all}`), `${what}: token in the query`);
      assertUnauthorized(await call(r, {}, `?access_token=${all}`), `${what}: access_token in the query`);
      assertUnauthorized(await call(r, { 'x-api-key': all }), `${what}: token in x-api-key`);
      assertUnauthorized(await call(r, { cookie: `token=${all}` }), `${what}: token in a cookie`);
    }
  });

  it('answers 403 to a token without the route ability, in the error shape', async () => {
    for (const r of guarded) {
      if (r.access === 'open') continue;
      const a = await call(r, bearer(lacking.get(r.access) as string));
      assert.equal(a.status, 403, `${r.method} ${r.path}`);
      assert.deepEqual(a.body, FORBIDDEN_BODY, `${r.method} ${r.path}`);
    }
  });

  it("lets a token with the route's ability reach the route", async () => {
    for (const r of guarded) {
      if (r.access === 'open') continue;
      const only = await create(`only-${r.id}`, [r.access]);
      const a = await call(r, bearer(only));
      // The route's own answer: 200, or a 4xx of its own (no such user, the empty body is no entry).
      assert.ok(a.status !== 401 && a.status !== 403 && a.status < 500, `${r.method} ${r.path}: ${a.status}`);
      const err = (a.body as { error?: { code: string } } | null)?.error;
      if (err) assert.ok(!['unauthorized', 'forbidden'].includes(err.code), `${r.method} ${r.path}`);
      await token('revoke', `only-${r.id}`);
    }
  });

  it('keeps /health and /openapi.json open', async () => {
    for (const r of ROUTES.filter((x) => x.access === 'open')) {
      const a = await call(r);
      assert.equal(a.status, 200, r.path);
      const wrong = await call(r, { authorization: 'Bearer nonsense' });
      assert.equal(wrong.status, 200, `${r.path} with a malformed header`);
    }
  });
});

describe('access tokens: what a token changes in answers', () => {
  it("shows a profile's email to a token with admin only", async () => {
    const ingest = await create('ingest-only', ['ingest']);
    const reader = await create('reader', ['read']);
    const events = [
      { type: 'register', name: 'mailer', created_at: '20250718T205354320Z' },
      {
        type: 'profileUpserted',
        user: 'mailer',
        display_name: 'Mai Ler',
        email: 'mai@example.com',
        created_at: '20250718T205355000Z',
      },
    ];
    const post = await fetch(`${rt.apiUrl}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(ingest) },
      body: JSON.stringify(events),
    });
    assert.equal(post.status, 202);
    await rt.drain();
    const get = async (t: string, path: string) => {
      const res = await fetch(`${rt.apiUrl}${path}`, { headers: bearer(t) });
      assert.equal(res.status, 200, path);
      return ((await res.json()) as { profile: Record<string, unknown> }).profile;
    };
    for (const path of ['/users/mailer', '/users/mailer/profile']) {
      assert.deepEqual(await get(all, path), { displayName: 'Mai Ler', email: 'mai@example.com' }, path);
      assert.deepEqual(await get(reader, path), { displayName: 'Mai Ler' }, path);
    }
    // The catalogue answers what the route answers: no email for a reader there either.
    const q = await fetch(`${rt.apiUrl}/metrics/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(reader) },
      body: JSON.stringify({ name: 'users.profile', params: { name: 'mailer' } }),
    });
    assert.equal(q.status, 200);
    const body = (await q.json()) as { result: { profile: Record<string, unknown> } };
    assert.deepEqual(body.result.profile, { displayName: 'Mai Ler' });
  });

  it('lets a revoked token in only until the cached answer runs out', async () => {
    const t = await create('short-lived', ['read']);
    const pipeline = ROUTES.find((r) => r.id === 'MetaPipeline') as RouteDef;
    assert.equal((await call(pipeline, bearer(t))).status, 200);
    await token('revoke', 'short-lived');
    // The gateway's answer for this header still stands (as API Gateway's authorizer cache does)...
    assert.equal((await call(pipeline, bearer(t))).status, 200);
    // ...until its lifetime has passed.
    clock += AUTHORIZER_CACHE_SECONDS * 1000;
    assertUnauthorized(await call(pipeline, bearer(t)), 'revoked, cache run out');
  });

  it('asks the authorizer once for concurrent requests with one header (the cache holds the call)', async () => {
    const t = await create('burst', ['read']);
    const pipeline = ROUTES.find((r) => r.id === 'MetaPipeline') as RouteDef;
    const before = rt.stats().api.authorizerCalls;
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(pipeline, bearer(t))));
    assert.deepEqual(
      answers.map((a) => a.status),
      answers.map(() => 200),
    );
    assert.equal(rt.stats().api.authorizerCalls - before, 1);
  });

  it('lists tokens without their secret, and stores only hashes', async () => {
    const listed = JSON.parse(await token('list', '--json')) as { name: string; revokedAt: string | null }[];
    assert.ok(listed.some((t) => t.name === 'revoked' && t.revokedAt !== null));
    assert.ok(listed.some((t) => t.name === 'all' && t.revokedAt === null));
    const items = await doc.send(
      new QueryCommand({
        TableName: rt.tables.meta,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': TOKEN_PARTITION },
      }),
    );
    assert.equal(items.Items?.length, listed.length);
    const raw = JSON.stringify(items.Items);
    assert.ok(!raw.includes(all.slice(4)) && !raw.includes('bfa_'));
    assert.ok(items.Items?.some((i) => i.sk === tokenHash(all)));
    const text = await token('list');
    assert.ok(!text.includes(all.slice(4, 20)));
  });
});
