// The local event source mapping against a real kinesalite stream, with small handlers written here
// (no mocks of AWS): batching and the event's shape, partial batch responses, bisection on a thrown
// error, retries exhausted into the failure queue, record age, and a checkpoint that survives restarts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { type Emulators, ensureStream, startEmulators } from '../../local/emulators';
import {
  type EventSourceMappingOptions,
  failureQueueFile,
  KinesisEventSourceMapping,
} from '../../local/event-source-mapping';
import { makeKinesisClient } from '../../storage/clients';

let emu: Emulators;
let kinesis: KinesisClient;
const mappings: KinesisEventSourceMapping[] = [];
const dirs: string[] = [];
let streams = 0;

before(async () => {
  emu = await startEmulators({ kinesisPort: 0, dynamoPort: 0 });
  kinesis = makeKinesisClient({ endpoint: emu.endpoints.kinesis });
});

after(async () => {
  await Promise.all(mappings.map((m) => m.stop()));
  kinesis?.destroy();
  await emu?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'bacefook-esm-'));
  dirs.push(d);
  return d;
}

async function newStream(client: KinesisClient = kinesis): Promise<{ name: string; arn: string }> {
  const name = `esm-test-${++streams}`;
  return { name, arn: await ensureStream(client, name) };
}

/** Puts records whose data are the given strings, in order; returns their sequence numbers. */
async function put(stream: string, data: string[], client: KinesisClient = kinesis): Promise<string[]> {
  const res = await client.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: data.map((d) => ({ Data: Buffer.from(d), PartitionKey: 'p' })),
    }),
  );
  assert.equal(res.FailedRecordCount ?? 0, 0);
  return (res.Records ?? []).map((r) => r.SequenceNumber ?? '');
}

const names = (prefix: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `${prefix}${i + from}`);
const dataOf = (event: KinesisStreamEvent) =>
  event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString('utf8'));

/** A handler that records every invocation (decoded data) and answers with `respond`. */
function recorder(respond: (data: string[], event: KinesisStreamEvent, call: number) => unknown) {
  const calls: string[][] = [];
  const contexts: Context[] = [];
  const events: KinesisStreamEvent[] = [];
  const handler = async (event: KinesisStreamEvent, context: Context) => {
    const data = dataOf(event);
    calls.push(data);
    contexts.push(context);
    events.push(event);
    return respond(data, event, calls.length);
  };
  return { calls, contexts, events, handler };
}

async function startMapping(
  opts: Partial<EventSourceMappingOptions> & Pick<EventSourceMappingOptions, 'streamName' | 'handler'>,
) {
  const m = new KinesisEventSourceMapping({
    kinesis,
    maxBatchingWindowSeconds: 0,
    retryBaseMs: 1,
    retryMaxMs: 4,
    pollIntervalMs: 20,
    fn: { id: 'TestConsumer', timeoutSeconds: 60, memoryMb: 256 },
    ...opts,
  });
  mappings.push(m);
  await m.start();
  return m;
}

describe('local event source mapping', () => {
  it('delivers the shard in order, in batches of at most batchSize, as a real-shaped Kinesis event', async () => {
    const s = await newStream();
    const seqs = await put(s.name, names('r', 25));
    const h = recorder(() => ({ batchItemFailures: [] }));
    const m = await startMapping({ streamName: s.name, handler: h.handler, batchSize: 10 });
    await m.drain();

    assert.deepEqual(h.calls, [names('r', 10), names('r', 10, 10), names('r', 5, 20)]);
    const rec = h.events[0].Records[0];
    assert.equal(rec.eventSource, 'aws:kinesis');
    assert.equal(rec.eventName, 'aws:kinesis:record');
    assert.equal(rec.eventVersion, '1.0');
    assert.equal(rec.eventSourceARN, s.arn);
    assert.equal(rec.eventID, `shardId-000000000000:${seqs[0]}`);
    assert.equal(rec.kinesis.sequenceNumber, seqs[0]);
    assert.equal(rec.kinesis.partitionKey, 'p');
    assert.equal(rec.kinesis.kinesisSchemaVersion, '1.0');
    // Seconds since the epoch, with a fraction, as Lambda sends it.
    assert.ok(Math.abs(rec.kinesis.approximateArrivalTimestamp - Date.now() / 1000) < 3600);
    const ctx = h.contexts[0];
    assert.equal(ctx.functionName, 'bacefook-TestConsumer');
    assert.equal(ctx.memoryLimitInMB, '256');
    assert.match(ctx.invokedFunctionArn, /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:bacefook-TestConsumer$/);
    assert.ok(ctx.getRemainingTimeInMillis() > 0 && ctx.getRemainingTimeInMillis() <= 60_000);
    assert.equal(new Set(h.contexts.map((c) => c.awsRequestId)).size, 3);

    const st = m.stats();
    assert.equal(st.batches, 3);
    assert.equal(st.records, 25);
    assert.equal(st.retries, 0);
    assert.equal(st.checkpoint, seqs[24]);

    // Records put later are picked up after the checkpoint.
    await put(s.name, ['late']);
    await m.drain();
    assert.deepEqual(h.calls.at(-1), ['late']);
  });

  it('partial batch failure: checkpoints before the first failed record and retries from it', async () => {
    const s = await newStream();
    const seqs = await put(s.name, names('r', 8));
    const h = recorder((_data, _e, call) =>
      // First call: r5 and r3 fail (the lowest one counts). Then everything succeeds.
      call === 1 ? { batchItemFailures: [{ itemIdentifier: seqs[5] }, { itemIdentifier: seqs[3] }] } : {},
    );
    const m = await startMapping({ streamName: s.name, handler: h.handler });
    await m.drain();
    assert.deepEqual(h.calls, [names('r', 8), names('r', 5, 3)]);
    const st = m.stats();
    assert.equal(st.retries, 1);
    assert.equal(st.records, 8);
    assert.equal(st.failures, 0);
    assert.equal(st.checkpoint, seqs[7]);
  });

  it('an empty or unknown itemIdentifier fails the whole batch, which is retried whole', async () => {
    const s = await newStream();
    await put(s.name, names('r', 4));
    const h = recorder((_d, _e, call) =>
      call === 1
        ? { batchItemFailures: [{ itemIdentifier: '' }] }
        : call === 2
          ? { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] }
          : { batchItemFailures: [] },
    );
    const m = await startMapping({ streamName: s.name, handler: h.handler });
    await m.drain();
    assert.deepEqual(h.calls, [names('r', 4), names('r', 4), names('r', 4)]);
    assert.equal(m.stats().retries, 2);
  });

  it('a thrown error bisects the batch: first half, then second half, recursively, in stream order', async () => {
    const s = await newStream();
    await put(s.name, names('r', 8));
    // r5 makes the function fail on its first three attempts, then it succeeds (a transient fault).
    let poisonAttempts = 0;
    const h = recorder((data) => {
      if (data.includes('r5') && ++poisonAttempts <= 3) throw new Error('transient failure');
      return undefined;
    });
    const m = await startMapping({
      streamName: s.name,
      handler: h.handler,
      bisectBatchOnFunctionError: true,
    });
    await m.drain();
    assert.deepEqual(h.calls, [
      names('r', 8), // fails
      names('r', 4), // first half: ok
      names('r', 4, 4), // second half: fails
      ['r4', 'r5'], // fails
      ['r4'],
      ['r5'],
      ['r6', 'r7'],
    ]);
    const delivered = h.calls.filter((_, i) => ![0, 2, 3].includes(i)).flat();
    assert.deepEqual(delivered, names('r', 8), 'every record delivered once, in order');
    const st = m.stats();
    assert.equal(st.retries, 3);
    assert.equal(st.failures, 0);
    assert.equal(st.records, 8);
  });

  it('without bisect, a thrown error retries the whole batch', async () => {
    const s = await newStream();
    await put(s.name, names('r', 3));
    const h = recorder((_d, _e, call) => {
      if (call <= 2) throw new Error('boom');
      return undefined;
    });
    const m = await startMapping({
      streamName: s.name,
      handler: h.handler,
      bisectBatchOnFunctionError: false,
    });
    await m.drain();
    assert.deepEqual(h.calls, [names('r', 3), names('r', 3), names('r', 3)]);
  });

  it('exhausted retries send an on-failure record to the failure queue and the mapping moves on', async () => {
    const s = await newStream();
    const dataDir = tempDir();
    const seqs = await put(s.name, names('r', 6));
    const h = recorder((data) => {
      if (data.includes('r3')) throw new Error('poison');
      return undefined;
    });
    const m = await startMapping({
      streamName: s.name,
      handler: h.handler,
      bisectBatchOnFunctionError: true,
      maxRetryAttempts: 3,
      dataDir,
    });
    await m.drain();
    // Halves inherit the batch's retry count: [r0..r5] fails (retry 1) -> [r0..r2] ok, [r3..r5] fails
    // (retry 2) -> [r3 r4] fails (retry 3) -> [r3] fails: exhausted, sent to the queue; [r4], [r5] ok.
    assert.deepEqual(h.calls, [
      names('r', 6),
      names('r', 3),
      names('r', 3, 3),
      ['r3', 'r4'],
      ['r3'],
      ['r4'],
      ['r5'],
    ]);
    assert.equal(m.failures.records.length, 1);
    const f = m.failures.records[0];
    assert.equal(f.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(f.requestContext.approximateInvokeCount, 4);
    assert.match(f.requestContext.functionArn, /:function:bacefook-TestConsumer$/);
    assert.equal(f.responseContext.functionError, 'Unhandled');
    assert.equal(f.version, '1.0');
    assert.deepEqual(
      {
        shardId: f.KinesisBatchInfo.shardId,
        start: f.KinesisBatchInfo.startSequenceNumber,
        end: f.KinesisBatchInfo.endSequenceNumber,
        size: f.KinesisBatchInfo.batchSize,
        arn: f.KinesisBatchInfo.streamArn,
      },
      { shardId: 'shardId-000000000000', start: seqs[3], end: seqs[3], size: 1, arn: s.arn },
    );
    assert.ok(!Number.isNaN(Date.parse(f.KinesisBatchInfo.approximateArrivalOfFirstRecord)));
    // Also on disk, one JSON line per message.
    const lines = readFileSync(failureQueueFile(dataDir), 'utf8').trim().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      [f],
    );
    const st = m.stats();
    assert.equal(st.failures, 1);
    assert.equal(st.failedRecords, 1);
    assert.equal(st.records, 5);
    assert.equal(st.checkpoint, seqs[5]);

    // The shard is not blocked: later records flow.
    await put(s.name, ['after']);
    await m.drain();
    assert.deepEqual(h.calls.at(-1), ['after']);
  });

  it('records older than maxRecordAgeSeconds are never sent to the function: they go to the failure queue', async () => {
    const s = await newStream();
    const seqs = await put(s.name, names('r', 3));
    const h = recorder(() => undefined);
    // The mapping's clock runs two hours ahead: every record is already too old.
    const m = await startMapping({
      streamName: s.name,
      handler: h.handler,
      maxRecordAgeSeconds: 3600,
      now: () => Date.now() + 2 * 3600 * 1000,
    });
    await m.drain();
    assert.deepEqual(h.calls, []);
    assert.equal(m.failures.records.length, 1);
    const f = m.failures.records[0];
    assert.equal(f.requestContext.condition, 'RecordAgeExceeded');
    assert.equal(f.KinesisBatchInfo.startSequenceNumber, seqs[0]);
    assert.equal(f.KinesisBatchInfo.endSequenceNumber, seqs[2]);
    assert.equal(f.KinesisBatchInfo.batchSize, 3);
    assert.equal(m.stats().checkpoint, seqs[2]);
  });

  it('the checkpoint survives a restart of the mapping and of the emulators with a data dir', async () => {
    const dataDir = tempDir();
    // Emulators of their own, persisted under the data dir.
    let own = await startEmulators({ kinesisPort: 0, dynamoPort: 0, dataDir });
    let client = makeKinesisClient({ endpoint: own.endpoints.kinesis });
    try {
      await put(own.streamName, names('a', 5), client);
      const first = recorder(() => undefined);
      const m1 = new KinesisEventSourceMapping({
        kinesis: client,
        streamName: own.streamName,
        handler: first.handler,
        maxBatchingWindowSeconds: 0,
        pollIntervalMs: 20,
        dataDir,
      });
      await m1.start();
      await m1.drain();
      await m1.stop();
      assert.deepEqual(first.calls.flat(), names('a', 5));

      // Restart the mapping only: nothing is delivered twice; new records are.
      await put(own.streamName, names('b', 2), client);
      const second = recorder(() => undefined);
      const m2 = new KinesisEventSourceMapping({
        kinesis: client,
        streamName: own.streamName,
        handler: second.handler,
        maxBatchingWindowSeconds: 0,
        pollIntervalMs: 20,
        dataDir,
      });
      await m2.start();
      await m2.drain();
      await m2.stop();
      assert.deepEqual(second.calls.flat(), names('b', 2));

      // Restart everything: the stream keeps its records (the stream and tables are found, not recreated),
      // and the mapping resumes after its checkpoint.
      client.destroy();
      await own.stop();
      own = await startEmulators({ kinesisPort: 0, dynamoPort: 0, dataDir });
      client = makeKinesisClient({ endpoint: own.endpoints.kinesis });
      await put(own.streamName, ['c0'], client);
      const third = recorder(() => undefined);
      const m3 = new KinesisEventSourceMapping({
        kinesis: client,
        streamName: own.streamName,
        handler: third.handler,
        maxBatchingWindowSeconds: 0,
        pollIntervalMs: 20,
        dataDir,
      });
      await m3.start();
      await m3.drain();
      await m3.stop();
      assert.deepEqual(third.calls.flat(), ['c0']);

      // Without the data dir, a mapping starts at the trim horizon and sees the whole stream.
      const fresh = recorder(() => undefined);
      const m4 = new KinesisEventSourceMapping({
        kinesis: client,
        streamName: own.streamName,
        handler: fresh.handler,
        maxBatchingWindowSeconds: 0,
        pollIntervalMs: 20,
      });
      await m4.start();
      await m4.drain();
      await m4.stop();
      assert.deepEqual(fresh.calls.flat(), [...names('a', 5), ...names('b', 2), 'c0']);
    } finally {
      client.destroy();
      await own.stop();
    }
  });

  it('a full batch does not wait for the batching window', async () => {
    const s = await newStream();
    await put(s.name, names('r', 4));
    const h = recorder(() => undefined);
    // A window far longer than the test's budget: drain() only resolves because the batch is full.
    const m = await startMapping({
      streamName: s.name,
      handler: h.handler,
      batchSize: 4,
      maxBatchingWindowSeconds: 300,
    });
    await m.drain(30_000);
    assert.deepEqual(h.calls, [names('r', 4)]);
  });
});
