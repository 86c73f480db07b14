// The fault switch on its own (local/faults.ts): the spec parser, the DynamoDB middleware on a real
// client against dynalite (inert outside an invocation; SDK and batch-io retries absorb what they
// should; a dead invocation sends nothing), and the invocation wrapper (duplicates, redeliveries,
// timeouts, poison).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { formatFaultPlan, InjectedCrash, installFaults, parseFaultSpec } from '../../local/faults';
import { batchGet, batchWrite } from '../../storage/batch-io';
import { makeDynamoClient } from '../../storage/clients';
import { startDynamo, type TestDynamo } from '../support/dynamo';

const faults = installFaults();
const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

function record(seq: number): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'k',
      sequenceNumber: String(seq),
      data: Buffer.from(`[${seq}]`).toString('base64'),
      approximateArrivalTimestamp: 0,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shard:${seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: '',
    awsRegion: 'us-east-1',
    eventSourceARN: '',
  };
}
const event = (...seqs: number[]): KinesisStreamEvent => ({ Records: seqs.map(record) });
const seqsOf = (e: KinesisStreamEvent) => e.Records.map((r) => Number(r.kinesis.sequenceNumber));

describe('fault spec', () => {
  it('parses rates and integers, and round-trips through formatFaultPlan', () => {
    const plan = parseFaultSpec(' throttle=0.05, crash=1,timeoutMaxMs=30,seed=7,');
    assert.deepEqual(plan, { throttle: 0.05, crash: 1, timeoutMaxMs: 30, seed: 7 });
    assert.deepEqual(parseFaultSpec(formatFaultPlan(plan)), plan);
    assert.deepEqual(parseFaultSpec(''), {});
  });

  it('refuses unknown names, rates outside 0..1 and non-integers, naming the part', () => {
    assert.throws(() => parseFaultSpec('throttel=0.1'), /unknown fault 'throttel'/);
    assert.throws(() => parseFaultSpec('crash=1.5'), /'crash' must be a rate from 0 to 1/);
    assert.throws(() => parseFaultSpec('error=abc'), /'error'/);
    assert.throws(() => parseFaultSpec('duplicate'), /'duplicate'/);
    assert.throws(() => parseFaultSpec('seed=1.5'), /'seed' must be a non-negative integer/);
  });
});

describe('fault switch on a DynamoDB client (dynalite)', () => {
  let db: TestDynamo;
  let doc: ReturnType<typeof makeDynamoClient>;
  before(async () => {
    db = await startDynamo();
    doc = makeDynamoClient({ endpoint: db.endpoint });
  });
  after(async () => {
    faults.set(null);
    doc.destroy();
    await db.stop();
  });

  const put = (sk: string) =>
    doc.send(new PutCommand({ TableName: db.tables.meta, Item: { pk: 'faults', sk, v: 1 } }));
  const read = async (sk: string) =>
    (await doc.send(new GetCommand({ TableName: db.tables.meta, Key: { pk: 'faults', sk } }))).Item;
  /** Runs `fn` as a processor invocation through the switch. */
  const invoke = (fn: () => Promise<unknown>) => faults.wrapKinesis(async () => fn())(event(1), context);

  it('is inert outside a processor invocation, whatever the plan', async () => {
    faults.set({ throttle: 1, error: 1, giveup: 1, crash: 1 });
    await put('outside');
    assert.ok(await read('outside'));
    assert.equal(faults.stats().throttled + faults.stats().errors + faults.stats().gaveUp, 0);
  });

  it('500s and lost replies per attempt are retried by the SDK; unprocessed items by batch-io', async () => {
    // Rates low enough that one call failing all 8 of the SDK's attempts is negligible (0.28^8, about
    // 4e-5 per call; at 0.3 + 0.3 it was 0.51^8, which some run of the dozens of calls here would hit),
    // yet high enough that each fault shows up in every run.
    // Which calls draw a fault depends on timing, so a round may see no lost reply at all: rounds go
    // on (each checked) until every kind has shown up, and at most 8 are run.
    faults.set({ error: 0.15, lost: 0.15, unprocessed: 1, seed: 3 });
    for (let round = 0; round < 8; round++) {
      const items = Array.from({ length: 60 }, (_, i) => ({
        pk: 'bulk',
        sk: `${round}-${String(i).padStart(3, '0')}`,
      }));
      await invoke(async () => {
        await batchWrite(
          doc,
          db.tables.meta,
          items.map((Item) => ({ PutRequest: { Item } })),
        );
        const got = await batchGet(doc, db.tables.meta, items);
        assert.equal(got.length, items.length);
      });
      const s = faults.stats();
      if (s.errors > 0 && s.lostReplies > 0 && s.unprocessed > 0) break;
    }
    const s = faults.stats();
    assert.ok(s.errors > 0 && s.lostReplies > 0 && s.unprocessed > 0, JSON.stringify(s));
  });

  it('giveup reaches the caller as the SDK error it would be after its last attempt', async () => {
    faults.set({ giveup: 1 });
    await assert.rejects(
      invoke(() => put('given-up')),
      (e: Error) => e.name === 'ProvisionedThroughputExceededException',
    );
    assert.equal(await read('given-up'), undefined);
  });

  it('a crash fails the write after crashMaxWrites and every later call of that invocation only', async () => {
    faults.set({ crash: 1, crashMaxWrites: 0 });
    let later: unknown;
    await assert.rejects(
      invoke(async () => {
        try {
          await put('crashed');
        } finally {
          later = await read('anything').catch((e: unknown) => e);
        }
      }),
      InjectedCrash,
    );
    assert.ok(later instanceof InjectedCrash, 'a dead process reads nothing either');
    faults.set(null);
    assert.equal(await read('crashed'), undefined);
    assert.equal(faults.stats().crashes, 0, 'counters restart with a new plan');
  });

  it('a timeout kills the invocation: it answers "Task timed out" and its later writes never land', async () => {
    faults.set({ timeout: 1, timeoutMaxMs: 0 });
    const handler = faults.wrapKinesis(async (_e, ctx) => {
      await new Promise((r) => setTimeout(r, 30));
      assert.ok(ctx.getRemainingTimeInMillis() === 0);
      await put('after-timeout');
    });
    await assert.rejects(handler(event(1), context), /Task timed out/);
    await new Promise((r) => setTimeout(r, 60));
    faults.set(null);
    assert.equal(await read('after-timeout'), undefined);
  });
});

describe('fault switch around the processor handler', () => {
  it('duplicate delivers a successful batch again; a failed one is not repeated', async () => {
    faults.set({ duplicate: 1 });
    const calls: number[][] = [];
    const ok = faults.wrapKinesis(async (e) => {
      calls.push(seqsOf(e));
      return { batchItemFailures: [] };
    });
    await ok(event(1, 2), context);
    assert.deepEqual(calls, [
      [1, 2],
      [1, 2],
    ]);
    const failing = faults.wrapKinesis(async (e) => {
      calls.push(seqsOf(e));
      throw new Error('no');
    });
    calls.length = 0;
    await assert.rejects(failing(event(3), context));
    assert.deepEqual(calls, [[3]]);
  });

  it('redeliver first replays records of earlier batches and a prefix of this one, in stream order', async () => {
    faults.set({ redeliver: 1, seed: 5 });
    const calls: number[][] = [];
    const h = faults.wrapKinesis(async (e) => {
      calls.push(seqsOf(e));
    });
    await h(event(1, 2, 3), context);
    await h(event(4, 5), context);
    assert.deepEqual(calls[0], [1, 2, 3], 'nothing to redeliver before the first batch');
    const replay = calls[1];
    assert.ok(replay.length >= 1 && replay[0] <= 3, JSON.stringify(calls));
    assert.deepEqual(
      replay,
      [...replay].sort((a, b) => a - b),
    );
    assert.deepEqual(calls.at(-1), [4, 5]);
    assert.equal(faults.stats().redeliveries, 1);
  });

  it('poison: an invocation holding the record crashes at its first write, every time', async () => {
    faults.set({ poison: (r) => r.kinesis.sequenceNumber === '7' });
    let writes = 0;
    const h = faults.wrapKinesis(async () => {
      writes++;
    });
    await h(event(6), context);
    await h(event(6, 7), context); // no write attempted: nothing to crash on
    assert.equal(faults.stats().poisoned, 1);
    assert.equal(writes, 2);
  });
});
