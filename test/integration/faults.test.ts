// The pipeline under injected faults, end to end on the embedded default: producer -> kinesalite ->
// the local event source mapping -> the real processor handler -> dynalite, with the runtime's fault
// switch (local/faults.ts) between them. After each kind of fault the stream drains, and the whole
// stored graph, the counters, /meta/pipeline and a set of API answers must equal the reference model
// built from the records in the stream. Faults accumulate on one stream, so every check covers every
// earlier scenario too; the last one replays the whole stream from TRIM_HORIZON into fresh tables.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MixedGenerator } from '../../domain/family-generator';
import type { FaultPlan, FaultStats } from '../../local/faults';
import type { LocalRuntime } from '../../local/runtime';
import { makeDynamoClient, makeKinesisClient } from '../../storage/clients';
import { PipelineStore } from '../../storage/pipeline-store';
import { StreamProducer } from '../../stream/producer';
import { dirty, garbageRecords, pack } from '../support/fault-streams';
import { lossyKinesis } from '../support/lossy-kinesis';
import { scanAll } from '../support/pipeline-harness';
import { pipelineAfterCommit, startTestRuntime } from '../support/runtime';
import { assertMatchesModel, expectedFrom, failedRecords, streamRecords } from '../support/runtime-check';

let rt: LocalRuntime;
let doc: DynamoDBDocumentClient;
let kinesis: KinesisClient;
let producer: StreamProducer;
// Every family in one stream: the sums of the marketplace and the posts must survive every fault as the
// graph does.
const gen = new MixedGenerator({
  users: 50,
  seed: 6,
  families: ['social', 'marketplace', 'posts'],
  posts: { ratio: 0.1 },
});
let seed = 100;

/** Sends `batches` generator batches with dirt, in records of at most `perRecord` items. */
async function sendGenerated(batches: number, perRecord = 12): Promise<number> {
  const events: unknown[] = [];
  for (let i = 0; i < batches; i++) events.push(...gen.nextBatch());
  const items = dirty(events, seed++);
  const records = pack(items, perRecord);
  await producer.sendRecords(records);
  return records.length;
}

/**
 * Runs `send` with `plan` on and drains, again (at most 6 times) until `until` holds for what was
 * injected (faults are drawn at random: this makes "it happened" certain without a long stream), then
 * switches the faults off and checks everything against the model.
 */
async function underFaults(
  plan: FaultPlan,
  send: () => Promise<unknown>,
  label: string,
  until: (s: FaultStats) => boolean = () => true,
) {
  rt.faults.set(plan);
  for (let round = 0; round < 6; round++) {
    await send();
    await rt.drain(120_000);
    if (until(rt.faults.stats())) break;
  }
  const injected = rt.faults.stats();
  assert.ok(until(injected), `${label}: ${JSON.stringify(injected)}`);
  rt.faults.set(null);
  const records = await streamRecords(rt);
  await assertMatchesModel(rt, doc, expectedFrom(records, failedRecords(rt, records)), label);
  return injected;
}

async function resentRecords(): Promise<number> {
  return (await new PipelineStore(doc, rt.tables).readState()).resentRecords;
}

before(async () => {
  rt = await startTestRuntime({
    mapping: {
      batchSize: 4,
      maxBatchingWindowSeconds: 0,
      pollIntervalMs: 10,
      retryBaseMs: 2,
      retryMaxMs: 20,
    },
  });
  doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
  producer = new StreamProducer(kinesis, rt.streamName);
});

after(async () => {
  doc?.destroy();
  kinesis?.destroy();
  await rt?.stop();
});

describe('the pipeline under injected faults (embedded runtime, reference model)', () => {
  it('DynamoDB throttling, 500s, lost replies and unprocessed items at a chosen rate lose and repeat nothing', async () => {
    await underFaults(
      { throttle: 0.015, error: 0.05, lost: 0.05, unprocessed: 0.3, seed: 1 },
      () => sendGenerated(3),
      'throttling',
      (s) => s.throttled > 0 && s.errors > 0 && s.lostReplies > 0 && s.unprocessed > 0,
    );
    assert.equal(rt.failures().length, 0, 'the SDK and batch-io absorb all of it: no batch given up');
  });

  it('the SDK giving up mid-batch fails the invocation while its other writes are still in flight', async () => {
    const before = rt.stats().eventSourceMapping.retries;
    await underFaults(
      { giveup: 0.04, unprocessed: 0.2, seed: 2 },
      () => sendGenerated(2),
      'give up',
      (s) => s.gaveUp > 0,
    );
    assert.ok(rt.stats().eventSourceMapping.retries > before, 'the mapping retried the failed batches');
    assert.equal(rt.failures().length, 0);
  });

  it('a crash between two writes of a batch, retried whole or bisected, lands every event once', async () => {
    const before = rt.stats().eventSourceMapping.retries;
    await underFaults(
      { crash: 0.35, crashMaxWrites: 10, seed: 3 },
      () => sendGenerated(2),
      'crash',
      (s) => s.crashes >= 3,
    );
    assert.ok(rt.stats().eventSourceMapping.retries > before);
    assert.equal(rt.failures().length, 0);
  });

  it('a processor timeout (killed mid-batch at a random moment) lands every event once', async () => {
    await underFaults(
      { timeout: 0.4, timeoutMaxMs: 40, seed: 4 },
      () => sendGenerated(2),
      'timeout',
      (s) => s.timeouts >= 2,
    );
    assert.equal(rt.failures().length, 0);
  });

  it('records delivered twice, redelivered across the checkpoint, and resent by the producer apply once', async () => {
    const resentBefore = await resentRecords();
    let lostReplies = 0;
    await underFaults(
      { duplicate: 0.4, redeliver: 0.4, seed: 5 },
      async () => {
        const events: unknown[] = [];
        for (let i = 0; i < 2; i++) events.push(...gen.nextBatch());
        const records = pack(dirty(events, seed++), 12);
        // An unmarked resend (a third party's, or a client that repacks): the same bytes at a new
        // position, with a new mark; its events apply again (as noops and rejections the model counts).
        const again = records.flatMap((r, i) => (i % 5 === 2 ? [r, r] : [r]));
        await producer.sendRecords(again);
        // Marked resends: every third PutRecords reply is lost, so the producer puts that record again
        // with the same mark, and the processor skips the second copy.
        const lossy = new StreamProducer(
          lossyKinesis(kinesis, (n) => {
            const lose = n % 3 === 1;
            if (lose) lostReplies++;
            return lose;
          }),
          rt.streamName,
          { sleep: async () => undefined },
        );
        await lossy.sendRecords(pack(dirty(gen.nextBatch(), seed++), 12));
      },
      'duplicates',
      (s) => s.duplicates > 0 && s.redeliveries > 0,
    );
    assert.ok(lostReplies > 0);
    assert.equal(await resentRecords(), resentBefore + lostReplies, 'each marked resend skipped once');
    assert.equal(rt.failures().length, 0);
  });

  it('garbage bytes, truncated and oversized compressed records are rejected as malformed and never block the shard', async () => {
    // Past the state cache: the test before committed moments ago.
    const before = await pipelineAfterCommit<{ rejectedByReason: { malformed: number } }>(rt);
    let malformed = 0;
    await underFaults(
      { crash: 0.3, unprocessed: 0.2, seed: 6 },
      async () => {
        const events: unknown[] = [];
        for (let i = 0; i < 3; i++) events.push(...gen.nextBatch());
        const good = pack(events, 12);
        const garbage = garbageRecords(seed++, events.slice(0, 30), true);
        // An NDJSON record with one line that is not JSON, and one that is JSON but no event.
        const ndjson = Buffer.from(
          `${JSON.stringify(events[0])}\n{"type":"addfriend",\n42\n${JSON.stringify(events[1])}\n`,
        );
        malformed = garbage.length + 2;
        const mixed: Buffer[] = [];
        good.forEach((r, i) => {
          mixed.push(r);
          if (i < garbage.length) mixed.push(garbage[i]);
        });
        mixed.push(ndjson);
        await producer.sendRecords(mixed);
      },
      'garbage',
    );
    const after = await pipelineAfterCommit<typeof before>(rt);
    assert.equal(after.rejectedByReason.malformed - before.rejectedByReason.malformed, malformed);
    assert.equal(rt.failures().length, 0, 'no record of it went to the failure queue');
  });

  it('a record that fails every time is bisected down to itself, reaches the on-failure queue with enough to find it again, and nothing else is lost', async () => {
    const poisonMark = 'poison-pill';
    let poisonSeq = '';
    await underFaults(
      {
        poison: (r) => Buffer.from(r.kinesis.data, 'base64').includes(poisonMark),
        throttle: 0.02,
        seed: 7,
      },
      async () => {
        const events: unknown[] = [];
        for (let i = 0; i < 3; i++) events.push(...gen.nextBatch());
        const records = pack(dirty(events, seed++), 10);
        const poison = Buffer.from(
          JSON.stringify([{ type: 'register', name: poisonMark, created_at: '20250718T205354320Z' }]),
        );
        const mid = Math.floor(records.length / 2);
        await producer.sendRecords(records.slice(0, mid));
        poisonSeq = (await producer.sendRecords([poison])).lastSequenceNumber ?? '';
        await producer.sendRecords(records.slice(mid));
      },
      'poison',
      (s) => s.poisoned > 1,
    );
    const failures = rt.failures();
    assert.equal(failures.length, 1, JSON.stringify(failures));
    const f = failures[0];
    assert.equal(f.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(f.responseContext.functionError, 'Unhandled');
    assert.deepEqual(
      {
        start: f.KinesisBatchInfo.startSequenceNumber,
        end: f.KinesisBatchInfo.endSequenceNumber,
        size: f.KinesisBatchInfo.batchSize,
      },
      { start: poisonSeq, end: poisonSeq, size: 1 },
      'bisected down to the one record',
    );
    // Enough to find it again: the shard and the sequence number read back exactly that record.
    const it = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: rt.streamName,
        ShardId: f.KinesisBatchInfo.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: f.KinesisBatchInfo.startSequenceNumber,
      }),
    );
    const again = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator, Limit: 1 }));
    assert.ok(Buffer.from(again.Records?.[0]?.Data ?? []).includes(poisonMark));
    assert.equal((await fetch(`${rt.apiUrl}/users/${poisonMark}`)).status, 404, 'its event was not applied');
  });

  it('the whole stream replayed from TRIM_HORIZON, into the same tables and then into fresh ones, under every fault, gives the same answers', async () => {
    const poisonMark = 'poison-pill';
    const plan: FaultPlan = {
      throttle: 0.005,
      error: 0.02,
      lost: 0.02,
      unprocessed: 0.1,
      giveup: 0.01,
      crash: 0.1,
      timeout: 0.1,
      timeoutMaxMs: 80,
      duplicate: 0.1,
      redeliver: 0.1,
      poison: (r) => Buffer.from(r.kinesis.data, 'base64').includes(poisonMark),
      seed: 8,
    };
    const graphBefore = await scanAll(doc, rt.tables.graph);
    // Into the same tables: every record is at or before the checkpoint, nothing changes.
    await underFaults(plan, () => rt.replay(), 'replay into the same tables');
    assert.deepEqual(await scanAll(doc, rt.tables.graph), graphBefore);
    // Into fresh tables: the same graph again, from nothing.
    await underFaults(
      plan,
      () => rt.replay({ freshTables: true }),
      'replay into fresh tables',
      (s) => s.invocations > 10,
    );
  });
});
