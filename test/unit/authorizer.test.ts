// The access-token authorizer's paths (lambdas/authorizer/authorize.ts, queries/access.ts) with a
// token lookup in memory: every way to be refused is the one `Unauthorized` (API Gateway's 401),
// a failing store is not (a 500, never a 401 that would read as a bad token), and the policy of a
// token allows exactly the routes of its abilities, on every method at once (API Gateway caches it
// per Authorization header), and nothing else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import {
  authorizeQueryToken,
  authorizeRest,
  type TokenLookup,
  Unauthorized,
} from '../../lambdas/authorizer/authorize';
import { ABILITIES, type Ability, ROUTES } from '../../lib/definitions';
import {
  arnMatches,
  bearerToken,
  callerMay,
  newToken,
  parseAbilities,
  policyAllows,
  routeArn,
  tokenHash,
} from '../../queries/access';
import type { TokenRecord } from '../../storage/token-store';

const API = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod';

function store(tokens: Record<string, { abilities: Ability[]; revoked?: boolean }>): TokenLookup & {
  lookups: number;
} {
  const byHash = new Map<string, TokenRecord>();
  for (const [token, t] of Object.entries(tokens)) {
    const hash = tokenHash(token);
    byHash.set(hash, {
      id: hash.slice(0, 12),
      name: token.slice(0, 8),
      abilities: t.abilities,
      createdAt: '2026-01-01T00:00:00.000Z',
      revokedAt: t.revoked ? '2026-01-02T00:00:00.000Z' : null,
    });
  }
  const s = {
    lookups: 0,
    async find(hash: string) {
      s.lookups++;
      return byHash.get(hash) ?? null;
    },
  };
  return s;
}

function event(
  headers: Record<string, string> | null,
  o: { method?: string; path?: string; query?: Record<string, string> } = {},
): APIGatewayRequestAuthorizerEvent {
  const method = o.method ?? 'GET';
  const path = o.path ?? '/meta/pipeline';
  return {
    type: 'REQUEST',
    methodArn: `${API}/${method}${path}`,
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: null,
    pathParameters: null,
    queryStringParameters: o.query ?? null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

async function refused(p: Promise<unknown>, reason: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof Unauthorized, `expected Unauthorized, got ${String(err)}`);
    // API Gateway answers 401 for exactly this message.
    assert.equal(err.message, 'Unauthorized');
    assert.equal(err.reason, reason);
    return true;
  });
}

const reader = newToken();
const writer = newToken();
const gone = newToken();
const tokens = store({
  [reader]: { abilities: ['read'] },
  [writer]: { abilities: ['ingest', 'admin'] },
  [gone]: { abilities: ['read', 'ingest', 'admin'], revoked: true },
});

describe('authorizer: refusals', () => {
  it('refuses a request without an Authorization header, or with an empty one', async () => {
    await refused(authorizeRest(event(null), tokens), 'missing');
    await refused(authorizeRest(event({}), tokens), 'missing');
    await refused(authorizeRest(event({ Authorization: '' }), tokens), 'missing');
  });

  it('refuses a malformed header without looking anything up', async () => {
    const before = tokens.lookups;
    for (const h of [
      'Bearer',
      'Bearer ',
      reader,
      `Basic ${reader}`,
      `Bearer  ${reader}`,
      `Bearer ${reader} `,
      `Bearer ${reader},Bearer ${reader}`,
      `Bearer ${reader.slice(0, -1)}`,
      `Bearer ${reader}A`,
      `Bearer bfa_${'!'.repeat(43)}`,
      `Bearer ${'x'.repeat(5000)}`,
    ]) {
      await refused(authorizeRest(event({ Authorization: h }), tokens), 'malformed');
    }
    assert.equal(tokens.lookups, before);
  });

  it('refuses an unknown and a revoked token alike', async () => {
    await refused(authorizeRest(event({ Authorization: `Bearer ${newToken()}` }), tokens), 'unknown');
    await refused(authorizeRest(event({ Authorization: `Bearer ${gone}` }), tokens), 'revoked');
  });

  it('refuses a token in the query string, even beside a good header', async () => {
    for (const name of ['token', 'access_token', 'Token']) {
      await refused(
        authorizeRest(event({ Authorization: `Bearer ${reader}` }, { query: { [name]: reader } }), tokens),
        'misplaced',
      );
    }
  });

  it('lets a failing store fail (a 500), never answer Unauthorized', async () => {
    const broken: TokenLookup = {
      find: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    };
    await assert.rejects(authorizeRest(event({ Authorization: `Bearer ${reader}` }), broken), (err) => {
      assert.ok(!(err instanceof Unauthorized));
      return true;
    });
  });
});

describe('authorizer: policies', () => {
  it('accepts the header in any case of name and scheme', async () => {
    const headers: Record<string, string>[] = [
      { Authorization: `Bearer ${reader}` },
      { authorization: `bearer ${reader}` },
    ];
    for (const h of headers) {
      const p = await authorizeRest(event(h), tokens);
      assert.equal(p.context.abilities, 'read');
    }
  });

  it('allows exactly the routes of the abilities, whatever method was asked for', async () => {
    for (const [token, abilities] of [
      [reader, ['read']],
      [writer, ['ingest', 'admin']],
    ] as const) {
      const p = await authorizeRest(event({ Authorization: `Bearer ${token}` }), tokens);
      assert.equal(p.context.abilities, abilities.join(','));
      for (const r of ROUTES) {
        if (r.access === 'open') continue;
        const arn = `${API}/${r.method}${r.path.replace(/\{[^}]+\}/g, 'x1')}`;
        const expected = (abilities as readonly string[]).includes(r.access);
        assert.equal(policyAllows(p.policyDocument.Statement, arn), expected, `${r.method} ${r.path}`);
      }
      // Nothing else of the API, and no other API or stage.
      assert.equal(policyAllows(p.policyDocument.Statement, `${API}/PATCH/meta/pipeline`), false);
      assert.equal(
        policyAllows(p.policyDocument.Statement, `${API.replace('abc123', 'other1')}/GET/meta/pipeline`),
        false,
      );
    }
  });

  it('refuses to build a policy from something that is not a method ARN (a 500)', async () => {
    const e = { ...event({ Authorization: `Bearer ${reader}` }), methodArn: 'nonsense' };
    await assert.rejects(authorizeRest(e, tokens), (err) => !(err instanceof Unauthorized));
  });

  it('checks a WebSocket $connect token from the query, with the ability asked for', async () => {
    const connect = `${API}/$connect`;
    const ok = await authorizeQueryToken(
      { methodArn: connect, queryStringParameters: { token: reader } },
      tokens,
    );
    assert.equal(policyAllows(ok.policyDocument.Statement, connect), true);
    const denied = await authorizeQueryToken(
      { methodArn: connect, queryStringParameters: { token: writer } },
      tokens,
      'read',
    );
    assert.equal(policyAllows(denied.policyDocument.Statement, connect), false);
    await refused(
      authorizeQueryToken({ methodArn: connect, queryStringParameters: null }, tokens),
      'missing',
    );
    await refused(
      authorizeQueryToken({ methodArn: connect, queryStringParameters: { token: 'x' } }, tokens),
      'malformed',
    );
    await refused(
      authorizeQueryToken({ methodArn: connect, queryStringParameters: { token: gone } }, tokens),
      'revoked',
    );
  });
});

describe('access: what each route asks', () => {
  it('opens only /health and /openapi.json; a route that sends into the stream is never a read', () => {
    assert.deepEqual(
      ROUTES.filter((r) => r.access === 'open').map((r) => `${r.method} ${r.path}`),
      ['GET /health', 'GET /openapi.json'],
    );
    for (const r of ROUTES) {
      if (r.fn.stream === 'write') assert.ok(r.access === 'ingest' || r.access === 'admin', r.id);
      if (r.method === 'POST' && (r.path === '/events' || r.path === '/posts'))
        assert.equal(r.access, 'ingest');
      if (r.method === 'PUT' || r.method === 'DELETE') assert.equal(r.access, 'admin', r.id);
    }
  });
});

describe('access: the pieces', () => {
  it('makes recognisable tokens with 256 random bits, stored by a hash that is not the token', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = newToken();
      assert.match(t, /^bfa_[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(t.slice(4), 'base64url').length, 32);
      seen.add(t);
      assert.match(tokenHash(t), /^[0-9a-f]{64}$/);
    }
    assert.equal(seen.size, 200);
    assert.equal(bearerToken(`Bearer ${[...seen][0]}`), [...seen][0]);
    assert.equal(bearerToken(undefined), null);
  });

  it('parses abilities, naming a bad one', () => {
    assert.deepEqual(parseAbilities('ingest, read'), ['read', 'ingest']);
    assert.deepEqual(parseAbilities('admin,admin'), ['admin']);
    assert.throws(() => parseAbilities(''), /at least one/);
    assert.throws(() => parseAbilities('read,write'), /unknown ability 'write'/);
  });

  it("matches method ARNs as IAM does ('*' any run)", () => {
    assert.ok(arnMatches(routeArn(API, 'GET', '/users/{name}'), `${API}/GET/users/bob`));
    assert.ok(!arnMatches(routeArn(API, 'GET', '/users/{name}'), `${API}/PUT/users/bob`));
    assert.ok(!arnMatches(routeArn(API, 'POST', '/events'), `${API}/POST/events/x`));
    assert.ok(arnMatches(`${API}/GET/a.b`, `${API}/GET/a.b`));
    assert.ok(!arnMatches(`${API}/GET/a.b`, `${API}/GET/axb`));
    assert.ok(
      !policyAllows(
        [
          { Action: 'x', Effect: 'Deny', Resource: ['*'] },
          { Action: 'x', Effect: 'Allow', Resource: ['*'] },
        ],
        `${API}/GET/a`,
      ),
    );
  });

  it('lets every caller see everything with tokens off, and only the abilities held with tokens on', () => {
    for (const a of ABILITIES) {
      assert.equal(callerMay(undefined, a), true);
      assert.equal(callerMay(null, a), true);
      assert.equal(callerMay({ abilities: 'read' }, a), a === 'read');
      assert.equal(callerMay({ principalId: 'x' }, a), false);
    }
  });
});
