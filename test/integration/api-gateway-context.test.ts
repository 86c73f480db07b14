// What the local API Gateway hands a route handler besides the proxy event: a Lambda context per
// invocation, with the route's function identity, a fresh request id, a deadline that counts down from
// the function's timeout, and nothing Lambda's context does not have.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import type { RouteDef } from '../../lib/definitions';
import { LocalApiGateway } from '../../local/api-gateway';

const fn = { id: 'ApiContextFixture', entry: 'none', memoryMb: 256, timeoutSeconds: 7, tables: {} };
const def: RouteDef = {
  id: 'ContextFixture',
  method: 'GET',
  path: '/context',
  entry: 'none',
  fn,
  access: 'read',
};

describe('local API Gateway: the invocation context', () => {
  let gw: LocalApiGateway;
  let url = '';
  before(async () => {
    gw = new LocalApiGateway({
      port: 0,
      routes: [
        {
          def,
          handler: async (_event, context: Context) => {
            const first = context.getRemainingTimeInMillis();
            await new Promise((r) => setTimeout(r, 30));
            return {
              statusCode: 200,
              body: JSON.stringify({
                keys: Object.keys(context).sort(),
                id: context.awsRequestId,
                name: context.functionName,
                arn: context.invokedFunctionArn,
                memory: context.memoryLimitInMB,
                stream: context.logStreamName,
                first,
                later: context.getRemainingTimeInMillis(),
              }),
            };
          },
        },
      ],
    });
    url = await gw.start();
  });
  after(() => gw.stop());

  it('each invocation: its own request id, the function identity, a deadline from its timeout', async () => {
    const answers = await Promise.all(
      [1, 2, 3].map(async () => (await (await fetch(`${url}/context`)).json()) as Record<string, unknown>),
    );
    const ids = new Set(answers.map((a) => a.id));
    assert.equal(ids.size, 3);
    for (const a of answers) {
      assert.match(String(a.id), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(a.name, 'bacefook-ApiContextFixture');
      assert.match(String(a.arn), /:function:bacefook-ApiContextFixture$/);
      assert.equal(a.memory, '256');
      // One execution environment per route: its log stream is the same for every invocation.
      assert.equal(a.stream, answers[0].stream);
      const first = a.first as number;
      const later = a.later as number;
      // From the function's 7 s timeout (not the 30 s default), and counting down across the 30 ms the
      // handler waits; no bound that depends on how fast the machine is.
      assert.ok(first > 0 && first <= 7_000, `first ${first}`);
      assert.ok(later > 0 && later <= first - 20, `later ${later}`);
      assert.deepEqual(a.keys, [
        'awsRequestId',
        'callbackWaitsForEmptyEventLoop',
        'done',
        'fail',
        'functionName',
        'functionVersion',
        'invokedFunctionArn',
        'logGroupName',
        'logStreamName',
        'memoryLimitInMB',
        'succeed',
      ]);
    }
  });
});
