// AWS client factories. Every function receives its clients from here (or from a test), so the same
// code talks to AWS, LocalStack or the embedded emulators; only the endpoint differs.

import { Agent } from 'node:http';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
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
 * BatchWriteItem): a measurable share of the processor's CPU per written item, for nothing
 * (docs/performance.md).
 */
function withoutSdkLogging(client: { middlewareStack: { remove(name: string): boolean } }): void {
  client.middlewareStack.remove('loggerMiddleware');
}

/** Endpoints of the embedded emulators (see markEmulatorEndpoints). */
const emulatorEndpoints = new Set<string>();

/**
 * Marks endpoints as the embedded kinesalite/dynalite of this process (local/emulators.ts calls it when
 * it starts them). Both only check that a request carries an Authorization header, never its
 * signature, so clients made for these endpoints afterwards send a fixed one instead of computing
 * SigV4 for every request (a share of an API read's CPU, docs/performance.md). Any other endpoint
 * (AWS, LocalStack) is signed.
 */
export function markEmulatorEndpoints(...endpoints: string[]): void {
  for (const e of endpoints) emulatorEndpoints.add(e);
}

/**
 * For an embedded emulator only: without the user-agent middleware (it builds and escapes the SDK's
 * user agent, a few regular expressions and awaits per request, read by nobody but AWS's metrics) and
 * the recursion detection one (it forwards a Lambda's X-Ray trace id, which no emulator traces).
 */
function tunedForEmulator(
  client: { middlewareStack: { remove(name: string): boolean } },
  cfg: EndpointConfig,
): void {
  if (cfg.endpoint === undefined || !emulatorEndpoints.has(cfg.endpoint)) return;
  client.middlewareStack.remove('getUserAgentMiddleware');
  client.middlewareStack.remove('recursionDetectionMiddleware');
}

type AuthScheme = NonNullable<DynamoDBClientConfig['httpAuthSchemes']>[number];

/** The fixed headers, remade once a second (the emulators want a date, any date). */
let emulatorHeaders = { second: -1, date: '', authorization: '' };

/** SigV4's scheme with a signer that writes the headers the emulators look for, signature zero. */
const emulatorAuth: AuthScheme = {
  schemeId: 'aws.auth#sigv4',
  identityProvider: (config) => config.getIdentityProvider('aws.auth#sigv4'),
  signer: {
    sign: async (request) => {
      const now = Date.now();
      const second = Math.floor(now / 1000);
      if (second !== emulatorHeaders.second) {
        const date = new Date(now).toISOString().replace(/[-:]|\.\d{3}/g, '');
        emulatorHeaders = {
          second,
          date,
          authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/${date.slice(0, 8)}/local/local/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        };
      }
      request.headers['x-amz-date'] = emulatorHeaders.date;
      request.headers.authorization = emulatorHeaders.authorization;
      return request;
    },
  },
};

function common(cfg: EndpointConfig) {
  const region = cfg.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!cfg.endpoint) return { region };
  // Local emulators accept any credentials; on AWS the default provider chain is used.
  const local = { region, endpoint: cfg.endpoint, credentials: LOCAL_CREDENTIALS };
  return emulatorEndpoints.has(cfg.endpoint) ? { ...local, httpAuthSchemes: [emulatorAuth] } : local;
}

export function makeDynamoClient(cfg: EndpointConfig = {}): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    ...common(cfg),
    maxAttempts: 8,
    // Keep-alive sockets: the processor and the API issue many small requests.
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) }),
  });
  withoutSdkLogging(base);
  tunedForEmulator(base, cfg);
  for (const plugin of dynamoPlugins) base.middlewareStack.use(plugin);
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * A low-level DynamoDB client for the API's hot reads. It resolves its middleware stack once per
 * command class (cacheMiddleware) instead of on every send: the stack never changes after the plugins
 * are added here, and resolving it is a large share of the SDK's CPU for a small read. The
 * DocumentClient refuses that option, so these reads marshal their few attributes themselves.
 */
export function makeDynamoReadClient(cfg: EndpointConfig = {}): DynamoDBClient {
  const client = new DynamoDBClient({
    ...common(cfg),
    maxAttempts: 8,
    cacheMiddleware: true,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) }),
  });
  withoutSdkLogging(client);
  tunedForEmulator(client, cfg);
  for (const plugin of dynamoPlugins) client.middlewareStack.use(plugin);
  return client;
}

export function makeKinesisClient(cfg: EndpointConfig = {}): KinesisClient {
  // kinesalite speaks HTTP/1.1 only, so the HTTP/1 handler is set explicitly.
  const client = new KinesisClient({
    ...common(cfg),
    maxAttempts: 8,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 16 }) }),
  });
  withoutSdkLogging(client);
  tunedForEmulator(client, cfg);
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

/**
 * The resources a function uses, whose names must be in its environment. The stack gives a function
 * the name of a table or of the stream only together with its grant on it (lib/constructs/
 * bacefook-function.ts), so a name the function was not granted is absent by design: it reads as ''.
 */
export interface ConfigNeeds {
  tables?: readonly ('graph' | 'history' | 'meta')[];
  stream?: boolean;
}

const TABLE_ENV = { graph: ENV.graphTable, history: ENV.historyTable, meta: ENV.metaTable } as const;

/** A function started without the name of a resource it uses: a deployment error, reported at once. */
export class MissingEnvironmentError extends Error {
  constructor(readonly variables: string[]) {
    super(
      `environment variable${variables.length > 1 ? 's' : ''} ${variables.join(', ')} not set: the function cannot start without ${variables.length > 1 ? 'them' : 'it'} (the stack sets each with the function's grant on the resource)`,
    );
    this.name = 'MissingEnvironmentError';
  }
}

/** Reads the names and endpoints; throws MissingEnvironmentError if a needed name is unset or empty. */
export function configFromEnv(needs: ConfigNeeds, env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const required: string[] = (needs.tables ?? []).map((t) => TABLE_ENV[t]);
  if (needs.stream === true) required.push(ENV.streamName);
  const missing = required.filter((name) => (env[name] ?? '') === '');
  if (missing.length > 0) throw new MissingEnvironmentError(missing);
  return {
    graphTable: env[ENV.graphTable] ?? '',
    historyTable: env[ENV.historyTable] ?? '',
    metaTable: env[ENV.metaTable] ?? '',
    streamName: env[ENV.streamName] ?? '',
    dynamodbEndpoint: env[ENV.dynamodbEndpoint] || undefined,
    kinesisEndpoint: env[ENV.kinesisEndpoint] || undefined,
  };
}
