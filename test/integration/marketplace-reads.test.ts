// The marketplace's read routes against the reference model, end to end on the embedded runtime (real
// kinesalite, dynalite, processor, snapshot job and route handlers, through the local API Gateway).
//
// The stream is dirty and mixed: social and marketplace batches of the seeded generator (with its own
// malformed marketplace events), dirt of every kind (duplicated events, malformed items, unknown users,
// self relations, marketplace events broken in one field), records delivered twice and redelivered by
// the event source mapping, records repeated unmarked, and marked records resent after lost PutRecords
// replies; events placed over the last 40 minutes (some at their record's arrival time, without
// created_at), and late batches dated hours and days back, sent last.
//
// The snapshot job runs over the first part, then once more with a small work cap: the rollups then
// cover part of the data (up to coveredUntil) and the rest is only in the committed journals after
// them. Every new route is asked about several products, users, ranges (windows, explicit ranges
// across coveredUntil and around the late data, defaults), intervals and leaderboard metrics, and each
// answer must equal the reference model's (test/reference/marketplace-model.ts) built from the very
// records in the stream. A route answering only from the rollups would miss everything past the cap.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MixedGenerator } from '../../domain/family-generator';
import { bucketOf, toIso } from '../../domain/time';
import { SnapshotBuilder } from '../../lambdas/snapshot/snapshot-builder';
import type { LocalRuntime } from '../../local/runtime';
import { encodeNameCursor } from '../../queries/cursor';
import * as S from '../../queries/schemas';
import { makeDynamoClient, makeKinesisClient } from '../../storage/clients';
import { PipelineStore } from '../../storage/pipeline-store';
import { SnapshotStore } from '../../storage/snapshot-store';
import { StreamProducer } from '../../stream/producer';
import {
  type MarketplaceModel,
  ModelQueryError,
  PRODUCT_METRICS,
  type RangeParams,
} from '../reference/marketplace-model';
import { dirty, pack } from '../support/fault-streams';
import { lossyKinesis } from '../support/lossy-kinesis';
import { startTestRuntime } from '../support/runtime';
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
let market: MarketplaceModel;
let expectedAll: Expected;
/** The snapshot state after the capped run. */
let coveredUntil: number;
let earliest: number;
let latest: number;
/** Committed journals past the rollups, and the marketplace rows they hold. */
let tailJournals = 0;
let tailProductRows = 0;
let foldedJournals = 0;
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

/** The query string of range parameters (instants as ISO, epoch ms or the compact form, in turn). */
function queryOf(p: object): string {
  const q = new URLSearchParams();
  let k = 0;
  for (const [key, v] of Object.entries(p)) {
    if (v === undefined) continue;
    if (key === 'from' || key === 'to') {
      const ms = v as number;
      q.set(key, k++ % 2 === 0 ? toIso(ms) : String(ms));
    } else q.set(key, String(v));
  }
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * The route's answer equals the model's for `now` read before or after the request (a request that
 * straddles a bucket edge may answer for either); a ModelQueryError is a 400 naming its parameter, a
 * null a 404.
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
    if (w.status === 400) {
      return (a.body as { error: { message: string } }).error.message.includes(`'${w.param}'`);
    }
    return w.status === 404 || JSON.stringify(sortKeys(a.body)) === JSON.stringify(sortKeys(w.body));
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

/** Objects with their keys sorted (the model builds counts in event order, the routes sorted). */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
  );
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
    faults: { duplicate: 0.2, redeliver: 0.2, seed: 11 },
    streamRetentionMinutes: false,
  });
  doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
  const producer = new StreamProducer(kinesis, rt.streamName);
  const gen = new MixedGenerator({
    users: 40,
    seed: 21,
    families: ['social', 'marketplace'],
    marketplace: { ratio: 1.5, dirt: 0.05 },
  });
  let seed = 300;
  const batch = (at: number) => dirty(gen.nextBatch(at), seed++);

  // Part one: 10 batches over the first half hour, rolled up completely.
  const first: unknown[] = [];
  for (let b = 0; b < 10; b++) first.push(...batch(T0 + b * 3 * MINUTE));
  // A profile for a name the graph never registers, and interactions placed at their arrival time.
  first.push({ type: 'profileUpserted', user: 'walk-in', display_name: 'Walk In' });
  first.push({ type: 'interaction', user: 'walk-in', product_id: 1, action: 'view', source: 'kiosk' });
  const records = pack(first, 9);
  // Unmarked repeats: the same bytes at a new position apply again (the model counts them too).
  await producer.sendRecords(records.flatMap((r, i) => (i % 7 === 3 ? [r, r] : [r])));
  await rt.drain(120_000);
  await rt.snapshotNow();

  // Part two: the last minutes, late batches (three hours and two days back) and an event older
  // than the rollups' first bucket; marked resends after lost replies.
  const second: unknown[] = [];
  for (let b = 10; b < 14; b++) second.push(...batch(T0 + b * 3 * MINUTE));
  second.push(...batch(NOW - 3 * HOUR + 2_222));
  second.push(...batch(NOW - 2 * DAY - 7 * MINUTE));
  second.push({ type: 'interaction', user: 'walk-in', product_id: 'sku-7', action: 'share' });
  second.push({
    type: 'productSold',
    product_id: 'late-1',
    no_of_units: 2,
    amount: '0.05',
    user: 'user00003',
  });
  const lossy = new StreamProducer(
    lossyKinesis(kinesis, (n) => n % 4 === 2),
    rt.streamName,
    { sleep: async () => undefined },
  );
  await lossy.sendRecords(pack(second, 9));
  await rt.drain(120_000);
  const injected = rt.faults.stats();
  assert.ok(
    injected.duplicates > 0 && injected.redeliveries > 0,
    `redeliveries: ${JSON.stringify(injected)}`,
  );
  rt.faults.set(null);

  // The snapshot job, part way: a run with a small work cap folds the oldest journals only.
  const pipeline = await new PipelineStore(doc, rt.tables).readState();
  const capped = await new SnapshotBuilder({ doc, tables: rt.tables }, { maxDeltas: 400 }).run();
  assert.equal(capped.caughtUp, false, 'the capped run leaves journals behind');
  const state = await new SnapshotStore(doc, rt.tables.meta).read();
  assert.ok(state.cursor < pipeline.checkpoint, 'some committed journals are past the rollups');
  assert.ok(state.coveredUntil !== null && state.earliest !== null && state.latest !== null);
  coveredUntil = state.coveredUntil;
  earliest = state.earliest;
  latest = state.latest;
  foldedJournals = capped.journals;
  for await (const j of new PipelineStore(doc, rt.tables).committedJournals(
    state.cursor,
    pipeline.checkpoint,
  )) {
    tailJournals++;
    tailProductRows += (j.sets['mkt.product'] ?? []).length;
  }

  const stream = await streamRecords(rt);
  const expected = expectedFrom(stream, failedRecords(rt, stream));
  market = expected.market;
  assert.ok(expected.resentRecords > 0, 'marked resends in the stream');
  assert.ok(market.pipeline().rejectedByReason.malformed > 0, 'malformed events in the stream');
  expectedAll = expected;
});

after(async () => {
  doc?.destroy();
  kinesis?.destroy();
  await rt?.stop();
});

/** Ranges asked of every ranged route (instants in ms; `now` decides windows and defaults). */
function ranges(): (RangeParams & { label: string })[] {
  return [
    { label: 'default' },
    { label: 'window 1h', window: '1h' },
    { label: 'window 15m at 1m', window: '15m', interval: '1m' },
    { label: 'window 5m', window: '5m' },
    { label: 'window 7d at 1h', window: '7d', interval: '1h' },
    { label: 'window 24h at 5m', window: '24h', interval: '5m' },
    { label: 'all of it, 5m', from: T0 - MINUTE, to: NOW + MINUTE, interval: '5m' },
    {
      label: 'across coveredUntil',
      from: coveredUntil - 4 * MINUTE + 17,
      to: coveredUntil + 6 * MINUTE - 3,
      interval: '1m',
    },
    { label: 'covered only', from: earliest, to: Math.min(coveredUntil, latest), interval: '1m' },
    { label: 'the late hour', from: NOW - 3 * HOUR - 10 * MINUTE, to: NOW - 2 * HOUR - 50 * MINUTE },
    { label: 'up to a point', to: T0 + 10 * MINUTE },
    { label: 'odd edges, 5s', from: T0 + 7_001, to: T0 + 20 * MINUTE + 3_333, interval: '5s' },
    { label: 'days, from two days back', from: NOW - 2 * DAY - HOUR, interval: '1d' },
    { label: 'too many points', from: T0, to: T0 + 2 * DAY, interval: '5s' },
    { label: 'window with from', window: '1h', from: T0 },
    { label: 'from after to', from: T0 + MINUTE, to: T0 },
  ];
}

/** Products asked about: the best sellers, the most rated and viewed, odd ones, and an unknown one. */
function productSample(): string[] {
  const now = Date.now();
  const ids = new Set<string>();
  for (const metric of PRODUCT_METRICS) {
    for (const it of market.productLeaderboard({ metric, limit: 2 }, now).items) ids.add(it.productId);
  }
  ids.add('sku-7');
  ids.add('late-1');
  const all = market.listProducts(undefined, 10_000).items.map((i) => i.productId);
  ids.add(all[all.length - 1]);
  ids.add('no-such-product');
  return [...ids];
}

describe('marketplace reads vs the reference model (dirty mixed stream, rollups part way)', () => {
  it('the rollups hold part of the data, the journals after them the rest', () => {
    // Part one is rolled up, and the first journals of part two (the capped run); the rest of part two
    // (its newest minutes, the late batches) is in committed journals alone.
    assert.ok(foldedJournals > 0, 'the capped run folded some journals');
    assert.ok(tailJournals >= 5 && tailProductRows > 0, `${tailJournals} journals past the rollups`);
    // coveredUntil: the earliest bucket a journal past the rollups touches (here an old-dated event).
    assert.ok(coveredUntil < latest, `coveredUntil ${toIso(coveredUntil)}`);
  });

  it('GET /products: every page, every prefix', async () => {
    for (const prefix of [undefined, '1', 's', 'sku-', 'late', 'zz']) {
      let cursor: string | undefined;
      let pages = 0;
      for (;;) {
        const q = new URLSearchParams({ limit: '7' });
        if (prefix !== undefined) q.set('prefix', prefix);
        if (cursor !== undefined) q.set('cursor', cursor);
        const a = await get(`/products?${q}`);
        const want = market.listProducts(prefix, 7, cursor === undefined ? undefined : lastOf(cursor));
        assert.equal(a.status, 200);
        assert.deepEqual(a.body, {
          total: want.total,
          items: want.items,
          nextCursor: want.nextAfter === null ? null : encodeNameCursor(want.nextAfter),
        });
        S.ProductListSchema.parse(a.body);
        pages++;
        const next = (a.body as { nextCursor: string | null }).nextCursor;
        if (next === null) break;
        cursor = next;
      }
      assert.ok(pages >= 1);
    }
    assert.ok(market.listProducts(undefined, 10_000).total >= 15, 'enough products to page through');
  });

  it('GET /products/{id}: every product, all time; 404 for an unknown one', async () => {
    const all = market.listProducts(undefined, 10_000).items.map((i) => i.productId);
    for (const id of [...all, 'no-such-product']) {
      await check(`/products/${encodeURIComponent(id)}`, () => market.product(id), S.ProductSchema);
    }
  });

  it('GET /users/{name}/profile: registered, profile only, neither', async () => {
    const names = [...market.profiles.keys()].slice(0, 5);
    names.push('user00001', 'user00002', 'walk-in', 'nobody');
    for (const name of names) {
      await check(
        `/users/${encodeURIComponent(name)}/profile`,
        () => market.userProfile(name),
        S.UserMarketProfileSchema,
      );
    }
  });

  it('GET /products/{id}/sales and /ratings over every range', async () => {
    let sold = 0;
    let rated = 0;
    for (const id of productSample()) {
      for (const { label: _label, ...r } of ranges()) {
        const q = queryOf(r);
        const path = `/products/${encodeURIComponent(id)}`;
        const sales = await check(
          `${path}/sales${q}`,
          (now) => market.productSales(id, r, now),
          S.ProductSalesSchema,
        );
        const ratings = await check(
          `${path}/ratings${q}`,
          (now) => market.productRatings(id, r, now),
          S.ProductRatingsSchema,
        );
        if (sales.status === 200 && (sales.body as { orders: number }).orders > 0) sold++;
        if (ratings.status === 200 && (ratings.body as { count: number }).count > 0) rated++;
      }
    }
    assert.ok(sold >= 20 && rated >= 20, `answers with figures: ${sold} sales, ${rated} ratings`);
  });

  it('GET /users/{name}/activity over every range; zeros for a name with no event', async () => {
    let active = 0;
    const users = new Set<string>(['walk-in', 'nobody', 'user00003']);
    for (const { event: e } of market.log) {
      if (users.size >= 8) break;
      if ('user' in e && e.user !== null && e.type === 'interaction') users.add(e.user);
    }
    for (const name of users) {
      for (const { label: _label, ...r } of ranges()) {
        const a = await check(
          `/users/${encodeURIComponent(name)}/activity${queryOf(r)}`,
          (now) => market.userActivity(name, r, now),
          S.UserActivitySchema,
        );
        if (a.status === 200 && (a.body as { interactions: number }).interactions > 0) active++;
      }
    }
    assert.ok(active >= 20, `answers with interactions: ${active}`);
  });

  it('GET /events/frequencies over every range', async () => {
    for (const { label: _label, ...r } of ranges()) {
      await check(
        `/events/frequencies${queryOf(r)}`,
        (now) => market.frequencies(r, now),
        S.EventFrequenciesSchema,
      );
    }
  });

  it('GET /leaderboards/products: every metric, actions, minRatings, limits, ranges', async () => {
    const boards: Record<string, unknown>[] = [];
    for (const metric of PRODUCT_METRICS) {
      for (const { label: _label, interval: _i, ...r } of ranges()) boards.push({ metric, ...r });
      boards.push({ metric, limit: 3 }, { metric, limit: 1000, from: coveredUntil - 5 * MINUTE });
    }
    boards.push(
      { metric: 'interactions', action: 'view' },
      { metric: 'interactions', action: 'share', window: '24h' },
      { metric: 'interactions', action: 'purchase', from: coveredUntil - 10 * MINUTE },
      { metric: 'rating', minRatings: 2 },
      { metric: 'rating', minRatings: 3, window: '1h' },
      { metric: 'revenue', action: 'view' },
      { metric: 'units', minRatings: 2 },
    );
    let nonEmpty = 0;
    for (const b of boards) {
      const { metric, action, minRatings, limit, ...r } = b as unknown as {
        metric: (typeof PRODUCT_METRICS)[number];
        action?: string;
        minRatings?: number;
        limit?: number;
      } & RangeParams;
      const a = await check(
        `/leaderboards/products${queryOf({ metric, action, minRatings, limit, ...r })}`,
        (now) => market.productLeaderboard({ metric, action, minRatings, limit, ...r }, now),
        S.ProductLeaderboardSchema,
      );
      if (a.status === 200 && (a.body as { items: unknown[] }).items.length > 0) nonEmpty++;
    }
    assert.ok(nonEmpty >= 20, `most leaderboards have items (${nonEmpty})`);
  });

  // Last: it runs the snapshot job to the end, and the routes above must be answered part way.
  it('everything else the pipeline keeps equals the model (graph, counters, items, GET /users/{name})', async () => {
    await assertMatchesModel(rt, doc, expectedAll, 'marketplace reads');
  });
});

/** The product id a name cursor carries. */
function lastOf(cursor: string): string {
  return Buffer.from(cursor, 'base64url').subarray(1).toString('utf8');
}
