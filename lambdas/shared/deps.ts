// Builds a function's dependencies from its environment once per cold start. Tests and the local
// runtime construct the same objects with clients of their own.

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  configFromEnv,
  makeDynamoClient,
  makeDynamoReadClient,
  makeKinesisClient,
  type RuntimeConfig,
} from '../../storage/clients';

export interface Deps {
  config: RuntimeConfig;
  doc: DynamoDBDocumentClient;
  /** The API's hot reads (user items): a low-level client that reuses its resolved middleware. */
  dynamo: DynamoDBClient;
  kinesis: KinesisClient;
  tables: { graph: string; history: string; meta: string };
}

let cached: Deps | undefined;

export function depsFromEnv(): Deps {
  if (cached) return cached;
  const config = configFromEnv();
  cached = {
    config,
    doc: makeDynamoClient({ endpoint: config.dynamodbEndpoint }),
    dynamo: makeDynamoReadClient({ endpoint: config.dynamodbEndpoint }),
    kinesis: makeKinesisClient({ endpoint: config.kinesisEndpoint }),
    tables: { graph: config.graphTable, history: config.historyTable, meta: config.metaTable },
  };
  return cached;
}
