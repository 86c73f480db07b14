// The access-token check (SPEC 13), apart from how a request carries the token, so the REST API's
// authorizer (the Authorization header) and a WebSocket's $connect (a query parameter) share it.
//
// Every failure is the same `Unauthorized` to the caller (API Gateway answers it with a 401, the
// local gateway too): missing, malformed, unknown and revoked are told apart only in the log.
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { type Ability, ROUTES, type RouteDef, TOKEN_QUERY_PARAMETER } from '../../lib/definitions';
import {
  type AuthorizerPolicy,
  bearerToken,
  isTokenShaped,
  policyFor,
  tokenHash,
} from '../../queries/access';
import type { TokenRecord } from '../../storage/token-store';

/** The one error an authorizer throws for a caller without a valid token: API Gateway's 401. */
export class Unauthorized extends Error {
  constructor(readonly reason: DenyReason) {
    // API Gateway answers 401 for exactly this message; anything else is a 500.
    super('Unauthorized');
  }
}

export type DenyReason = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'misplaced';

/** The store's lookup by hash (storage/token-store.ts), or a test's. */
export interface TokenLookup {
  find(hash: string): Promise<TokenRecord | null>;
}

/** Query parameters that would carry a token where the REST API never reads one. */
const MISPLACED = new Set([TOKEN_QUERY_PARAMETER, 'access_token', 'authorization', 'bearer']);

/** The token's record when `token` is a live token; throws Unauthorized otherwise. */
export async function checkToken(token: string | null, store: TokenLookup): Promise<TokenRecord> {
  if (token === null) throw new Unauthorized('malformed');
  const record = await store.find(tokenHash(token));
  if (record === null) throw new Unauthorized('unknown');
  if (record.revokedAt !== null) throw new Unauthorized('revoked');
  return record;
}

function header(headers: Record<string, string | undefined> | null, name: string): string | undefined {
  if (headers === null) return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * The REST API's check: `Authorization: Bearer <token>` and no token in the query string (a token in
 * a URL ends in logs and histories). Answers the policy of the token's abilities over `routes`.
 */
export async function authorizeRest(
  event: APIGatewayRequestAuthorizerEvent,
  store: TokenLookup,
  routes: readonly RouteDef[] = ROUTES,
): Promise<AuthorizerPolicy> {
  for (const k of Object.keys(event.queryStringParameters ?? {})) {
    if (MISPLACED.has(k.toLowerCase())) throw new Unauthorized('misplaced');
  }
  const value = header(event.headers, 'authorization');
  if (value === undefined || value === '') throw new Unauthorized('missing');
  const record = await checkToken(bearerToken(value), store);
  return policyFor(routes, event.methodArn, record.id, record.abilities);
}

/**
 * A WebSocket $connect's check: the token in the `token` query parameter (a browser's WebSocket cannot
 * send headers), holding `ability`. Allows exactly the connect method asked for.
 */
export async function authorizeQueryToken(
  event: Pick<APIGatewayRequestAuthorizerEvent, 'methodArn' | 'queryStringParameters'>,
  store: TokenLookup,
  ability: Ability = 'read',
): Promise<AuthorizerPolicy> {
  const raw = event.queryStringParameters?.[TOKEN_QUERY_PARAMETER];
  if (raw === undefined || raw === '') throw new Unauthorized('missing');
  const record = await checkToken(isTokenShaped(raw) ? raw : null, store);
  const allowed = record.abilities.includes(ability);
  return {
    principalId: record.id,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: allowed ? 'Allow' : 'Deny', Resource: [event.methodArn] },
      ],
    },
    context: { tokenId: record.id, abilities: record.abilities.join(',') },
  };
}
