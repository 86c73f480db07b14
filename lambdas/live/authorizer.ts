// The WebSocket API's $connect authorizer (SPEC 13): the token in the `token` query parameter (a
// browser's WebSocket cannot send an Authorization header), with the `read` ability, checked by the
// same code as the REST authorizer's (lambdas/authorizer/authorize.ts). The local gateway runs this
// module for `ws://…/live` when the runtime has tokens on (local/live-gateway.ts).
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { LIVE_AUTHORIZER } from '../../lib/definitions';
import type { AuthorizerPolicy } from '../../queries/access';
import { TokenStore } from '../../storage/token-store';
import { authorizeQueryToken, Unauthorized } from '../authorizer/authorize';
import { depsFromEnv } from '../shared/deps';
import { makeLogger } from '../shared/logger';

const logger = makeLogger('bacefook-live-authorizer');
const deps = depsFromEnv(LIVE_AUTHORIZER);
const store = new TokenStore(deps.doc, deps.tables.meta);

export async function handler(
  event: Pick<APIGatewayRequestAuthorizerEvent, 'methodArn' | 'queryStringParameters'>,
): Promise<AuthorizerPolicy> {
  try {
    return await authorizeQueryToken(event, store, 'read');
  } catch (err) {
    if (err instanceof Unauthorized) logger.info('refused', { reason: err.reason });
    throw err;
  }
}
