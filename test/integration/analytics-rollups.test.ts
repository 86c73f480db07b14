// The snapshot builder and the leaderboard reader as a pair, against brute force: synthetic journals
// whose buckets cross minute, hour and day edges (so open blocks get sealed and materialized), late
// deltas, runs that stop at arbitrary commit points or at the work cap, crashes between the block
// writes and the cursor update, and crashes after any number of writes (name dictionary items, block
// chunks, heads). After every completed run, every ranged leaderboard equals the sum of the deltas of
// every committed journal (the rollups hold those the snapshot state says it consumed, the reader's
// journal tail the rest), from a reader that has followed every run and from a cold one; ranges include
// the edges of the data, where the total block answers or must not; and the total block itself holds
// exactly the consumed deltas and their span of buckets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { position } from '../../domain/position';
import { BUCKET_MS } from '../../domain/time';
import { Reader } from '../../lambdas/api/reader';
import { SnapshotBuilder } from '../../lambdas/snapshot/snapshot-builder';
import { rankValues } from '../../queries/leaderboard';
import { answeredRange } from '../../queries/range';
import { batchWrite } from '../../storage/batch-io';
import { emptyPipelineState, PipelineStore } from '../../storage/pipeline-store';
import { provisionTables } from '../../storage/provision';
import { ReadStore } from '../../storage/read-store';
import { RollupStore, totalPk } from '../../storage/rollup-store';

const TOTAL_PK = totalPk('social');

import { SnapshotStore } from '../../storage/snapshot-store';
import { startDynamo, type TestDynamo } from '../support/dynamo';

/** 23:58:00 UTC: a few minutes before a day (and hour) edge. */
const BASE = Date.UTC(2025, 6, 18, 23, 58, 0);
const DAY = 86_400_000;
const NAMES = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'é\n"x', 'a-name-longer-than-one-dictionary-chunk'];

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
  fc.record({
    commitUpTo: fc.nat(12),
    maxDeltas: fc.constantFrom(1, 5, 1_000),
    // beforeCursor: every write made, the cursor not moved; afterWrites: the process dies after n writes.
    crash: fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.constant({ kind: 'beforeCursor' as const }),
      fc.record({ kind: fc.constant('afterWrites' as const), writes: fc.integer({ min: 0, max: 60 }) }),
    ),
  }),
  { minLength: 1, maxLength: 6 },
);

/** A client whose writes all fail once `writesLeft` of them have been made (null: never). */
function crashable(doc: DynamoDBDocumentClient) {
  const ctl = { writesLeft: null as number | null };
  const client = new Proxy(doc, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        if (
          ctl.writesLeft !== null &&
          (command instanceof PutCommand || command instanceof BatchWriteCommand)
        ) {
          if (ctl.writesLeft === 0) return Promise.reject(new Error('crashed'));
          ctl.writesLeft--;
        }
        return target.send(command);
      };
    },
  });
  return { client, ctl };
}

/** Brute force: each name's sum of `metric` over the deltas of `journals` inside `range`. */
function bruteSums(journals: J[], range: { from: number | null; to: number }, metric: string) {
  const sums = new Map<string, number>();
  for (const j of journals) {
    for (const [b, name, s, p] of j.deltas) {
      if ((range.from === null || b >= range.from) && b < range.to) {
        sums.set(name, (sums.get(name) ?? 0) + (metric === 'network-strength' ? s : p));
      }
    }
  }
  return sums;
}

const METRICS = ['network-strength', 'referral-points'] as const;

/** Every user id in every stored rollup block has a name in the dictionary. */
async function assertIdsNamed(history: string): Promise<void> {
  const pks: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await dyn.doc.send(new ScanCommand({ TableName: history, ExclusiveStartKey: start }));
    for (const it of res.Items ?? []) {
      if ((it.pk as string).startsWith('rollup2#') && it.sk === 'h') pks.push(it.pk as string);
    }
    start = res.LastEvaluatedKey;
  } while (start !== undefined);
  const rollups = new RollupStore(dyn.doc, history);
  const named = (await rollups.readNames(0)).length;
  for (const [pk, b] of await rollups.readBlocks(pks)) {
    for (const id of b.data.ids) assert.ok(id < named, `${pk} holds id ${id}; the dictionary has ${named}`);
  }
}

const rangeArb = fc.record(
  {
    from: fc.integer({ min: -2 * 3_600_000, max: 6 * 60_000 }).map((d) => BASE + d),
    to: fc.integer({ min: -3_600_000, max: 8 * 60_000 }).map((d) => BASE + d),
  },
  { requiredKeys: ['to'] },
);

/** The `first` of every journal still stored, in order. */
async function storedJournals(history: string): Promise<string[]> {
  const firsts = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const res = await dyn.doc.send(
      new QueryCommand({
        TableName: history,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'journal' },
        ExclusiveStartKey: start,
      }),
    );
    for (const it of res.Items ?? []) firsts.add(it.first as string);
    start = res.LastEvaluatedKey;
  } while (start !== undefined);
  return [...firsts];
}

let dyn: TestDynamo;
before(async () => {
  dyn = await startDynamo();
});
after(async () => {
  await dyn?.stop();
});

describe('rollups vs brute force', () => {
  it('every ranged leaderboard equals the committed deltas (rollups + journal tail), through runs, caps, seals and crashes', async () => {
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
              pipeline.journalWrites({ first: j.first, last: j.first, sets: { social: j.deltas.flat() } }),
            );
          }
          const reader = new Reader(new ReadStore(dyn.doc, tables), { stateTtlMs: 0 });
          const rollups = new RollupStore(dyn.doc, tables.history);
          const { client, ctl } = crashable(dyn.doc);
          // Builders live across steps (their name dictionary cache with them), one per work cap.
          const builders = new Map<number, SnapshotBuilder>();
          let committed = 0;
          const last = { commitUpTo: journals.length, maxDeltas: 1_000, crash: { kind: 'none' as const } };
          for (const step of [...plan, last]) {
            committed = Math.min(journals.length, Math.max(committed, step.commitUpTo));
            if (committed > 0) {
              await pipeline.writeState({
                ...emptyPipelineState(),
                checkpoint: journals[committed - 1].first,
              });
            }
            let builder = builders.get(step.maxDeltas);
            if (builder === undefined) {
              builder = new SnapshotBuilder(
                { doc: client, tables },
                // Two writes at a time: a crash can fall between any two blocks' writes.
                { maxDeltas: step.maxDeltas, chunkBytes: 48, concurrency: 2 },
              );
              builders.set(step.maxDeltas, builder);
            }
            const before = await snapshots.read();
            if (step.crash.kind === 'afterWrites') {
              ctl.writesLeft = step.crash.writes;
              await builder.run().catch((err: Error) => assert.equal(err.message, 'crashed'));
              ctl.writesLeft = null;
              // Between the crash and the restart every id a stored block holds is in the dictionary.
              await assertIdsNamed(tables.history);
              // Restarted: the same run again (same journals, same cap) must finish it exactly.
              await builder.run();
            } else {
              const run = await builder.run();
              if (step.crash.kind === 'beforeCursor') {
                // The blocks were written but the cursor did not move: the next run must redo it exactly.
                await snapshots.write(before, run.state.cursor);
                if (before.earliest !== null && before.latest !== null) {
                  // Meanwhile the total block is a run ahead of the state: for the span the state knows,
                  // it may hold buckets outside it (where the tiling blocks, all rewritten by the run, do not).
                  // The journal tail after the state's cursor adds what the blocks do not hold yet, each
                  // block's own `upTo` saying which: every committed journal counts once.
                  const range = { from: before.earliest, to: before.latest + BUCKET_MS };
                  const cold = new Reader(new ReadStore(dyn.doc, tables), { stateTtlMs: 0 });
                  for (const metric of METRICS) {
                    const got = await cold.leaderboard(metric, range, 1_000);
                    assert.deepEqual(
                      got.items,
                      rankValues(bruteSums(journals.slice(0, committed), range, metric), 1_000),
                      'state behind',
                    );
                  }
                }
                await builder.run();
              }
            }
            const state = await snapshots.read();
            const consumed = journals.filter((j) => j.first <= state.cursor);

            // Journals go once folded, a run later: every one after the cursor is still there (folded or
            // not), none at or before trimmedTo is, and trimmedTo never passes the cursor.
            assert.ok(state.trimmedTo <= state.cursor, 'trimmedTo <= cursor');
            assert.deepEqual(
              await storedJournals(tables.history),
              journals.filter((j) => j.first > state.trimmedTo).map((j) => j.first),
              'stored journals',
            );

            // The total block: exactly the consumed deltas, and the span of their buckets.
            const total = (await rollups.readBlocks([TOTAL_PK])).get(TOTAL_PK);
            const buckets = consumed.flatMap((j) => j.deltas.map((d) => d[0]));
            if (buckets.length === 0) assert.equal(total, undefined);
            else {
              assert.ok(total !== undefined);
              assert.equal(total.head.lo, Math.min(...buckets));
              assert.equal(total.head.hi, Math.max(...buckets));
              const names = await rollups.readNames(0);
              assert.equal(new Set(names).size, names.length, 'a name has one id');
              const all = { from: null, to: Number.POSITIVE_INFINITY };
              for (const [i, metric] of METRICS.entries()) {
                const got = new Map<string, number>();
                const values = total.data.cols[i];
                total.data.ids.forEach((id, k) => {
                  if (values[k] !== 0) got.set(names[id], values[k]);
                });
                const want = [...bruteSums(consumed, all, metric)].filter(([, v]) => v !== 0);
                assert.deepEqual(got, new Map(want), `total block, ${metric}`);
              }
            }

            // Ranges at the edges of the data: where the total block answers, and just where it must not.
            const edges: { from?: number; to: number }[] = [];
            if (state.earliest !== null && state.latest !== null) {
              const [lo, end] = [state.earliest, state.latest + BUCKET_MS];
              edges.push(
                { to: end + 3_600_000 },
                { to: end },
                { from: lo, to: end },
                { from: lo - 1, to: end - BUCKET_MS + 1 },
                { from: lo + BUCKET_MS, to: end },
                { to: end - BUCKET_MS },
                { from: lo - DAY, to: end - 1 },
              );
            }
            const cold = new Reader(new ReadStore(dyn.doc, tables), { stateTtlMs: 0 });
            // The rollups hold the consumed journals; the journal tail the committed ones after them.
            const committedJournals = journals.slice(0, committed);
            for (const [k, r] of [...ranges, ...edges].entries()) {
              const range = answeredRange(r.from, r.to, r.to);
              if (range === null) continue;
              for (const metric of METRICS) {
                const want = rankValues(bruteSums(committedJournals, range, metric), 1_000);
                const got = await reader.leaderboard(metric, range, 1_000);
                assert.deepEqual(got.items, want, `${metric} ${JSON.stringify(range)}`);
                if (k % 3 === 0 || k >= ranges.length) {
                  const fresh = await cold.leaderboard(metric, range, 1_000);
                  assert.deepEqual(fresh.items, want, `cold ${metric} ${JSON.stringify(range)}`);
                }
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

describe('rollups rebuilt from nothing', () => {
  it('give names new ids; a snapshot builder and a reader that knew the old dictionary follow', async () => {
    const tables = await dyn.freshTables();
    const base = new DynamoDBClient({
      endpoint: dyn.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const builder = new SnapshotBuilder({ doc: dyn.doc, tables });
    const reader = new Reader(new ReadStore(dyn.doc, tables), { stateTtlMs: 0 });
    const range = { from: null, to: BASE + DAY };
    const pass = async (journals: J[]) => {
      const pipeline = new PipelineStore(dyn.doc, tables);
      for (const j of journals) {
        await batchWrite(
          dyn.doc,
          tables.history,
          pipeline.journalWrites({ first: j.first, last: j.first, sets: { social: j.deltas.flat() } }),
        );
      }
      await pipeline.writeState({ ...emptyPipelineState(), checkpoint: journals[journals.length - 1].first });
      await builder.run();
      for (const metric of METRICS) {
        const got = await reader.leaderboard(metric, range, 100);
        assert.deepEqual(got.items, rankValues(bruteSums(journals, range, metric), 100), metric);
      }
    };
    try {
      await pass([
        { first: position('1000', 0), deltas: [[BASE, 'ann', 3, 1]] },
        { first: position('1001', 0), deltas: [[BASE + BUCKET_MS, 'bob', 2, 0]] },
      ]);
      // The local runtime's replay with fresh tables: everything deleted and created again.
      for (const t of Object.values(tables)) await base.send(new DeleteTableCommand({ TableName: t }));
      await provisionTables(base, (d) =>
        d.id === 'GraphTable' ? tables.graph : d.id === 'HistoryTable' ? tables.history : tables.meta,
      );
      // The same positions, other names first: bob gets id 0 this time.
      await pass([
        { first: position('1000', 0), deltas: [[BASE, 'bob', 1, 2]] },
        {
          first: position('1001', 0),
          deltas: [
            [BASE + BUCKET_MS, 'cat', 5, 0],
            [BASE, 'ann', 1, 0],
          ],
        },
      ]);
    } finally {
      base.destroy();
    }
  });
});
