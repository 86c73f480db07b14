// Access tokens in the synthesized template (SPEC 13): the one REQUEST authorizer guards every route
// method but the open ones (read from ROUTES, so a route added later is checked as it is added), with
// the short cache the README states; its function may only read the token partition; API Gateway's
// own 401 and 403 answer in the API's error shape; `-c auth=none` leaves every method open and says so
// as a warning.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { BacefookStack } from '../../lib/bacefook-stack';
import {
  AUTHORIZER,
  AUTHORIZER_CACHE_SECONDS,
  cloudFunctionName,
  leadingKeysCondition,
  ROUTES,
  TOKEN_PARTITION,
} from '../../lib/definitions';
import { FORBIDDEN_BODY, UNAUTHORIZED_BODY } from '../../queries/access';
import { type Resources, STACK, synth } from '../support/synth';

function ofType(r: Resources, type: string): [string, any][] {
  return Object.entries(r).filter(([, v]) => v.Type === type);
}

function resourcePath(r: Resources, id: string | undefined): string {
  if (!id) return '/';
  const res = r[id];
  const prefix = resourcePath(r, res.Properties.ParentId.Ref as string | undefined);
  return `${prefix === '/' ? '' : prefix}/${res.Properties.PathPart}`;
}

/** Every method of the REST API, `VERB /path` -> its properties. */
function methods(r: Resources): Map<string, any> {
  return new Map(
    ofType(r, 'AWS::ApiGateway::Method').map(([, m]) => [
      `${m.Properties.HttpMethod} ${resourcePath(r, m.Properties.ResourceId.Ref)}`,
      m.Properties,
    ]),
  );
}

describe('access tokens: the authorizer on the REST API', () => {
  test('guards every route method but GET /health and GET /openapi.json', () => {
    const s = synth();
    const authorizers = ofType(s.resources, 'AWS::ApiGateway::Authorizer');
    assert.equal(authorizers.length, 1);
    const [authorizerId] = authorizers[0];
    const all = methods(s.resources);
    const open: string[] = [];
    for (const route of ROUTES) {
      const key = `${route.method} ${route.path}`;
      const m = all.get(key);
      assert.ok(m, key);
      if (route.access === 'open') {
        assert.equal(m.AuthorizationType, 'NONE', key);
        assert.equal(m.AuthorizerId, undefined, key);
        open.push(key);
      } else {
        assert.equal(m.AuthorizationType, 'CUSTOM', key);
        assert.deepEqual(m.AuthorizerId, { Ref: authorizerId }, key);
      }
    }
    assert.deepEqual(open, ['GET /health', 'GET /openapi.json']);
    // Every other method is a CORS preflight, open as browsers need it.
    for (const [key, m] of all) {
      if (ROUTES.some((r) => `${r.method} ${r.path}` === key)) continue;
      assert.ok(key.startsWith('OPTIONS '), key);
      assert.equal(m.AuthorizationType, 'NONE', key);
    }
  });

  test('checks the Authorization header, its answer cached for AUTHORIZER_CACHE_SECONDS', () => {
    synth().template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: AUTHORIZER_CACHE_SECONDS,
    });
    assert.ok(AUTHORIZER_CACHE_SECONDS > 0 && AUTHORIZER_CACHE_SECONDS <= 60);
  });

  test('its function may only read the token partition of the meta table', () => {
    const s = synth();
    const name = cloudFunctionName(STACK, AUTHORIZER.id);
    const [fnId, fn] = ofType(s.resources, 'AWS::Lambda::Function').find(
      ([, v]) => v.Properties.FunctionName === name,
    ) as [string, any];
    assert.ok(fnId);
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const sts = ofType(s.resources, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const dynamo = sts.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
    assert.equal(dynamo.length, 1);
    assert.deepEqual([dynamo[0].Action].flat(), ['dynamodb:GetItem']);
    assert.deepEqual(
      dynamo[0].Condition,
      leadingKeysCondition({ table: 'meta', pk: TOKEN_PARTITION, access: 'read' }),
    );
    assert.deepEqual(dynamo[0].Condition, {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [TOKEN_PARTITION] },
    });
    // No stream, and API Gateway may invoke it.
    assert.ok(!sts.some((st: any) => [st.Action].flat().some((a: string) => a.startsWith('kinesis:'))));
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
    });
  });

  test("answers API Gateway's own 401 and 403 in the API's error shape", () => {
    const s = synth();
    s.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseTemplates: { 'application/json': JSON.stringify(UNAUTHORIZED_BODY) },
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.WWW-Authenticate': "'Bearer'",
        'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
      }),
    });
    s.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      StatusCode: '403',
      ResponseTemplates: { 'application/json': JSON.stringify(FORBIDDEN_BODY) },
    });
  });
});

describe('access tokens: -c auth=none', () => {
  test('leaves every method open, with no authorizer', () => {
    const s = synth({ auth: 'none' });
    assert.equal(ofType(s.resources, 'AWS::ApiGateway::Authorizer').length, 0);
    for (const [key, m] of methods(s.resources)) assert.equal(m.AuthorizationType, 'NONE', key);
    const name = cloudFunctionName(STACK, AUTHORIZER.id);
    assert.ok(
      !ofType(s.resources, 'AWS::Lambda::Function').some(([, v]) => v.Properties.FunctionName === name),
    );
  });

  test('warns at synth (and so at deploy); the default does not', () => {
    const stackOf = (context: Record<string, unknown>) =>
      new BacefookStack(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }), STACK);
    Annotations.fromStack(stackOf({ auth: 'none' })).hasWarning('*', Match.stringLikeRegexp('auth=none'));
    Annotations.fromStack(stackOf({})).hasNoWarning('*', Match.stringLikeRegexp('auth=none'));
  });

  test('refuses any other auth value', () => {
    assert.throws(
      () => new BacefookStack(new App({ context: { 'aws:cdk:bundling-stacks': [], auth: 'off' } }), STACK),
      /context auth=off/,
    );
  });
});
