// The one source of truth for the resources, shared by the CDK stack (lib/bacefook-stack.ts) and the
// embedded local runtime (local/): both build their tables, stream, functions and routes from these
// definitions, not from copies. Plain data: no CDK or SDK import here.

export const PROJECT = 'bacefook';

/** Environment variables the functions read; the stack sets them together with the grants. */
export const ENV = {
  graphTable: 'GRAPH_TABLE',
  historyTable: 'HISTORY_TABLE',
  metaTable: 'META_TABLE',
  streamName: 'STREAM_NAME',
  /** Optional endpoint overrides (LocalStack, the embedded emulators). Unset on AWS. */
  dynamodbEndpoint: 'BACEFOOK_DYNAMODB_ENDPOINT',
  kinesisEndpoint: 'BACEFOOK_KINESIS_ENDPOINT',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** The generator Lambda's settings (GENERATOR below; the stack may override them by context). */
  generatorUsers: 'BACEFOOK_GENERATOR_USERS',
  generatorMaxUsers: 'BACEFOOK_GENERATOR_MAX_USERS',
  generatorBatchesPerRun: 'BACEFOOK_GENERATOR_BATCHES_PER_RUN',
  generatorSeed: 'BACEFOOK_GENERATOR_SEED',
  /** Comma-separated event families (`social,marketplace`); unset: every family. */
  generatorFamilies: 'BACEFOOK_GENERATOR_FAMILIES',
} as const;

export const STREAM = {
  id: 'EventStream',
  /** Local name; on AWS the stack lets CloudFormation name it. */
  localName: 'bacefook-events',
  shardCount: 1,
  retentionHours: 24,
  /**
   * The embedded stream's retention: a record the event source mapping is done with is deleted this
   * long after it arrived (local/stream-retention.ts); one it has not processed is kept, however old.
   */
  localRetentionMinutes: 15,
} as const;

export interface KeyDef {
  name: string;
  type: 'S' | 'N';
}
export interface IndexDef {
  name: string;
  partitionKey: KeyDef;
  sortKey?: KeyDef;
  projection: 'KEYS_ONLY' | 'ALL';
}
export interface TableDef {
  id: string;
  localName: string;
  env: string;
  partitionKey: KeyDef;
  sortKey?: KeyDef;
  indexes: IndexDef[];
  /** DynamoDB deletes an item some time after this attribute's epoch seconds (TTL). */
  ttlAttribute?: string;
}

/** Graph: one item per user (pk = name). The processor is its only writer. */
export const GRAPH_TABLE: TableDef = {
  id: 'GraphTable',
  localName: 'bacefook-graph',
  env: ENV.graphTable,
  partitionKey: { name: 'pk', type: 'S' },
  // No index: /meta/users reads the processor's name index (meta table), written once per registration,
  // so rewriting a user item costs no index maintenance.
  indexes: [],
};

/** History: per-batch journals (the processor's deltas) and the snapshot job's time-bucketed rollups. */
export const HISTORY_TABLE: TableDef = {
  id: 'HistoryTable',
  localName: 'bacefook-history',
  env: ENV.historyTable,
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: [],
};

/** Meta: pipeline counters and checkpoint, snapshot state, rejected events, idempotency keys. */
export const META_TABLE: TableDef = {
  id: 'MetaTable',
  localName: 'bacefook-meta',
  env: ENV.metaTable,
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: [],
  // Idempotency keys expire after 24 hours (storage/idempotency-store.ts); nothing else has it.
  ttlAttribute: 'expiresAt',
};

/** Partitions of the meta table holding the ingest routes' Idempotency-Key records (SPEC 13). */
export const IDEMPOTENCY_PARTITION_PREFIX = 'idem#';

export const TABLES = [GRAPH_TABLE, HISTORY_TABLE, META_TABLE] as const;

export type TableAccess = 'read' | 'write';
export type TableKindName = 'graph' | 'history' | 'meta';
export interface FunctionDef {
  id: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  memoryMb: number;
  timeoutSeconds: number;
  tables: Partial<Record<TableKindName, TableAccess>>;
  stream?: 'read' | 'write';
  /**
   * One partition of a table that this function alone reads and writes, and nothing else of that
   * table (IAM condition dynamodb:LeadingKeys). For state that is not the graph's, e.g. the generator's.
   * With `prefix`, every partition whose key starts with `pk` (one per idempotency key, say). With
   * `access: 'read'`, it may only read its items (GetItem).
   */
  ownPartition?: { table: TableKindName; pk: string; prefix?: boolean; access?: 'read' | 'write' };
}

/** The IAM condition that holds a function to its own partition(s) (dynamodb:LeadingKeys). */
export function leadingKeysCondition(own: NonNullable<FunctionDef['ownPartition']>): Record<string, unknown> {
  return own.prefix
    ? { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${own.pk}*`] } }
    : { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [own.pk] } };
}

/** The processor's event source mapping (SPEC section 1); batch size and window chosen by `npm run bench`. */
export const PROCESSOR_MAPPING = {
  batchSize: 100,
  // 0: a batch goes as soon as records are there (under load batches fill up anyway); keeps freshness low.
  maxBatchingWindowSeconds: 0,
  parallelizationFactor: 1,
  bisectBatchOnFunctionError: true,
  maxRetryAttempts: 10,
  maxRecordAgeSeconds: 6 * 3600,
  reportBatchItemFailures: true,
  startingPosition: 'TRIM_HORIZON',
} as const;

export const PROCESSOR: FunctionDef = {
  id: 'Processor',
  entry: 'lambdas/processor/handler.ts',
  memoryMb: 1024,
  timeoutSeconds: 120,
  tables: { graph: 'write', history: 'write', meta: 'write' },
  stream: 'read',
};

export const SNAPSHOT: FunctionDef & { scheduleMinutes: number; localEveryMs: number } = {
  id: 'Snapshot',
  entry: 'lambdas/snapshot/handler.ts',
  memoryMb: 1024,
  // Shorter than the 1-minute schedule, so two runs never overlap.
  timeoutSeconds: 50,
  tables: { history: 'write', meta: 'write' },
  /** EventBridge rule rate on AWS / LocalStack (1 minute is EventBridge's finest rate). */
  scheduleMinutes: 1,
  /** The embedded runtime runs it far more often, so ranged answers stay fresh locally. */
  localEveryMs: 1_000,
};

/**
 * The deployed stack's own event feed, as `npm start`'s generator loop is the embedded default's: an
 * EventBridge rule runs it every `scheduleMinutes`; each run restores the seeded generator (users and
 * friendships so far, kept in the meta table under its own partition), sends `batchesPerRun` batches
 * through the ordered producer, and saves the generator again. Paused by the stack's GeneratorEnabled
 * parameter or the `generator=false` context value.
 */
export const GENERATOR: FunctionDef & {
  scheduleMinutes: number;
  users: number;
  maxUsers: number;
  batchesPerRun: number;
  stepMs: number;
  seed: number;
} = {
  id: 'Generator',
  entry: 'lambdas/generator/handler.ts',
  // The first batch of 1,000 users is ~100,000 events, packed and brotli-compressed in memory.
  memoryMb: 1024,
  // Below the schedule, so two runs never overlap (and the state's conditional save catches it if they do).
  timeoutSeconds: 50,
  tables: {},
  ownPartition: { table: 'meta', pk: 'generator' },
  stream: 'write',
  scheduleMinutes: 1,
  // The embedded default's 1,000 users; growth stops at maxUsers so a forgotten stack has a bounded
  // volume (each later batch befriends 30% of the users and unfriends 20% of the pairs).
  users: 1_000,
  maxUsers: 2_000,
  // One batch per run: about a thousand events a minute once the first batch is in. Raise it (up to
  // 12, one per 5 s of the minute) with the `generatorBatchesPerRun` context value for a livelier demo.
  batchesPerRun: 1,
  // created_at of consecutive batches of one run: the embedded default's 5 s, the last one at "now".
  stepMs: 5_000,
  seed: 1,
};

/**
 * Cloud only: the custom resource that copies the built dashboard into its site bucket and writes its
 * config.js (lib/constructs/web-dashboard.ts). No table and no stream; its S3 grants are the construct's.
 * The local runtime serves web/dist itself.
 */
export const WEB_DEPLOY: FunctionDef = {
  id: 'WebDeploy',
  entry: 'lambdas/web-deploy/handler.ts',
  // The build is about 3 MB unzipped and held in memory once.
  memoryMb: 512,
  // Seconds of work; the handler answers CloudFormation (FAILED) shortly before this runs out.
  timeoutSeconds: 300,
  tables: {},
};

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * What an access token may do (SPEC 13): `read` the figures, `ingest` events, `admin` the catalogue
 * writes and token management. A token holds one or more of them.
 */
export const ABILITIES = ['read', 'ingest', 'admin'] as const;
export type Ability = (typeof ABILITIES)[number];
/** What a route asks of its caller: an ability, or `open` (no token at all, even with tokens on). */
export type RouteAccess = Ability | 'open';

/**
 * The access tokens' partition of the meta table: one item per token, its key the token's SHA-256
 * (storage/token-store.ts). The authorizer may only read it; `npm run token` writes it.
 */
export const TOKEN_PARTITION = 'access-token';

/**
 * How long API Gateway keeps an authorizer's answer for one Authorization header (and the local
 * gateway as well): a revoked token keeps working for at most this long on the paths it was used on.
 */
export const AUTHORIZER_CACHE_SECONDS = 30;

/** Where a WebSocket client puts its token ($connect cannot carry an Authorization header from a browser). */
export const TOKEN_QUERY_PARAMETER = 'token';

/**
 * The REST API's Lambda authorizer (REQUEST type, identity source the Authorization header): checks a
 * bearer token against the meta table's token partition, read-only, and answers a policy naming the
 * routes the token's abilities allow (lambdas/authorizer/handler.ts; the local gateway runs it too).
 */
export const AUTHORIZER: FunctionDef = {
  id: 'Authorizer',
  entry: 'lambdas/authorizer/handler.ts',
  memoryMb: 512,
  timeoutSeconds: 10,
  tables: {},
  ownPartition: { table: 'meta', pk: TOKEN_PARTITION, access: 'read' },
};

/**
 * The meta table's partition of the processor's per-commit digests for the live fan-out
 * (storage/live-store.ts); on AWS the fan-out's stream filter selects exactly it.
 */
export const LIVE_PARTITION = 'live';

/** The live updates' WebSocket path on the local API's port (SPEC 13); on AWS its own WebSocket API. */
export const LIVE_PATH = '/live';

/**
 * The WebSocket API's connections (AWS only): one item per open connection, with the topics it
 * subscribed to. API Gateway closes a connection after 2 hours at most, so an item whose $disconnect
 * never came (a crash) expires by TTL some time after that.
 */
export const CONNECTIONS_TABLE: TableDef = {
  id: 'ConnectionsTable',
  localName: 'bacefook-connections',
  env: 'CONNECTIONS_TABLE',
  partitionKey: { name: 'connectionId', type: 'S' },
  indexes: [],
  ttlAttribute: 'expiresAt',
};

/** A connection item's lifetime: API Gateway's 2-hour connection limit and a margin. */
export const CONNECTION_TTL_SECONDS = 3 * 3600;

/** Where the fan-out posts (API Gateway's management endpoint of the WebSocket stage). */
export const LIVE_CALLBACK_URL_ENV = 'LIVE_CALLBACK_URL';

/**
 * The WebSocket API's $connect authorizer: the token in the `token` query parameter, with the `read`
 * ability (lambdas/authorizer/authorize.ts authorizeQueryToken). The local gateway runs it too.
 */
export const LIVE_AUTHORIZER: FunctionDef = {
  id: 'LiveAuthorizer',
  entry: 'lambdas/live/authorizer.ts',
  memoryMb: 512,
  timeoutSeconds: 10,
  tables: {},
  ownPartition: { table: 'meta', pk: TOKEN_PARTITION, access: 'read' },
};

/**
 * The WebSocket API's $connect, $disconnect and `subscribe` routes (one function): it keeps the
 * connections table, nothing else. (Its grant on that table is the stack's.)
 */
export const LIVE_CONNECTIONS: FunctionDef = {
  id: 'LiveConnections',
  entry: 'lambdas/live/connections.ts',
  memoryMb: 256,
  timeoutSeconds: 10,
  tables: {},
};

/**
 * The live fan-out: fed by the meta table's stream (the processor's `live` digests only, by a filter),
 * it may read the connections, delete gone ones and post to them, and nothing else.
 */
export const LIVE_FANOUT: FunctionDef & { batchSize: number } = {
  id: 'LiveFanOut',
  entry: 'lambdas/live/handler.ts',
  memoryMb: 512,
  timeoutSeconds: 60,
  tables: {},
  // Up to 10 digests per invocation (each at most one item of 400 KB).
  batchSize: 10,
};

/**
 * A figure of the metrics catalogue (GET /metrics, POST /metrics/query): a GET route that answers it.
 * Its params are the route's path and query parameters, a path parameter under `rename`'s name when
 * it has one (`{id}` of a product is `productId`).
 */
export interface MetricDef {
  name: string;
  family: 'social' | 'marketplace' | 'posts';
  rename?: Record<string, string>;
}

export interface RouteDef {
  id: string;
  method: HttpMethod;
  /** API Gateway resource path, with {param} placeholders. */
  path: string;
  entry: string;
  fn: FunctionDef;
  /**
   * The ability a caller's token needs when tokens are on (SPEC 13): the authorizer's policy, the
   * stack's methods and the local gateway all read it here. GET routes default to `read`; every other
   * method must say which it needs.
   */
  access: RouteAccess;
  /** The figure this route answers in the metrics catalogue, if it is one. */
  metric?: MetricDef;
}

const READS: FunctionDef['tables'] = { graph: 'read', history: 'read', meta: 'read' };
/**
 * The catalogue writes (SPEC 11) send their event into the stream (the processor stays the only
 * writer of the tables) and read the meta table: the pipeline's checkpoint, to learn when their
 * record is committed, and the product or profile item, to answer the entry as stored. They keep
 * their Idempotency-Key records as POST /events does.
 */
const CATALOGUE_WRITE: Partial<FunctionDef> = {
  tables: { meta: 'read' },
  stream: 'write',
  // Their Idempotency-Key records, as POST /events has.
  ownPartition: { table: 'meta', pk: IDEMPOTENCY_PARTITION_PREFIX, prefix: true },
};

function route(
  id: string,
  method: HttpMethod,
  path: string,
  file: string,
  fn?: Partial<FunctionDef>,
  access?: RouteAccess,
): RouteDef {
  const entry = `lambdas/api/${file}.ts`;
  const needs = access ?? (method === 'GET' ? 'read' : undefined);
  // A write that forgot its ability would otherwise be guarded as something it is not.
  if (needs === undefined) throw new Error(`route ${id}: a ${method} route must declare its ability`);
  return {
    id,
    method,
    path,
    entry,
    fn: { id: `Api${id}`, entry, memoryMb: 1024, timeoutSeconds: 29, tables: READS, ...fn },
    access: needs,
  };
}

/** A GET route that answers a figure of the metrics catalogue: listed and queryable from this alone. */
function figure(
  name: string,
  family: MetricDef['family'],
  id: string,
  path: string,
  file: string,
  rename?: Record<string, string>,
): RouteDef {
  return { ...route(id, 'GET', path, file), metric: { name, family, ...(rename ? { rename } : {}) } };
}

const PRODUCT_ID = { id: 'productId' };

/** Every HTTP route of SPEC section 5. */
export const ROUTES: RouteDef[] = [
  // The only routes open whatever the token setting: a load balancer's probe and the API's description.
  route('Health', 'GET', '/health', 'health', { tables: {} }, 'open'),
  route('OpenApi', 'GET', '/openapi.json', 'openapi', { tables: {} }, 'open'),
  figure('users.profile', 'social', 'UserProfile', '/users/{name}', 'user-profile'),
  figure('users.network', 'social', 'UserNetwork', '/users/{name}/network', 'user-network'),
  figure('users.friends', 'social', 'UserFriends', '/users/{name}/friends', 'user-friends'),
  figure('users.topFriends', 'social', 'UserTopFriends', '/users/{name}/top-friends', 'user-top-friends'),
  figure('users.referrals', 'social', 'UserReferrals', '/users/{name}/referrals', 'user-referrals'),
  figure(
    'users.friendsCount',
    'social',
    'UserFriendsCount',
    '/users/{name}/friends-count',
    'user-friends-count',
  ),
  figure(
    'leaderboards.networkStrength',
    'social',
    'LeaderboardNetworkStrength',
    '/leaderboards/network-strength',
    'leaderboard-network-strength',
  ),
  figure(
    'leaderboards.referralPoints',
    'social',
    'LeaderboardReferralPoints',
    '/leaderboards/referral-points',
    'leaderboard-referral-points',
  ),
  route('MetaUsers', 'GET', '/meta/users', 'meta-users'),
  route('MetaSnapshots', 'GET', '/meta/snapshots', 'meta-snapshots'),
  route('MetaPipeline', 'GET', '/meta/pipeline', 'meta-pipeline', { tables: { meta: 'read' } }),
  route('MetaRejections', 'GET', '/meta/rejections', 'meta-rejections', { tables: { meta: 'read' } }),
  route(
    'PostEvents',
    'POST',
    '/events',
    'post-events',
    {
      tables: {},
      stream: 'write',
      // Its Idempotency-Key records, and nothing else of the meta table.
      ownPartition: { table: 'meta', pk: IDEMPOTENCY_PARTITION_PREFIX, prefix: true },
    },
    'ingest',
  ),
  // The marketplace's reads (SPEC 11).
  figure('products.list', 'marketplace', 'ProductList', '/products', 'products-list'),
  figure('products.profile', 'marketplace', 'ProductGet', '/products/{id}', 'product-get', PRODUCT_ID),
  route('UserProfileGet', 'GET', '/users/{name}/profile', 'user-profile-get'),
  figure(
    'products.sales',
    'marketplace',
    'ProductSales',
    '/products/{id}/sales',
    'product-sales',
    PRODUCT_ID,
  ),
  figure(
    'products.ratings',
    'marketplace',
    'ProductRatings',
    '/products/{id}/ratings',
    'product-ratings',
    PRODUCT_ID,
  ),
  figure('users.activity', 'marketplace', 'UserActivity', '/users/{name}/activity', 'user-activity'),
  figure(
    'events.frequencies',
    'marketplace',
    'EventFrequencies',
    '/events/frequencies',
    'events-frequencies',
  ),
  figure(
    'leaderboards.products',
    'marketplace',
    'LeaderboardProducts',
    '/leaderboards/products',
    'leaderboard-products',
  ),
  // The metrics catalogue (SPEC 11), built from the routes above that carry a figure.
  route('Metrics', 'GET', '/metrics', 'metrics', { tables: {} }),
  // A read, though a POST: it answers what the figure's GET route answers.
  route('MetricsQuery', 'POST', '/metrics/query', 'metrics-query', undefined, 'read'),
  route('ProductCreate', 'POST', '/products', 'product-create', CATALOGUE_WRITE, 'admin'),
  route('ProductPut', 'PUT', '/products/{id}', 'product-put', CATALOGUE_WRITE, 'admin'),
  route('ProductDelete', 'DELETE', '/products/{id}', 'product-delete', CATALOGUE_WRITE, 'admin'),
  route('UserProfilePut', 'PUT', '/users/{name}/profile', 'user-profile-put', CATALOGUE_WRITE, 'admin'),
  route(
    'UserProfileDelete',
    'DELETE',
    '/users/{name}/profile',
    'user-profile-delete',
    CATALOGUE_WRITE,
    'admin',
  ),
  // The posts family (SPEC 12). GET /posts/stats is a literal path, so it wins over /posts/{id} (on API
  // Gateway as in the local gateway): a post whose id is `stats` is read through POST /metrics/query.
  figure('posts.get', 'posts', 'PostGet', '/posts/{id}', 'post-get', { id: 'postId' }),
  figure('users.posts', 'posts', 'UserPosts', '/users/{name}/posts', 'user-posts'),
  figure('posts.stats', 'posts', 'PostsStats', '/posts/stats', 'posts-stats'),
  figure(
    'leaderboards.writers',
    'posts',
    'LeaderboardWriters',
    '/leaderboards/writers',
    'leaderboard-writers',
  ),
  // Writes a `post` event as the catalogue writes do theirs (and keeps its Idempotency-Key records);
  // ingesting, as POST /events (SPEC 13).
  route('PostCreate', 'POST', '/posts', 'post-create', CATALOGUE_WRITE, 'ingest'),
];

/** POST /events body limit (SPEC: larger is a 413). */
export const MAX_POST_BYTES = 5 * 1024 * 1024;

/**
 * Request content types API Gateway hands to a function as base64 (its binaryMediaTypes): all of
 * them, so a body reaches POST /events byte for byte and bytes that are not UTF-8 are a 400 there
 * (lambdas/shared/http.ts bodyText). As text, API Gateway would decode them first. Answers are
 * unaffected: the functions answer text (isBase64Encoded false), which passes as it is.
 */
export const API_BINARY_MEDIA_TYPES: readonly string[] = ['*/*'];

/**
 * Body limit of the catalogue writes (larger is a 413): room for the longest valid entry (a
 * 2,000-character description written as \u escapes is 24,000 bytes) with a wide margin.
 */
export const MAX_WRITE_BODY_BYTES = 64 * 1024;

/**
 * Body limit of POST /posts (larger is a 413): a post of 10,000 code points written as \u escapes of
 * surrogate pairs is 120,000 bytes; the rest is a margin.
 */
export const MAX_POST_BODY_BYTES = 256 * 1024;

/** How long a catalogue write waits for the processor to commit its event before answering 202. */
export const CATALOGUE_WRITE_WAIT_MS = 5_000;

/** API Gateway stage throttling defaults (overridable by context on deploy). */
export const API_THROTTLE = { rateLimit: 1000, burstLimit: 2000 } as const;

export const LOG_RETENTION_DAYS = 14;

/** CloudWatch namespace of the functions' embedded metrics (Powertools Metrics). */
export const METRICS_NAMESPACE = 'Bacefook';

/** Embedded metrics of the processor (lambdas/processor/handler.ts); charted by the stack's dashboard. */
export const PROCESSOR_METRICS = {
  applied: 'EventsApplied',
  noop: 'EventsNoop',
  rejected: 'EventsRejected',
  /** marked records skipped as a producer's resend (domain/marks.ts) */
  resent: 'RecordsResent',
  batchDuration: 'BatchDuration',
  iteratorAge: 'IteratorAge',
} as const;

/** Embedded metrics of the generator (lambdas/generator/handler.ts). */
export const GENERATOR_METRICS = {
  events: 'EventsGenerated',
  records: 'RecordsPut',
  users: 'GeneratorUsers',
} as const;

/**
 * Powertools service name of a function (POWERTOOLS_SERVICE_NAME, and the `service` dimension of its
 * embedded metrics): `ApiUserProfile` -> `bacefook-api-user-profile`.
 */
export function serviceName(functionId: string): string {
  return `${PROJECT}-${functionId.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
}

/** Every function of the stack: processor, snapshot job, generator, one per route, and the web deploy. */
export const FUNCTIONS: FunctionDef[] = [
  PROCESSOR,
  SNAPSHOT,
  GENERATOR,
  ...ROUTES.map((r) => r.fn),
  AUTHORIZER,
  WEB_DEPLOY,
  LIVE_AUTHORIZER,
  LIVE_CONNECTIONS,
  LIVE_FANOUT,
];

/** Functions of the live updates' WebSocket API: on AWS only (a paid LocalStack feature). */
export const AWS_ONLY_FUNCTIONS: readonly FunctionDef[] = [LIVE_AUTHORIZER, LIVE_CONNECTIONS, LIVE_FANOUT];

/**
 * Deployed function name: `<stack>-<id>`, e.g. `Bacefook-Processor`. Its log group is
 * `/aws/lambda/<that name>`, so `npm run logs -- <id>` can find it without asking CloudFormation.
 */
export function cloudFunctionName(stackName: string, functionId: string): string {
  return `${stackName}-${functionId}`;
}
export function cloudLogGroupName(stackName: string, functionId: string): string {
  return `/aws/lambda/${cloudFunctionName(stackName, functionId)}`;
}
