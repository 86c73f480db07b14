// The processor against dynalite on streams where producers resent records (the same marked record
// again, anywhere later in the stream) and the event source mapping redelivered, duplicated, retried
// and bisected batches: the committed graph and counters equal those of the same records delivered
// once, `resentRecords` counts every extra copy, and the marks book keeps each producer's highest
// record number.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { generateEvents } from '../../domain/generator';
import { formatMark } from '../../domain/marks';
import type { StreamRecord } from '../../lambdas/processor/batch-processor';
import { PipelineStore } from '../../storage/pipeline-store';
import { ReferenceModel } from '../reference/model';
import { startDynamo, type TestDynamo } from '../support/dynamo';
import {
  committedGraph,
  faultyDoc,
  InjectedCrash,
  modelGraph,
  processor,
  sequenceNumbers,
  toRecords,
} from '../support/pipeline-harness';

const T0 = Date.UTC(2025, 6, 18, 20, 53, 54);

/** The logical records: generator events (registers first) in small records, from two producers. */
function logicalRecords(): { items: unknown[]; records: { data: Uint8Array; partitionKey: string }[] } {
  const items: unknown[] = generateEvents({ users: 30, batches: 3, seed: 9 });
  const counters: Record<string, number> = { pa: 0, pb: 0 };
  const records = toRecords(items, 8).map((r, i) => {
    const producer = i % 3 === 2 ? 'pb' : 'pa';
    return { data: r.data, partitionKey: formatMark(producer, ++counters[producer]) };
  });
  return { items, records };
}

/** The stream as stored: each entry gets the next sequence number and a later arrival. */
function asStream(entries: { data: Uint8Array; partitionKey: string }[]): StreamRecord[] {
  const seqs = sequenceNumbers(entries.length);
  return entries.map((e, i) => ({ ...e, sequenceNumber: seqs[i], arrivalMs: T0 + i * 250 }));
}

describe('processor on dynalite, producer resends', () => {
  let db: TestDynamo;
  before(async () => {
    db = await startDynamo();
  });
  after(async () => {
    await db.stop();
  });

  it('any interleaving of resends, redeliveries, retries and replays leaves the single-delivery state (fast-check)', async () => {
    const { items, records } = logicalRecords();
    const expected = modelGraph(ReferenceModel.fromItems(items));
    assert.ok(expected.users_count > 0);
    const highest = { pa: 0, pb: 0 } as Record<string, number>;
    for (const r of records) {
      const [, producer, n] = r.partitionKey.split('.');
      highest[producer] = Math.max(highest[producer], Number(n));
    }

    const copy = fc.record({ of: fc.nat(), later: fc.nat({ max: 8 }) });
    const delivery = fc.record({
      size: fc.integer({ min: 1, max: 6 }),
      /** before this batch, a redelivery of the stretch starting this many records back */
      replayBack: fc.option(fc.integer({ min: 1, max: 10 }), { freq: 3 }),
      duplicate: fc.boolean(),
      crashAt: fc.option(fc.nat(10), { freq: 2 }),
      bisect: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(copy, { maxLength: 12 }),
        fc.array(delivery, { minLength: 1, maxLength: 8 }),
        async (copies, deliveries) => {
          // Each resend lands after its record's first copy, `later` places on (a zombie attempt may
          // land after the producer's next records).
          const slots = records.map((r, i) => ({ r, key: i * 100 }));
          copies.forEach((c, j) => {
            const i = c.of % records.length;
            slots.push({ r: records[i], key: Math.min(i + c.later, records.length - 1) * 100 + 1 + j });
          });
          slots.sort((a, b) => a.key - b.key);
          const stream = asStream(slots.map((s) => s.r));

          const tables = await db.freshTables();
          let next = 0;
          for (let d = 0; next < stream.length; d++) {
            const plan = deliveries[d % deliveries.length];
            const batch = stream.slice(next, next + plan.size);
            if (plan.replayBack !== null && next > 0) {
              // The mapping restarted from an older position: a stretch already committed comes again.
              const from = Math.max(0, next - plan.replayBack);
              await processor(db.doc, tables).process(stream.slice(from, next + 1));
            }
            if (plan.crashAt !== null) {
              const faulty = faultyDoc(db.doc, plan.crashAt);
              try {
                await processor(faulty.doc, tables).process(batch);
              } catch (err) {
                assert.ok(err instanceof InjectedCrash, String(err));
              }
              faulty.heal();
            }
            // The retry (or the first delivery), whole or bisected, and maybe delivered twice.
            const p = processor(db.doc, tables);
            if (plan.bisect && batch.length > 1) {
              const mid = Math.ceil(batch.length / 2);
              await p.process(batch.slice(0, mid));
              await p.process(batch.slice(mid));
            } else await p.process(batch);
            if (plan.duplicate) await processor(db.doc, tables).process(batch);
            next += plan.size;
          }

          assert.deepEqual(await committedGraph(db.doc, tables), expected);
          const state = await new PipelineStore(db.doc, tables).readState();
          assert.equal(state.resentRecords, copies.length, 'every extra copy counted once');
          assert.deepEqual(
            Object.fromEntries(Object.entries(state.marks).map(([id, [n]]) => [id, n])),
            highest,
          );
          assert.equal(state.lastSequenceNumber, stream[stream.length - 1].sequenceNumber);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('a batch of resends only commits their count and moves the checkpoint past them', async () => {
    const { records } = logicalRecords();
    const stream = asStream([records[0], records[1], records[0], records[1], records[0]]);
    const tables = await db.freshTables();
    await processor(db.doc, tables).process(stream.slice(0, 2));
    const s = await processor(db.doc, tables).process(stream.slice(2));
    assert.equal(s.resent, 3);
    assert.equal(s.tally.applied + s.tally.noop + s.tally.rejected, 0);
    assert.equal(s.itemWrites, 1, 'only the state item');
    const state = await new PipelineStore(db.doc, tables).readState();
    assert.equal(state.resentRecords, 3);
    assert.equal(state.lastSequenceNumber, stream[4].sequenceNumber);
    // Delivered again: behind the checkpoint now, so a replay, not three more resends.
    const again = await processor(db.doc, tables).process(stream.slice(2));
    assert.equal(again.resent, 0);
    assert.equal(again.skippedRecords + again.skippedEvents > 0, true);
    assert.equal((await new PipelineStore(db.doc, tables).readState()).resentRecords, 3);
  });
});
