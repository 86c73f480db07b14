// The deployed generator on kinesalite + dynalite: its state survives between runs (a run restores
// exactly where the last one stopped, so consecutive runs put the very stream one uninterrupted
// generator would), it is chunked below the item limit without leaving garbage, overlapping runs send
// a batch once, and the handler module wires it from the environment the stack sets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { eventKind } from '../../domain/event-kind';
import type { RawEvent } from '../../domain/events';
import { FEED_FAMILIES, MixedGenerator } from '../../domain/family-generator';
import { EventGenerator } from '../../domain/generator';
import { isMarketplaceType } from '../../domain/marketplace/events';
import { decodeRecord } from '../../domain/records';
import { type GeneratorConfig, runGenerator } from '../../lambdas/generator/run';
import { DynamoStateStore, type StateStore } from '../../lambdas/generator/state-store';
import { ENV, GENERATOR, META_TABLE } from '../../lib/definitions';
import { type Emulators, startEmulators } from '../../local/emulators';
import { makeLambdaContext } from '../../local/lambda';
import { makeDynamoClient, makeKinesisClient } from '../../storage/clients';
import { StreamProducer } from '../../stream/producer';

const CONFIG: GeneratorConfig = {
  users: 60,
  maxUsers: 63,
  batchesPerRun: 2,
  stepMs: 5_000,
  seed: 9,
  families: ['social'],
};
const T0 = Date.UTC(2025, 0, 1);

let emu: Emulators;
let kinesis: KinesisClient;
let doc: ReturnType<typeof makeDynamoClient>;
let producer: StreamProducer;

/** Every event in the stream, in order, from the first record. */
async function readStream(): Promise<unknown[]> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: emu.streamName }));
  const it = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: emu.streamName,
      ShardId: shards.Shards?.[0]?.ShardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const out: unknown[] = [];
  let iterator = it.ShardIterator;
  for (let i = 0; i < 100 && iterator; i++) {
    const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
    for (const r of res.Records ?? []) out.push(...decodeRecord(r.Data ?? new Uint8Array()));
    if ((res.Records ?? []).length === 0) break;
    iterator = res.NextShardIterator;
  }
  return out;
}

async function partitionItems(pk: string): Promise<string[]> {
  const res = await doc.send(
    new QueryCommand({
      TableName: emu.tables.meta,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }),
  );
  return (res.Items ?? []).map((i) => String(i.sk));
}

before(async () => {
  emu = await startEmulators({ kinesisPort: 0, dynamoPort: 0 });
  kinesis = makeKinesisClient({ endpoint: emu.endpoints.kinesis, region: 'us-east-1' });
  doc = makeDynamoClient({ endpoint: emu.endpoints.dynamodb, region: 'us-east-1' });
  producer = new StreamProducer(kinesis, emu.streamName);
});

after(async () => {
  kinesis?.destroy();
  doc?.destroy();
  await emu?.stop();
});

describe('generator lambda', () => {
  test('consecutive runs put exactly the stream of one uninterrupted generator', async () => {
    // A tiny chunk size forces a multi-item state.
    const store = new DynamoStateStore(doc, emu.tables.meta, 'gen-a', 500);
    const send = (events: RawEvent[]) => producer.send(events);
    const runs = [];
    for (let r = 0; r < 3; r++) {
      runs.push(await runGenerator({ store, config: CONFIG, send, now: () => T0 + r * 60_000 }));
    }
    assert.deepEqual(
      runs.map((r) => [r.outcome, r.restored, r.batchIndex, r.stateVersion]),
      [
        ['sent', false, 2, 1],
        ['sent', true, 4, 2],
        ['sent', true, 6, 3],
      ],
    );
    assert.ok(runs[0].stateBytes > 500, 'the state spans several chunks');
    assert.equal(runs[2].users, CONFIG.maxUsers, 'growth stops at maxUsers');

    const reference = new EventGenerator({ users: 60, seed: 9, maxUsers: 63, stepMs: 5_000 });
    const expected: RawEvent[] = [];
    for (let r = 0; r < 3; r++) {
      for (let b = 0; b < 2; b++) expected.push(...reference.nextBatch(T0 + r * 60_000 - (1 - b) * 5_000));
    }
    assert.deepEqual(await readStream(), expected);
    assert.equal(
      runs.reduce((n, r) => n + r.events, 0),
      expected.length,
    );

    const loaded = await store.load();
    assert.ok(loaded && loaded.head.chunks > 1);
  });

  test('mixed runs put the stream of one uninterrupted mixed generator; a social state gains the marketplace', async () => {
    const before = (await readStream()).length;
    const store = new DynamoStateStore(doc, emu.tables.meta, 'gen-mixed', 2_000);
    const send = (events: unknown[]) => producer.send(events);
    const mixed = { ...CONFIG, families: FEED_FAMILIES };
    for (let r = 0; r < 3; r++)
      await runGenerator({ store, config: mixed, send, now: () => T0 + r * 60_000 });
    const reference = new MixedGenerator({
      users: 60,
      seed: 9,
      maxUsers: 63,
      stepMs: 5_000,
      families: FEED_FAMILIES,
    });
    const expected: unknown[] = [];
    for (let r = 0; r < 3; r++) {
      for (let b = 0; b < 2; b++) expected.push(...reference.nextBatch(T0 + r * 60_000 - (1 - b) * 5_000));
    }
    const stream = (await readStream()).slice(before);
    assert.deepEqual(stream, expected);
    assert.ok(stream.some((e) => isMarketplaceType(eventKind(e))));
    assert.ok(stream.some((e) => eventKind(e) === 'post'));

    // A state saved by a social-only run (before families existed) continues with the marketplace added.
    const old = new DynamoStateStore(doc, emu.tables.meta, 'gen-upgrade', 2_000);
    await runGenerator({ store: old, config: CONFIG, send, now: () => T0 });
    const mark = (await readStream()).length;
    await runGenerator({ store: old, config: mixed, send, now: () => T0 + 60_000 });
    const added = (await readStream()).slice(mark);
    const market = added.filter((e) => isMarketplaceType(eventKind(e)));
    assert.equal(eventKind(market[0]), 'productUpserted', 'its catalogue comes first');
    const social = new EventGenerator({ users: 60, seed: 9, maxUsers: 63, stepMs: 5_000 });
    const socialBatches = [0, 1, 2, 3].map((b) =>
      social.nextBatch(T0 + (b < 2 ? 0 : 60_000) - ((b + 1) % 2) * 5_000),
    );
    assert.deepEqual(
      added.filter((e) => !isMarketplaceType(eventKind(e)) && eventKind(e) !== 'post'),
      [...socialBatches[2], ...socialBatches[3]],
    );
  });

  test('old chunks are deleted after a save', async () => {
    const store = new DynamoStateStore(doc, emu.tables.meta, 'gen-b', 500);
    const sent: number[] = [];
    const send = async (events: RawEvent[]) => {
      sent.push(events.length);
      return { events: events.length, records: 1, bytes: 0 };
    };
    for (let r = 0; r < 3; r++) await runGenerator({ store, config: CONFIG, send, now: () => T0 });
    const loaded = await store.load();
    assert.ok(loaded);
    const keys = await partitionItems('gen-b');
    assert.equal(keys.length, 1 + loaded.head.chunks, keys.join());
    assert.ok(keys.every((k) => k === 'head' || k.includes(loaded.head.run)));
  });

  test('of two overlapping runs exactly one sends; the other leaves nothing behind', async () => {
    const inner = new DynamoStateStore(doc, emu.tables.meta, 'gen-race', 3_000);
    await runGenerator({
      store: inner,
      config: CONFIG,
      send: async () => ({ events: 0, records: 0, bytes: 0 }),
    });
    // Both runs load the same state before either saves.
    let loads = 0;
    let release: () => void = () => undefined;
    const bothLoaded = new Promise<void>((r) => {
      release = r;
    });
    const racing: StateStore = {
      load: async () => {
        const s = await inner.load();
        if (++loads === 2) release();
        await bothLoaded;
        return s;
      },
      save: (data, previous, summary) => inner.save(data, previous, summary),
    };
    const sends: number[] = [];
    const send = async (events: RawEvent[]) => {
      sends.push(events.length);
      return { events: events.length, records: 1, bytes: 0 };
    };
    const results = await Promise.all([
      runGenerator({ store: racing, config: CONFIG, send }),
      runGenerator({ store: racing, config: CONFIG, send }),
    ]);
    assert.deepEqual(results.map((r) => r.outcome).sort(), ['lost-race', 'sent']);
    assert.equal(sends.length, 1);
    const loaded = await inner.load();
    assert.equal(loaded?.head.version, 2);
    assert.equal((await partitionItems('gen-race')).length, 1 + (loaded?.head.chunks ?? 0));
  });

  test('the handler runs from the environment the stack sets', async () => {
    process.env[META_TABLE.env] = emu.tables.meta;
    process.env[ENV.streamName] = emu.streamName;
    process.env[ENV.dynamodbEndpoint] = emu.endpoints.dynamodb;
    process.env[ENV.kinesisEndpoint] = emu.endpoints.kinesis;
    process.env[ENV.generatorUsers] = '30';
    process.env[ENV.generatorSeed] = '5';
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'BacefookTest';
    const before = (await readStream()).length;
    const { handler } = await import('../../lambdas/generator/handler');
    // Powertools writes the log line and the EMF blob to stdout; keep the test output readable.
    const write = process.stdout.write;
    const lines: string[] = [];
    process.stdout.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    let result: Awaited<ReturnType<typeof handler>>;
    try {
      result = await handler({}, makeLambdaContext(GENERATOR));
    } finally {
      process.stdout.write = write;
    }
    assert.equal(result.outcome, 'sent');
    assert.equal(result.users, 30);
    assert.equal((await readStream()).length - before, result.events);
    const text = lines.join('');
    assert.match(text, /"message":"generator run"/);
    assert.match(text, /"EventsGenerated"/);
    // The state went to the generator's own partition, as the stack's IAM condition expects.
    assert.ok((await partitionItems(GENERATOR.ownPartition?.pk ?? '')).includes('head'));
  });
});
