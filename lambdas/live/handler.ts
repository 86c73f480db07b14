// The live fan-out on AWS (SPEC 13): fed by the meta table's stream, filtered to the processor's
// `live` digests (INSERTs of that partition), it pushes each digest to the subscribed connections
// through API Gateway's management API and deletes the connections that are gone (410). It never
// reads the pipeline's tables: a digest holds every figure it sends. Not retried: a retry would send
// some messages twice, and a subscriber that missed one has the next batch's (and the REST API).
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { LIVE_CALLBACK_URL_ENV, LIVE_FANOUT } from '../../lib/definitions';
import type { LiveDigest } from '../../queries/live';
import { DynamoConnectionStore } from '../../storage/connection-store';
import { decodeLiveItem } from '../../storage/live-store';
import { depsFromEnv } from '../shared/deps';
import { makeLogger } from '../shared/logger';
import { connectionsTable, requiredEnv } from './env';
import { type ConnectionPoster, fanOut } from './fan-out';

const logger = makeLogger('bacefook-live-fan-out');
const store = new DynamoConnectionStore(depsFromEnv(LIVE_FANOUT).doc, connectionsTable());
const management = new ApiGatewayManagementApiClient({ endpoint: requiredEnv(LIVE_CALLBACK_URL_ENV) });

const poster: ConnectionPoster = {
  async post(connectionId, message) {
    try {
      await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: message }));
      return 'sent';
    } catch (err) {
      if (err instanceof GoneException || (err as { name?: string }).name === 'GoneException') return 'gone';
      throw err;
    }
  },
};

/** The digests of the stream records, in stream order (binary attributes arrive base64-encoded). */
export function digestsOf(event: DynamoDBStreamEvent): LiveDigest[] {
  const out: LiveDigest[] = [];
  for (const r of event.Records) {
    const z = r.dynamodb?.NewImage?.z?.B as unknown;
    if (z === undefined) continue;
    const bytes = typeof z === 'string' ? Buffer.from(z, 'base64') : (z as Uint8Array);
    out.push(decodeLiveItem({ sk: r.dynamodb?.Keys?.sk?.S, z: new Uint8Array(bytes) }));
  }
  return out;
}

export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  const digests = digestsOf(event);
  const t0 = Date.now();
  const result = await fanOut(digests, store, poster, (connectionId, err) =>
    logger.warn('a message could not be sent', { connectionId, error: err as Error }),
  );
  logger.info('live fan-out', {
    digests: digests.length,
    ...result,
    lagMs: digests.length > 0 ? t0 - (digests.at(-1) as LiveDigest).committedAt : 0,
  });
}
