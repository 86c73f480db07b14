// Builds a function's dependencies from its environment once per cold start. Tests and the local
// runtime construct the same objects with clients of their own.

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FunctionDef, TableKindName } from '../../lib/definitions';
import {
  type ConfigNeeds,
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

/** The names a function's environment must hold: one per table and stream its definition uses. */
export function needsOf(def: FunctionDef): ConfigNeeds {
  const tables = new Set(Object.keys(def.tables) as TableKindName[]);
  if (def.ownPartition !== undefined) tables.add(def.ownPartition.table);
  return { tables: [...tables], stream: def.stream !== undefined };
}

/**
 * Fails, naming the variable, when the environment lacks a name `def` uses. Called as a handler module
 * loads, so a function deployed without one fails at cold start rather than on some later request.
 */
export function requireEnvironment(def: FunctionDef, env: NodeJS.ProcessEnv = process.env): void {
  configFromEnv(needsOf(def), env);
}

let cached: Deps | undefined;

/** The clients and names of this process; with `def`, first checks that its environment is complete. */
export function depsFromEnv(def?: FunctionDef): Deps {
  if (def !== undefined) requireEnvironment(def);
  if (cached) return cached;
  const config = configFromEnv({});
  cached = {
    config,
    doc: makeDynamoClient({ endpoint: config.dynamodbEndpoint }),
    dynamo: makeDynamoReadClient({ endpoint: config.dynamodbEndpoint }),
    kinesis: makeKinesisClient({ endpoint: config.kinesisEndpoint }),
    tables: { graph: config.graphTable, history: config.historyTable, meta: config.metaTable },
  };
  return cached;
}
