import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  KinesisClient,
  ProvisionedThroughputExceededException,
  PutRecordsCommand,
  type PutRecordsCommandInput,
  type PutRecordsCommandOutput,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { parseMark } from '../../domain/marks';
import { packRecords } from '../../domain/record-encoding';
import { decodeRecord } from '../../domain/records';
import { MarkLanes, RecordMarks } from '../../stream/marks';
import { isRetryable, ProducerError, type ProducerProgress, StreamProducer } from '../../stream/producer';

const kinesis = new KinesisClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const mock = mockClient(kinesis);

type Reply = 'ok' | 'throttled-entry' | 'internal-entry' | Error;

/** Scripts the replies of successive PutRecords calls (then 'ok'), and records every call's payload. */
function script(replies: Reply[]) {
  const calls: { data: Buffer; key: string; stream: string; entries: number }[] = [];
  let seq = 0;
  mock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput): PutRecordsCommandOutput => {
    const entry = input.Records?.[0];
    calls.push({
      data: Buffer.from(entry?.Data ?? new Uint8Array()),
      key: entry?.PartitionKey ?? '',
      stream: input.StreamName ?? '',
      entries: input.Records?.length ?? 0,
    });
    const reply = replies.shift() ?? 'ok';
    if (reply instanceof Error) throw reply;
    const $metadata = {};
    if (reply === 'ok') {
      seq++;
      return {
        $metadata,
        FailedRecordCount: 0,
        Records: [{ SequenceNumber: String(seq), ShardId: 'shardId-0' }],
      };
    }
    const ErrorCode =
      reply === 'throttled-entry' ? 'ProvisionedThroughputExceededException' : 'InternalFailure';
    return {
      $metadata,
      FailedRecordCount: 1,
      Records: [{ ErrorCode, ErrorMessage: 'Rate exceeded for shard' }],
    };
  });
  return calls;
}

function throttled(): Error {
  return new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
}

const events = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    type: 'register',
    name: `user${String(from + i + 1).padStart(5, '0')}`,
    created_at: '20250718T205354320Z',
  }));

/** A producer whose sleeps are recorded, not waited. */
function producer(extra: ConstructorParameters<typeof StreamProducer>[2] = {}) {
  const sleeps: number[] = [];
  const progress: ProducerProgress[] = [];
  const p = new StreamProducer(kinesis, 'bacefook-events', {
    compression: 'none',
    maxRecordBytes: 600,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    onProgress: (x) => progress.push(x),
    ...extra,
  });
  return { p, sleeps, progress };
}

describe('StreamProducer (mocked Kinesis)', () => {
  beforeEach(() => mock.reset());
  afterEach(() => mock.reset());

  test('packs, then puts one record per call, in order, with progress', async () => {
    const calls = script([]);
    const { p, sleeps, progress } = producer();
    const input = events(40);
    const result = await p.send(input);
    assert.ok(calls.length > 3, `${calls.length} records`);
    assert.ok(calls.every((c) => c.entries === 1 && c.stream === 'bacefook-events'));
    // Every record is marked: one producer id, numbered 1, 2, 3... in the order sent.
    const marks = calls.map((c) => parseMark(c.key));
    assert.ok(marks.every((m) => m !== null && m.producer === p.marks?.producerId));
    assert.deepEqual(
      marks.map((m) => m?.n),
      calls.map((_, i) => i + 1),
    );
    assert.deepEqual(
      calls.flatMap((c) => decodeRecord(c.data)),
      input,
    );
    assert.equal(result.events, 40);
    assert.equal(result.records, calls.length);
    assert.equal(
      result.bytes,
      calls.reduce((a, c) => a + c.data.length, 0),
    );
    assert.equal(result.lastSequenceNumber, String(calls.length));
    assert.deepEqual(sleeps, []);
    assert.equal(progress.length, calls.length);
    assert.deepEqual(progress.at(-1), { events: 40, records: calls.length, bytes: result.bytes });
    assert.ok(progress.every((x, i) => i === 0 || x.events > progress[i - 1].events));
  });

  test('a throttled entry is retried, with backoff, before anything after it', async () => {
    // Call 1 (record 0) ok; calls 2–3 (record 1) throttled entry, then internal failure; call 4 ok…
    const calls = script(['ok', 'throttled-entry', 'internal-entry']);
    const { p, sleeps } = producer();
    const records = packRecords(events(30), { compression: 'none', maxRecordBytes: 600 });
    assert.ok(records.length >= 3);
    const result = await p.sendRecords(records);
    const sent = calls.map((c) => records.findIndex((r) => r.equals(c.data)));
    assert.deepEqual(sent, [0, 1, 1, 1, ...records.slice(2).map((_, i) => i + 2)]);
    // A retry is the same record: the same mark, so the processor can tell a stored retry is a resend.
    assert.deepEqual(
      calls.map((c) => parseMark(c.key)?.n),
      [1, 2, 2, 2, ...records.slice(2).map((_, i) => i + 3)],
    );
    assert.equal(result.records, records.length);
    // Exponential: 100 ms then 200 ms ceilings, with equal jitter at random() = 0.5.
    assert.deepEqual(sleeps, [75, 150]);
  });

  test('a thrown throttling error is retried too; the stored stream stays in order', async () => {
    const calls = script([throttled(), 'ok', throttled(), throttled()]);
    const { p, sleeps } = producer();
    const input = events(25);
    await p.send(input);
    const stored = calls.filter((_, i) => ![0, 2, 3].includes(i));
    assert.deepEqual(
      stored.flatMap((c) => decodeRecord(c.data)),
      input,
    );
    assert.equal(sleeps.length, 3);
    assert.ok(calls[0].data.equals(calls[1].data));
    assert.ok(calls[2].data.equals(calls[4].data));
  });

  test('gives up after maxRetries with a clear error and sends nothing after the failed record', async () => {
    const calls = script(['ok', ...Array<Reply>(10).fill('throttled-entry')]);
    const { p, sleeps } = producer({ maxRetries: 3 });
    const records = packRecords(events(30), { compression: 'none', maxRecordBytes: 600 });
    await assert.rejects(p.sendRecords(records), (err: unknown) => {
      assert.ok(err instanceof ProducerError);
      assert.equal(err.reason, 'gave_up');
      assert.equal(err.recordIndex, 1);
      assert.equal(err.sent.records, 1);
      assert.match(
        err.message,
        /gave up on record 1 after 4 attempts \(ProvisionedThroughputExceededException/,
      );
      return true;
    });
    assert.equal(calls.length, 5, 'record 0 once, record 1 four times, nothing else');
    assert.ok(calls.slice(1).every((c) => c.data.equals(records[1])));
    assert.equal(sleeps.length, 3);
  });

  test('a non-retryable error stops at once', async () => {
    const calls = script([
      new ResourceNotFoundException({ message: 'Stream nope not found', $metadata: {} }),
    ]);
    const { p, sleeps } = producer();
    await assert.rejects(
      p.send(events(5)),
      /record 0 into stream bacefook-events failed: ResourceNotFoundException/,
    );
    assert.equal(calls.length, 1);
    assert.deepEqual(sleeps, []);
  });

  test('the backoff doubles up to maxDelayMs and keeps its jitter within [ceiling/2, ceiling)', async () => {
    script(Array<Reply>(8).fill(throttled()));
    const sleeps: number[] = [];
    const p = new StreamProducer(kinesis, 's', {
      baseDelayMs: 10,
      maxDelayMs: 200,
      maxRetries: 8,
      random: () => 0.999,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await p.send(events(1));
    const ceilings = [10, 20, 40, 80, 160, 200, 200, 200];
    assert.equal(sleeps.length, ceilings.length);
    for (let i = 0; i < sleeps.length; i++) {
      assert.ok(sleeps[i] >= ceilings[i] / 2 && sleeps[i] < ceilings[i], `${sleeps[i]} vs ${ceilings[i]}`);
    }
  });

  test('concurrent sends are queued, never interleaved', async () => {
    const calls = script([throttled(), throttled()]);
    const { p } = producer();
    const a = events(20, 0);
    const b = events(20, 100);
    await Promise.all([p.send(a), p.send(b)]);
    const stored = calls.slice(2).flatMap((c) => decodeRecord(c.data));
    assert.deepEqual(stored, [...a, ...b]);
    assert.deepEqual(p.sent.events, 40);
  });

  test('a record given up on keeps its number; the next record gets the next one', async () => {
    const calls = script(['ok', 'throttled-entry', 'throttled-entry']);
    const { p } = producer({ maxRetries: 1 });
    const records = packRecords(events(30), { compression: 'none', maxRecordBytes: 600 });
    await assert.rejects(p.sendRecords(records), ProducerError);
    await p.sendRecords(records.slice(1, 2));
    assert.deepEqual(
      calls.map((c) => parseMark(c.key)?.n),
      [1, 2, 2, 3],
    );
  });

  test('a shared RecordMarks continues its numbers; partitionKey puts records unmarked', async () => {
    const calls = script([]);
    const marks = new RecordMarks('gen-abc', 41);
    await producer({ marks }).p.send(events(1));
    await producer({ marks }).p.send(events(1));
    assert.equal(marks.next, 43);
    await producer({ partitionKey: 'plain' }).p.send(events(1));
    assert.deepEqual(
      calls.map((c) => c.key),
      ['bfk1.gen-abc.41', 'bfk1.gen-abc.42', 'plain'],
    );
    assert.throws(() => producer({ marks, partitionKey: 'x' }), RangeError);
    assert.throws(() => new RecordMarks('has.dot'), RangeError);
  });

  test('MarkLanes: sends side by side never share an id; a freed lane is reused', async () => {
    const lanes = new MarkLanes('api');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const seen: string[] = [];
    const a = lanes.with(async (m) => {
      seen.push(m.take());
      await gate;
      seen.push(m.take());
    });
    const b = lanes.with(async (m) => {
      seen.push(m.take());
    });
    await b;
    release();
    await a;
    await lanes.with(async (m) => {
      seen.push(m.take());
    });
    assert.deepEqual(seen, ['bfk1.api-0.1', 'bfk1.api-1.1', 'bfk1.api-0.2', 'bfk1.api-0.3']);
    assert.equal(lanes.lanes, 2);
  });

  test('a failed send does not block the next one', async () => {
    script([new ResourceNotFoundException({ message: 'gone', $metadata: {} })]);
    const { p } = producer();
    await assert.rejects(p.send(events(3)));
    const r = await p.send(events(3));
    assert.equal(r.events, 3);
  });

  test('records too large for Kinesis are refused before any call', async () => {
    const calls = script([]);
    const { p } = producer();
    await assert.rejects(p.sendRecords([Buffer.alloc(1_048_576)]), (err: unknown) => {
      assert.ok(err instanceof ProducerError && err.reason === 'too_large');
      assert.match(err.message, /exceeds the Kinesis limit/);
      return true;
    });
    assert.equal(calls.length, 0);
    assert.throws(() => new StreamProducer(kinesis, 's', { maxRecordBytes: 1_048_576 }), RangeError);
  });

  test('isRetryable: throttling, 5xx, 429 and socket errors; not validation or missing streams', () => {
    assert.ok(isRetryable(throttled()));
    assert.ok(isRetryable({ name: 'Whatever', $metadata: { httpStatusCode: 503 } }));
    assert.ok(isRetryable({ name: 'Whatever', $metadata: { httpStatusCode: 429 } }));
    assert.ok(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    assert.ok(!isRetryable(new ResourceNotFoundException({ message: 'x', $metadata: {} })));
    assert.ok(!isRetryable({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } }));
    assert.ok(!isRetryable('boom'));
  });
});
