// The embedded emulators keep only what is live: dynalite answers Query and Scan without keeping the
// store's old versions alive (local/dynalite-iterators.ts) and keeps its in-memory items as strings
// (local/dynalite-string-store.ts), and the stream deletes what the pipeline is done with once it is
// past the retention (local/stream-retention.ts). Run in this thread, against
// real dynalite and kinesalite servers, through the real SDK clients.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  CreateTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import { openDynaliteIterators } from '../../local/dynalite-iterators';
import { type RunningServers, startServers } from '../../local/emulator-servers';
import { ensureStream } from '../../local/emulators';
import type { LocalRuntime } from '../../local/runtime';
import { makeKinesisClient } from '../../storage/clients';
import { localDynamoClient } from '../support/dynamo';
import { startTestRuntime } from '../support/runtime';
import { streamRecords } from '../support/runtime-check';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const TABLE = 'bounds';
const VALUE_BYTES = 300_000;

/**
 * In-memory stores made with string storage (local/dynalite-string-store.ts), read from the module it
 * patches: importing that file here would load it before dynalite whatever emulator-servers.ts does.
 */
function stringStoresMade(): number {
  const m = createRequire(import.meta.url)('memory-level') as Record<symbol, { made: number } | undefined>;
  return m[Symbol.for('bacefook.dynaliteStringStore')]?.made ?? 0;
}

/** The heap and the memory outside it (the in-memory store holds strings in the heap). */
function settledMemory(): number {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describe('dynalite keeps no old versions alive', () => {
  let servers: RunningServers;
  let client: DynamoDBClient;
  let storesBefore = 0;

  before(async () => {
    storesBefore = stringStoresMade();
    servers = await startServers({ kinesisPort: 0, dynamoPort: 0, host: '127.0.0.1', only: 'dynamodb' });
    client = localDynamoClient(servers.ports.dynamodb);
    await client.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });

  after(async () => {
    client.destroy();
    await servers.stop();
  });

  test('in memory, its store keeps items as strings, not buffers', () => {
    // Rewritten items' buffers freed among lasting ones left holes the allocator kept: an in-memory
    // stack's RSS grew with them (docs/performance.md, "The long run").
    assert.equal(stringStoresMade() - storesBefore, 1);
  });

  test('an item overwritten between queries and scans leaves only its current value in memory', async () => {
    const round = async (i: number) => {
      const d = String(i % 10).repeat(VALUE_BYTES);
      await client.send(
        new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'p' }, sk: { S: 'a' }, d: { S: d } } }),
      );
      await client.send(
        new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'p' }, sk: { S: 'b' }, d: { S: d } } }),
      );
      // One query stops at its Limit (the stream is left early), one reads to the end, and a scan.
      await client.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: 'p' } },
          Limit: 1,
        }),
      );
      await client.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: 'p' } },
        }),
      );
      await client.send(new ScanCommand({ TableName: TABLE }));
    };
    for (let i = 0; i < 5; i++) await round(i);
    const before = settledMemory();
    const rounds = 50;
    for (let i = 0; i < rounds; i++) await round(i);
    const grown = settledMemory() - before;
    // Kept alive, the old versions would hold 2 × 50 × 300 kB = 30 MB.
    assert.ok(
      grown < (rounds * 2 * VALUE_BYTES) / 6,
      `memory grew by ${(grown / 1e6).toFixed(1)} MB over ${rounds} rounds`,
    );
    assert.equal(openDynaliteIterators(), 0);
  });
});

describe('the local stream trims what the pipeline is done with past its retention', () => {
  let servers: RunningServers;
  let kinesis: KinesisClient;
  const STREAM = 'trim-test';
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  before(async () => {
    servers = await startServers({ kinesisPort: 0, dynamoPort: 0, host: '127.0.0.1', only: 'kinesis' });
    kinesis = makeKinesisClient({ endpoint: `http://127.0.0.1:${servers.ports.kinesis}` });
    await ensureStream(kinesis, STREAM);
  });

  after(async () => {
    kinesis.destroy();
    await servers.stop();
  });

  const put = async (texts: string[]): Promise<string[]> => {
    const res = await kinesis.send(
      new PutRecordsCommand({
        StreamName: STREAM,
        Records: texts.map((t) => ({ Data: Buffer.from(t), PartitionKey: 'p' })),
      }),
    );
    return (res.Records ?? []).map((r) => r.SequenceNumber ?? '');
  };

  /** The records' texts from an iterator of the given type, to the end of the shard. */
  const read = async (type: ShardIteratorType, after?: string): Promise<string[]> => {
    const shard = (await kinesis.send(new ListShardsCommand({ StreamName: STREAM }))).Shards?.[0]?.ShardId;
    let it = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: STREAM,
          ShardId: shard,
          ShardIteratorType: type,
          StartingSequenceNumber: after,
        }),
      )
    ).ShardIterator;
    const out: string[] = [];
    while (it) {
      const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
      if ((res.Records ?? []).length === 0) break;
      for (const r of res.Records ?? []) out.push(Buffer.from(r.Data ?? []).toString());
      it = res.NextShardIterator;
    }
    return out;
  };

  test('only records both older than the cutoff and at or before the checkpoint go', async () => {
    const a = await put(['a0', 'a1', 'a2']);
    const afterA = Date.now();
    await sleep(5);
    const b = await put(['b0', 'b1']);
    const afterB = Date.now() + 1;

    // Nothing processed yet: nothing goes, however old.
    assert.equal(await servers.trimStream({ streamName: STREAM, before: afterB, through: null }), 0);
    // Old enough, but only what the checkpoint has passed.
    assert.equal(await servers.trimStream({ streamName: STREAM, before: afterB, through: a[1] }), 2);
    assert.deepEqual(await read('TRIM_HORIZON'), ['a2', 'b0', 'b1']);
    // Processed, but only what arrived before the cutoff.
    assert.equal(await servers.trimStream({ streamName: STREAM, before: afterA + 1, through: b[1] }), 1);
    assert.deepEqual(await read('TRIM_HORIZON'), ['b0', 'b1']);
    // A consumer whose checkpoint was trimmed away reads on from the next record still there.
    assert.deepEqual(await read('AFTER_SEQUENCE_NUMBER', a[0]), ['b0', 'b1']);
    // New records keep their order after the trimmed ones.
    await put(['c0']);
    assert.deepEqual(await read('TRIM_HORIZON'), ['b0', 'b1', 'c0']);
    assert.equal(await servers.trimStream({ streamName: STREAM, before: afterB, through: b[1] }), 2);
    assert.deepEqual(await read('TRIM_HORIZON'), ['c0']);
  });
});

describe('the runtime trims its stream as the pipeline moves on', () => {
  let rt: LocalRuntime;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const post = async (names: string[]) => {
    const body = names.map((name) =>
      JSON.stringify({ type: 'register', name, created_at: new Date().toISOString() }),
    );
    const res = await fetch(`${rt.apiUrl}/events`, { method: 'POST', body: body.join('\n') });
    assert.equal(res.status, 202);
  };

  before(async () => {
    // A retention of 60 ms: the runtime trims every second.
    rt = await startTestRuntime({ streamRetentionMinutes: 0.001 });
  });

  after(async () => {
    await rt.stop();
  });

  test('processed records leave the stream, and the pipeline goes on reading after them', async () => {
    await post(['ann', 'bob', 'cy']);
    await rt.drain();
    for (let i = 0; i < 200 && (await streamRecords(rt)).length > 0; i++) await sleep(100);
    assert.deepEqual(await streamRecords(rt), []);
    await post(['dee', 'ann']);
    await rt.drain();
    const p = await rt.pipeline();
    assert.equal(p.applied, 4);
    assert.equal(p.rejectedByReason.duplicate_register, 1);
  });
});
