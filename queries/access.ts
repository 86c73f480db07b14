// Access tokens (SPEC 13), the parts every side shares: the token's format, its hash, how a request
// carries it, and the IAM-style policy an authorizer answers for it. Pure: the store is
// storage/token-store.ts, the authorizer lambdas/authorizer/, the gateway's check local/api-gateway.ts.
//
// A token is `bfa_` and 43 base64url characters: 32 random bytes (256 bits). The prefix makes one
// recognisable in a log, a paste or a secret scanner's rules; the rest is the secret. Only its SHA-256
// is stored, so a leaked table holds nothing a caller can present.
import { createHash, randomBytes } from 'node:crypto';
import { ABILITIES, type Ability, type HttpMethod, type RouteDef } from '../lib/definitions';
import { type ErrorBody, errorBody } from './errors';

export const TOKEN_PREFIX = 'bfa_';
const TOKEN_RANDOM_BYTES = 32;
/** The whole token: the prefix and exactly 43 base64url characters. */
const TOKEN_PATTERN = /^bfa_[A-Za-z0-9_-]{43}$/;
/** `Bearer <token>`: the scheme case-insensitive (RFC 9110 11.1), one space, nothing after. */
const BEARER_PATTERN = /^bearer (\S+)$/i;

/** A new token's secret text, shown once. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(TOKEN_RANDOM_BYTES).toString('base64url');
}

export function isTokenShaped(text: string): boolean {
  return TOKEN_PATTERN.test(text);
}

/** What the store keeps of a token: its SHA-256, hex. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The token of an `Authorization` header value, or null when the header is absent or not exactly
 * `Bearer <token>` with a token of the right shape. The caller answers every null alike (401).
 */
export function bearerToken(header: string | undefined | null): string | null {
  if (typeof header !== 'string' || header.length > 200) return null;
  const m = BEARER_PATTERN.exec(header);
  if (m === null || !isTokenShaped(m[1])) return null;
  return m[1];
}

/**
 * `read,ingest` -> ['read', 'ingest'] in the canonical order; throws naming the bad one. Empty is an
 * error: a token that may do nothing is a mistake.
 */
export function parseAbilities(text: string): Ability[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new Error(`give at least one ability (${ABILITIES.join(', ')})`);
  for (const p of parts) {
    if (!(ABILITIES as readonly string[]).includes(p)) {
      throw new Error(`unknown ability '${p}' (expected ${ABILITIES.join(', ')})`);
    }
  }
  return ABILITIES.filter((a) => parts.includes(a));
}

/** Abilities as the authorizer's context carries them to the handlers: `read,admin`. */
export function abilitiesText(abilities: readonly Ability[]): string {
  return abilities.join(',');
}

// ---- the authorizer's policy ----

export interface PolicyStatement {
  Action: string;
  Effect: 'Allow' | 'Deny';
  Resource: string[];
}

export interface AuthorizerPolicy {
  principalId: string;
  policyDocument: { Version: '2012-10-17'; Statement: PolicyStatement[] };
  /** What the route handlers see as requestContext.authorizer (strings only, as API Gateway passes them). */
  context: { tokenId: string; abilities: string };
}

/**
 * `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE` of a method ARN
 * (`arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/path`), or null when it is not one.
 */
export function apiStageArn(methodArn: string): string | null {
  const m = /^(arn:[^:]+:execute-api:[^:]*:[^:]*:[^/]+\/[^/]+)\//.exec(methodArn);
  return m === null ? null : m[1];
}

/** The method ARN pattern of a route: path parameters as `*`. */
export function routeArn(apiStage: string, method: HttpMethod, path: string): string {
  return `${apiStage}/${method}${path.replace(/\{[^}]+\}/g, '*')}`;
}

/**
 * The policy of a token with these abilities: Allow on every route they open, and nothing else. It
 * names all of them, not only the method asked for, because API Gateway caches one answer per
 * Authorization header and applies it to every method the caller calls next.
 */
export function policyFor(
  routes: readonly RouteDef[],
  methodArn: string,
  tokenId: string,
  abilities: readonly Ability[],
): AuthorizerPolicy {
  const apiStage = apiStageArn(methodArn);
  if (apiStage === null) throw new Error('not an execute-api method ARN');
  const resources = routes
    .filter((r) => r.access !== 'open' && abilities.includes(r.access))
    .map((r) => routeArn(apiStage, r.method, r.path));
  return {
    principalId: tokenId,
    policyDocument: {
      Version: '2012-10-17',
      Statement:
        resources.length > 0 ? [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resources }] : [],
    },
    context: { tokenId, abilities: abilitiesText(abilities) },
  };
}

/** Whether an IAM resource pattern (`*` any run of characters, `?` one) matches an ARN. */
export function arnMatches(pattern: string, arn: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(arn);
}

/** IAM's evaluation of an authorizer's policy for one method ARN: an explicit Deny wins, else any Allow. */
export function policyAllows(statements: readonly PolicyStatement[], methodArn: string): boolean {
  let allowed = false;
  for (const s of statements) {
    const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    if (!resources.some((r) => arnMatches(r, methodArn))) continue;
    if (s.Effect === 'Deny') return false;
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed;
}

// ---- what the caller learns ----

/** 401: the same answer for a missing, malformed, unknown or revoked token, so none hints at another. */
export const UNAUTHORIZED_BODY: ErrorBody = errorBody(
  'unauthorized',
  'A valid access token is required: send Authorization: Bearer <token>.',
);

/** 403: a valid token without the ability the route needs. */
export const FORBIDDEN_BODY: ErrorBody = errorBody(
  'forbidden',
  'This access token does not have the ability this route needs.',
);

/**
 * Whether the caller of a route may do what `ability` allows, from the authorizer's context on its
 * event: with tokens off there is no authorizer and every caller may; with tokens on, only a token
 * holding the ability.
 */
export function callerMay(authorizer: Record<string, unknown> | null | undefined, ability: Ability): boolean {
  if (authorizer === null || authorizer === undefined) return true;
  const abilities = authorizer.abilities;
  if (typeof abilities !== 'string') return false;
  return abilities.split(',').includes(ability);
}
