// The live fan-out's pieces apart from a runtime: the digest's parts (every topic in exactly one, each
// part an item well inside DynamoDB's limit), the subscribe rules, and the AWS fan-out function on a
// stream event as Lambda delivers it (binary attributes base64-encoded), against mocked DynamoDB and
// API Gateway management clients: each subscriber gets one message per topic it holds, in commit
// order, a connection that is gone (410) is deleted and sent nothing more, nobody else is sent anything.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CONNECTIONS_TABLE, LIVE_CALLBACK_URL_ENV } from '../../lib/definitions';
import { isTopic, MAX_TOPICS, subscribe } from '../../queries/live';
import { decodeLiveItem, type LiveDigest, liveParts, liveWrites } from '../../storage/live-store';

function digest(seq: string, topics: [string, unknown][]): LiveDigest {
  return {
    sequenceNumber: seq,
    checkpoint: `${seq.padStart(64, '0')}00000001`,
    committedAt: Date.now(),
    topics,
  };
}

describe('live digests', () => {
  it('splits a large digest so that every topic is in exactly one part, and each part reads back', () => {
    const topics: [string, unknown][] = [['pipeline', { applied: 1 }]];
    for (let i = 0; i < 3000; i++)
      topics.push([`user:user${i}`, { name: `user${i}`, friendsCount: i, pad: 'x'.repeat(200) }]);
    const d = digest('42', topics);
    const parts = liveParts(d);
    assert.ok(parts.length > 1, `${parts.length} parts`);
    const seen = parts.flatMap((p) => p.topics.map(([t]) => t));
    assert.deepEqual(
      seen,
      topics.map(([t]) => t),
    );
    const writes = liveWrites(d);
    assert.equal(writes.length, parts.length);
    const back = writes.map((w) =>
      decodeLiveItem(('PutRequest' in w ? w.PutRequest.Item : {}) as Record<string, unknown>),
    );
    assert.deepEqual(back, parts);
    for (const w of writes) {
      const item = 'PutRequest' in w ? w.PutRequest.Item : {};
      assert.ok((item.z as Uint8Array).byteLength < 350_000);
      assert.equal(typeof item.expiresAt, 'number');
    }
  });

  it('keeps a digest with only the pipeline in one part', () => {
    assert.equal(liveParts(digest('1', [['pipeline', {}]])).length, 1);
  });
});

describe('subscribe', () => {
  it('adds topics to those held, refuses unknown ones and too many, naming the problem', () => {
    assert.deepEqual(subscribe('{"action":"subscribe","topics":["pipeline","user:a"]}', ['pipeline']), {
      ok: true,
      topics: ['pipeline', 'user:a'],
    });
    for (const bad of [
      'nope',
      '{"action":"subscribe","topics":[]}',
      '{"action":"unsubscribe","topics":["posts"]}',
    ]) {
      assert.equal(subscribe(bad, []).ok, false, bad);
    }
    const r = subscribe('{"action":"subscribe","topics":["user:"]}', []);
    assert.ok(!r.ok && /user:/.test(r.error.error.message));
    const many = Array.from({ length: MAX_TOPICS }, (_, i) => `product:${i}`);
    assert.equal(subscribe(JSON.stringify({ action: 'subscribe', topics: ['posts'] }), many).ok, false);
    for (const t of ['pipeline', 'posts', 'user:x', 'product:1']) assert.ok(isTopic(t), t);
  });
});

describe('the AWS fan-out function', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  const management = mockClient(ApiGatewayManagementApiClient);
  let handler: (e: DynamoDBStreamEvent) => Promise<void>;

  before(async () => {
    process.env[CONNECTIONS_TABLE.env] = 'connections';
    process.env[LIVE_CALLBACK_URL_ENV] = 'https://example.invalid/prod';
    process.env.AWS_REGION ??= 'eu-west-1';
    ({ handler } = await import('../../lambdas/live/handler'));
  });

  function record(d: LiveDigest): DynamoDBStreamEvent['Records'][number] {
    const w = liveWrites(d)[0];
    const item = ('PutRequest' in w ? w.PutRequest.Item : {}) as { pk: string; sk: string; z: Uint8Array };
    return {
      eventName: 'INSERT',
      dynamodb: {
        Keys: { pk: { S: item.pk }, sk: { S: item.sk } },
        // As Lambda hands a stream record over: binary as base64.
        NewImage: {
          pk: { S: item.pk },
          sk: { S: item.sk },
          z: { B: Buffer.from(item.z).toString('base64') },
        },
      },
    };
  }

  it('sends each subscriber its topics once per batch, in order, and deletes a gone connection', async () => {
    dynamo.reset();
    management.reset();
    dynamo.on(ScanCommand).resolves({
      Items: [
        { connectionId: 'a', topics: ['pipeline'] },
        { connectionId: 'b', topics: ['pipeline', 'user:u1'] },
        { connectionId: 'c', topics: ['product:9'] },
      ],
    });
    dynamo.on(DeleteCommand).resolves({});
    management
      .on(PostToConnectionCommand, { ConnectionId: 'b' })
      .rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }));
    management.on(PostToConnectionCommand, { ConnectionId: 'a' }).resolves({});

    await handler({
      Records: [
        record(
          digest('100', [
            ['pipeline', { applied: 1 }],
            ['user:u1', { friendsCount: 2 }],
          ]),
        ),
        record(digest('200', [['pipeline', { applied: 5 }]])),
      ],
    });

    const posts = management.commandCalls(PostToConnectionCommand).map((c) => ({
      to: c.args[0].input.ConnectionId,
      m: JSON.parse(String(c.args[0].input.Data)) as { topic: string; sequenceNumber: string; data: unknown },
    }));
    const toA = posts.filter((p) => p.to === 'a').map((p) => p.m);
    assert.deepEqual(toA, [
      { topic: 'pipeline', sequenceNumber: '100', data: { applied: 1 } },
      { topic: 'pipeline', sequenceNumber: '200', data: { applied: 5 } },
    ]);
    // b: tried in the first batch, gone, deleted, and not tried again.
    assert.ok(posts.filter((p) => p.to === 'b').length <= 2);
    assert.ok(posts.filter((p) => p.to === 'b').every((p) => p.m.sequenceNumber === '100'));
    assert.equal(posts.filter((p) => p.to === 'c').length, 0);
    const deleted = dynamo.commandCalls(DeleteCommand).map((c) => c.args[0].input.Key);
    assert.deepEqual(deleted, [{ connectionId: 'b' }]);
    assert.equal(
      dynamo.commandCalls(ScanCommand).length,
      1,
      'the connections are listed once per invocation',
    );
  });
});
