// The WebSocket API's $connect, $disconnect, `subscribe` and $default routes (SPEC 13; AWS only, the
// local runtime keeps its connections in memory). $connect comes here only once the $connect
// authorizer allowed it (with tokens on). `subscribe` and $default answer on the connection (the
// routes return their response): `{"subscribed":[...]}` or an error naming what is wrong.
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { LIVE_CONNECTIONS } from '../../lib/definitions';
import { subscribe, subscribeAnswer } from '../../queries/live';
import { DynamoConnectionStore } from '../../storage/connection-store';
import { depsFromEnv } from '../shared/deps';
import { makeLogger } from '../shared/logger';
import { connectionsTable } from './env';

const logger = makeLogger('bacefook-live-connections');
const store = new DynamoConnectionStore(depsFromEnv(LIVE_CONNECTIONS).doc, connectionsTable());

function answer(statusCode: number, body: string): APIGatewayProxyResult {
  return { statusCode, body };
}

export async function handler(event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResult> {
  const { routeKey, connectionId } = event.requestContext;
  try {
    switch (routeKey) {
      case '$connect':
        await store.open(connectionId);
        return answer(200, '');
      case '$disconnect':
        await store.remove(connectionId);
        return answer(200, '');
      default: {
        const current = (await store.topics(connectionId)) ?? [];
        const outcome = subscribe(event.body ?? '', current);
        if (outcome.ok && !(await store.setTopics(connectionId, outcome.topics))) return answer(410, '');
        return answer(outcome.ok ? 200 : 400, subscribeAnswer(outcome));
      }
    }
  } catch (err) {
    logger.error('live connection route failed', { routeKey, error: err as Error });
    return answer(
      500,
      JSON.stringify({
        error: { code: 'internal_error', message: 'The server could not answer this request.' },
      }),
    );
  }
}
