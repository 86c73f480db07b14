// The producer against a real kinesalite in this process: what it puts is what a consumer reads back,
// event for event, in order, for every compression, with records up to the size limit.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import kinesalite from 'kinesalite';
import { generateEvents } from '../../domain/generator';
import { type Compression, DEFAULT_MAX_RECORD_BYTES } from '../../domain/record-encoding';
import { decodeRecord } from '../../domain/records';
import { makeKinesisClient } from '../../storage/clients';
import { type ProducerProgress, StreamProducer } from '../../stream/producer';

let server: Server;
let kinesis: KinesisClient;
let streams = 0;

async function createStream(): Promise<string> {
  const name = `producer-test-${++streams}`;
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  for (;;) {
    const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return name;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every record of the stream's only shard, from the beginning, as payloads in stream order. */
async function readAll(streamName: string): Promise<Uint8Array[]> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  assert.equal(shards.Shards?.length, 1);
  const it = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: streamName,
      ShardId: shards.Shards?.[0].ShardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  let iterator = it.ShardIterator;
  const out: Uint8Array[] = [];
  while (iterator) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    const records = page.Records ?? [];
    for (const r of records) if (r.Data) out.push(r.Data);
    if (records.length === 0) break;
    iterator = page.NextShardIterator;
  }
  return out;
}

const decodeAll = (payloads: Uint8Array[]) => payloads.flatMap((p) => decodeRecord(p));

describe('StreamProducer on kinesalite', () => {
  before(async () => {
    server = kinesalite({ createStreamMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    kinesis = makeKinesisClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1' });
  });

  after(async () => {
    kinesis.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('default packing: a generated stream reads back equal and in order', async () => {
    const stream = await createStream();
    const events = generateEvents({ users: 400, seed: 3, batches: 6 });
    const progress: ProducerProgress[] = [];
    const producer = new StreamProducer(kinesis, stream, { onProgress: (p) => progress.push(p) });
    const result = await producer.send(events);
    const payloads = await readAll(stream);
    assert.equal(payloads.length, result.records);
    assert.deepEqual(decodeAll(payloads), events);
    assert.deepEqual(progress.at(-1), {
      events: events.length,
      records: result.records,
      bytes: result.bytes,
    });
  });

  for (const compression of ['brotli', 'gzip', 'none'] as Compression[]) {
    test(`${compression}: many records and several sends keep the stream order`, async () => {
      const stream = await createStream();
      const events = generateEvents({ users: 150, seed: 9, batches: 5 });
      const producer = new StreamProducer(kinesis, stream, {
        compression,
        maxRecordBytes: compression === 'none' ? 40_000 : 3_000,
      });
      const third = Math.floor(events.length / 3);
      // Fired together: the producer queues them, so the stream holds them in call order.
      const results = await Promise.all([
        producer.send(events.slice(0, third)),
        producer.send(events.slice(third, 2 * third)),
        producer.send(events.slice(2 * third)),
      ]);
      const payloads = await readAll(stream);
      assert.ok(payloads.length > 6, `${payloads.length} records`);
      assert.equal(
        payloads.length,
        results.reduce((a, r) => a + r.records, 0),
      );
      assert.deepEqual(decodeAll(payloads), events);
    });
  }

  test('records at the default size limit are accepted (kinesalite enforces the real 1 MiB)', async () => {
    const stream = await createStream();
    // Uncompressed, so the records really are close to the limit.
    const events = generateEvents({ users: 300, seed: 5, batches: 1 }).slice(0, 22_000);
    const producer = new StreamProducer(kinesis, stream, { compression: 'none' });
    const result = await producer.send(events);
    assert.ok(result.records >= 2);
    const payloads = await readAll(stream);
    const largest = Math.max(...payloads.map((p) => p.length));
    assert.ok(
      largest > DEFAULT_MAX_RECORD_BYTES * 0.99 && largest <= DEFAULT_MAX_RECORD_BYTES,
      String(largest),
    );
    assert.deepEqual(decodeAll(payloads), events);
  });

  test('a stream that does not exist fails with a clear error', async () => {
    const producer = new StreamProducer(kinesis, 'no-such-stream');
    await assert.rejects(
      producer.send(generateEvents({ users: 3, seed: 1, batches: 1 })),
      /ResourceNotFound/,
    );
  });
});
