// The REST API's Lambda authorizer (REQUEST type; SPEC 13): lambdas/authorizer/authorize.ts against
// the meta table's token partition, which this function may only read. The local gateway runs this
// same module (local/api-gateway.ts) when the runtime has tokens on.
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { AUTHORIZER } from '../../lib/definitions';
import type { AuthorizerPolicy } from '../../queries/access';
import { TokenStore } from '../../storage/token-store';
import { depsFromEnv } from '../shared/deps';
import { makeLogger } from '../shared/logger';
import { authorizeRest, Unauthorized } from './authorize';

const logger = makeLogger('bacefook-authorizer');
const deps = depsFromEnv(AUTHORIZER);
const store = new TokenStore(deps.doc, deps.tables.meta);

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<AuthorizerPolicy> {
  try {
    const policy = await authorizeRest(event, store);
    logger.debug('allowed', { tokenId: policy.principalId, abilities: policy.context.abilities });
    return policy;
  } catch (err) {
    // Why a request was refused, for the operator only (never the token): the caller sees one 401.
    if (err instanceof Unauthorized) logger.info('refused', { reason: err.reason, path: event.path });
    throw err;
  }
}
