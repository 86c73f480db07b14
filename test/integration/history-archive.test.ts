// Users whose history outgrows their item: past HISTORY_KEEP plus the user's own chunk length the
// processor moves the oldest into archive chunks (storage/history-archive.ts). A long generated stream through the local
// runtime (every user touched in most of 260 batches, 5 s apart, and late events that land in buckets
// already archived) must leave items that stay small, chunks for most users, and the very same
// stored history and per-user series as the reference model.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RawEvent } from '../../domain/events';
import { DEFAULT_START_MS, DEFAULT_STEP_MS, generateEvents } from '../../domain/generator';
import { toCompact } from '../../domain/time';
import type { LocalRuntime } from '../../local/runtime';
import { makeDynamoClient } from '../../storage/clients';
import { chunkCellsOf, HISTORY_KEEP } from '../../storage/history-archive';
import { decodeHistory, type UserItem } from '../../storage/user-item';
import { ReferenceModel } from '../reference/model';
import { committedGraph, modelGraph, scanAll } from '../support/pipeline-harness';
import { startTestRuntime } from '../support/runtime';
import { checkUserSeries } from '../support/series-check';

const BATCHES = 260;
let rt: LocalRuntime;
let model: ReferenceModel;

async function post(events: unknown[]): Promise<void> {
  const res = await fetch(`${rt.apiUrl}/events`, { method: 'POST', body: JSON.stringify(events) });
  assert.equal(res.status, 202);
  await res.arrayBuffer();
}

before(async () => {
  rt = await startTestRuntime();
  const events: RawEvent[] = generateEvents({ users: 12, maxUsers: 16, seed: 11, batches: BATCHES });
  // Late events in the stream's first minutes, long archived by the time they come.
  const early = (k: number) => toCompact(DEFAULT_START_MS + k * DEFAULT_STEP_MS + 1_234);
  const late: RawEvent[] = [
    { type: 'unfriend', user1_name: 'user00001', user2_name: 'user00002', created_at: early(1) },
    { type: 'addfriend', user1_name: 'user00001', user2_name: 'user00002', created_at: early(2) },
    { type: 'addfriend', user1_name: 'user00003', user2_name: 'user00004', created_at: early(3) },
    { type: 'register', name: 'latecomer', created_at: early(0) },
    { type: 'referral', referredBy: 'user00005', user: 'latecomer', created_at: early(4) },
  ];
  // In pieces, so the processor folds many batches (and archives as it goes).
  for (let i = 0; i < events.length; i += 400) {
    await post(events.slice(i, i + 400));
    await rt.drain();
  }
  await post(late);
  await rt.drain();
  model = ReferenceModel.fromItems([...events, ...late]);
});

after(async () => {
  await rt?.stop();
});

describe('history archive', () => {
  it("items keep at most HISTORY_KEEP plus the user's chunk length; the older ones are in chunks", async () => {
    const doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
    try {
      const items = (await scanAll(doc, rt.tables.graph)) as unknown as UserItem[];
      for (const it of items) {
        const most = HISTORY_KEEP + chunkCellsOf(it.pk);
        assert.ok(decodeHistory(it.h).length <= most, `${it.pk}: more than ${most} cells`);
      }
      // Each user in its own phase: the lengths differ (12 users of one length would be 1 in 17^11).
      assert.ok(new Set(items.map((it) => chunkCellsOf(it.pk))).size > 1);
      const archived = items.filter((it) => (it.hn ?? 0) >= 2);
      assert.ok(archived.length >= items.length / 2, `${archived.length} of ${items.length} users archived`);
    } finally {
      doc.destroy();
    }
  });

  it('the stored graph, archived history included, equals the reference', async () => {
    const doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
    try {
      assert.deepEqual(await committedGraph(doc, rt.tables), modelGraph(model));
    } finally {
      doc.destroy();
    }
  });

  it('series over archived and recent buckets equal the reference', async () => {
    const end = DEFAULT_START_MS + BATCHES * DEFAULT_STEP_MS;
    for (const name of model.names()) {
      await checkUserSeries(rt.apiUrl, model, name, {});
      await checkUserSeries(rt.apiUrl, model, name, { from: DEFAULT_START_MS, to: end, interval: '5s' });
      await checkUserSeries(rt.apiUrl, model, name, { from: DEFAULT_START_MS + 95_000, to: end - 120_000 });
      await checkUserSeries(rt.apiUrl, model, name, {
        from: end - 200_000,
        to: end + 60_000,
        interval: '5s',
      });
    }
  });
});
