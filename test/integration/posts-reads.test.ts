// The posts family's routes against the reference model, end to end on the embedded runtime (real
// kinesalite, dynalite, processor, snapshot job and route handlers, through the local API Gateway).
//
// The stream is dirty and mixed: every family of the seeded generator (posts at a high ratio, with
// their own repeats and reused ids), dirt of every kind (duplicated events, malformed items, posts
// broken in one field, late posts, reused post ids with other content), records delivered twice and
// redelivered by the event source mapping, unmarked repeats, marked resends after lost PutRecords
// replies; batches over the last 40 minutes and late batches hours and days back, sent last; posts
// without created_at, placed at their record's arrival.
//
// The snapshot job runs over the first part, then once more with a small work cap, so that part of
// the figures is only in the committed journals. Every post, several writers' pages (followed to the
// end), the stats of everyone and of single writers over many ranges, and the writers' leaderboards
// must equal the reference model's (test/reference/posts-model.ts) built from the very records in the
// stream; then the stored state as a whole (test/support/runtime-check.ts), and POST /posts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MixedGenerator } from '../../domain/family-generator';
import { bucketOf, toIso } from '../../domain/time';
import { SnapshotBuilder } from '../../lambdas/snapshot/snapshot-builder';
import type { LocalRuntime } from '../../local/runtime';
import { PostSchema, PostsStatsSchema, UserPostsSchema, WritersSchema } from '../../queries/posts';
import { makeDynamoClient, makeKinesisClient } from '../../storage/clients';
import { PipelineStore } from '../../storage/pipeline-store';
import { SnapshotStore } from '../../storage/snapshot-store';
import { StreamProducer } from '../../stream/producer';
import { ModelQueryError, type RangeParams } from '../reference/marketplace-model';
import type { PostsModel } from '../reference/posts-model';
import { dirty, pack } from '../support/fault-streams';
import { lossyKinesis } from '../support/lossy-kinesis';
import { pastStateCache, startTestRuntime } from '../support/runtime';
import {
  assertMatchesModel,
  type Expected,
  expectedFrom,
  failedRecords,
  streamRecords,
} from '../support/runtime-check';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

let rt: LocalRuntime;
let doc: DynamoDBDocumentClient;
let kinesis: KinesisClient;
let posts: PostsModel;
let expectedAll: Expected;
let coveredUntil: number;
let tailPostRows = 0;
const NOW = Date.now();
const T0 = bucketOf(NOW - 40 * MINUTE) + 1_234;

interface Answer {
  status: number;
  body: unknown;
}

async function get(path: string): Promise<Answer> {
  const res = await fetch(`${rt.apiUrl}${path}`);
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

/** The query string (instants as ISO or epoch ms, in turn). */
function queryOf(p: object): string {
  const q = new URLSearchParams();
  let k = 0;
  for (const [key, v] of Object.entries(p)) {
    if (v === undefined) continue;
    if (key === 'from' || key === 'to') q.set(key, k++ % 2 === 0 ? toIso(v as number) : String(v));
    else q.set(key, String(v));
  }
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * The route's answer equals the model's for `now` read before or after the request; a ModelQueryError
 * is a 400 naming its parameter, a null a 404.
 */
async function check(path: string, model: (now: number) => unknown, schema: { parse(v: unknown): unknown }) {
  const before = Date.now();
  const a = await get(path);
  const after = Date.now();
  const want = (now: number): { status: number; body?: unknown; param?: string } => {
    try {
      const m = model(now);
      return m === null ? { status: 404 } : { status: 200, body: m };
    } catch (err) {
      if (err instanceof ModelQueryError) return { status: 400, param: err.param };
      throw err;
    }
  };
  const candidates = [want(before), want(after)];
  const fits = (w: (typeof candidates)[number]) => {
    if (w.status !== a.status) return false;
    if (w.status === 400)
      return (a.body as { error: { message: string } }).error.message.includes(`'${w.param}'`);
    return w.status === 404 || JSON.stringify(a.body) === JSON.stringify(w.body);
  };
  if (!candidates.some(fits)) {
    assert.deepEqual(
      a,
      { status: candidates[0].status, body: candidates[0].body ?? candidates[0].param },
      path,
    );
  }
  if (a.status === 200) schema.parse(a.body);
  return a;
}

before(async () => {
  rt = await startTestRuntime({
    mapping: {
      batchSize: 3,
      maxBatchingWindowSeconds: 0,
      pollIntervalMs: 10,
      retryBaseMs: 2,
      retryMaxMs: 20,
    },
    faults: { duplicate: 0.2, redeliver: 0.2, seed: 12 },
    streamRetentionMinutes: false,
  });
  doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
  const producer = new StreamProducer(kinesis, rt.streamName);
  const gen = new MixedGenerator({
    users: 30,
    seed: 23,
    families: ['social', 'marketplace', 'posts'],
    marketplace: { ratio: 0.3 },
    posts: { ratio: 0.4 },
  });
  let seed = 500;
  const batch = (at: number) => dirty(gen.nextBatch(at), seed++);

  const first: unknown[] = [];
  for (let b = 0; b < 10; b++) first.push(...batch(T0 + b * 3 * MINUTE));
  // Posts at their record's arrival time, by a name the graph never registers.
  first.push({ type: 'post', post_id: 'walk-in-1', user: 'walk-in', content: 'Just passing by…' });
  first.push({ event: 'post', post_id: 'walk-in-2', user: 'walk-in', content: '' });
  const records = pack(first, 9);
  await producer.sendRecords(records.flatMap((r, i) => (i % 7 === 3 ? [r, r] : [r])));
  await rt.drain(120_000);
  await rt.snapshotNow();

  const second: unknown[] = [];
  for (let b = 10; b < 14; b++) second.push(...batch(T0 + b * 3 * MINUTE));
  second.push(...batch(NOW - 3 * HOUR + 2_222));
  second.push(...batch(NOW - 2 * DAY - 7 * MINUTE));
  second.push({ type: 'post', post_id: 'walk-in-3', user: 'walk-in', content: 'Back again 👋' });
  const lossy = new StreamProducer(
    lossyKinesis(kinesis, (n) => n % 4 === 2),
    rt.streamName,
    { sleep: async () => undefined },
  );
  await lossy.sendRecords(pack(second, 9));
  await rt.drain(120_000);
  const injected = rt.faults.stats();
  assert.ok(injected.duplicates > 0 && injected.redeliveries > 0, JSON.stringify(injected));
  rt.faults.set(null);

  const pipeline = await new PipelineStore(doc, rt.tables).readState();
  const capped = await new SnapshotBuilder({ doc, tables: rt.tables }, { maxDeltas: 400 }).run();
  assert.equal(capped.caughtUp, false, 'the capped run leaves journals behind');
  const state = await new SnapshotStore(doc, rt.tables.meta).read();
  assert.ok(state.coveredUntil !== null);
  coveredUntil = state.coveredUntil;
  for await (const j of new PipelineStore(doc, rt.tables).committedJournals(
    state.cursor,
    pipeline.checkpoint,
  )) {
    tailPostRows += (j.sets['posts.user'] ?? []).length;
  }

  const stream = await streamRecords(rt);
  expectedAll = expectedFrom(stream, failedRecords(rt, stream));
  posts = expectedAll.market.posts;
  assert.ok(expectedAll.resentRecords > 0, 'marked resends in the stream');
  const reasons = expectedAll.market.pipeline().rejectedByReason;
  assert.ok(reasons.duplicate_post > 0, 'reused post ids in the stream');
  assert.ok(expectedAll.market.pipeline().byFamily.posts.noop > 0, 'repeated posts in the stream');
});

after(async () => {
  doc?.destroy();
  kinesis?.destroy();
  await rt?.stop();
});

function ranges(): (RangeParams & { label: string })[] {
  return [
    { label: 'default' },
    { label: 'window 1h', window: '1h' },
    { label: 'window 15m at 1m', window: '15m', interval: '1m' },
    { label: 'window 7d at 1h', window: '7d', interval: '1h' },
    { label: 'all of it, 5m', from: T0 - MINUTE, to: NOW + MINUTE, interval: '5m' },
    {
      label: 'across coveredUntil',
      from: coveredUntil - 4 * MINUTE + 17,
      to: coveredUntil + 6 * MINUTE - 3,
      interval: '1m',
    },
    { label: 'the late hour', from: NOW - 3 * HOUR - 10 * MINUTE, to: NOW - 2 * HOUR - 50 * MINUTE },
    { label: 'up to a point', to: T0 + 10 * MINUTE },
    { label: 'odd edges, 5s', from: T0 + 7_001, to: T0 + 20 * MINUTE + 3_333, interval: '5s' },
    { label: 'days', from: NOW - 2 * DAY - HOUR, interval: '1d' },
    { label: 'too many points', from: T0, to: T0 + 2 * DAY, interval: '5s' },
    { label: 'window with from', window: '1h', from: T0 },
    { label: 'from after to', from: T0 + MINUTE, to: T0 },
  ];
}

/** Writers asked about: the busiest, a quiet one, the walk-in, and a name with no post. */
function writers(): string[] {
  const counts = new Map<string, number>();
  for (const p of posts.log) counts.set(p.user, (counts.get(p.user) ?? 0) + 1);
  const byCount = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([u]) => u);
  return [
    ...new Set([...byCount.slice(0, 4), byCount[byCount.length - 1], 'walk-in', 'user00003', 'nobody']),
  ];
}

describe('posts routes vs the reference model (dirty mixed stream, rollups part way)', () => {
  it('the stream holds enough posts, part of their figures past the rollups', () => {
    assert.ok(posts.log.length >= 100, `${posts.log.length} posts`);
    assert.ok(tailPostRows > 0, 'per-writer rows in the journals past the rollups');
  });

  it('GET /posts/{id}: every post; 404 for an unknown id, 400 for one too long', async () => {
    let words = 0;
    for (const id of [...posts.byId.keys(), 'no-such-post']) {
      const a = await check(`/posts/${encodeURIComponent(id)}`, () => posts.post(id), PostSchema);
      if (a.status === 200) words += (a.body as { wordCount: number }).wordCount;
    }
    assert.ok(words > 0);
    assert.equal((await get(`/posts/${'x'.repeat(65)}`)).status, 400);
  });

  it('GET /users/{name}/posts: every page of several writers, newest first; total 0 for a name with none', async () => {
    for (const name of writers()) {
      const want = posts.userPosts(name);
      for (const limit of [3, 1000]) {
        const got: unknown[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const q = new URLSearchParams({ limit: String(limit) });
          if (cursor !== null) q.set('cursor', cursor);
          const a = await get(`/users/${encodeURIComponent(name)}/posts?${q}`);
          assert.equal(a.status, 200, JSON.stringify(a.body));
          const page = UserPostsSchema.parse(a.body);
          assert.equal(page.total, want.total, `${name}: total`);
          assert.ok(page.items.length <= limit);
          got.push(...page.items);
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== null && pages < 1_000);
        assert.deepEqual(got, want.items, `${name}: the posts, limit ${limit}`);
        if (limit === 3) assert.equal(pages, Math.max(1, Math.ceil(want.total / 3)), `${name}: pages`);
      }
    }
    const bad = await get('/users/user00001/posts?cursor=abc');
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /'cursor'/);
  });

  it('GET /posts/stats over every range, of everyone and of single writers', async () => {
    let nonEmpty = 0;
    for (const user of [undefined, ...writers().slice(0, 3), 'walk-in', 'nobody']) {
      for (const { label: _l, ...r } of ranges()) {
        const a = await check(
          `/posts/stats${queryOf({ ...r, user })}`,
          (now) => posts.stats({ ...r, user }, now),
          PostsStatsSchema,
        );
        if (a.status === 200 && (a.body as { posts: number }).posts > 0) nonEmpty++;
      }
    }
    assert.ok(nonEmpty >= 20, `answers with posts: ${nonEmpty}`);
  });

  it('GET /leaderboards/writers: both metrics, ranges and limits', async () => {
    let nonEmpty = 0;
    for (const metric of ['posts', 'words'] as const) {
      const boards: (RangeParams & { limit?: number })[] = [
        ...ranges().map(({ label: _l, interval: _i, ...r }) => r),
        { limit: 3 },
        { limit: 1000, from: coveredUntil - 5 * MINUTE },
      ];
      for (const b of boards) {
        const a = await check(
          `/leaderboards/writers${queryOf({ metric, ...b })}`,
          (now) => posts.writers({ metric, ...b }, now),
          WritersSchema,
        );
        if (a.status === 200 && (a.body as { items: unknown[] }).items.length > 0) nonEmpty++;
      }
    }
    assert.ok(nonEmpty >= 10, `boards with items: ${nonEmpty}`);
    assert.equal((await get('/leaderboards/writers?metric=likes')).status, 400);
  });

  it('POST /metrics/query answers the posts figures as their routes do', async () => {
    const id = posts.log[0].postId;
    const name = posts.log[0].user;
    const asks: [string, Record<string, string>, string][] = [
      ['posts.get', { postId: id }, `/posts/${encodeURIComponent(id)}`],
      ['users.posts', { name, limit: '5' }, `/users/${encodeURIComponent(name)}/posts?limit=5`],
      [
        'posts.stats',
        { user: name, window: '24h' },
        `/posts/stats?user=${encodeURIComponent(name)}&window=24h`,
      ],
      ['leaderboards.writers', { metric: 'words' }, '/leaderboards/writers?metric=words'],
    ];
    for (const [metric, params, path] of asks) {
      const res = await fetch(`${rt.apiUrl}/metrics/query`, {
        method: 'POST',
        body: JSON.stringify({ name: metric, params }),
      });
      assert.equal(res.status, 200, metric);
      const body = (await res.json()) as { result: unknown };
      const direct = await get(path);
      // Both asked within one bucket: a window's edges are the same (retried once across an edge).
      if (JSON.stringify(body.result) !== JSON.stringify(direct.body)) {
        const again = (await (
          await fetch(`${rt.apiUrl}/metrics/query`, {
            method: 'POST',
            body: JSON.stringify({ name: metric, params }),
          })
        ).json()) as { result: unknown };
        assert.deepEqual(again.result, (await get(path)).body, metric);
      }
    }
    const missing = await fetch(`${rt.apiUrl}/metrics/query`, {
      method: 'POST',
      body: JSON.stringify({ name: 'posts.get', params: { postId: 'no-such-post' } }),
    });
    assert.equal(missing.status, 404);
  });

  // Last but one: it runs the snapshot job to the end, and the routes above must be answered part way.
  it('everything the pipeline keeps equals the model (posts, writers’ indexes, rolled-up sums, all else)', async () => {
    await assertMatchesModel(rt, doc, expectedAll, 'posts reads');
  });

  it('POST /posts: 201 with the post once committed, 200 for the same post, 409 for a taken id; Idempotency-Key honoured', async () => {
    const post = (body: unknown, key?: string) =>
      fetch(`${rt.apiUrl}/posts`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: key === undefined ? {} : { 'Idempotency-Key': key },
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const first = await post({ user: 'writer-1', content: 'Ça va? 你好 — 123', postId: 'api-1' });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.deepEqual(
      { ...first.body, createdAt: null },
      {
        postId: 'api-1',
        user: 'writer-1',
        createdAt: null,
        content: 'Ça va? 你好 — 123',
        wordCount: 4,
        averageWordLength: 9 / 4,
      },
    );
    assert.deepEqual((await get('/posts/api-1')).body, first.body);
    assert.equal(
      (await post({ user: 'writer-1', content: 'Ça va? 你好 — 123', postId: 'api-1' })).status,
      200,
    );
    const taken = await post({ user: 'writer-2', content: 'mine', postId: 'api-1' });
    assert.equal(taken.status, 409);
    assert.equal((taken.body.error as { code: string }).code, 'duplicate_post');
    // Without postId: a UUID; a retry with the same key gets the first answer and sends nothing again.
    // Past the state cache here too: api-1 above committed moments ago, and a cached answer would miss it.
    await pastStateCache();
    const before = (await get('/meta/pipeline')).body as { byFamily: { posts: { applied: number } } };
    const a = await post({ user: 'writer-1', content: 'twice?' }, 'key-1');
    const b = await post({ user: 'writer-1', content: 'twice?' }, 'key-1');
    assert.equal(a.status, 201);
    assert.deepEqual(b, a);
    assert.match(String(a.body.postId), /^[0-9a-f-]{36}$/);
    assert.equal((await post({ user: 'writer-1', content: 'other' }, 'key-1')).status, 422);
    await rt.drain();
    // The API reuses the pipeline state for a moment (lambdas/api/reader.ts): read once that is over.
    await pastStateCache();
    const afterwards = (await get('/meta/pipeline')).body as typeof before;
    assert.equal(afterwards.byFamily.posts.applied, before.byFamily.posts.applied + 1);
    const page = UserPostsSchema.parse((await get('/users/writer-1/posts')).body);
    assert.equal(page.total, 2);
    for (const bad of [
      { user: '', content: 'x' },
      { user: 'u', content: 'x'.repeat(10_001) },
      { user: 'u' },
      { user: 'u', content: 'x', extra: 1 },
    ]) {
      const r = await post(bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
    }
  });
});
