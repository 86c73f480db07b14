// Checks a live local runtime against the reference models built from the very records in its stream:
// the whole stored graph and counters, GET /meta/pipeline, and a set of API answers (profiles,
// networks, friends, top friends, series, leaderboards after a snapshot run, users, rejections); for
// the marketplace family, every stored product and profile and the rolled-up figures of every product
// and user.
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { P, PRODUCT_FIGURES, U, USER_FIGURES } from '../../domain/marketplace/family';
import { productName } from '../../domain/marketplace/fold';
import { partsToAmount } from '../../domain/marketplace/money';
import { ALL_POSTS_KEY, POSTS_ALL_FIGURES, POSTS_USER_FIGURES, W } from '../../domain/posts/family';
import { decodeRecord, Unreadable } from '../../domain/records';
import { SOCIAL_FIGURES } from '../../domain/social-family';
import { parseCreatedAt, toIso } from '../../domain/time';
import { Reader } from '../../lambdas/api/reader';
import type { StreamRecord } from '../../lambdas/processor/batch-processor';
import type { LocalRuntime } from '../../local/runtime';
import { sumBlocks } from '../../queries/figures';
import * as S from '../../queries/schemas';
import { makeKinesisClient } from '../../storage/clients';
import { type ProductItem, toProductState } from '../../storage/marketplace/items';
import {
  HEAD_ENTRIES,
  headEntries,
  type PostItem,
  toPostState,
  type UserPostEntry,
  userPostSk,
} from '../../storage/posts/items';
import { ReadStore } from '../../storage/read-store';
import { MarketplaceModel } from '../reference/marketplace-model';
import { type LeaderboardMetric, type ReferenceModel, withoutResends } from '../reference/model';
import { committedGraph, modelGraph, scanAll } from './pipeline-harness';
import { pastStateCache } from './runtime';

/** Every record of the runtime's stream, from the trim horizon, in order. */
export async function streamRecords(rt: LocalRuntime): Promise<StreamRecord[]> {
  const kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
  try {
    const shard = (await kinesis.send(new ListShardsCommand({ StreamName: rt.streamName }))).Shards?.[0]
      ?.ShardId;
    let it = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: rt.streamName,
          ShardId: shard,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    const out: StreamRecord[] = [];
    while (it) {
      const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
      for (const r of res.Records ?? [])
        out.push({
          sequenceNumber: r.SequenceNumber ?? '',
          data: r.Data ?? new Uint8Array(),
          partitionKey: r.PartitionKey,
          arrivalMs: r.ApproximateArrivalTimestamp?.getTime(),
        });
      if ((res.Records ?? []).length === 0) break;
      it = res.NextShardIterator;
    }
    return out;
  } finally {
    kinesis.destroy();
  }
}

/** What the processor should have seen: every item of every record in order, with its record. */
export interface Expected {
  items: unknown[];
  seqs: string[];
  /** sequence number of the last record that reached the processor */
  lastSequenceNumber: string | null;
  /** marked records the processor skips as a producer's resend */
  resentRecords: number;
  /** the arrival time of each item's record */
  arrivals: number[];
  /** every family's reference (`market.social` is the social model, fed the social events) */
  market: MarketplaceModel;
  model: ReferenceModel;
}

/**
 * The reference built from the stream, leaving out records the mapping sent to the failure queue, and
 * the producers' resends.
 */
export function expectedFrom(records: StreamRecord[], skipped: ReadonlySet<string> = new Set()): Expected {
  const items: unknown[] = [];
  const seqs: string[] = [];
  const arrivals: number[] = [];
  let lastSequenceNumber: string | null = null;
  const reached = records.filter((r) => !skipped.has(r.sequenceNumber));
  const { folded, resent } = withoutResends(reached);
  for (const r of reached) lastSequenceNumber = r.sequenceNumber;
  const market = new MarketplaceModel();
  let arrival = 0;
  for (const r of folded) {
    // A record read without its arrival time arrives with the latest one seen (as the processor takes it).
    arrival = Math.max(arrival, r.arrivalMs ?? 0);
    for (const item of decodeRecord(r.data)) {
      items.push(item);
      seqs.push(r.sequenceNumber);
      arrivals.push(arrival);
      market.push(item, arrival);
    }
  }
  return { items, seqs, lastSequenceNumber, resentRecords: resent, arrivals, market, model: market.social };
}

/** Sequence numbers of every record the mapping sent to the failure queue. */
export function failedRecords(rt: LocalRuntime, records: StreamRecord[]): Set<string> {
  const out = new Set<string>();
  const big = (s: string) => BigInt(s);
  // The runtime's failure queue is not exposed; its records are read from the mapping's log instead.
  for (const f of rt.failures()) {
    const lo = big(f.KinesisBatchInfo.startSequenceNumber);
    const hi = big(f.KinesisBatchInfo.endSequenceNumber);
    for (const r of records) {
      const s = big(r.sequenceNumber);
      if (s >= lo && s <= hi) out.add(r.sequenceNumber);
    }
  }
  return out;
}

async function get(rt: LocalRuntime, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${rt.apiUrl}${path}`);
  return { status: res.status, body: await res.json() };
}

async function ok<T>(rt: LocalRuntime, schema: { parse(v: unknown): T }, path: string): Promise<T> {
  const r = await get(rt, path);
  assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
  return schema.parse(r.body);
}

const MAX_REJECTED_EVENT_CHARS = 2_048;

/** A rejected item as /meta/rejections shows it. */
function shown(item: unknown): unknown {
  if (item instanceof Unreadable) return item.raw;
  const text = JSON.stringify(item) ?? String(item);
  return text.length > MAX_REJECTED_EVENT_CHARS ? `${text.slice(0, MAX_REJECTED_EVENT_CHARS)}…` : item;
}

/** Users worth asking about: the busiest ones (friends, referrals) and a few by name. */
function sampleUsers(model: ReferenceModel, n: number): string[] {
  const names = model.names();
  const busy = [...names].sort(
    (a, b) =>
      model.networkStrength(b) +
        model.referralPoints(b) -
        model.networkStrength(a) -
        model.referralPoints(a) || (a < b ? -1 : 1),
  );
  const step = Math.max(1, Math.floor(names.length / n));
  const spread = names.filter((_, i) => i % step === 0);
  return [...new Set([...busy.slice(0, n), ...spread.slice(0, n)])];
}

/**
 * The stored graph, the counters, /meta/pipeline and a set of API answers equal the model's.
 * Runs the snapshot job first, so the ranged answers are current.
 */
export async function assertMatchesModel(
  rt: LocalRuntime,
  doc: DynamoDBDocumentClient,
  expected: Expected,
  label = '',
): Promise<void> {
  const { model } = expected;
  assert.deepEqual(
    await committedGraph(doc, rt.tables),
    // The tally counts every family's events.
    { ...modelGraph(model), tally: expected.market.pipeline() },
    `${label}: the stored graph`,
  );

  const totals = expected.market.pipeline();
  // The time of the last event that was not malformed: its created_at, or (a marketplace event
  // without one) its record's arrival.
  let lastEventAt: number | null = null;
  for (const v of expected.market.verdicts) {
    if (v.outcome === 'malformed') continue;
    const at = (expected.items[v.seq] as { created_at?: string | null }).created_at;
    lastEventAt = typeof at === 'string' ? parseCreatedAt(at) : expected.arrivals[v.seq];
  }
  const wanted = {
    ...totals,
    lastSequenceNumber: expected.lastSequenceNumber,
    lastEventAt: lastEventAt === null ? null : toIso(lastEventAt),
    users: model.names().length,
    resentRecords: expected.resentRecords,
  };
  const view = async () => {
    const p = await ok(rt, S.MetaPipelineSchema, '/meta/pipeline');
    return {
      applied: p.applied,
      noop: p.noop,
      rejected: p.rejected,
      rejectedByReason: p.rejectedByReason,
      byFamily: p.byFamily,
      byType: p.byType,
      lastSequenceNumber: p.lastSequenceNumber,
      lastEventAt: p.lastEventAt,
      users: p.users,
      resentRecords: p.resentRecords,
    };
  };
  let pipeline = await view();
  if (!isDeepStrictEqual(pipeline, wanted)) {
    // The API reuses the pipeline state for a moment (lambdas/api/reader.ts): one that was read just
    // before the drain ended may still be served. Read again once that moment is surely over.
    await pastStateCache();
    pipeline = await view();
  }
  assert.deepEqual(pipeline, wanted, `${label}: /meta/pipeline`);

  for (const name of sampleUsers(model, 6)) {
    const u = encodeURIComponent(name);
    const p = model.profile(name);
    assert.ok(p);
    assert.deepEqual(
      await ok(rt, S.UserProfileSchema, `/users/${u}`),
      { ...p, registeredAt: toIso(p.registeredAt), profile: expected.market.profileOf(name) },
      `${label}: profile of ${name}`,
    );
    assert.deepEqual(await ok(rt, S.NetworkSchema, `/users/${u}/network`), model.network(name));
    const friends = await ok(rt, S.FriendsSchema, `/users/${u}/friends?limit=1000`);
    assert.deepEqual(
      friends.items,
      (model.friends(name) ?? []).map((f) => ({ name: f.name, since: toIso(f.since) })),
      `${label}: friends of ${name}`,
    );
    const top = await ok(rt, S.TopFriendsSchema, `/users/${u}/top-friends?limit=10`);
    assert.deepEqual(top.items, model.topFriends(name, 10), `${label}: top friends of ${name}`);
  }

  await rt.snapshotNow();
  const times = model.names().map((n) => model.profile(n)?.registeredAt ?? 0);
  const start = Math.min(...times);
  const end = Math.max(...times) + 60_000;
  const mid = Math.floor((start + end) / 2);
  // Without `to` a range ends now: for events stamped about now (a generator's) `mid` may lie ahead.
  const ranges: { from?: number; to?: number }[] = [
    {},
    { from: start + 1_234, to: mid },
    mid < Date.now() ? { from: mid } : { from: mid, to: end },
  ];
  for (const metric of ['network-strength', 'referral-points'] as LeaderboardMetric[]) {
    for (const r of ranges) {
      const q = new URLSearchParams({ limit: '1000' });
      if (r.from !== undefined) q.set('from', String(r.from));
      if (r.to !== undefined) q.set('to', String(r.to));
      const body = await ok(rt, S.LeaderboardSchema, `/leaderboards/${metric}?${q}`);
      assert.deepEqual(
        body.items,
        model.leaderboard(metric, r.from, r.to, 1000),
        `${label}: ${metric} ${JSON.stringify(r)}`,
      );
    }
  }

  const users = await ok(rt, S.MetaUsersSchema, '/meta/users?limit=1000');
  assert.equal(users.total, model.names().length, `${label}: /meta/users total`);
  assert.deepEqual(users.items, model.names().slice(0, 1000));

  const expectedRejections = expected.market.verdicts.flatMap(({ outcome: o, seq: i }) =>
    o === 'applied' || o === 'noop'
      ? []
      : [{ reason: o, event: shown(expected.items[i]), sequenceNumber: expected.seqs[i] }],
  );
  const got: unknown[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: unknown[]; nextCursor: string | null } = await ok(
      rt,
      S.RejectionsSchema,
      `/meta/rejections?limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`,
    );
    got.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  assert.deepEqual(got, JSON.parse(JSON.stringify(expectedRejections)), `${label}: /meta/rejections`);
  await assertMarketplaceMatches(rt, doc, expected.market, label);
  await assertPostsMatches(rt, doc, expected.market, label);
}

/**
 * The posts family's stored state equals the model's: every post item (user, content, time, analysis),
 * every writer's head and index (the head's entries, then the index's in the order of their sort keys,
 * are the model's newest-first list, each entry's key made from its post's time and stream position;
 * the index holds entries only once the head is full), and the all-data sums of the
 * overall set and of every writer (after the snapshot run assertMatchesModel makes).
 */
export async function assertPostsMatches(
  rt: LocalRuntime,
  doc: DynamoDBDocumentClient,
  market: MarketplaceModel,
  label: string,
): Promise<void> {
  const model = market.posts;
  const meta = await scanAll(doc, rt.tables.meta);
  const posts = new Map<string, PostItem>();
  const index = new Map<string, UserPostEntry[]>();
  const heads = new Map<string, UserPostEntry[]>();
  for (const it of meta) {
    const pk = it.pk as string;
    if (pk.startsWith('post#')) posts.set(it.id as string, it as unknown as PostItem);
    else if (pk.startsWith('postshead#')) {
      const user = pk.slice('postshead#'.length);
      heads.set(user, headEntries(user, it));
    } else if (pk.startsWith('posts#')) {
      const user = pk.slice('posts#'.length);
      const list = index.get(user) ?? [];
      list.push(it as unknown as UserPostEntry);
      index.set(user, list);
    }
  }
  assert.deepEqual([...posts.keys()].sort(), [...model.byId.keys()].sort(), `${label}: post items`);
  for (const [id, it] of posts) {
    const p = toPostState(it);
    const want = model.byId.get(id);
    assert.ok(want !== undefined);
    assert.deepEqual(
      { user: p.user, content: p.content, at: p.at, wordCount: p.wordCount, length: p.length },
      { user: want.user, content: want.content, at: want.at, wordCount: want.wordCount, length: want.length },
      `${label}: post ${id}`,
    );
  }
  const writers = new Set(model.log.map((p) => p.user));
  assert.deepEqual([...heads.keys()].sort(), [...writers].sort(), `${label}: writers' heads`);
  for (const [user, head] of heads) {
    const inIndex = (index.get(user) ?? []).sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
    assert.ok(head.length <= HEAD_ENTRIES, `${label}: the head of ${user} holds at most ${HEAD_ENTRIES}`);
    if (inIndex.length > 0)
      assert.equal(head.length, HEAD_ENTRIES, `${label}: ${user}'s index past a full head`);
    const entries = [...head, ...inIndex];
    for (const e of entries) {
      const item = posts.get(e.id);
      assert.ok(item !== undefined, `${label}: index entry of ${user} names post ${e.id}`);
      assert.equal(e.sk, userPostSk(item.at, item.p));
    }
    assert.deepEqual(
      entries.map((e) => e.id),
      model.userPosts(user).items.map((p) => p.postId),
      `${label}: the posts of ${user}, newest first`,
    );
  }

  const reader = new Reader(new ReadStore(doc, rt.tables), { stateTtlMs: 0 });
  const all = { from: null, to: Number.MAX_SAFE_INTEGER };
  const sums = async (set: string) => {
    const r = await reader.rangeBlocks(set, all);
    return r === null ? new Map<string, number[]>() : sumBlocks(r.names, r.blocks);
  };
  const totals = (ps: readonly { wordCount: number; length: number }[]) => [
    ps.length,
    ps.reduce((n, p) => n + p.wordCount, 0),
    ps.reduce((n, p) => n + p.length, 0),
  ];
  const overall = (await sums(POSTS_ALL_FIGURES.id)).get(ALL_POSTS_KEY) ?? [0, 0, 0];
  assert.deepEqual(overall, totals(model.log), `${label}: rolled-up posts of everyone`);
  const byUser = await sums(POSTS_USER_FIGURES.id);
  for (const user of writers) {
    const row = byUser.get(user) ?? [0, 0, 0];
    assert.deepEqual(
      [row[W.posts], row[W.words], row[W.length]],
      totals(model.log.filter((p) => p.user === user)),
      `${label}: rolled-up posts of ${user}`,
    );
  }
}

/**
 * The marketplace family's stored state and rolled-up figures equal the model's: every product item
 * (as the API shows it), every profile, and the all-data sums of every product and user (after the
 * snapshot run assertMatchesModel makes).
 */
async function assertMarketplaceMatches(
  rt: LocalRuntime,
  doc: DynamoDBDocumentClient,
  market: MarketplaceModel,
  label: string,
): Promise<void> {
  const meta = await scanAll(doc, rt.tables.meta);
  const products = new Map<string, ReturnType<typeof toProductState>>();
  const profiles = new Map<string, unknown>();
  for (const it of meta) {
    const pk = it.pk as string;
    if (pk.startsWith('product#'))
      products.set(it.id as string, toProductState(it as unknown as ProductItem));
    else if (pk.startsWith('profile#') && it.profile !== null) profiles.set(it.user as string, it.profile);
  }
  assert.deepEqual([...products.keys()].sort(), [...market.products.keys()].sort(), `${label}: products`);
  for (const [id, p] of products) {
    const want = market.product(id);
    assert.ok(want !== null);
    assert.deepEqual(
      {
        name: productName(p),
        firstSeenAt: toIso(p.firstSeenAt as number),
        category: p.entry?.category ?? null,
        description: p.entry?.description ?? null,
        sales: { orders: p.orders, units: p.units, revenue: partsToAmount(p.cents, p.centsHi) },
        ratings: { count: p.ratings, average: p.ratings === 0 ? null : p.ratingSum / p.ratings },
        interactions: { total: p.interactions, byAction: p.byAction },
      },
      {
        name: want.name,
        firstSeenAt: want.firstSeenAt,
        category: want.category,
        description: want.description,
        sales: want.sales,
        ratings: want.ratings,
        interactions: want.interactions,
      },
      `${label}: product ${id}`,
    );
  }
  assert.deepEqual(
    new Map([...profiles].sort()),
    new Map(
      [...market.profiles]
        .sort()
        .map(([u, pr]) => [u, { displayName: pr.displayName, email: pr.email }] as [string, unknown]),
    ),
    `${label}: profiles`,
  );

  // All-time sums from the rollups (the all-data block of each set).
  const reader = new Reader(new ReadStore(doc, rt.tables), { stateTtlMs: 0 });
  const all = { from: null, to: Number.MAX_SAFE_INTEGER };
  const sums = async (set: string) => {
    const r = await reader.rangeBlocks(set, all);
    return r === null ? new Map<string, number[]>() : sumBlocks(r.names, r.blocks);
  };
  const bySet = await sums(PRODUCT_FIGURES.id);
  for (const [id] of products) {
    const want = market.product(id);
    const row = bySet.get(id) ?? new Array<number>(PRODUCT_FIGURES.columns.length).fill(0);
    assert.deepEqual(
      {
        orders: row[P.orders],
        units: row[P.units],
        revenue: partsToAmount(row[P.cents], row[P.centsHi]),
        ratings: row[P.ratings],
        interactions: row[P.interactions],
      },
      {
        orders: want?.sales.orders,
        units: want?.sales.units,
        revenue: want?.sales.revenue,
        ratings: want?.ratings.count,
        interactions: want?.interactions.total,
      },
      `${label}: rolled-up figures of product ${id}`,
    );
  }
  const byUser = await sums(USER_FIGURES.id);
  const shoppers = new Set<string>();
  for (const { event: e } of market.log) if ('user' in e && e.user !== null) shoppers.add(e.user);
  for (const user of shoppers) {
    const want = market.userActivity(user, {}, Date.now());
    const row = byUser.get(user) ?? new Array<number>(USER_FIGURES.columns.length).fill(0);
    assert.deepEqual(
      {
        interactions: row[U.interactions],
        orders: row[U.orders],
        units: row[U.units],
        revenue: partsToAmount(row[U.cents], row[U.centsHi]),
        ratings: row[U.ratings],
      },
      {
        interactions: want.interactions,
        orders: want.purchases.orders,
        units: want.purchases.units,
        revenue: want.purchases.revenue,
        ratings: want.ratings.count,
      },
      `${label}: rolled-up activity of ${user}`,
    );
  }
  // Social sums from the same mechanism: all-time strength of every user equals the model's.
  const social = await sums(SOCIAL_FIGURES.id);
  for (const name of market.social.names()) {
    assert.equal(
      social.get(name)?.[0] ?? 0,
      market.social.networkStrength(name),
      `${label}: strength of ${name}`,
    );
  }
}
