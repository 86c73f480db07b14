// The synthesized CloudFormation template against lib/definitions.ts: every expected value is read
// from the definitions, so the test follows them instead of restating them.
//
// Speed: `aws:cdk:bundling-stacks: []` makes every asset skip bundling (Stack.bundlingRequired is false,
// AssetStaging stages the source folder as is), so esbuild never runs here; `npx cdk synth` bundles
// for real. builtinCloudFormationValidation is off here too (it loads a WASM validator, ~10 s);
// `cdk synth` keeps it. Each context variant is synthesized once and shared by its tests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { TABLE_BY_KIND, type TableKind } from '../../lib/constructs/bacefook-function';
import {
  API_BINARY_MEDIA_TYPES,
  API_THROTTLE,
  cloudFunctionName,
  cloudLogGroupName,
  ENV,
  FUNCTIONS,
  type FunctionDef,
  LOG_RETENTION_DAYS,
  leadingKeysCondition,
  PROCESSOR,
  PROCESSOR_MAPPING,
  ROUTES,
  SNAPSHOT,
  STREAM,
  TABLES,
} from '../../lib/definitions';
import { type Resources, STACK, type Synth, synth } from '../support/synth';

const plain = () => synth();
const keyed = () => synth({ apiKey: true, retainData: 'true' });

// ---- lookups -------------------------------------------------------------------------------------

function ofType(r: Resources, type: string): [string, any][] {
  return Object.entries(r).filter(([, v]) => v.Type === type);
}

/** Logical id of the resource an output points at (`{ Ref: id }`). */
function outputRef(s: Synth, name: string): string {
  const value = s.outputs[name]?.Value;
  assert.ok(value?.Ref, `output ${name} is a Ref`);
  return value.Ref;
}

function tableId(s: Synth, kind: TableKind): string {
  return outputRef(s, `${TABLE_BY_KIND[kind].id}Name`);
}

function functionId(s: Synth, def: FunctionDef): string {
  const name = cloudFunctionName(STACK, def.id);
  const found = ofType(s.resources, 'AWS::Lambda::Function').filter(
    ([, v]) => v.Properties.FunctionName === name,
  );
  assert.equal(found.length, 1, `one function named ${name}`);
  return found[0][0];
}

/** Every IAM statement attached to the function's role. */
function statements(s: Synth, def: FunctionDef): any[] {
  const fn = s.resources[functionId(s, def)];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return ofType(s.resources, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const actionsOf = (st: any): string[] => [st.Action].flat();
function actions(s: Synth, def: FunctionDef): Set<string> {
  return new Set(statements(s, def).flatMap(actionsOf));
}

/** Reading a table's change stream (the live fan-out's meta stream): not an access to its items. */
const STREAM_READS = new Set(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']);

/** Logical ids of the tables a statement's resources point at (a stream read of one is not its table). */
function tablesIn(s: Synth, st: any): Set<TableKind> {
  const streamOnly = actionsOf(st).every((a) => STREAM_READS.has(a));
  const text = JSON.stringify(st.Resource).replace(
    streamOnly ? /\{"Fn::GetAtt":\["[^"]+","StreamArn"\]\}/g : /$^/,
    '"<stream>"',
  );
  return new Set(
    (Object.keys(TABLE_BY_KIND) as TableKind[]).filter((k) => text.includes(`"${tableId(s, k)}"`)),
  );
}

/** Full path of an API Gateway resource, rebuilt from PathPart and ParentId. */
function resourcePath(r: Resources, id: string | undefined): string {
  if (!id) return '/';
  const res = r[id];
  const parent = res.Properties.ParentId.Ref as string | undefined;
  const prefix = resourcePath(r, parent);
  return `${prefix === '/' ? '' : prefix}/${res.Properties.PathPart}`;
}

function routeMethods(r: Resources): { method: string; path: string; props: any }[] {
  return ofType(r, 'AWS::ApiGateway::Method')
    .filter(([, m]) => m.Properties.HttpMethod !== 'OPTIONS')
    .map(([, m]) => ({
      method: m.Properties.HttpMethod,
      path: resourcePath(r, m.Properties.ResourceId.Ref),
      props: m.Properties,
    }));
}

const DYNAMO_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

// ---- tests ---------------------------------------------------------------------------------------

describe('stream', () => {
  test('provisioned, one shard, retention from STREAM', () => {
    const { template } = plain();
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: STREAM.shardCount,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      RetentionPeriodHours: STREAM.retentionHours,
    });
  });
});

describe('tables', () => {
  test('the kinds cover exactly TABLES', () => {
    assert.deepEqual(new Set(Object.values(TABLE_BY_KIND)), new Set(TABLES));
  });

  test('one on-demand table per definition, with its keys and indexes', () => {
    const s = plain();
    // And the live updates' connections table (AWS only; test/cdk/live.test.ts).
    s.template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length + 1);
    for (const kind of Object.keys(TABLE_BY_KIND) as TableKind[]) {
      const def = TABLE_BY_KIND[kind];
      const table = s.resources[tableId(s, kind)];
      assert.equal(table.Type, 'AWS::DynamoDB::Table');
      const p = table.Properties;
      assert.equal(p.BillingMode, 'PAY_PER_REQUEST');
      const keys = [
        { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
        ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' }] : []),
      ];
      assert.deepEqual(p.KeySchema, keys, def.id);
      const attrs = [
        def.partitionKey,
        def.sortKey,
        ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
      ]
        .filter((k) => k !== undefined)
        .map((k) => JSON.stringify({ AttributeName: k.name, AttributeType: k.type }));
      assert.deepEqual(
        new Set(p.AttributeDefinitions.map((a: any) => JSON.stringify(a))),
        new Set(attrs),
        def.id,
      );
      const indexes = def.indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
          ...(i.sortKey ? [{ AttributeName: i.sortKey.name, KeyType: 'RANGE' }] : []),
        ],
        Projection: { ProjectionType: i.projection },
      }));
      assert.deepEqual(p.GlobalSecondaryIndexes ?? [], indexes, def.id);
      assert.deepEqual(
        p.TimeToLiveSpecification,
        def.ttlAttribute === undefined ? undefined : { AttributeName: def.ttlAttribute, Enabled: true },
        def.id,
      );
    }
    // The idempotency keys of POST /events expire there.
    assert.equal(TABLE_BY_KIND.meta.ttlAttribute, 'expiresAt');
  });
});

describe('processor event source mapping', () => {
  test('configured from PROCESSOR_MAPPING, failures to the SQS queue', () => {
    const s = plain();
    // The processor's, and the live fan-out's on the meta table's stream (test/cdk/live.test.ts).
    s.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    const m = PROCESSOR_MAPPING;
    const queueId = outputRef(s, 'FailureQueueUrl');
    assert.equal(s.resources[queueId].Type, 'AWS::SQS::Queue');
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId(s, PROCESSOR) },
      EventSourceArn: { 'Fn::GetAtt': [outputRef(s, 'StreamName'), 'Arn'] },
      StartingPosition: m.startingPosition,
      BatchSize: m.batchSize,
      MaximumBatchingWindowInSeconds: m.maxBatchingWindowSeconds,
      ParallelizationFactor: m.parallelizationFactor,
      BisectBatchOnFunctionError: m.bisectBatchOnFunctionError,
      MaximumRetryAttempts: m.maxRetryAttempts,
      MaximumRecordAgeInSeconds: m.maxRecordAgeSeconds,
      FunctionResponseTypes: m.reportBatchItemFailures ? ['ReportBatchItemFailures'] : Match.absent(),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });
});

describe('functions', () => {
  test('one per FunctionDef, all nodejs22.x on arm64 with the definition memory and timeout', () => {
    const s = plain();
    s.template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
    s.template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
    for (const def of FUNCTIONS) {
      const p = s.resources[functionId(s, def)].Properties;
      assert.equal(p.MemorySize, def.memoryMb, def.id);
      assert.equal(p.Timeout, def.timeoutSeconds, def.id);
      assert.equal(p.Layers, undefined, `${def.id} has no layers`);
    }
  });

  test('environment names exactly the tables and stream the definition grants', () => {
    const s = plain();
    for (const def of FUNCTIONS) {
      const env = s.resources[functionId(s, def)].Properties.Environment.Variables;
      for (const kind of Object.keys(TABLE_BY_KIND) as TableKind[]) {
        const name = TABLE_BY_KIND[kind].env;
        // ownPartition: one partition of the table (the generator's state), so its name is known too.
        if (def.tables[kind] || def.ownPartition?.table === kind)
          assert.deepEqual(env[name], { Ref: tableId(s, kind) }, `${def.id} ${name}`);
        else assert.equal(env[name], undefined, `${def.id} must not know ${name}`);
      }
      if (def.stream) assert.deepEqual(env[ENV.streamName], { Ref: outputRef(s, 'StreamName') }, def.id);
      else assert.equal(env[ENV.streamName], undefined, `${def.id} must not know the stream`);
      for (const k of [ENV.serviceName, ENV.metricsNamespace, ENV.logLevel])
        assert.ok(env[k], `${def.id} ${k}`);
    }
  });

  test('each logs to its own log group with LOG_RETENTION_DAYS, destroyed by default', () => {
    const s = plain();
    s.template.resourceCountIs('AWS::Logs::LogGroup', FUNCTIONS.length);
    for (const def of FUNCTIONS) {
      const groupId = s.resources[functionId(s, def)].Properties.LoggingConfig.LogGroup.Ref;
      const group = s.resources[groupId];
      assert.equal(group.Properties.RetentionInDays, LOG_RETENTION_DAYS);
      assert.equal(group.Properties.LogGroupName, cloudLogGroupName(STACK, def.id));
      assert.equal(group.DeletionPolicy, 'Delete');
    }
  });
});

describe('IAM least privilege', () => {
  test('no managed policy on any role; a function writes logs only to its own log group', () => {
    const s = plain();
    for (const [id, role] of ofType(s.resources, 'AWS::IAM::Role')) {
      assert.equal(role.Properties.ManagedPolicyArns, undefined, `${id} has a managed policy`);
    }
    for (const def of FUNCTIONS) {
      const groupId = s.resources[functionId(s, def)].Properties.LoggingConfig.LogGroup.Ref;
      const logs = statements(s, def).filter((st) => actionsOf(st).some((a) => a.startsWith('logs:')));
      assert.deepEqual(
        logs.map((st) => ({ actions: actionsOf(st).sort(), resource: st.Resource })),
        [
          {
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resource: { 'Fn::GetAtt': [groupId, 'Arn'] },
          },
        ],
        def.id,
      );
    }
  });

  test('table grants match each definition: reads only where read, never an undeclared table', () => {
    const s = plain();
    for (const def of FUNCTIONS) {
      const sts = statements(s, def);
      for (const kind of Object.keys(TABLE_BY_KIND) as TableKind[]) {
        const own = def.ownPartition?.table === kind ? def.ownPartition : undefined;
        const onTable = sts.filter((st) => tablesIn(s, st).has(kind));
        // A function that reads a table and owns partitions of it (the catalogue writes' idempotency
        // keys): the statements bound to its partitions are checked apart from its table grant.
        const bound = (st: { Condition?: unknown }) =>
          own !== undefined && JSON.stringify(st.Condition) === JSON.stringify(leadingKeysCondition(own));
        const access = def.tables[kind];
        const touching = access && own ? onTable.filter((st) => !bound(st)) : onTable;
        if (access && own) assert.ok(onTable.some(bound), `${def.id} reaches its partitions of ${kind}`);
        const acts = new Set(touching.flatMap(actionsOf));
        if (!access && def.ownPartition?.table === kind) {
          // Only its own partition: every statement on the table is bound to that leading key.
          for (const st of touching) {
            assert.deepEqual(st.Condition, leadingKeysCondition(def.ownPartition), `${def.id} on ${kind}`);
          }
          assert.ok(touching.length > 0, `${def.id} reaches its partition of ${kind}`);
          continue;
        }
        if (!access) assert.equal(touching.length, 0, `${def.id} must not reach the ${kind} table`);
        else assert.ok(acts.has('dynamodb:GetItem') && acts.has('dynamodb:Query'), `${def.id} reads ${kind}`);
        if (access !== 'write') {
          for (const a of DYNAMO_WRITES) assert.ok(!acts.has(a), `${def.id} must not ${a} on ${kind}`);
        }
      }
    }
  });

  test('read routes have no DynamoDB write actions and no stream access', () => {
    const s = plain();
    for (const route of ROUTES.filter((r) => r.method === 'GET')) {
      const acts = actions(s, route.fn);
      for (const a of DYNAMO_WRITES) assert.ok(!acts.has(a), `${route.id} has ${a}`);
      assert.ok(![...acts].some((a) => a.startsWith('kinesis:')), `${route.id} has kinesis access`);
    }
  });

  test('POST /events can put records, and in DynamoDB only get, put and delete its idempotency items', () => {
    const s = plain();
    const post = ROUTES.find((r) => r.method === 'POST' && r.path === '/events');
    assert.ok(post);
    const acts = actions(s, post.fn);
    assert.ok(acts.has('kinesis:PutRecord') && acts.has('kinesis:PutRecords'));
    assert.ok(!acts.has('kinesis:GetRecords'));
    const dynamo = statements(s, post.fn).filter((st) =>
      actionsOf(st).some((a) => a.startsWith('dynamodb:')),
    );
    assert.equal(dynamo.length, 1, JSON.stringify(dynamo));
    assert.deepEqual(actionsOf(dynamo[0]).sort(), [
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    assert.deepEqual(dynamo[0].Resource, { 'Fn::GetAtt': [tableId(s, 'meta'), 'Arn'] });
    // Only partitions whose key starts with idem#: never the pipeline state, rejections or generator.
    assert.deepEqual(dynamo[0].Condition, {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['idem#*'] },
    });
  });

  test('catalogue writes put records and read the meta table only: the processor stays the only writer', () => {
    const s = plain();
    // (POST /metrics/query only reads: a query of a figure, answered by its GET route's handler.)
    const writes = ROUTES.filter(
      (r) => r.method !== 'GET' && r.id !== 'PostEvents' && r.id !== 'MetricsQuery',
    );
    assert.deepEqual(
      writes.map((r) => `${r.method} ${r.path}`),
      [
        'POST /products',
        'PUT /products/{id}',
        'DELETE /products/{id}',
        'PUT /users/{name}/profile',
        'DELETE /users/{name}/profile',
        'POST /posts',
      ],
    );
    for (const route of writes) {
      const sts = statements(s, route.fn);
      const acts = new Set(sts.flatMap(actionsOf));
      assert.ok(acts.has('kinesis:PutRecords'), `${route.id} puts records`);
      assert.ok(!acts.has('kinesis:GetRecords'), `${route.id} reads no records`);
      // DynamoDB writes only where bound to its own partitions (its Idempotency-Key records).
      const own = route.fn.ownPartition;
      assert.ok(own !== undefined && own.prefix === true && own.pk === 'idem#', route.id);
      for (const st of sts) {
        if (JSON.stringify(st.Condition) === JSON.stringify(leadingKeysCondition(own))) continue;
        for (const a of DYNAMO_WRITES) assert.ok(!actionsOf(st).includes(a), `${route.id} has ${a}`);
      }
      assert.ok(acts.has('dynamodb:GetItem'), `${route.id} reads the checkpoint and the entry`);
      const tables = new Set(sts.flatMap((st) => [...tablesIn(s, st)]));
      assert.deepEqual([...tables], ['meta'], `${route.id} reaches only the meta table`);
    }
  });

  test('the processor writes in batches, reads the stream, and reports failures to the queue', () => {
    const acts = actions(plain(), PROCESSOR);
    for (const a of [
      'dynamodb:BatchWriteItem',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'sqs:SendMessage',
    ]) {
      assert.ok(acts.has(a), a);
    }
    assert.ok(!acts.has('kinesis:PutRecord'));
  });
});

describe('snapshot schedule', () => {
  test('an EventBridge rule at SNAPSHOT.scheduleMinutes targets the snapshot function', () => {
    const s = plain();
    // The snapshot's rule and the generator's (test/cdk/operate.test.ts).
    s.template.resourceCountIs('AWS::Events::Rule', 2);
    s.template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    const n = SNAPSHOT.scheduleMinutes;
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `rate(${n} ${n === 1 ? 'minute' : 'minutes'})`,
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId(s, SNAPSHOT), 'Arn'] } })],
    });
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId(s, SNAPSHOT), 'Arn'] },
    });
  });
});

describe('REST API', () => {
  test('request bodies reach the functions as base64, byte for byte (binaryMediaTypes)', () => {
    for (const s of [plain(), keyed()]) {
      s.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        BinaryMediaTypes: [...API_BINARY_MEDIA_TYPES],
      });
    }
  });

  test('v1 REST API, one proxy method per route on its own function', () => {
    const s = plain();
    s.template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    // The one v2 API is the live updates' WebSocket API (test/cdk/live.test.ts).
    s.template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'WEBSOCKET' });
    const methods = routeMethods(s.resources);
    assert.equal(methods.length, ROUTES.length);
    for (const route of ROUTES) {
      const found = methods.filter((m) => m.method === route.method && m.path === route.path);
      assert.equal(found.length, 1, `${route.method} ${route.path}`);
      const integration = found[0].props.Integration;
      assert.equal(integration.Type, 'AWS_PROXY');
      assert.ok(
        JSON.stringify(integration.Uri).includes(`"${functionId(s, route.fn)}"`),
        `${route.id} integrates its own function`,
      );
      assert.notEqual(found[0].props.ApiKeyRequired, true, `${route.id} needs no key by default`);
    }
  });

  test('CORS preflight on every route path', () => {
    const s = plain();
    const preflight = new Set(
      ofType(s.resources, 'AWS::ApiGateway::Method')
        .filter(([, m]) => m.Properties.HttpMethod === 'OPTIONS')
        .map(([, m]) => resourcePath(s.resources, m.Properties.ResourceId.Ref)),
    );
    for (const route of ROUTES) assert.ok(preflight.has(route.path), route.path);
    // A client may revalidate a GET answer by hand (If-None-Match): the preflight lets it.
    for (const [, m] of ofType(s.resources, 'AWS::ApiGateway::Method')) {
      if (m.Properties.HttpMethod !== 'OPTIONS') continue;
      const headers = JSON.stringify(m.Properties.Integration.IntegrationResponses);
      assert.match(headers, /If-None-Match/, 'the preflight does not allow If-None-Match');
    }
  });

  test('stage throttling from API_THROTTLE and a usage plan', () => {
    const s = plain();
    s.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: API_THROTTLE.rateLimit,
          ThrottlingBurstLimit: API_THROTTLE.burstLimit,
        }),
      ]),
    });
    s.template.resourceCountIs('AWS::ApiGateway::UsagePlan', 1);
    s.template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
  });

  test('an unknown route is a 404 in the API error shape', () => {
    plain().template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
    });
  });

  test('with apiKey=true every route method requires a key in the usage plan; preflight does not', () => {
    const s = keyed();
    for (const m of routeMethods(s.resources))
      assert.equal(m.props.ApiKeyRequired, true, `${m.method} ${m.path}`);
    for (const [, m] of ofType(s.resources, 'AWS::ApiGateway::Method')) {
      if (m.Properties.HttpMethod === 'OPTIONS') assert.notEqual(m.Properties.ApiKeyRequired, true);
    }
    s.template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    s.template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    s.template.hasOutput('ApiKeyId', {});
  });
});

describe('alarms', () => {
  test('iterator age, failure queue depth and API 5xx', () => {
    const s = plain();
    s.template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(s, PROCESSOR) } }],
    });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [outputRef(s, 'FailureQueueUrl'), 'QueueName'] } },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
    });
  });
});

describe('data retention', () => {
  test('default: tables, stream, queue and log groups are destroyed with the stack', () => {
    const r = plain().resources;
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::Kinesis::Stream',
      'AWS::SQS::Queue',
      'AWS::Logs::LogGroup',
    ]) {
      for (const [id, v] of ofType(r, type)) assert.equal(v.DeletionPolicy, 'Delete', id);
    }
  });

  test('retainData=true retains them and turns on point-in-time recovery', () => {
    const s = keyed();
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::Kinesis::Stream',
      'AWS::SQS::Queue',
      'AWS::Logs::LogGroup',
    ]) {
      // The live updates' open connections are not data: gone with the stack whatever retainData says.
      for (const [id, v] of ofType(s.resources, type).filter(([id]) => !id.startsWith('ConnectionsTable')))
        assert.equal(v.DeletionPolicy, 'Retain', id);
    }
    for (const [id, v] of ofType(s.resources, 'AWS::DynamoDB::Table')) {
      const pitr = v.Properties.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled;
      assert.equal(pitr, !id.startsWith('ConnectionsTable'), id);
    }
  });
});

describe('outputs', () => {
  test('the names scripts need after a deploy', () => {
    const s = plain();
    const names = ['ApiUrl', 'StreamName', 'FailureQueueUrl', ...TABLES.map((t) => `${t.id}Name`)];
    for (const name of names) assert.ok(s.outputs[name], name);
    assert.deepEqual(
      new Set(['GraphTableName', 'HistoryTableName', 'MetaTableName']),
      new Set(TABLES.map((t) => `${t.id}Name`)),
    );
  });
});
