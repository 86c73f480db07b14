// The producer against a real kinesalite in this process: what it puts is what a consumer reads back,
// event for event, in order, for every compression, with records up to the size limit.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
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
import { execute, type Io } from '../../scripts/cli-args';
import { GENERATE_USAGE, generateMain } from '../../scripts/generate';
import { PRODUCE_USAGE, produceMain } from '../../scripts/produce';
import { makeKinesisClient } from '../../storage/clients';
import { type ProducerProgress, StreamProducer } from '../../stream/producer';

let server: Server;
let kinesis: KinesisClient;
let endpoint: string;
let streams = 0;

/** Captures a script's output, with the given environment. */
function capture(env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: {
      write: (s: string | Uint8Array) => {
        out += String(s);
        return true;
      },
    },
    stderr: {
      write: (s: string | Uint8Array) => {
        err += String(s);
        return true;
      },
      isTTY: false,
    },
    env,
  };
  return { io, out: () => out, err: () => err };
}

const run = promisify(execFile);
/** Runs one of the scripts the way npm does (tsx), without blocking this process's kinesalite. */
function script(name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, ['--import', 'tsx', join('scripts', name), ...args], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
}

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
    endpoint = `http://127.0.0.1:${port}`;
    kinesis = makeKinesisClient({ endpoint, region: 'us-east-1' });
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

  test('CLI: generate a file, produce it (JSON array and NDJSON), read the same events back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bacefook-produce-'));
    try {
      const json = join(dir, 'events.json');
      const ndjson = join(dir, 'events.ndjson');
      const common = ['--users', '60', '--batches', '4', '--seed', '5'];
      const g1 = capture();
      assert.equal(
        await execute('generate', GENERATE_USAGE, generateMain, [...common, '--out', json], g1.io),
        0,
      );
      const g2 = capture();
      const ndArgs = [...common, '--out', ndjson, '--format', 'ndjson'];
      assert.equal(await execute('generate', GENERATE_USAGE, generateMain, ndArgs, g2.io), 0);
      assert.match(g1.out(), /generated [\d,]+ events \(\d+ users, 4 batches, seed 5\)/);
      const events = JSON.parse(await readFile(json, 'utf8'));
      assert.deepEqual(events, generateEvents({ users: 60, batches: 4, seed: 5 }));
      const lines = (await readFile(ndjson, 'utf8')).trim().split('\n');
      assert.deepEqual(
        lines.map((l) => JSON.parse(l)),
        events,
      );

      const stream = await createStream();
      // Local target, endpoint and stream from the environment, as the embedded runtime sets them.
      // This one runs as npm does (its own process), proving the entry point; the rest run in-process.
      const env = { BACEFOOK_KINESIS_ENDPOINT: endpoint, STREAM_NAME: stream };
      const p1 = await script('produce.ts', ['--file', json], env);
      assert.match(
        p1.stdout,
        new RegExp(`sent ${events.length.toLocaleString('en-US')} events in \\d+ records`),
      );
      assert.match(p1.stderr, /100\.0%/);
      const p2 = capture({ BACEFOOK_KINESIS_ENDPOINT: 'http://127.0.0.1:1' });
      const args = ['--file', ndjson, '--stream', stream, '--endpoint', endpoint, '--compression', 'gzip'];
      assert.equal(await execute('produce', PRODUCE_USAGE, produceMain, args, p2.io), 0, p2.err());
      assert.deepEqual(decodeAll(await readAll(stream)), [...events, ...events]);

      // Clear errors: a missing file, content that is not events, a stream that does not exist, usage.
      const fail = async (argv: string[], code = 1) => {
        const c = capture(env);
        assert.equal(await execute('produce', PRODUCE_USAGE, produceMain, argv, c.io), code);
        return c.err();
      };
      assert.match(await fail(['--file', join(dir, 'nope.json')]), /^produce: no such file: /);
      const junk = join(dir, 'junk.txt');
      await writeFile(junk, 'hello\n');
      assert.match(await fail(['--file', junk]), /neither a JSON array nor NDJSON/);
      const broken = join(dir, 'broken.ndjson');
      await writeFile(broken, '{"type":"register"}\n{oops\n');
      assert.match(await fail(['--file', broken]), /broken\.ndjson line 2 is not JSON: \{oops/);
      assert.match(await fail(['--file', json, '--stream', 'nope']), /stream nope at .* does not exist/);
      assert.match(await fail(['--file', json, '--endpoint', 'http://127.0.0.1:1']), /cannot reach Kinesis/);
      // No stream for AWS: a usage error before any network call (no STREAM_NAME in this environment).
      const aws = capture({});
      const awsArgs = ['--file', json, '--target', 'aws'];
      assert.equal(await execute('produce', PRODUCE_USAGE, produceMain, awsArgs, aws.io), 2);
      assert.match(aws.err(), /--target aws needs --stream NAME or \$STREAM_NAME/);
      assert.match(await fail(['--file', json, '--target', 'mars'], 2), /--target must be one of local, aws/);
      assert.match(await fail(['--users', 'x'], 2), /Unknown option '--users'/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('CLI: an event too large is named by its index in the file; --skip resumes the send', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bacefook-produce-'));
    try {
      // Past the first slice of 200,000 events, so a slice-relative index would be wrong.
      const n = 200_010;
      const big = 200_004;
      const events: unknown[] = Array.from({ length: n }, (_, i) => ({ i }));
      // Random text compresses to no less than ~1.5 MB: more than a record holds.
      events[big] = { i: big, pad: randomBytes(1_500_000).toString('base64') };
      const file = join(dir, 'events.ndjson');
      await writeFile(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
      const stream = await createStream();
      const env = { BACEFOOK_KINESIS_ENDPOINT: endpoint, STREAM_NAME: stream };

      const c1 = capture(env);
      assert.equal(await execute('produce', PRODUCE_USAGE, produceMain, ['--file', file], c1.io), 1);
      assert.match(
        c1.err(),
        /event 200,004 of .*events\.ndjson \(counting from 0\) alone takes [\d,]+ bytes/,
      );
      assert.match(c1.err(), /200,000 events of this run are in the stream; resume with --skip 200000\b/);
      assert.deepEqual(decodeAll(await readAll(stream)), events.slice(0, 200_000));

      // The event fixed, the send resumed where it stopped: every event once, in order.
      events[big] = { i: big, pad: 'short now' };
      await writeFile(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
      const c2 = capture(env);
      const resume = ['--file', file, '--skip', '200000'];
      assert.equal(await execute('produce', PRODUCE_USAGE, produceMain, resume, c2.io), 0, c2.err());
      assert.match(c2.out(), /sent 10 events/);
      assert.deepEqual(decodeAll(await readAll(stream)), events);

      // The same from a JSON array.
      const array = join(dir, 'events.json');
      await writeFile(array, JSON.stringify(events));
      const stream2 = await createStream();
      const c3 = capture({ BACEFOOK_KINESIS_ENDPOINT: endpoint, STREAM_NAME: stream2 });
      const skipArgs = ['--file', array, '--skip', '199990'];
      assert.equal(await execute('produce', PRODUCE_USAGE, produceMain, skipArgs, c3.io), 0, c3.err());
      assert.deepEqual(decodeAll(await readAll(stream2)), events.slice(199_990));
      const bad = capture(env);
      assert.equal(
        await execute('produce', PRODUCE_USAGE, produceMain, ['--file', file, '--skip', '-1'], bad.io),
        2,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
