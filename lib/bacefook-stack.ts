// The whole pipeline on AWS (SPEC section 1): Kinesis -> processor -> DynamoDB, a scheduled snapshot
// job, and a REST API (v1) with one function per route. Every value comes from lib/definitions.ts,
// the source the embedded local runtime reads too; this file only decides how to express it in CDK.
//
// Context switches (cdk.json or `-c key=value`):
//   retainData=true   keep tables, stream, failure queue and log groups on `cdk destroy` (default: destroy)
//   apiKey=true       methods require an API key (one key, attached to the usage plan)
//   auth=none         no access tokens: every route open to anyone with the URL (a warning at synth and
//                     deploy). Default: a Lambda authorizer guards every method but GET /health and
//                     GET /openapi.json (tokens: `npm run token -- create ... --target aws`)
//   apiRateLimit=N, apiBurstLimit=N   stage throttling (default: API_THROTTLE)
//   logLevel=DEBUG|INFO|WARN|ERROR    POWERTOOLS_LOG_LEVEL of every function (default: INFO)
//   generator=false   deploy with the generator's schedule disabled (the GeneratorEnabled parameter
//                     pauses it too, without a change of template: `--parameters GeneratorEnabled=false`)
//   generatorUsers=N, generatorMaxUsers=N, generatorBatchesPerRun=N   the generator's volume (GENERATOR)
//   generatorFamilies=social,marketplace   the event families it feeds (default: every family)
//   target=localstack the LocalStack variant (`npm run deploy:local`): no stream encryption and no
//                     bisect-on-error (LocalStack's free tier has neither), API URL on LocalStack's host,
//                     the web dashboard on the bucket's website endpoint instead of CloudFront (paid there)
//
// The web dashboard (web/) is part of the stack: lib/constructs/web-dashboard.ts.
import { fileURLToPath } from 'node:url';
import {
  Annotations,
  Aws,
  CfnCondition,
  type CfnElement,
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  RemovalPolicy,
  Size,
  Stack,
  type StackProps,
  Tags,
} from 'aws-cdk-lib';
import {
  AuthorizationType,
  Cors,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  RequestAuthorizer,
  type Resource,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import {
  type Attribute,
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
} from 'aws-cdk-lib/aws-dynamodb';
import { type CfnRule, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FEED_FAMILIES, parseFamilies } from '../domain/family-generator';
import { FORBIDDEN_BODY, UNAUTHORIZED_BODY } from '../queries/access';
import { errorBody, GENERIC_500 } from '../queries/errors';
import { BacefookFunction, TABLE_BY_KIND, type TableKind } from './constructs/bacefook-function';
import { keepFinding } from './constructs/nag';
import { WebDashboard } from './constructs/web-dashboard';
import {
  API_BINARY_MEDIA_TYPES,
  API_THROTTLE,
  AUTHORIZER,
  AUTHORIZER_CACHE_SECONDS,
  CONNECTIONS_TABLE,
  ENV,
  type FunctionDef,
  GENERATOR,
  GENERATOR_METRICS,
  type HttpMethod,
  type KeyDef,
  LIVE_AUTHORIZER,
  LIVE_CALLBACK_URL_ENV,
  LIVE_CONNECTIONS,
  LIVE_FANOUT,
  LIVE_PARTITION,
  leadingKeysCondition,
  META_TABLE,
  METRICS_NAMESPACE,
  PROCESSOR,
  PROCESSOR_MAPPING,
  PROCESSOR_METRICS,
  PROJECT,
  ROUTES,
  SNAPSHOT,
  STREAM,
  serviceName,
  type TableDef,
  TOKEN_QUERY_PARAMETER,
} from './definitions';

/** Alarm thresholds: cloud-only, so they live here rather than in the shared definitions. */
const ALARMS = {
  /** The processor is behind by more than a minute, for five minutes in a row. */
  iteratorAgeMs: 60_000,
  iteratorAgeMinutes: 5,
  /** Any 5xx is a bug: the handlers answer every expected failure with a 4xx. */
  api5xxPerFiveMinutes: 1,
} as const;

/** Lambda's on-failure records keep only pointers into the stream; SQS's maximum keeps them longest. */
const FAILURE_QUEUE_RETENTION = Duration.days(14);

const STAGE_NAME = 'prod';

/** Where the stack goes: AWS, or LocalStack's free tier (`-c target=localstack`, set by deploy:local). */
export type DeployTarget = 'aws' | 'localstack';

/** LocalStack's edge, as its Lambda containers and the host both reach API Gateway through it. */
export const LOCALSTACK_API_HOST = 'execute-api.localhost.localstack.cloud:4566';

/** Item-level actions of a function's own partition; no Query/Scan, so it cannot list others' items. */
const OWN_PARTITION_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'];
/** The same, read-only (the authorizer's look-up of a token by its hash). */
const OWN_PARTITION_READ_ACTIONS = ['dynamodb:GetItem'];

/** Whether the REST API requires access tokens: `-c auth=none` opens it; anything else but the default fails. */
export type AuthMode = 'tokens' | 'none';

export interface BacefookStackProps extends StackProps {
  /** Repository root (entries in definitions.ts are relative to it). Default: the folder above lib/. */
  projectRoot?: string;
}

export class BacefookStack extends Stack {
  readonly stream: Stream;
  readonly tables: Record<TableKind, Table>;
  readonly failureQueue: Queue;
  readonly processor: BacefookFunction;
  readonly snapshot: BacefookFunction;
  readonly api: RestApi;
  /** The access-token authorizer's function (undefined with auth=none). */
  readonly authorizer?: BacefookFunction;
  readonly auth: AuthMode;
  readonly generator: BacefookFunction;
  readonly generatorRule: Rule;
  /** The live updates' WebSocket API and its parts (AWS only: a paid LocalStack feature). */
  readonly live?: {
    api: WebSocketApi;
    stage: WebSocketStage;
    connections: Table;
    connectionsFn: BacefookFunction;
    fanOut: BacefookFunction;
    authorizer?: BacefookFunction;
  };
  readonly dashboard: Dashboard;
  /** The web dashboard: site bucket, CloudFront (AWS only) and the deployment that fills the bucket. */
  readonly web: WebDashboard;
  readonly target: DeployTarget;
  /** One function per ROUTES entry, by route id. */
  readonly routeFunctions = new Map<string, BacefookFunction>();

  private readonly projectRoot: string;
  private readonly retainData: boolean;
  private readonly removalPolicy: RemovalPolicy;
  private readonly logLevel: string;

  constructor(scope: Construct, id: string, props: BacefookStackProps = {}) {
    super(scope, id, {
      description: 'Bacefook Analytics: Kinesis -> Lambda -> DynamoDB -> API Gateway',
      ...props,
    });
    this.projectRoot = props.projectRoot ?? fileURLToPath(new URL('..', import.meta.url));
    // A demo is torn down and rebuilt often; keeping data is an explicit choice.
    this.retainData = contextFlag(this, 'retainData');
    this.removalPolicy = this.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.logLevel = String(this.node.tryGetContext('logLevel') ?? 'INFO');
    const target: unknown = this.node.tryGetContext('target') ?? 'aws';
    if (target !== 'aws' && target !== 'localstack') {
      throw new Error(`context target=${String(target)}: expected aws or localstack`);
    }
    this.target = target;
    const auth: unknown = this.node.tryGetContext('auth') ?? 'tokens';
    if (auth !== 'tokens' && auth !== 'none') {
      throw new Error(`context auth=${String(auth)}: expected none (or leave it out for tokens)`);
    }
    this.auth = auth;
    if (auth === 'none') {
      Annotations.of(this).addWarningV2(
        'bacefook:auth-none',
        'auth=none: the API takes no access tokens; anyone who has its URL can read every figure, send events and change the catalogue.',
      );
    }
    Tags.of(this).add('project', PROJECT);

    this.stream = this.createStream();
    this.tables = this.createTables();
    this.failureQueue = this.createFailureQueue();
    this.processor = this.createProcessor();
    this.snapshot = this.createSnapshot();
    if (this.auth === 'tokens') this.authorizer = this.createFunction(AUTHORIZER);
    this.api = this.createApi();
    if (this.target === 'aws') this.live = this.createLive();
    this.web = new WebDashboard(this, 'Web', {
      projectRoot: this.projectRoot,
      target: this.target,
      apiUrl: this.apiUrl,
      liveUrl: this.live?.stage.url ?? null,
      removalPolicy: this.removalPolicy,
      retainData: this.retainData,
      logLevel: this.logLevel,
    });
    [this.generator, this.generatorRule] = this.createGenerator();
    const alarms = this.createAlarms();
    this.dashboard = this.createDashboard(alarms);
    this.createOutputs();
  }

  /** Provisioned with exactly one shard: the order of the stream is the order of the graph. */
  private createStream(): Stream {
    const stream = new Stream(this, STREAM.id, {
      streamMode: StreamMode.PROVISIONED,
      shardCount: STREAM.shardCount,
      retentionPeriod: Duration.hours(STREAM.retentionHours),
      // AWS-managed key: encrypted at rest with no key policy or KMS grants to manage. LocalStack's
      // emulated stream has nothing to protect at rest.
      encryption: this.target === 'localstack' ? StreamEncryption.UNENCRYPTED : StreamEncryption.MANAGED,
    });
    stream.applyRemovalPolicy(this.removalPolicy);
    if (this.target === 'localstack') {
      keepFinding(
        stream,
        'AwsSolutions-KDS1',
        "LocalStack only: its free tier has no stream encryption, and the emulated stream's data never leaves the machine; on AWS the stream is encrypted with the AWS-managed key",
      );
    }
    return stream;
  }

  private createTables(): Record<TableKind, Table> {
    const build = (def: TableDef): Table => {
      const table = new Table(this, def.id, {
        partitionKey: attribute(def.partitionKey),
        sortKey: def.sortKey && attribute(def.sortKey),
        // Bursty demo traffic and idle time in between: on-demand costs nothing when idle.
        billingMode: BillingMode.PAY_PER_REQUEST,
        // Recovery is worth paying for only when the data is meant to outlive the stack.
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: this.retainData },
        removalPolicy: this.removalPolicy,
        timeToLiveAttribute: def.ttlAttribute,
        // The live fan-out reads the processor's digests from the meta table's stream (AWS only).
        stream: def === META_TABLE && this.target === 'aws' ? StreamViewType.NEW_IMAGE : undefined,
      });
      if (!this.retainData) {
        keepFinding(
          table,
          'AwsSolutions-DDB3',
          'Point-in-time recovery is on with retainData=true; by default the tables are destroyed with the stack, and the graph is rebuilt from the stream, so recovery would cost money for nothing',
        );
      }
      for (const index of def.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: attribute(index.partitionKey),
          sortKey: index.sortKey && attribute(index.sortKey),
          projectionType: ProjectionType[index.projection],
        });
      }
      return table;
    };
    const tables = {} as Record<TableKind, Table>;
    for (const [kind, def] of Object.entries(TABLE_BY_KIND) as [TableKind, TableDef][]) {
      tables[kind] = build(def);
    }
    return tables;
  }

  /** Where the event source mapping reports a batch it gave up on (retries or record age exhausted). */
  private createFailureQueue(): Queue {
    const queue = new Queue(this, 'FailureQueue', {
      retentionPeriod: FAILURE_QUEUE_RETENTION,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: this.removalPolicy,
    });
    keepFinding(
      queue,
      'AwsSolutions-SQS3',
      "This queue is itself a dead-letter destination: the event source mapping's on-failure destination, read by an operator (an alarm fires on any message)",
    );
    return queue;
  }

  /** A function from its FunctionDef, with exactly the table and stream access it declares. */
  private createFunction(def: FunctionDef): BacefookFunction {
    const fn = new BacefookFunction(this, def.id, {
      def,
      projectRoot: this.projectRoot,
      removalPolicy: this.removalPolicy,
      logLevel: this.logLevel,
    });
    fn.bindAll(this.tables, this.stream);
    if (def.ownPartition) this.bindOwnPartition(fn, this.tables[def.ownPartition.table], def.ownPartition);
    return fn;
  }

  /** The single writer of the graph, fed in stream order by the event source mapping. */
  private createProcessor(): BacefookFunction {
    const processor = this.createFunction(PROCESSOR);
    const m = PROCESSOR_MAPPING;
    processor.fn.addEventSource(
      new KinesisEventSource(this.stream, {
        startingPosition: StartingPosition[m.startingPosition],
        batchSize: m.batchSize,
        maxBatchingWindow: Duration.seconds(m.maxBatchingWindowSeconds),
        parallelizationFactor: m.parallelizationFactor,
        // LocalStack's free tier does not bisect; say so rather than declare what will not happen.
        // Correctness never depends on it: the processor commits in chunks and reports the first
        // uncommitted record (ReportBatchItemFailures), so a poison record is isolated either way.
        bisectBatchOnError: this.target === 'localstack' ? false : m.bisectBatchOnFunctionError,
        retryAttempts: m.maxRetryAttempts,
        maxRecordAge: Duration.seconds(m.maxRecordAgeSeconds),
        reportBatchItemFailures: m.reportBatchItemFailures,
        onFailure: new SqsDlq(this.failureQueue),
      }),
    );
    return processor;
  }

  /** The rollup job on an EventBridge rule (EventBridge Scheduler never fires on LocalStack). */
  private createSnapshot(): BacefookFunction {
    const snapshot = this.createFunction(SNAPSHOT);
    new Rule(this, 'SnapshotSchedule', {
      description: 'Builds the time-bucketed rollups',
      schedule: Schedule.rate(Duration.minutes(SNAPSHOT.scheduleMinutes)),
      // No retries: the job is idempotent and the next tick comes within minutes anyway.
      targets: [new LambdaFunction(snapshot.fn, { retryAttempts: 0 })],
    });
    return snapshot;
  }

  /**
   * The stack's own event feed (GENERATOR) on an EventBridge rule. Paused either way: the context value
   * `generator=false` disables the rule in the template; the GeneratorEnabled parameter (default true)
   * disables it at deploy time without touching the template.
   */
  private createGenerator(): [BacefookFunction, Rule] {
    const generator = this.createFunction(GENERATOR);
    const settings: [string, string, number][] = [
      [ENV.generatorUsers, 'generatorUsers', GENERATOR.users],
      [ENV.generatorMaxUsers, 'generatorMaxUsers', GENERATOR.maxUsers],
      [ENV.generatorBatchesPerRun, 'generatorBatchesPerRun', GENERATOR.batchesPerRun],
      [ENV.generatorSeed, 'generatorSeed', GENERATOR.seed],
    ];
    for (const [env, key, fallback] of settings) {
      const n = contextNumber(this, key, fallback);
      if (!Number.isInteger(n) || n < 1) throw new Error(`context ${key}=${n} must be a positive integer`);
      generator.fn.addEnvironment(env, String(n));
    }
    const families: unknown = this.node.tryGetContext('generatorFamilies');
    try {
      const list = families === undefined ? FEED_FAMILIES : parseFamilies(String(families));
      generator.fn.addEnvironment(ENV.generatorFamilies, list.join(','));
    } catch (err) {
      throw new Error(`context generatorFamilies=${String(families)}: ${(err as Error).message}`);
    }
    // One run's batches are stamped stepMs apart, ending "now": beyond one schedule period they would
    // reach back before the previous run's.
    const maxBatches = Math.floor((GENERATOR.scheduleMinutes * 60_000) / GENERATOR.stepMs);
    const batches = contextNumber(this, 'generatorBatchesPerRun', GENERATOR.batchesPerRun);
    if (batches > maxBatches) {
      throw new Error(
        `context generatorBatchesPerRun=${batches} is above ${maxBatches} (one per ${GENERATOR.stepMs} ms)`,
      );
    }

    const enabled = new CfnParameter(this, 'GeneratorEnabled', {
      type: 'String',
      allowedValues: ['true', 'false'],
      default: 'true',
      description: 'Whether the generator feeds the stream on its schedule (false pauses it).',
    });
    const rule = new Rule(this, 'GeneratorSchedule', {
      description: 'Feeds the stream with generated events',
      schedule: Schedule.rate(Duration.minutes(GENERATOR.scheduleMinutes)),
      enabled: contextFlag(this, 'generator', true),
      // No retries: a run saves the generator before it sends, so a retry would not resend a failed
      // run's batches but add new ones, which the next tick does a minute later anyway.
      targets: [new LambdaFunction(generator.fn, { retryAttempts: 0 })],
    });
    if (contextFlag(this, 'generator', true)) {
      const on = new CfnCondition(this, 'GeneratorOn', {
        expression: Fn.conditionEquals(enabled.valueAsString, 'true'),
      });
      (rule.node.defaultChild as CfnRule).state = Fn.conditionIf(
        on.logicalId,
        'ENABLED',
        'DISABLED',
      ).toString();
    }
    return [generator, rule];
  }

  /**
   * Read/write on one partition of a table (or the partitions of a key prefix) and nothing else of it
   * (IAM condition dynamodb:LeadingKeys), plus the table's name in the environment: the generator's
   * state and POST /events' idempotency keys live in the meta table, where neither must reach the
   * pipeline's counters, checkpoint or rejections.
   */
  private bindOwnPartition(
    fn: BacefookFunction,
    table: Table,
    own: NonNullable<FunctionDef['ownPartition']>,
  ): void {
    fn.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: own.access === 'read' ? OWN_PARTITION_READ_ACTIONS : OWN_PARTITION_ACTIONS,
        resources: [table.tableArn],
        conditions: leadingKeysCondition(own),
      }),
    );
    const kind = (Object.entries(TABLE_BY_KIND) as [TableKind, TableDef][]).find(
      ([k]) => this.tables[k] === table,
    );
    if (!kind) throw new Error('bindOwnPartition: not a table of this stack');
    fn.fn.addEnvironment(kind[1].env, table.tableName);
  }

  /**
   * Live updates (SPEC 13): a WebSocket API whose $connect checks a token (with tokens on), a
   * connections table with a TTL, and the fan-out fed by the meta table's stream, filtered to the
   * processor's `live` digests. The fan-out may only list the connections, delete gone ones and post
   * to them: it never reads the pipeline's tables, the digest carries every figure it sends.
   */
  private createLive(): NonNullable<BacefookStack['live']> {
    // Connections live at most 2 hours: nothing worth keeping, whatever retainData says.
    const connections = new Table(this, CONNECTIONS_TABLE.id, {
      partitionKey: attribute(CONNECTIONS_TABLE.partitionKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
      timeToLiveAttribute: CONNECTIONS_TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
    });
    keepFinding(
      connections,
      'AwsSolutions-DDB3',
      'The open WebSocket connections and their topics: gone within 2 hours (API Gateway closes them), nothing to recover',
    );
    const connectionsFn = this.createFunction(LIVE_CONNECTIONS);
    connectionsFn.fn.addEnvironment(CONNECTIONS_TABLE.env, connections.tableName);
    connectionsFn.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [connections.tableArn],
      }),
    );
    const authorizer = this.auth === 'tokens' ? this.createFunction(LIVE_AUTHORIZER) : undefined;
    const integration = (id: string) => new WebSocketLambdaIntegration(id, connectionsFn.fn);
    const api = new WebSocketApi(this, 'LiveApi', {
      apiName: `${this.stackName}-live`,
      description:
        'Bacefook Analytics live updates: subscribe to topics, get what each committed batch changed',
      connectRouteOptions: {
        integration: integration('LiveConnect'),
        authorizer: authorizer
          ? new WebSocketLambdaAuthorizer('LiveTokens', authorizer.fn, {
              authorizerName: `${this.stackName}-live-tokens`,
              identitySource: [`route.request.querystring.${TOKEN_QUERY_PARAMETER}`],
            })
          : undefined,
      },
      disconnectRouteOptions: { integration: integration('LiveDisconnect') },
      defaultRouteOptions: { integration: integration('LiveDefault'), returnResponse: true },
    });
    api.addRoute('subscribe', { integration: integration('LiveSubscribe'), returnResponse: true });
    const stage = new WebSocketStage(this, 'LiveStage', {
      webSocketApi: api,
      stageName: STAGE_NAME,
      autoDeploy: true,
      throttle: {
        rateLimit: contextNumber(this, 'apiRateLimit', API_THROTTLE.rateLimit),
        burstLimit: contextNumber(this, 'apiBurstLimit', API_THROTTLE.burstLimit),
      },
    });

    const fanOut = this.createFunction(LIVE_FANOUT);
    fanOut.fn.addEnvironment(CONNECTIONS_TABLE.env, connections.tableName);
    fanOut.fn.addEnvironment(LIVE_CALLBACK_URL_ENV, stage.callbackUrl);
    fanOut.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:Scan', 'dynamodb:DeleteItem'],
        resources: [connections.tableArn],
      }),
    );
    api.grantManageConnections(fanOut.fn);
    fanOut.fn.addEventSource(
      new DynamoEventSource(this.tables.meta, {
        startingPosition: StartingPosition.LATEST,
        batchSize: LIVE_FANOUT.batchSize,
        // Not retried: a retry would send some messages twice (at most one per topic per batch).
        retryAttempts: 0,
        bisectBatchOnError: false,
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { pk: { S: FilterRule.isEqual(LIVE_PARTITION) } } },
          }),
        ],
      }),
    );
    keepFinding(
      stage,
      'AwsSolutions-APIG1',
      "A WebSocket stage's access logs need the account-wide CloudWatch role, a singleton this stack must not own; the connections function and the fan-out log every connection, subscription and push",
    );
    const onConnection =
      authorizer === undefined
        ? 'Deployed with auth=none (a warning at synth and deploy): the live updates are open as the REST API is'
        : 'A WebSocket API authorizes at $connect only (the token authorizer there); every later route runs on a connection that passed it';
    for (const route of api.node.children) {
      if (route.node.id.endsWith('-Route')) keepFinding(route, 'AwsSolutions-APIG4', onConnection);
    }
    const apiId = this.getLogicalId(api.node.defaultChild as CfnElement);
    keepFinding(
      fanOut,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/*/*/@connections/*]`,
      'Posting to a connection: the connection ids are made by API Gateway at run time, on this one API',
    );
    keepFinding(
      fanOut,
      'AwsSolutions-IAM5[Resource::*]',
      "dynamodb:ListStreams, part of the stream event source's grant, has no resource-level permissions; reading the stream itself is granted on the meta table's stream only",
    );
    return { api, stage, connections, connectionsFn, fanOut, authorizer };
  }

  /** REST API v1 (HTTP API v2 is paid on LocalStack): one Lambda proxy integration per route. */
  private createApi(): RestApi {
    const rateLimit = contextNumber(this, 'apiRateLimit', API_THROTTLE.rateLimit);
    const burstLimit = contextNumber(this, 'apiBurstLimit', API_THROTTLE.burstLimit);
    const apiKeyRequired = contextFlag(this, 'apiKey');

    const api = new RestApi(this, 'Api', {
      restApiName: `${this.stackName}-api`,
      description: 'Bacefook Analytics HTTP API',
      // Regional: no CloudFront distribution in front of a single-region demo.
      endpointTypes: [EndpointType.REGIONAL],
      // The account-wide API Gateway logging role is a singleton this stack must not own.
      cloudWatchRole: false,
      // Network and leaderboard answers are large JSON; gzip them for clients that accept it.
      minCompressionSize: Size.kibibytes(1),
      // Request bodies reach the functions as base64, byte for byte (see API_BINARY_MEDIA_TYPES).
      binaryMediaTypes: [...API_BINARY_MEDIA_TYPES],
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: rateLimit,
        throttlingBurstLimit: burstLimit,
      },
    });

    // Access tokens: one REQUEST authorizer on the Authorization header, its answer cached per header
    // value for AUTHORIZER_CACHE_SECONDS (a revoked token works that much longer at most).
    const authorizer = this.authorizer
      ? new RequestAuthorizer(this, 'TokenAuthorizer', {
          authorizerName: `${this.stackName}-tokens`,
          handler: this.authorizer.fn,
          identitySources: [IdentitySource.header('Authorization')],
          resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_SECONDS),
        })
      : undefined;

    const methodsByResource = new Map<Resource, HttpMethod[]>();
    for (const route of ROUTES) {
      const fn = this.createFunction(route.fn);
      this.routeFunctions.set(route.id, fn);
      const resource = api.root.resourceForPath(route.path);
      const guarded = authorizer !== undefined && route.access !== 'open';
      // allowTestInvoke off: one invoke permission per method instead of two.
      const method = resource.addMethod(
        route.method,
        new LambdaIntegration(fn.fn, { allowTestInvoke: false }),
        guarded
          ? { apiKeyRequired, authorizer, authorizationType: AuthorizationType.CUSTOM }
          : { apiKeyRequired, authorizationType: AuthorizationType.NONE },
      );
      if (guarded) {
        keepFinding(
          method,
          'AwsSolutions-COG4',
          "Guarded by the project's access-token authorizer (a Lambda REQUEST authorizer): the API has no users of its own to keep in a Cognito user pool",
        );
      } else {
        const open =
          route.access === 'open'
            ? 'Open on purpose: a health probe and the API description, which carry no data; throttled by the stage and its usage plan'
            : 'Deployed with auth=none (a warning at synth and deploy): throttled by the stage and its usage plan, and behind an API key with apiKey=true';
        keepFinding(method, 'AwsSolutions-APIG4', open);
        keepFinding(method, 'AwsSolutions-COG4', open);
      }
      methodsByResource.set(resource, [...(methodsByResource.get(resource) ?? []), route.method]);
    }
    // Preflight only where a route is, allowing only that path's methods (the dashboard may be
    // served from another origin). The handlers add Access-Control-Allow-Origin to their answers.
    for (const [resource, methods] of methodsByResource) {
      resource.addCorsPreflight({
        allowOrigins: Cors.ALL_ORIGINS,
        allowMethods: methods,
        // If-None-Match: a client that revalidates by hand (a browser's own revalidation needs no preflight).
        allowHeaders: [...Cors.DEFAULT_HEADERS, 'If-None-Match'],
      });
    }

    this.addGatewayResponses(api);
    keepFinding(
      api,
      'AwsSolutions-APIG2',
      "Each handler validates its path, query and body (zod) and answers a 400 naming the parameter in the API's error shape; a gateway validator would answer first, in its own shape",
    );
    const noStageLogs =
      "API Gateway's access and execution logs need the account-wide CloudWatch role, a singleton this stack must not own (cloudWatchRole: false); each route's function logs every request with its request id, and the dashboard charts the API's metrics";
    keepFinding(api.deploymentStage, 'AwsSolutions-APIG1', noStageLogs);
    keepFinding(api.deploymentStage, 'AwsSolutions-APIG6', noStageLogs);
    keepFinding(
      api.deploymentStage,
      'AwsSolutions-APIG3',
      'No web ACL: the stage and its usage plan throttle the API, and a WAF web ACL is a monthly charge per ACL and rule; put one in front for a public deployment',
    );

    // The usage plan always exists, so switching the key requirement on is a one-flag deploy.
    const plan = api.addUsagePlan('UsagePlan', {
      name: `${this.stackName}-usage`,
      throttle: { rateLimit, burstLimit },
      apiStages: [{ api, stage: api.deploymentStage }],
    });
    if (apiKeyRequired) {
      const key = api.addApiKey('ApiKey', { apiKeyName: `${this.stackName}-key` });
      plan.addApiKey(key);
      new CfnOutput(this, 'ApiKeyId', {
        value: key.keyId,
        description: 'aws apigateway get-api-key --include-value --api-key <id>',
      });
    }
    return api;
  }

  /**
   * Answers API Gateway gives by itself (no route, throttled, too large, bad key, internal) in the
   * API's own error shape and with CORS, so clients handle one format. An unknown route is a 404
   * (API Gateway's own answer would be 403 "Missing Authentication Token").
   */
  private addGatewayResponses(api: RestApi): void {
    const cors = { 'Access-Control-Allow-Origin': "'*'" };
    const body = (code: string, message: string) => ({
      'application/json': JSON.stringify(errorBody(code, message)),
    });
    api.addGatewayResponse('NotFound', {
      type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      responseHeaders: cors,
      templates: body('not_found', 'No such route.'),
    });
    api.addGatewayResponse('Throttled', {
      type: ResponseType.THROTTLED,
      statusCode: '429',
      responseHeaders: cors,
      templates: body('too_many_requests', 'Too many requests; retry later.'),
    });
    api.addGatewayResponse('TooLarge', {
      type: ResponseType.REQUEST_TOO_LARGE,
      statusCode: '413',
      responseHeaders: cors,
      templates: body('payload_too_large', 'The request body is too large.'),
    });
    // The authorizer's refusals: one 401 for a missing, malformed, unknown or revoked token (API
    // Gateway's own body would be {"message":"Unauthorized"}), a 403 for a token without the ability.
    api.addGatewayResponse('Unauthorized', {
      type: ResponseType.UNAUTHORIZED,
      statusCode: '401',
      responseHeaders: { ...cors, 'WWW-Authenticate': "'Bearer'" },
      templates: { 'application/json': JSON.stringify(UNAUTHORIZED_BODY) },
    });
    api.addGatewayResponse('AccessDenied', {
      type: ResponseType.ACCESS_DENIED,
      statusCode: '403',
      responseHeaders: cors,
      templates: { 'application/json': JSON.stringify(FORBIDDEN_BODY) },
    });
    api.addGatewayResponse('InvalidApiKey', {
      type: ResponseType.INVALID_API_KEY,
      statusCode: '403',
      responseHeaders: cors,
      templates: body('forbidden', 'A valid x-api-key header is required.'),
    });
    api.addGatewayResponse('Default5xx', {
      type: ResponseType.DEFAULT_5XX,
      responseHeaders: cors,
      templates: { 'application/json': JSON.stringify(GENERIC_500) },
    });
    api.addGatewayResponse('Default4xx', {
      type: ResponseType.DEFAULT_4XX,
      responseHeaders: cors,
      // messageString is already a quoted JSON string.
      templates: {
        'application/json': '{"error":{"code":"request_error","message":$context.error.messageString}}',
      },
    });
  }

  /** SPEC section 9: iterator age and the failure queue; plus API 5xx, which should never happen. */
  private createAlarms(): Alarm[] {
    const iteratorAge = new Alarm(this, 'ProcessorIteratorAgeAlarm', {
      alarmName: `${this.stackName}-processor-iterator-age`,
      alarmDescription: 'The processor is falling behind the stream (event source mapping IteratorAge).',
      metric: this.processor.fn.metric('IteratorAge', {
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: ALARMS.iteratorAgeMs,
      evaluationPeriods: ALARMS.iteratorAgeMinutes,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const failureQueue = new Alarm(this, 'FailureQueueAlarm', {
      alarmName: `${this.stackName}-failure-queue`,
      alarmDescription:
        'The event source mapping gave up on a batch: see the failure queue for its sequence range.',
      metric: this.failureQueue.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const api5xx = new Alarm(this, 'Api5xxAlarm', {
      alarmName: `${this.stackName}-api-5xx`,
      alarmDescription: 'The API answered with a 5xx.',
      metric: this.api.metricServerError({ statistic: Stats.SUM, period: Duration.minutes(5) }),
      threshold: ALARMS.api5xxPerFiveMinutes,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    return [iteratorAge, failureQueue, api5xx];
  }

  /**
   * One page for the whole pipeline: what the processor decided (its embedded metrics), how far behind
   * it is, the stream's traffic, the API's traffic and errors, the functions' health, the failure queue
   * and the alarms. Custom metrics carry Powertools' `service` dimension, hence serviceName().
   */
  private createDashboard(alarms: Alarm[]): Dashboard {
    const period = Duration.minutes(1);
    const custom = (def: FunctionDef, metricName: string, statistic: string, label?: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: serviceName(def.id) },
        statistic,
        period,
        label,
      });
    const p = PROCESSOR_METRICS;
    const applied = custom(PROCESSOR, p.applied, Stats.SUM, 'applied');
    const noop = custom(PROCESSOR, p.noop, Stats.SUM, 'noop');
    const rejected = custom(PROCESSOR, p.rejected, Stats.SUM, 'rejected');
    const eventsPerSecond = new MathExpression({
      expression: '(applied + noop + rejected) / PERIOD(applied)',
      usingMetrics: { applied, noop, rejected },
      label: 'events/s',
      period,
    });
    const lambdas: [string, BacefookFunction][] = [
      ['processor', this.processor],
      ['snapshot', this.snapshot],
      ['generator', this.generator],
    ];
    const perFunction = (metric: (f: BacefookFunction) => IMetric) => lambdas.map(([, f]) => metric(f));
    const apiFunctions = [...this.routeFunctions.values()];

    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${this.stackName}-pipeline`,
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new TextWidget({
        markdown: [
          `# ${this.stackName}: Kinesis → processor → DynamoDB → API`,
          "Outcomes are the processor's embedded metrics; logs: `npm run logs -- <function> --target aws`.",
        ].join('\n\n'),
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new SingleValueWidget({
        title: 'Events (last hour)',
        metrics: [applied, noop, rejected].map((m) => m.with({ period: Duration.hours(1) })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Processor outcomes per minute',
        left: [applied, noop, rejected],
        // Records a producer sent again and the processor skipped (their events are not in the outcomes).
        right: [custom(PROCESSOR, p.resent, Stats.SUM, 'resent records')],
        stacked: true,
        width: 8,
      }),
      new GraphWidget({ title: 'Throughput', left: [eventsPerSecond], width: 8 }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Processor batch duration (ms)',
        left: [
          custom(PROCESSOR, p.batchDuration, Stats.p(50), 'p50'),
          custom(PROCESSOR, p.batchDuration, Stats.p(99), 'p99'),
          custom(PROCESSOR, p.batchDuration, Stats.MAXIMUM, 'max'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Iterator age (ms)',
        left: [
          this.processor.fn.metric('IteratorAge', {
            statistic: Stats.MAXIMUM,
            period,
            label: 'event source mapping',
          }),
          custom(PROCESSOR, p.iteratorAge, Stats.MAXIMUM, 'processor (last record of a batch)'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Stream',
        left: [
          this.stream.metricIncomingRecords({ statistic: Stats.SUM, period, label: 'records in' }),
          this.stream.metricGetRecords({ statistic: Stats.SUM, period, label: 'records read' }),
        ],
        right: [
          this.stream.metricIncomingBytes({ statistic: Stats.SUM, period, label: 'bytes in' }),
          this.stream.metricWriteProvisionedThroughputExceeded({
            statistic: Stats.SUM,
            period,
            label: 'write throttled',
          }),
        ],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [this.api.metricCount({ statistic: Stats.SUM, period, label: 'requests' })],
        right: [
          this.api.metricClientError({ statistic: Stats.SUM, period, label: '4xx' }),
          this.api.metricServerError({ statistic: Stats.SUM, period, label: '5xx' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: [
          this.api.metricLatency({ statistic: Stats.p(50), period, label: 'p50' }),
          this.api.metricLatency({ statistic: Stats.p(99), period, label: 'p99' }),
          this.api.metricIntegrationLatency({ statistic: Stats.p(99), period, label: 'integration p99' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Generator',
        left: [custom(GENERATOR, GENERATOR_METRICS.events, Stats.SUM, 'events sent')],
        right: [custom(GENERATOR, GENERATOR_METRICS.users, Stats.MAXIMUM, 'users')],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Pipeline functions: errors and throttles',
        left: perFunction((f) => f.fn.metricErrors({ statistic: Stats.SUM, period })),
        right: perFunction((f) => f.fn.metricThrottles({ statistic: Stats.SUM, period })),
        width: 8,
      }),
      new GraphWidget({
        title: 'API functions: errors',
        left: apiFunctions.map((f) => f.fn.metricErrors({ statistic: Stats.SUM, period, label: f.def.id })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Failure queue (batches given up)',
        left: [
          this.failureQueue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period }),
        ],
        width: 8,
      }),
    );
    dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 3 }));
    return dashboard;
  }

  /** The API's base URL as clients use it (the ApiUrl output, and the web dashboard's config.js). */
  get apiUrl(): string {
    // LocalStack answers API Gateway on its own host name, not on amazonaws.com.
    return this.target === 'localstack'
      ? `http://${this.api.restApiId}.${LOCALSTACK_API_HOST}/${STAGE_NAME}/`
      : this.api.url;
  }

  /** What scripts (produce, logs, deploy:local) and people need after a deploy. */
  private createOutputs(): void {
    new CfnOutput(this, 'ApiUrl', { value: this.apiUrl });
    new CfnOutput(this, 'ApiId', { value: this.api.restApiId });
    new CfnOutput(this, 'StreamName', { value: this.stream.streamName });
    for (const [kind, table] of Object.entries(this.tables) as [TableKind, Table][]) {
      new CfnOutput(this, `${TABLE_BY_KIND[kind].id}Name`, { value: table.tableName });
    }
    new CfnOutput(this, 'FailureQueueUrl', { value: this.failureQueue.queueUrl });
    new CfnOutput(this, 'GeneratorRuleName', {
      value: this.generatorRule.ruleName,
      description: 'Pause: npm run deploy -- --parameters GeneratorEnabled=false',
    });
    // DashboardUrl is the CloudWatch dashboard (operators); the web dashboard has its own name.
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${this.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'WebDashboardUrl', {
      value: this.web.url,
      description: 'The web dashboard (CloudFront on AWS, the bucket website on LocalStack)',
    });
    new CfnOutput(this, 'WebBucketName', { value: this.web.bucket.bucketName });
    if (this.live) {
      new CfnOutput(this, 'LiveUrl', {
        value: this.live.stage.url,
        description: 'Live updates (WebSocket): add ?token=<a read token> unless deployed with auth=none',
      });
    }
  }
}

function attribute(key: KeyDef): Attribute {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}

/** Context values arrive as strings from `-c key=value` and as booleans from cdk.json or tests. */
function contextFlag(scope: Construct, key: string, fallback = false): boolean {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return fallback;
  return value === true || value === 'true';
}

function contextNumber(scope: Construct, key: string, fallback: number): number {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`context ${key}=${String(value)} is not a number`);
  return n;
}
