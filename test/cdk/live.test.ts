// The live updates in the synthesized template (SPEC 13): a WebSocket API with $connect (behind the
// token authorizer on the `token` query parameter), $disconnect and `subscribe` routes, a connections
// table with a TTL, the meta table's stream feeding the fan-out through a filter on the processor's
// `live` digests, and the fan-out's policy: list the connections, delete gone ones, post to
// connections of this API, read that one stream, and nothing else (no item of any pipeline table).
// The LocalStack variant leaves all of it out; the WebSocket URL is a stack output.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CONNECTIONS_TABLE,
  LIVE_AUTHORIZER,
  LIVE_CONNECTIONS,
  LIVE_FANOUT,
  LIVE_PARTITION,
  TOKEN_QUERY_PARAMETER,
} from '../../lib/definitions';
import { type Resources, type Synth, synth } from '../support/synth';

function ofType(r: Resources, type: string): [string, any][] {
  return Object.entries(r).filter(([, v]) => v.Type === type);
}

function functionId(s: Synth, id: string): string {
  const found = ofType(s.resources, 'AWS::Lambda::Function').filter(([logical]) => logical.startsWith(id));
  assert.equal(found.length, 1, id);
  return found[0][0];
}

function statements(s: Synth, id: string): any[] {
  const fn = s.resources[functionId(s, id)];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return ofType(s.resources, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const tableOf = (s: Synth, prefix: string): string => {
  const found = ofType(s.resources, 'AWS::DynamoDB::Table').filter(([id]) => id.startsWith(prefix));
  assert.equal(found.length, 1, prefix);
  return found[0][0];
};

describe('live updates: the WebSocket API', () => {
  test('its routes: $connect behind the token authorizer, $disconnect, subscribe, $default', () => {
    const s = synth();
    const apis = ofType(s.resources, 'AWS::ApiGatewayV2::Api');
    assert.equal(apis.length, 1);
    assert.equal(apis[0][1].Properties.ProtocolType, 'WEBSOCKET');
    assert.equal(apis[0][1].Properties.RouteSelectionExpression, '$request.body.action');
    const routes = new Map(
      ofType(s.resources, 'AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey, r]),
    );
    assert.deepEqual([...routes.keys()].sort(), ['$connect', '$default', '$disconnect', 'subscribe']);
    const connect = routes.get('$connect');
    assert.equal(connect.Properties.AuthorizationType, 'CUSTOM');
    const [, authorizer] = ofType(s.resources, 'AWS::ApiGatewayV2::Authorizer')[0];
    assert.deepEqual(authorizer.Properties.IdentitySource, [
      `route.request.querystring.${TOKEN_QUERY_PARAMETER}`,
    ]);
    assert.match(JSON.stringify(authorizer.Properties.AuthorizerUri), new RegExp(LIVE_AUTHORIZER.id));
    for (const key of ['$disconnect', 'subscribe', '$default']) {
      assert.notEqual(routes.get(key).Properties.AuthorizationType, 'CUSTOM', key);
    }
    // The subscribe answer goes back on the connection.
    assert.equal(routes.get('subscribe').Properties.RouteResponseSelectionExpression, '$default');
    assert.ok(s.outputs.LiveUrl, 'the WebSocket URL is a stack output');
  });

  test('auth=none: $connect is open', () => {
    const s = synth({ auth: 'none' });
    const connect = ofType(s.resources, 'AWS::ApiGatewayV2::Route').find(
      ([, r]) => r.Properties.RouteKey === '$connect',
    );
    assert.ok(connect);
    assert.notEqual(connect[1].Properties.AuthorizationType, 'CUSTOM');
    assert.equal(ofType(s.resources, 'AWS::ApiGatewayV2::Authorizer').length, 0);
  });

  test('a connections table keyed by connection id, with a TTL', () => {
    const s = synth();
    const t = s.resources[tableOf(s, CONNECTIONS_TABLE.id)].Properties;
    assert.deepEqual(t.KeySchema, [{ AttributeName: 'connectionId', KeyType: 'HASH' }]);
    assert.deepEqual(t.TimeToLiveSpecification, {
      AttributeName: CONNECTIONS_TABLE.ttlAttribute,
      Enabled: true,
    });
  });

  test("the fan-out is fed by the meta table's stream, filtered to the live digests, never retried", () => {
    const s = synth();
    const meta = tableOf(s, 'MetaTable');
    assert.deepEqual(s.resources[meta].Properties.StreamSpecification, { StreamViewType: 'NEW_IMAGE' });
    const fanOut = functionId(s, LIVE_FANOUT.id);
    const mappings = ofType(s.resources, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => m.Properties.FunctionName.Ref === fanOut,
    );
    assert.equal(mappings.length, 1);
    const m = mappings[0][1].Properties;
    assert.deepEqual(m.EventSourceArn, { 'Fn::GetAtt': [meta, 'StreamArn'] });
    assert.equal(m.MaximumRetryAttempts, 0);
    const pattern = JSON.parse(m.FilterCriteria.Filters[0].Pattern);
    assert.deepEqual(pattern, { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [LIVE_PARTITION] } } } });
  });

  test('the fan-out may only list and delete connections, post to them, and read the one stream', () => {
    const s = synth();
    const connections = tableOf(s, CONNECTIONS_TABLE.id);
    const meta = tableOf(s, 'MetaTable');
    const pipelineTables = ['GraphTable', 'HistoryTable', 'MetaTable'].map((p) => tableOf(s, p));
    const sts = statements(s, LIVE_FANOUT.id);
    const granted: string[] = [];
    for (const st of sts) {
      assert.equal(st.Effect, 'Allow');
      const acts = [st.Action].flat() as string[];
      const text = JSON.stringify(st.Resource);
      for (const a of acts) {
        if (a.startsWith('logs:') || a.startsWith('xray:') || a.startsWith('cloudwatch:')) continue;
        granted.push(a);
        if (a === 'dynamodb:Scan' || a === 'dynamodb:DeleteItem') {
          assert.equal(text, JSON.stringify({ 'Fn::GetAtt': [connections, 'Arn'] }), a);
        } else if (a === 'execute-api:ManageConnections') {
          assert.match(text, /@connections\/\*/);
        } else if (a === 'dynamodb:ListStreams') {
          assert.equal(st.Resource, '*');
        } else if (
          ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].includes(a)
        ) {
          assert.equal(text, JSON.stringify({ 'Fn::GetAtt': [meta, 'StreamArn'] }), a);
        } else {
          assert.fail(`the fan-out must not have ${a}`);
        }
      }
      // No item of the pipeline's tables: only the meta table's stream is named.
      for (const t of pipelineTables) {
        assert.ok(
          !text.replace(`{"Fn::GetAtt":["${t}","StreamArn"]}`, '').includes(`"${t}"`),
          `${a(acts)} on ${t}`,
        );
      }
    }
    for (const a of [
      'dynamodb:Scan',
      'dynamodb:DeleteItem',
      'execute-api:ManageConnections',
      'dynamodb:GetRecords',
    ]) {
      assert.ok(granted.includes(a), a);
    }
    const env = s.resources[functionId(s, LIVE_FANOUT.id)].Properties.Environment.Variables;
    for (const k of ['GRAPH_TABLE', 'HISTORY_TABLE', 'META_TABLE']) assert.equal(env[k], undefined, k);
  });

  test('the connections function reaches the connections table only', () => {
    const s = synth();
    const connections = tableOf(s, CONNECTIONS_TABLE.id);
    for (const st of statements(s, LIVE_CONNECTIONS.id)) {
      const acts = ([st.Action].flat() as string[]).filter((x) => x.startsWith('dynamodb:'));
      if (acts.length === 0) continue;
      assert.equal(JSON.stringify(st.Resource), JSON.stringify({ 'Fn::GetAtt': [connections, 'Arn'] }));
      assert.ok(!acts.includes('dynamodb:Scan'));
    }
  });

  test('the LocalStack variant leaves the WebSocket API out', () => {
    const s = synth({ target: 'localstack' });
    for (const type of ['AWS::ApiGatewayV2::Api', 'AWS::ApiGatewayV2::Route']) {
      assert.equal(ofType(s.resources, type).length, 0, type);
    }
    assert.equal(
      ofType(s.resources, 'AWS::DynamoDB::Table').filter(([id]) => id.startsWith(CONNECTIONS_TABLE.id))
        .length,
      0,
    );
    assert.equal(s.outputs.LiveUrl, undefined);
  });
});

const a = (acts: string[]): string => acts.join(',');
