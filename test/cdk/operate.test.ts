// Template assertions for operating the stack (issue "Operate it"): the generator and its pause
// switches, its least-privilege state access, the API functions' inability to write the graph, the
// dashboard over the processor's embedded metrics, the outputs, and the LocalStack variant.
// Same speed settings as stack.test.ts (no bundling, no WASM validation); each variant synthesized once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { LOCALSTACK_API_HOST } from '../../lib/bacefook-stack';
import {
  cloudFunctionName,
  ENV,
  FUNCTIONS,
  type FunctionDef,
  GENERATOR,
  GENERATOR_METRICS,
  GRAPH_TABLE,
  METRICS_NAMESPACE,
  PROCESSOR,
  PROCESSOR_MAPPING,
  PROCESSOR_METRICS,
  ROUTES,
  serviceName,
} from '../../lib/definitions';
import { type Resources, STACK, type Synth, synth } from '../support/synth';

const ofType = (r: Resources, type: string): [string, any][] =>
  Object.entries(r).filter(([, v]) => v.Type === type);

function fnId(s: Synth, def: FunctionDef): string {
  const name = cloudFunctionName(STACK, def.id);
  const found = ofType(s.resources, 'AWS::Lambda::Function').filter(
    ([, v]) => v.Properties.FunctionName === name,
  );
  assert.equal(found.length, 1, name);
  return found[0][0];
}

function statements(s: Synth, def: FunctionDef): any[] {
  const roleId = s.resources[fnId(s, def)].Properties.Role['Fn::GetAtt'][0];
  return ofType(s.resources, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const actionsOf = (st: any): string[] => [st.Action].flat();
const tableRef = (s: Synth, output: string): string => s.outputs[output].Value.Ref;

function generatorRule(s: Synth): any {
  const id = fnId(s, GENERATOR);
  const rules = ofType(s.resources, 'AWS::Events::Rule').filter(([, r]) =>
    r.Properties.Targets.some((t: any) => JSON.stringify(t.Arn).includes(`"${id}"`)),
  );
  assert.equal(rules.length, 1);
  return rules[0][1].Properties;
}

describe('generator', () => {
  test('an EventBridge rule every GENERATOR.scheduleMinutes runs it; paused by the GeneratorEnabled parameter', () => {
    const s = synth();
    const rule = generatorRule(s);
    const n = GENERATOR.scheduleMinutes;
    assert.equal(rule.ScheduleExpression, `rate(${n} ${n === 1 ? 'minute' : 'minutes'})`);
    assert.deepEqual(rule.State, { 'Fn::If': ['GeneratorOn', 'ENABLED', 'DISABLED'] });
    assert.equal(s.parameters.GeneratorEnabled.Default, 'true');
    assert.deepEqual(s.parameters.GeneratorEnabled.AllowedValues, ['true', 'false']);
    s.template.hasCondition('GeneratorOn', {
      'Fn::Equals': [{ Ref: 'GeneratorEnabled' }, 'true'],
    });
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId(s, GENERATOR), 'Arn'] },
    });
  });

  test('context generator=false deploys the rule disabled', () => {
    assert.equal(generatorRule(synth({ generator: 'false' })).State, 'DISABLED');
  });

  test('its volume comes from GENERATOR, overridable by context; a bad value fails the synth', () => {
    const env = (s: Synth) => s.resources[fnId(s, GENERATOR)].Properties.Environment.Variables;
    const plain = env(synth());
    assert.equal(plain[ENV.generatorUsers], String(GENERATOR.users));
    assert.equal(plain[ENV.generatorMaxUsers], String(GENERATOR.maxUsers));
    assert.equal(plain[ENV.generatorBatchesPerRun], String(GENERATOR.batchesPerRun));
    const tuned = env(synth({ generatorUsers: '200', generatorBatchesPerRun: 6 }));
    assert.equal(tuned[ENV.generatorUsers], '200');
    assert.equal(tuned[ENV.generatorBatchesPerRun], '6');
    assert.throws(() => synth({ generatorUsers: '1.5' }), /generatorUsers/);
    assert.throws(() => synth({ generatorBatchesPerRun: 13 }), /generatorBatchesPerRun=13 is above 12/);
  });

  test('it feeds every family by default; the generatorFamilies context value chooses', () => {
    const env = (s: Synth) => s.resources[fnId(s, GENERATOR)].Properties.Environment.Variables;
    assert.equal(env(synth())[ENV.generatorFamilies], 'social,marketplace,posts');
    assert.equal(env(synth({ generatorFamilies: 'social' }))[ENV.generatorFamilies], 'social');
    assert.equal(
      env(synth({ generatorFamilies: 'marketplace, social' }))[ENV.generatorFamilies],
      'social,marketplace',
    );
    assert.throws(() => synth({ generatorFamilies: 'social,posters' }), /generatorFamilies.*posters/);
  });

  test('least privilege: puts records, reaches only its own partition of the meta table', () => {
    const s = synth();
    const sts = statements(s, GENERATOR);
    const acts = new Set(sts.flatMap(actionsOf));
    assert.ok(acts.has('kinesis:PutRecords'));
    assert.ok(![...acts].some((a) => a.startsWith('kinesis:Get')), 'no stream reads');
    const dynamo = sts.filter((st) => actionsOf(st).some((a) => a.startsWith('dynamodb:')));
    assert.equal(dynamo.length, 1);
    assert.deepEqual(actionsOf(dynamo[0]).sort(), [
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    assert.deepEqual(dynamo[0].Resource, { 'Fn::GetAtt': [tableRef(s, 'MetaTableName'), 'Arn'] });
    assert.deepEqual(dynamo[0].Condition, {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [GENERATOR.ownPartition?.pk] },
    });
  });
});

describe('access', () => {
  test('no API function can write the graph table', () => {
    const s = synth();
    const graph = tableRef(s, `${GRAPH_TABLE.id}Name`);
    for (const route of ROUTES) {
      for (const st of statements(s, route.fn)) {
        if (!JSON.stringify(st.Resource).includes(`"${graph}"`)) continue;
        const writes = actionsOf(st).filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a));
        assert.deepEqual(writes, [], `${route.id} writes the graph`);
      }
    }
  });

  test('every function has its Powertools service name (the dimension the dashboard charts)', () => {
    const s = synth();
    for (const def of FUNCTIONS) {
      const env = s.resources[fnId(s, def)].Properties.Environment.Variables;
      assert.equal(env[ENV.serviceName], serviceName(def.id), def.id);
    }
  });
});

describe('dashboard', () => {
  /** The dashboard's widgets, with every CloudFormation token (Ref, GetAtt...) replaced by "TOKEN". */
  const widgets = (s: Synth): any[] => {
    const dashboards = ofType(s.resources, 'AWS::CloudWatch::Dashboard');
    assert.equal(dashboards.length, 1);
    const body = dashboards[0][1].Properties.DashboardBody;
    const parts: unknown[] = body['Fn::Join'] ? body['Fn::Join'][1] : [body];
    return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('')).widgets;
  };
  /** Every metric line of every widget: [namespace, name, dimension, value, ...]. */
  const metricLines = (s: Synth): unknown[][] =>
    widgets(s).flatMap((w) => (w.properties.metrics ?? []) as unknown[][]);
  const text = (s: Synth) => JSON.stringify(ofType(s.resources, 'AWS::CloudWatch::Dashboard')[0][1]);

  test('charts every processor and generator metric under METRICS_NAMESPACE with its service dimension', () => {
    const lines = metricLines(synth());
    const has = (def: FunctionDef, name: string) =>
      lines.some(
        (l) =>
          l[0] === METRICS_NAMESPACE && l[1] === name && l[2] === 'service' && l[3] === serviceName(def.id),
      );
    for (const name of Object.values(PROCESSOR_METRICS)) assert.ok(has(PROCESSOR, name), name);
    for (const name of [GENERATOR_METRICS.events, GENERATOR_METRICS.users])
      assert.ok(has(GENERATOR, name), name);
  });

  test('the processor emits exactly the metric names the dashboard charts', () => {
    const source = readFileSync(new URL('../../lambdas/processor/handler.ts', import.meta.url), 'utf8');
    const emitted = [...source.matchAll(/addMetric\(\s*PROCESSOR_METRICS\.(\w+)/g)].map((m) => m[1]);
    assert.deepEqual(emitted.sort(), Object.keys(PROCESSOR_METRICS).sort());
    // Every metric goes through the names the dashboard charts: none written as a literal.
    assert.equal(source.match(/addMetric\(/g)?.length, emitted.length);
  });

  test('stream, API, Lambda and queue metrics, and the three alarms', () => {
    const all = text(synth());
    for (const needle of [
      'AWS/Kinesis',
      'IncomingRecords',
      'AWS/ApiGateway',
      '5XXError',
      'Latency',
      'AWS/Lambda',
      'IteratorAge',
      'Throttles',
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      assert.ok(all.includes(needle), needle);
    }
    const alarmWidget = widgets(synth()).find((w) => w.properties.alarms);
    assert.equal(alarmWidget?.properties.alarms.length, 3);
    for (const [id] of ofType(synth().resources, 'AWS::CloudWatch::Alarm')) {
      assert.ok(all.includes(`"${id}"`), `alarm ${id} on the dashboard`);
    }
  });
});

describe('outputs', () => {
  test('API URL and id, stream, tables, queue, dashboards (CloudWatch and web), generator rule', () => {
    const s = synth();
    for (const name of [
      'ApiUrl',
      'ApiId',
      'StreamName',
      'GraphTableName',
      'HistoryTableName',
      'MetaTableName',
      'FailureQueueUrl',
      'DashboardUrl',
      'GeneratorRuleName',
      'WebDashboardUrl',
      'WebBucketName',
    ]) {
      assert.ok(s.outputs[name], name);
    }
  });
});

describe('LocalStack variant (target=localstack)', () => {
  const ls = () => synth({ target: 'localstack' });

  test('no bisect-on-error and no stream encryption (LocalStack free tier), no layers', () => {
    const s = ls();
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BisectBatchOnFunctionError: false,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: PROCESSOR_MAPPING.maxRetryAttempts,
    });
    for (const [, stream] of ofType(s.resources, 'AWS::Kinesis::Stream')) {
      assert.equal(stream.Properties.StreamEncryption, undefined);
    }
    for (const [, fn] of ofType(s.resources, 'AWS::Lambda::Function'))
      assert.equal(fn.Properties.Layers, undefined);
  });

  test('the AWS variant keeps bisect and encryption', () => {
    const s = synth();
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BisectBatchOnFunctionError: true });
    s.template.hasResourceProperties('AWS::Kinesis::Stream', { StreamEncryption: Match.objectLike({}) });
  });

  test("the API URL is on LocalStack's host; everything else is the same stack but CloudFront", () => {
    const s = ls();
    const url = JSON.stringify(s.outputs.ApiUrl.Value);
    assert.ok(url.includes(LOCALSTACK_API_HOST), url);
    // The web dashboard is served by the bucket's website endpoint there (test/cdk/web.test.ts).
    // And but the live updates' WebSocket API, its functions and connections table (AWS only).
    const types = (x: Synth) =>
      Object.entries(x.resources)
        .filter(([id, r]) => !r.Type.startsWith('AWS::CloudFront::') && !/^(Live|ConnectionsTable)/.test(id))
        .map(([, r]) => r.Type)
        .sort();
    assert.deepEqual(types(s), types(synth()));
  });

  test('an unknown target fails the synth', () => {
    assert.throws(() => synth({ target: 'azure' }), /target=azure/);
  });
});
