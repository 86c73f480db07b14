// Checks a live local runtime against the reference model built from the very records in its stream:
// the whole stored graph and counters, GET /meta/pipeline, and a set of API answers (profiles,
// networks, friends, top friends, series, leaderboards after a snapshot run, users, rejections).
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeRecord, Unreadable } from '../../domain/records';
import { parseCreatedAt, toIso } from '../../domain/time';
import type { StreamRecord } from '../../lambdas/processor/batch-processor';
import type { LocalRuntime } from '../../local/runtime';
import * as S from '../../queries/schemas';
import { makeKinesisClient } from '../../storage/clients';
import { type LeaderboardMetric, ReferenceModel, withoutResends } from '../reference/model';
import { committedGraph, modelGraph } from './pipeline-harness';

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
  model: ReferenceModel;
}

/**
 * The reference built from the stream, leaving out records the mapping sent to the failure queue, and
 * the producers' resends.
 */
export function expectedFrom(records: StreamRecord[], skipped: ReadonlySet<string> = new Set()): Expected {
  const items: unknown[] = [];
  const seqs: string[] = [];
  let lastSequenceNumber: string | null = null;
  const reached = records.filter((r) => !skipped.has(r.sequenceNumber));
  const { folded, resent } = withoutResends(reached);
  for (const r of reached) lastSequenceNumber = r.sequenceNumber;
  for (const r of folded) {
    for (const item of decodeRecord(r.data)) {
      items.push(item);
      seqs.push(r.sequenceNumber);
    }
  }
  return { items, seqs, lastSequenceNumber, resentRecords: resent, model: ReferenceModel.fromItems(items) };
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
  assert.deepEqual(await committedGraph(doc, rt.tables), modelGraph(model), `${label}: the stored graph`);

  const totals = model.totals();
  let lastEventAt: number | null = null;
  model.outcomes.forEach((o, i) => {
    if (o === 'malformed') return;
    lastEventAt = parseCreatedAt((expected.items[i] as { created_at: string }).created_at);
  });
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
    await new Promise((r) => setTimeout(r, 1_000));
    pipeline = await view();
  }
  assert.deepEqual(pipeline, wanted, `${label}: /meta/pipeline`);

  for (const name of sampleUsers(model, 6)) {
    const u = encodeURIComponent(name);
    const p = model.profile(name);
    assert.ok(p);
    assert.deepEqual(
      await ok(rt, S.ProfileSchema, `/users/${u}`),
      { ...p, registeredAt: toIso(p.registeredAt) },
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

  const expectedRejections = model.outcomes.flatMap((o, i) =>
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
}
