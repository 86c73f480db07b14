// The snapshot builder and the leaderboard reader as a pair, against brute force: synthetic journals
// whose buckets cross minute, hour and day edges (so open blocks get sealed and materialized), late
// deltas, runs that stop at arbitrary commit points or at the work cap, and crashes between the
// block writes and the cursor update. After every run, every ranged leaderboard equals the sum of the
// deltas of the journals the snapshot state says it consumed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { position } from '../../domain/position';
import { BUCKET_MS } from '../../domain/time';
import { Reader } from '../../lambdas/api/reader';
import { SnapshotBuilder } from '../../lambdas/snapshot/snapshot-builder';
import { rankValues } from '../../queries/leaderboard';
import { answeredRange } from '../../queries/range';
import { batchWrite } from '../../storage/batch-io';
import { emptyPipelineState, PipelineStore } from '../../storage/pipeline-store';
import { ReadStore } from '../../storage/read-store';
import { SnapshotStore } from '../../storage/snapshot-store';
import { startDynamo, type TestDynamo } from '../support/dynamo';

/** 23:58:00 UTC: a few minutes before a day (and hour) edge. */
const BASE = Date.UTC(2025, 6, 18, 23, 58, 0);
const NAMES = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay'];

interface J {
  first: string;
  deltas: [number, string, number, number][];
}

const deltaArb = (now: number) =>
  fc.tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: -2, max: 0 }).map((k) => now + k * BUCKET_MS) },
      // late: anywhere in the last two hours
      { weight: 1, arbitrary: fc.integer({ min: -1_440, max: 0 }).map((k) => now + k * BUCKET_MS) },
    ),
    fc.constantFrom(...NAMES),
    fc.integer({ min: -2, max: 3 }),
    fc.integer({ min: 0, max: 2 }),
  );

/** Journals whose "now" walks forward across the day edge in uneven steps. */
const journalsArb = fc
  .array(fc.integer({ min: 0, max: 30 }), { minLength: 3, maxLength: 12 })
  .chain((steps) => {
    let now = BASE;
    const nows = steps.map((s) => {
      now += s * BUCKET_MS;
      return now;
    });
    return fc.tuple(...nows.map((n) => fc.array(deltaArb(n), { minLength: 1, maxLength: 6 })));
  })
  .map((lists) =>
    lists.map(
      (deltas, i): J => ({
        first: position(String(1_000 + i), 0),
        deltas: deltas as [number, string, number, number][],
      }),
    ),
  );

const planArb = fc.array(
  fc.record({ commitUpTo: fc.nat(12), maxDeltas: fc.constantFrom(1, 5, 1_000), crash: fc.boolean() }),
  { minLength: 1, maxLength: 6 },
);

const rangeArb = fc.record(
  {
    from: fc.integer({ min: -2 * 3_600_000, max: 6 * 60_000 }).map((d) => BASE + d),
    to: fc.integer({ min: -3_600_000, max: 8 * 60_000 }).map((d) => BASE + d),
  },
  { requiredKeys: ['to'] },
);

let dyn: TestDynamo;
before(async () => {
  dyn = await startDynamo();
});
after(async () => {
  await dyn?.stop();
});

describe('rollups vs brute force', () => {
  it('every ranged leaderboard equals the consumed deltas, through runs, caps, seals and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(
        journalsArb,
        planArb,
        fc.array(rangeArb, { minLength: 4, maxLength: 8 }),
        async (journals, plan, ranges) => {
          const tables = await dyn.freshTables();
          const pipeline = new PipelineStore(dyn.doc, tables);
          const snapshots = new SnapshotStore(dyn.doc, tables.meta);
          for (const j of journals) {
            await batchWrite(
              dyn.doc,
              tables.history,
              pipeline.journalWrites({ first: j.first, last: j.first, touched: [], deltas: j.deltas.flat() }),
            );
          }
          const reader = new Reader(new ReadStore(dyn.doc, tables), { stateTtlMs: 0 });
          let committed = 0;
          for (const step of [...plan, { commitUpTo: journals.length, maxDeltas: 1_000, crash: false }]) {
            committed = Math.min(journals.length, Math.max(committed, step.commitUpTo));
            if (committed > 0) {
              await pipeline.writeState({
                ...emptyPipelineState(),
                checkpoint: journals[committed - 1].first,
              });
            }
            const builder = new SnapshotBuilder(
              { doc: dyn.doc, tables },
              { maxDeltas: step.maxDeltas, chunkBytes: 48 },
            );
            const before = await snapshots.read();
            const run = await builder.run();
            if (step.crash) {
              // The blocks were written but the cursor did not move: the next run must redo it exactly.
              await snapshots.write(before, run.state.cursor);
              await builder.run();
            }
            const state = await snapshots.read();
            const consumed = journals.filter((j) => j.first <= state.cursor);
            for (const r of ranges) {
              const range = answeredRange(r.from, r.to, r.to);
              if (range === null) continue;
              for (const metric of ['network-strength', 'referral-points'] as const) {
                const sums = new Map<string, number>();
                for (const j of consumed) {
                  for (const [b, name, s, p] of j.deltas) {
                    if ((range.from === null || b >= range.from) && b < range.to) {
                      sums.set(name, (sums.get(name) ?? 0) + (metric === 'network-strength' ? s : p));
                    }
                  }
                }
                const got = await reader.leaderboard(metric, range, 1_000);
                assert.deepEqual(got.items, rankValues(sums, 1_000), `${metric} ${JSON.stringify(range)}`);
              }
            }
          }
          const final = await snapshots.read();
          assert.equal(final.cursor, journals[journals.length - 1].first);
          const buckets = new Set(journals.flatMap((j) => j.deltas.map((d) => d[0])));
          assert.equal(final.buckets[BUCKET_MS], buckets.size, 'each 5-second block counted once');
          assert.equal(final.earliest, Math.min(...buckets));
          assert.equal(final.latest, Math.max(...buckets));
        },
      ),
      { numRuns: 12 },
    );
  });
});
