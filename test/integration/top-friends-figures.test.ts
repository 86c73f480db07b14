// Top friends from the reader's figure index (lambdas/api/figure-index.ts) against the reference
// model, at every stage the index can be in: built from journals alone (no snapshot yet), followed
// across batches, started cold from the total block, followed past later snapshots, with a pending
// batch's journal in the store (ignored until committed) and under concurrent first requests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventGenerator } from '../../domain/generator';
import { packRecords } from '../../domain/record-encoding';
import { Reader } from '../../lambdas/api/reader';
import { BatchProcessor } from '../../lambdas/processor/batch-processor';
import { SnapshotBuilder } from '../../lambdas/snapshot/snapshot-builder';
import { rankFriends, type TopFriend } from '../../queries/user';
import { batchWrite } from '../../storage/batch-io';
import { makeDynamoReadClient } from '../../storage/clients';
import { PipelineStore } from '../../storage/pipeline-store';
import { ReadStore } from '../../storage/read-store';
import { friendsOf } from '../../storage/user-item';
import { UserReads } from '../../storage/user-reads';
import { ReferenceModel } from '../reference/model';
import { startDynamo, type TestDynamo } from '../support/dynamo';

const START = Date.UTC(2025, 6, 18, 20, 53, 54, 320);
const STEP = 7_000;

let dyn: TestDynamo;
let tables: { graph: string; history: string; meta: string };
let processor: BatchProcessor;
let builder: SnapshotBuilder;
const items: unknown[] = [];
let nextSeq = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
const gen = new EventGenerator({ users: 25, seed: 23, startMs: START, stepMs: STEP });

let readClient: DynamoDBClient;

/**
 * A reader as tests of the read logic build it ('store': every read through the store) or as the
 * Lambdas do ('coalesced': users and the checkpoint read together through UserReads).
 */
type ReaderKind = 'store' | 'coalesced';
function newReader(kind: ReaderKind = 'store'): Reader {
  return new Reader(new ReadStore(dyn.doc, tables), {
    stateTtlMs: 0,
    userReads: kind === 'coalesced' ? new UserReads(readClient, tables.graph, tables.meta) : undefined,
  });
}

/** Fresh readers of both kinds. */
const newReaders = (): Reader[] => [newReader('store'), newReader('coalesced')];

/** Processes the events as the mapping would: records of 30 events, batches of 2 records. */
async function feed(events: unknown[]): Promise<void> {
  const records: { sequenceNumber: string; data: Buffer }[] = [];
  for (let i = 0; i < events.length; i += 30) {
    const group = events.slice(i, i + 30);
    nextSeq += 11n;
    records.push({
      sequenceNumber: nextSeq.toString(),
      data: packRecords(group, { maxEventsPerRecord: 30 })[0],
    });
    items.push(...group);
  }
  for (let i = 0; i < records.length; i += 2) await processor.process(records.slice(i, i + 2));
}

/** What the route answers (lambdas/api/user-top-friends.ts), from this reader. */
async function topFriendsOf(r: Reader, name: string, limit: number): Promise<TopFriend[]> {
  const [user, figures] = await Promise.all([r.requireUser(name), r.figures()]);
  const friends = friendsOf(user).map(([f]) => {
    const x = figures(f);
    return { name: f, networkStrength: x.strength, referralPoints: x.points };
  });
  return rankFriends(friends, limit);
}

async function assertMatches(readers: Reader[], label: string): Promise<void> {
  const model = ReferenceModel.fromItems(items);
  let withFriends = 0;
  for (const name of model.names()) {
    const want = model.topFriends(name, 100);
    if ((want?.length ?? 0) > 0) withFriends++;
    for (const [i, r] of readers.entries()) {
      assert.deepEqual(await topFriendsOf(r, name, 100), want, `${label}, reader ${i}: ${name}`);
    }
  }
  assert.ok(withFriends >= 10, `${label}: most users have friends`);
}

before(async () => {
  dyn = await startDynamo();
  tables = dyn.tables;
  readClient = makeDynamoReadClient({ endpoint: dyn.endpoint });
  processor = new BatchProcessor({ doc: dyn.doc, tables });
  builder = new SnapshotBuilder({ doc: dyn.doc, tables });
});

after(async () => {
  readClient?.destroy();
  await dyn?.stop();
});

describe('top friends from the figure index (dynalite, real processor and snapshot job)', () => {
  // Long-lived readers (one of each kind) that follow the pipeline from the first batch on.
  const following = (() => {
    let r: Reader[] | null = null;
    return () => {
      r ??= newReaders();
      return r;
    };
  })();

  it('before any snapshot: from the journals alone, followed batch by batch', async () => {
    for (let b = 0; b < 3; b++) {
      await feed(gen.nextBatch());
      await assertMatches([...following(), ...newReaders()], `no snapshot, batch ${b}`);
    }
  });

  it("ignores a pending batch's journal until a checkpoint covers it", async () => {
    const pipeline = new PipelineStore(dyn.doc, tables);
    const state = await pipeline.readState();
    const model = ReferenceModel.fromItems(items);
    const someone = model.names()[0];
    // A batch after the checkpoint that wrote its journal and never committed (abandoned, or still
    // writing): its deltas would put `someone` far ahead of everybody.
    const first = (nextSeq + 5n).toString();
    const journal = {
      first,
      last: (nextSeq + 6n).toString(),
      sets: { social: [START, someone, 1_000, 1_000] },
    };
    assert.ok(journal.last > state.checkpoint);
    await batchWrite(dyn.doc, tables.history, pipeline.journalWrites(journal));
    await assertMatches([...following(), ...newReaders()], 'pending journal');
    // The processor removes an abandoned batch's records before the retry writes its own.
    await pipeline.deleteBatchRecords({
      first,
      last: journal.last,
      journalChunks: 1,
      rejectionChunks: 0,
      redoChunks: 0,
      next: { ...state },
    });
  });

  it('after a snapshot: a cold reader starts from the total block, a warm one keeps following', async () => {
    await builder.runUntilCaughtUp();
    await assertMatches([...following(), ...newReaders()], 'after the first snapshot');
  });

  it('after more batches (unfriends, growth) and more snapshots', async () => {
    const coldAfterSnapshot = newReaders();
    for (const r of coldAfterSnapshot) await topFriendsOf(r, ReferenceModel.fromItems(items).names()[0], 3);
    for (let b = 0; b < 4; b++) {
      await feed(gen.nextBatch());
      await assertMatches(
        [...following(), ...coldAfterSnapshot, ...newReaders()],
        `batch ${b} after a snapshot`,
      );
      if (b === 1) await builder.runUntilCaughtUp();
    }
  });

  it('concurrent first requests share one build and agree', async () => {
    for (const r of newReaders()) {
      const model = ReferenceModel.fromItems(items);
      const names = model.names().slice(0, 20);
      const answers = await Promise.all(names.map((n) => topFriendsOf(r, n, 100)));
      names.forEach((n, i) => {
        assert.deepEqual(answers[i], model.topFriends(n, 100), n);
      });
    }
  });
});
