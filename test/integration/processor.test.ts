// The processor against a real dynalite: the whole stored graph equals the reference model's, on a
// generated stream with dirt mixed in; replays change nothing; a crash between any two writes of a
// batch, followed by a retry (whole or bisected), still lands every event exactly once in effect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { generateMixedEvents } from '../../domain/family-generator';
import { generateEvents } from '../../domain/generator';
import { productName } from '../../domain/marketplace/fold';
import { decodeRecord } from '../../domain/records';
import { BatchProcessor, type StreamRecord } from '../../lambdas/processor/batch-processor';
import { type ProductItem, toProductState } from '../../storage/marketplace/items';
import { headEntries } from '../../storage/posts/items';
import { MarketplaceModel } from '../reference/marketplace-model';
import { ReferenceModel } from '../reference/model';
import { startDynamo, type TestDynamo } from '../support/dynamo';
import { dirty } from '../support/fault-streams';
import {
  batches,
  committedGraph,
  faultyDoc,
  InjectedCrash,
  modelGraph,
  processor,
  scanAll,
  sequenceNumbers,
  type Tables,
  toRecords,
} from '../support/pipeline-harness';

function dirtyStream(seed: number, users = 60, nBatches = 5): unknown[] {
  const clean: unknown[] = generateEvents({ users, batches: nBatches, seed });
  const out: unknown[] = [];
  // Sprinkle dirt: duplicates, unknown users, self relations, cycles, malformed items, late events.
  clean.forEach((e, i) => {
    out.push(e);
    if (i % 97 === 0) out.push(e); // a producer resend: a duplicate at a new position
    if (i % 131 === 0)
      out.push({
        type: 'addfriend',
        user1_name: 'ghost',
        user2_name: 'user00001',
        created_at: '20250718T205400000Z',
      });
    if (i % 173 === 0)
      out.push({
        type: 'unfriend',
        user1_name: 'user00002',
        user2_name: 'user00002',
        created_at: '20250718T205400000Z',
      });
    if (i % 199 === 0) out.push({ type: 'register', name: 42, created_at: 'yesterday' });
    if (i % 211 === 0) out.push('not an event');
  });
  out.push({
    type: 'referral',
    referredBy: 'user00003',
    user: 'user00001',
    created_at: '2025-07-18T20:53:00Z',
  });
  out.push({
    type: 'referral',
    referredBy: 'user00001',
    user: 'user00003',
    created_at: '2025-07-18T20:53:00+02:00',
  });
  // A late batch: created_at an hour before the stream began.
  out.push({
    type: 'addfriend',
    user1_name: 'user00004',
    user2_name: 'user00005',
    created_at: '20250718T195354320Z',
  });
  out.push({
    type: 'unfriend',
    user1_name: 'user00004',
    user2_name: 'user00005',
    created_at: '20250718T195359999Z',
  });
  return out;
}

describe('processor on dynalite', () => {
  let db: TestDynamo;
  before(async () => {
    db = await startDynamo();
  });
  after(async () => {
    await db.stop();
  });

  it('stores exactly the reference graph and counters for a dirty generated stream', async () => {
    const items = dirtyStream(1);
    const records = toRecords(items);
    const tables = await db.freshTables();
    const p = processor(db.doc, tables);
    for (const batch of batches(records, 4)) await p.process(batch);
    const model = ReferenceModel.fromItems(items);
    assert.ok(model.totals().rejected > 0 && model.totals().noop > 0, 'the stream is dirty');
    assert.deepEqual(await committedGraph(db.doc, tables), modelGraph(model));
  });

  it('garbage records and bad NDJSON lines are rejected as malformed, never block the batch', async () => {
    const tables = await db.freshTables();
    const p = processor(db.doc, tables);
    const good = [
      { type: 'register', name: 'ann', created_at: '20250101T000000Z' },
      { type: 'register', name: 'bob', created_at: '20250101T000000Z' },
    ];
    const seqs = sequenceNumbers(4);
    const records = [
      { sequenceNumber: seqs[0], data: Buffer.from(JSON.stringify(good)) },
      { sequenceNumber: seqs[1], data: Buffer.from([0x00, 0xff, 0x13, 0x37, 0x42]) },
      {
        sequenceNumber: seqs[2],
        data: Buffer.from(
          '{"type":"addfriend","user1_name":"ann","user2_name":"bob","created_at":"20250101T000001Z"}\n{oops\n',
        ),
      },
      { sequenceNumber: seqs[3], data: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]) }, // truncated gzip
    ];
    const s = await p.process(records);
    assert.equal(s.tally.applied, 3);
    assert.equal(s.tally.rejectedByReason.malformed, 3);
    const all = records.flatMap((r) => decodeRecord(r.data));
    assert.deepEqual(await committedGraph(db.doc, tables), modelGraph(ReferenceModel.fromItems(all)));
  });

  it('replaying any stretch of the stream changes nothing', async () => {
    const items = dirtyStream(2);
    const records = toRecords(items);
    const tables = await db.freshTables();
    const p = processor(db.doc, tables);
    for (const batch of batches(records, 3)) await p.process(batch);
    const before = {
      graph: await scanAll(db.doc, tables.graph),
      history: await scanAll(db.doc, tables.history),
      meta: await scanAll(db.doc, tables.meta),
    };
    await fc.assert(
      fc.asyncProperty(fc.nat(records.length - 1), fc.integer({ min: 1, max: 6 }), async (start, len) => {
        const slice = records.slice(start, start + len);
        const s = await p.process(slice);
        assert.equal(s.tally.applied + s.tally.noop + s.tally.rejected, 0);
        // The checkpoint is in the stream's last record: every record before it is skipped whole,
        // and in that record every event.
        const last = records[records.length - 1];
        const holdsCheckpoint = slice.includes(last);
        assert.equal(s.skippedRecords, slice.length - (holdsCheckpoint ? 1 : 0));
        assert.equal(s.skippedEvents, holdsCheckpoint ? decodeRecord(last.data).length : 0);
      }),
      { numRuns: 20 },
    );
    // A whole redelivery from the start, in different batch sizes.
    for (const batch of batches(records, 5)) await p.process(batch);
    assert.deepEqual(
      {
        graph: await scanAll(db.doc, tables.graph),
        history: await scanAll(db.doc, tables.history),
        meta: await scanAll(db.doc, tables.meta),
      },
      before,
    );
  });

  it('a crash between any two writes, then a whole or bisected retry, lands every event once', async () => {
    const items = dirtyStream(3, 40, 4);
    const records = toRecords(items, 40);
    const expected = modelGraph(ReferenceModel.fromItems(items));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.nat(12), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (batchSize, crashPoints, bisect) => {
          const tables = await db.freshTables();
          const bs = batches(records, batchSize);
          for (let b = 0; b < bs.length; b++) {
            const crashAt = crashPoints[b % crashPoints.length];
            const faulty = faultyDoc(db.doc, crashAt);
            try {
              await processor(faulty.doc, tables).process(bs[b]);
            } catch (err) {
              assert.ok(err instanceof InjectedCrash, String(err));
              faulty.heal();
              // The event source mapping retries: the same batch, or bisected halves.
              const retry = processor(db.doc, tables);
              if (bisect && bs[b].length > 1) {
                const mid = Math.ceil(bs[b].length / 2);
                await retry.process(bs[b].slice(0, mid));
                await retry.process(bs[b].slice(mid));
              } else {
                await retry.process(bs[b]);
              }
            }
          }
          assert.deepEqual(await committedGraph(db.doc, tables), expected);
          const leftovers = (await scanAll(db.doc, tables.graph)).filter((i) => i.v === undefined);
          assert.equal(leftovers.length, 0);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('a crash between any two writes lands archived history once: chunks and items', async () => {
    // Long enough that users outgrow their items and the batches write archive chunks.
    const items = dirtyStream(9, 10, 110);
    const records = toRecords(items, 60);
    const expected = modelGraph(ReferenceModel.fromItems(items));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 8 }),
        fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }),
        async (batchSize, crashPoints) => {
          const tables = await db.freshTables();
          const bs = batches(records, batchSize);
          for (let b = 0; b < bs.length; b++) {
            const faulty = faultyDoc(db.doc, crashPoints[b % crashPoints.length]);
            try {
              await processor(faulty.doc, tables).process(bs[b]);
            } catch (err) {
              assert.ok(err instanceof InjectedCrash, String(err));
              faulty.heal();
              await processor(db.doc, tables).process(bs[b]);
            }
          }
          assert.deepEqual(await committedGraph(db.doc, tables), expected);
          const chunks = (await scanAll(db.doc, tables.history)).filter((i) =>
            String(i.pk).startsWith('uh#'),
          );
          assert.ok(chunks.length > 0, 'the stream is long enough to archive history');
        },
      ),
      { numRuns: 5 },
    );
  });

  it('a big batch commits in chunks; a failure after the first chunk reports only the uncommitted tail', async () => {
    const items = dirtyStream(5, 40, 4);
    const records = toRecords(items, 40);
    const tables = await db.freshTables();
    // Chunks of ~100 events; crash on the 9th write (inside the second or third chunk).
    const faulty = faultyDoc(db.doc, 9);
    const s = await new BatchProcessor({ doc: faulty.doc, tables, maxEventsPerCommit: 100 }).process(records);
    assert.ok(s.commits >= 1);
    assert.ok(s.failedAtSequenceNumber !== null, 'a partial failure is reported');
    faulty.heal();
    // The mapping redelivers from the reported record onwards.
    const tail = records.slice(records.findIndex((r) => r.sequenceNumber === s.failedAtSequenceNumber));
    const retry = await new BatchProcessor({ doc: db.doc, tables, maxEventsPerCommit: 100 }).process(tail);
    assert.equal(retry.failedAtSequenceNumber, null);
    assert.ok(retry.commits > 1);
    assert.deepEqual(await committedGraph(db.doc, tables), modelGraph(ReferenceModel.fromItems(items)));
  });

  it('a batch abandoned before it was decided (never retried) leaves the graph as if it never happened', async () => {
    const items = dirtyStream(4, 30, 3);
    const records = toRecords(items, 30);
    const tables = await db.freshTables();
    const [first, dropped, ...rest] = batches(records, 3);
    await processor(db.doc, tables).process(first);
    // The crash comes before the redo log is complete: the batch is not decided.
    const faulty = faultyDoc(db.doc, 0, tables.meta);
    await assert.rejects(processor(faulty.doc, tables).process(dropped), InjectedCrash);
    // Retries exhausted: the mapping skips `dropped` (it goes to the on-failure queue) and moves on.
    const p = processor(db.doc, tables);
    for (const b of rest) await p.process(b);
    const survivors = [...first, ...rest.flat()].flatMap((r) => decodeRecord(r.data));
    assert.deepEqual(await committedGraph(db.doc, tables), modelGraph(ReferenceModel.fromItems(survivors)));
    // Nothing of the abandoned batch survives: no journal or rejection chunk names its records.
    const droppedSeqs = new Set(dropped.map((r) => r.sequenceNumber.padStart(64, '0')));
    const leftovers = [
      ...(await scanAll(db.doc, tables.history)),
      ...(await scanAll(db.doc, tables.meta)),
    ].filter(
      (i) =>
        typeof i.first === 'string' && i.pk !== 'redo' && droppedSeqs.has((i.first as string).slice(0, 64)),
    );
    assert.deepEqual(leftovers, []);
  });

  it('a decided batch (redo log complete) is finished by whichever attempt comes next', async () => {
    const items = dirtyStream(6, 30, 3);
    const records = toRecords(items, 30);
    const tables = await db.freshTables();
    const [first, decided, ...rest] = batches(records, 3);
    await processor(db.doc, tables).process(first);
    // The crash comes at the first user-item write: the redo log is complete.
    const faulty = faultyDoc(db.doc, 0, tables.graph);
    await assert.rejects(processor(faulty.doc, tables).process(decided), InjectedCrash);
    // Even if the mapping gives up on those records, the next attempt (with other records) finishes them.
    const p = processor(db.doc, tables);
    const s = await p.process(rest[0]);
    assert.equal(s.recovered, true);
    for (const b of rest.slice(1)) await p.process(b);
    // And a late redelivery of the decided records changes nothing.
    await p.process(decided);
    assert.deepEqual(await committedGraph(db.doc, tables), modelGraph(ReferenceModel.fromItems(items)));
  });

  /**
   * Folds the batches with one long-lived container whose client crashes on every third write of some
   * batches (each retried until it commits), while a second container takes every fourth batch.
   * Returns the items the long-lived one took from its warm caches.
   */
  async function warmBesideAnother(tables: Tables, bs: StreamRecord[][]): Promise<number> {
    let healthy = true;
    const flaky = Object.create(db.doc) as typeof db.doc;
    let writes = 0;
    flaky.send = ((cmd: { constructor: { name: string } }) => {
      if (!healthy && /Write|Put/.test(cmd.constructor.name) && ++writes % 3 === 0) {
        return Promise.reject(new InjectedCrash('flaky'));
      }
      return (db.doc.send as (c: unknown) => Promise<unknown>)(cmd);
    }) as typeof db.doc.send;
    const warm = new BatchProcessor({ doc: flaky, tables });
    const other = new BatchProcessor({ doc: db.doc, tables });
    let fromCache = 0;
    for (let b = 0; b < bs.length; b++) {
      healthy = b % 3 !== 1;
      if (b % 4 === 3) {
        await other.process(bs[b]); // another container took this batch
        continue;
      }
      for (;;) {
        try {
          fromCache += (await warm.process(bs[b])).itemsFromCache;
          break;
        } catch (err) {
          assert.ok(err instanceof InjectedCrash);
          healthy = true; // the retry succeeds
        }
      }
    }
    return fromCache;
  }

  it('the warm cache never outlives its checkpoint: a crash, or another container writing, voids it', async () => {
    const items = dirtyStream(7, 40, 5);
    const records = toRecords(items, 40);
    const tables = await db.freshTables();
    const bs = batches(records, 2);
    const fromCache = await warmBesideAnother(tables, bs);
    assert.ok(fromCache > 0, 'the cache was used');
    assert.deepEqual(await committedGraph(db.doc, tables), modelGraph(ReferenceModel.fromItems(items)));
  });

  it("every family's warm cache never outlives its checkpoint, on a mixed stream with dirt", async () => {
    // Products, profiles, posts and writers' heads are kept warm too, and a cache begun on an empty
    // store answers "not stored" without a read: a crash or another container must void them.
    const items = dirty(
      generateMixedEvents({
        users: 40,
        seed: 12,
        batches: 6,
        families: ['social', 'marketplace', 'posts'],
        // Posts often enough that writers post again after another container took their last post.
        posts: { ratio: 1 },
      }),
      12,
    );
    const arrival = Date.parse('2026-01-05T10:00:00Z');
    const records = toRecords(items, 30).map((r) => ({ ...r, arrivalMs: arrival }));
    const tables = await db.freshTables();
    const fromCache = await warmBesideAnother(tables, batches(records, 2));
    assert.ok(fromCache > 0, 'the caches were used');

    const model = new MarketplaceModel();
    for (const r of records) for (const item of decodeRecord(r.data)) model.push(item, arrival);
    assert.deepEqual(await committedGraph(db.doc, tables), {
      ...modelGraph(model.social),
      tally: model.pipeline(),
    });
    const meta = await scanAll(db.doc, tables.meta);
    const products: Record<string, unknown> = {};
    const profiles: Record<string, unknown> = {};
    const posts: Record<string, unknown> = {};
    const listed: string[] = [];
    for (const it of meta) {
      const pk = it.pk as string;
      if (pk.startsWith('product#')) {
        const p = toProductState(it as unknown as ProductItem);
        products[p.productId] = {
          name: productName(p),
          orders: p.orders,
          units: p.units,
          ratings: p.ratings,
          interactions: p.interactions,
        };
      } else if (pk.startsWith('profile#') && it.profile !== null) profiles[it.user as string] = it.profile;
      else if (pk.startsWith('post#')) posts[it.id as string] = { user: it.u, content: it.c };
      else if (pk.startsWith('postshead#')) {
        const user = pk.slice('postshead#'.length);
        for (const e of headEntries(user, it)) listed.push(`${user} ${e.id}`);
      } else if (pk.startsWith('posts#')) listed.push(`${pk.slice('posts#'.length)} ${it.id as string}`);
    }
    // Each writer's head and index list every post of the writer once.
    assert.deepEqual(
      listed.sort(),
      [...model.posts.byId].map(([id, p]) => `${p.user} ${id}`).sort(),
      "the writers' heads and indexes",
    );
    const want = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort());
    assert.deepEqual(
      want(products),
      want(
        Object.fromEntries(
          [...model.products.keys()].map((id) => {
            const p = model.product(id);
            return [
              id,
              {
                name: p?.name,
                orders: p?.sales.orders,
                units: p?.sales.units,
                ratings: p?.ratings.count,
                interactions: p?.interactions.total,
              },
            ];
          }),
        ),
      ),
    );
    assert.deepEqual(
      want(profiles),
      want(
        Object.fromEntries(
          [...model.profiles].map(([u, p]) => [u, { displayName: p.displayName, email: p.email }]),
        ),
      ),
    );
    assert.deepEqual(
      want(posts),
      want(
        Object.fromEntries(
          [...model.posts.byId].map(([id, p]) => [id, { user: p.user, content: p.content }]),
        ),
      ),
    );
  });
});
