// AWS client factories. Every function receives its clients from here (or from a test), so the same
// code talks to AWS, LocalStack or the embedded emulators; only the endpoint differs.

import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ENV } from '../lib/definitions';

export interface EndpointConfig {
  /** e.g. http://127.0.0.1:4568 for dynalite; undefined on AWS. */
  endpoint?: string;
  region?: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A middleware plugin of the DynamoDB client (e.g. the local runtime's fault injection, local/faults.ts). */
export type DynamoClientPlugin = Parameters<DynamoDBClient['middlewareStack']['use']>[0];
const dynamoPlugins: DynamoClientPlugin[] = [];

/**
 * Adds a plugin to every DynamoDB client made by makeDynamoClient from now on (once per plugin). Only
 * the local runtime calls it, before it loads the handlers; on AWS the list stays empty.
 */
export function addDynamoClientPlugin(plugin: DynamoClientPlugin): void {
  if (!dynamoPlugins.includes(plugin)) dynamoPlugins.push(plugin);
}

/**
 * Removes the SDK's logger middleware. We never give SDK clients a logger, yet that middleware still
 * builds a redacted copy of every request and response for it (a walk of every item of a
 * BatchWriteItem): about a tenth of the processor's CPU per written item, for nothing.
 */
function withoutSdkLogging(client: { middlewareStack: { remove(name: string): boolean } }): void {
  client.middlewareStack.remove('loggerMiddleware');
}

function common(cfg: EndpointConfig) {
  const region = cfg.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  // Local emulators accept any credentials; on AWS the default provider chain is used.
  return cfg.endpoint ? { region, endpoint: cfg.endpoint, credentials: LOCAL_CREDENTIALS } : { region };
}

export function makeDynamoClient(cfg: EndpointConfig = {}): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    ...common(cfg),
    maxAttempts: 8,
    // Keep-alive sockets: the processor and the API issue many small requests.
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) }),
  });
  withoutSdkLogging(base);
  for (const plugin of dynamoPlugins) base.middlewareStack.use(plugin);
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function makeKinesisClient(cfg: EndpointConfig = {}): KinesisClient {
  // kinesalite speaks HTTP/1.1 only, so the HTTP/1 handler is set explicitly.
  const client = new KinesisClient({
    ...common(cfg),
    maxAttempts: 8,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 16 }) }),
  });
  withoutSdkLogging(client);
  return client;
}

/** Table and stream names plus endpoints, as the stack (or the local runtime) sets them. */
export interface RuntimeConfig {
  graphTable: string;
  historyTable: string;
  metaTable: string;
  streamName: string;
  dynamodbEndpoint?: string;
  kinesisEndpoint?: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  return {
    graphTable: env[ENV.graphTable] ?? '',
    historyTable: env[ENV.historyTable] ?? '',
    metaTable: env[ENV.metaTable] ?? '',
    streamName: env[ENV.streamName] ?? '',
    dynamodbEndpoint: env[ENV.dynamodbEndpoint] || undefined,
    kinesisEndpoint: env[ENV.kinesisEndpoint] || undefined,
  };
}
