// Exactly once from the producer, on the embedded default: a PutRecords call that is stored but whose
// reply is lost makes the ordered producer send the record again, so the stream holds it twice under
// two sequence numbers. Both copies carry the same mark, and the real processor handler (behind the
// local event source mapping) folds it once and counts the other in `resentRecords`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseMark } from '../../domain/marks';
import type { LocalRuntime } from '../../local/runtime';
import { makeDynamoClient, makeKinesisClient } from '../../storage/clients';
import { PipelineStore } from '../../storage/pipeline-store';
import { StreamProducer } from '../../stream/producer';
import { lossyKinesis } from '../support/lossy-kinesis';
import { startTestRuntime } from '../support/runtime';
import { assertMatchesModel, expectedFrom, streamRecords } from '../support/runtime-check';

const at = '20250718T205354320Z';
const registers = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ type: 'register', name: `buyer${from + i}`, created_at: at }));

describe('producer resends on the embedded default (real handlers, kinesalite, dynalite)', () => {
  let rt: LocalRuntime;
  let doc: DynamoDBDocumentClient;
  let kinesis: KinesisClient;
  before(async () => {
    rt = await startTestRuntime({
      mapping: { batchSize: 3, maxBatchingWindowSeconds: 0, pollIntervalMs: 10 },
    });
    doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
    kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
  });
  after(async () => {
    doc?.destroy();
    kinesis?.destroy();
    await rt?.stop();
  });

  it('a record resent after a lost PutRecords reply is counted once (resentRecords = 1)', async () => {
    // Four records of distinct registers; the reply to the second put is lost, so it is sent again.
    const producer = new StreamProducer(
      lossyKinesis(kinesis, (n) => n === 2),
      rt.streamName,
      {
        maxEventsPerRecord: 5,
        sleep: async () => undefined,
      },
    );
    const sent = await producer.send(registers(0, 20));
    assert.equal(sent.records, 4);
    await rt.drain();

    const records = await streamRecords(rt);
    const keys = records.map((r) => r.partitionKey);
    assert.equal(records.length, 5, 'the stream holds the resent record twice');
    assert.equal(keys[1], keys[2], 'both copies carry the same mark');
    assert.deepEqual(
      keys.map((k) => parseMark(k)?.n),
      [1, 2, 2, 3, 4],
    );
    assert.ok(Buffer.from(records[1].data).equals(Buffer.from(records[2].data)));

    const state = await new PipelineStore(doc, rt.tables).readState();
    const p = { ...state.tally, resentRecords: state.resentRecords };
    // Twenty registers applied once each: a second fold of the record would have rejected five of them
    // as duplicate_register.
    assert.deepEqual(
      { applied: p.applied, rejected: p.rejected, resentRecords: p.resentRecords },
      {
        applied: 20,
        rejected: 0,
        resentRecords: 1,
      },
    );
    const expected = expectedFrom(records);
    assert.equal(expected.resentRecords, 1);
    await assertMatchesModel(rt, doc, expected, 'a resent record');
  });

  it('unmarked records (a third party) are folded as they come, and a redelivery changes nothing', async () => {
    const plain = new StreamProducer(
      lossyKinesis(kinesis, (n) => n === 1),
      rt.streamName,
      {
        partitionKey: 'third-party',
        sleep: async () => undefined,
      },
    );
    await plain.send(registers(100, 3));
    await rt.drain();
    const records = await streamRecords(rt);
    const state = await new PipelineStore(doc, rt.tables).readState();
    const p = { ...state.tally, resentRecords: state.resentRecords };
    // Its resend cannot be told from a new record: its three registers come again, as duplicates.
    assert.equal(p.rejectedByReason.duplicate_register, 3);
    assert.equal(p.resentRecords, 1);
    await assertMatchesModel(rt, doc, expectedFrom(records), 'an unmarked resend');

    // The whole stream again from the trim horizon: at or before the checkpoint, nothing moves.
    await rt.replay();
    await rt.drain();
    await assertMatchesModel(rt, doc, expectedFrom(records), 'a replay');
  });
});
