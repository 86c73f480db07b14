// The fold's fast path (Graph.applyItem: parsed item in, validated and applied in one step, friendships
// on interned ids in a pair table, friend maps and history cells brought up to date when read) against
// the allocating path (toGraphEvent + Graph.apply) and the reference model. Beyond what
// fold-vs-reference checks, these properties pin down what the fast path adds: friend maps in exactly
// the order an event-by-event update leaves them, graphs built over users loaded from an earlier graph
// or from storage (as the processor does), reads in the middle of a batch, and enough pairs and churn
// to grow the pair table and move entries on removal.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { toGraphEvent } from '../../domain/events';
import { Graph, type Outcome, type UserState } from '../../domain/graph';
import { COMPACT_IDS } from '../../domain/pair-table';
import { toUserItem, toUserState } from '../../storage/user-item';
import { ReferenceModel } from '../reference/model';
import {
  batchedStreamArb,
  compactOf,
  dirtyStreamArb,
  malformedItemArb,
  referralStormArb,
} from '../support/arbitraries';

/** Everything a user carries, friends and referrals as entry lists in map order. */
function snapshot(users: Map<string, UserState>): unknown[] {
  return [...users.keys()].sort().map((name) => {
    const u = users.get(name) as UserState;
    return {
      name: u.name,
      registeredAt: u.registeredAt,
      referredBy: u.referredBy,
      referredAt: u.referredAt,
      friends: [...u.friends.entries()],
      referrals: [...u.referrals.entries()],
      points: u.points,
      history: u.history.map((c) => [c.b, c.fa, c.fr, c.rf, c.gr, c.pt]),
    };
  });
}

/** The model's view in the same shape: its maps follow the same set/delete order as the events. */
function modelSnapshot(model: ReferenceModel): unknown[] {
  return model.names().map((name) => {
    const m = model.user(name);
    assert.ok(m !== undefined);
    return {
      name: m.name,
      registeredAt: m.registeredAt,
      referredBy: m.referredBy,
      referredAt: m.referredAt ?? 0,
      friends: [...m.friends.entries()],
      referrals: [...m.referrals.entries()],
      points: m.points,
      history: model.bucketDeltas(name).map((c) => [c.bucket, c.fa, c.fr, c.rf, c.gr, c.pt]),
    };
  });
}

/** Folds with the allocating path, one event object per item. */
function foldSlow(items: readonly unknown[]): { graph: Graph; outcomes: Outcome[] } {
  const graph = new Graph();
  graph.beginBatch();
  const outcomes = items.map((item) => {
    const e = toGraphEvent(item);
    return e === null ? 'malformed' : graph.apply(e);
  });
  return { graph, outcomes };
}

function foldFast(items: readonly unknown[]): { graph: Graph; outcomes: Outcome[] } {
  const graph = new Graph();
  graph.beginBatch();
  const outcomes = items.map((item) => graph.applyItem(item));
  return { graph, outcomes };
}

/**
 * Folds like the processor: each chunk into a new Graph over the users the previous chunks left
 * (optionally through the storage codec, as a cold processor reads them), reading `users` at the
 * given points inside chunks, as a caller may.
 */
function foldChunked(
  items: readonly unknown[],
  cuts: readonly number[],
  peeks: ReadonlySet<number>,
  viaStorage: boolean,
): { users: Map<string, UserState>; outcomes: Outcome[] } {
  let users = new Map<string, UserState>();
  const outcomes: Outcome[] = [];
  const edges = [0, ...cuts, items.length];
  for (let k = 0; k + 1 < edges.length; k++) {
    if (viaStorage) {
      users = new Map([...users].map(([n, u]) => [n, toUserState(toUserItem(u, 'v'))]));
    }
    const graph = new Graph(users);
    graph.beginBatch();
    for (let i = edges[k]; i < edges[k + 1]; i++) {
      outcomes.push(graph.applyItem(items[i]));
      if (peeks.has(i)) assert.ok(graph.users.size >= 0);
    }
    users = graph.users;
  }
  return { users, outcomes };
}

/** A seeded stream of heavy friendship churn among `n` users: many pairs, many removals. */
function churnStream(n: number, events: number, seed: number): unknown[] {
  // mulberry32: every bit well mixed (an LCG's low bits would repeat after a few steps).
  let s = seed >>> 0;
  const rnd = (k: number): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % k;
  };
  const name = (i: number): string => `u${String(i).padStart(4, '0')}`;
  const t0 = Date.UTC(2025, 6, 18, 20, 0, 0);
  const items: unknown[] = [];
  for (let i = 0; i < n; i++) items.push({ type: 'register', name: name(i), created_at: compactOf(t0) });
  for (let i = 0; i < events; i++) {
    const a = rnd(n);
    const b = rnd(n);
    // created_at moves on every few hundred events, so buckets change under open counters.
    const ca = compactOf(t0 + Math.floor(i / 300) * 2_500);
    const type = rnd(10) < 6 ? 'addfriend' : 'unfriend';
    items.push({ type, user1_name: name(a), user2_name: name(b), created_at: ca });
    if (rnd(200) === 0)
      items.push({ type: 'referral', referredBy: name(rnd(n)), user: name(rnd(n)), created_at: ca });
  }
  return items;
}

const streamArb = fc.oneof(
  dirtyStreamArb({ maxLength: 80 }),
  referralStormArb(),
  batchedStreamArb(),
  fc.array(fc.oneof(malformedItemArb, fc.anything()), { maxLength: 20 }),
);

describe('fold fast path', () => {
  test('applyItem decides and leaves exactly what toGraphEvent + apply do (property)', () => {
    fc.assert(
      fc.property(streamArb, (items) => {
        const slow = foldSlow(items);
        const fast = foldFast(items);
        assert.deepEqual(fast.outcomes, slow.outcomes);
        assert.deepEqual(
          fast.graph.touched.map((u) => u.name),
          slow.graph.touched.map((u) => u.name),
        );
        assert.deepEqual(fast.graph.batchDeltas(), slow.graph.batchDeltas());
        assert.deepEqual(snapshot(fast.graph.users), snapshot(slow.graph.users));
      }),
      { numRuns: 300 },
    );
  });

  test('friend maps hold the model’s entries in the model’s (event-by-event) order (property)', () => {
    fc.assert(
      fc.property(streamArb, (items) => {
        const model = ReferenceModel.fromItems(items);
        const { graph, outcomes } = foldFast(items);
        assert.deepEqual(outcomes, model.outcomes);
        assert.deepEqual(snapshot(graph.users), modelSnapshot(model));
      }),
      { numRuns: 300 },
    );
  });

  test('chunks folded into new graphs over loaded users, read mid-batch, equal one fold (property)', () => {
    const arb = dirtyStreamArb({ maxLength: 80 }).chain((items) =>
      fc.tuple(
        fc.constant(items),
        fc.uniqueArray(fc.nat(items.length), { maxLength: 6 }).map((c) => c.sort((a, b) => a - b)),
        fc.uniqueArray(fc.nat(items.length), { maxLength: 6 }),
        fc.boolean(),
      ),
    );
    fc.assert(
      fc.property(arb, ([items, cuts, peeks, viaStorage]) => {
        const model = ReferenceModel.fromItems(items);
        const { users, outcomes } = foldChunked(items, cuts, new Set(peeks), viaStorage);
        assert.deepEqual(outcomes, model.outcomes);
        assert.deepEqual(snapshot(users), modelSnapshot(model));
      }),
      { numRuns: 300 },
    );
  });

  test('heavy churn: the pair table grows and removes thousands of pairs, in one graph or many', () => {
    for (const [n, events, seed] of [
      [120, 40_000, 1],
      [400, 30_000, 2],
    ]) {
      const items = churnStream(n, events, seed);
      const model = ReferenceModel.fromItems(items);
      // More live friendships than the table's first size holds at half load: it must have grown.
      let live = 0;
      for (const name of model.names()) live += model.user(name)?.friends.size ?? 0;
      assert.ok(live / 2 > 2_048, `${live / 2} friendships`);
      const expected = modelSnapshot(model);
      const one = foldFast(items);
      assert.deepEqual(one.outcomes, model.outcomes);
      assert.deepEqual(snapshot(one.graph.users), expected);
      const cuts = [5_000, 5_001, 17_000, 29_999];
      const peeks = new Set([100, 4_000, 12_345, 20_000, 25_000]);
      for (const viaStorage of [false, true]) {
        const chunked = foldChunked(items, cuts, peeks, viaStorage);
        assert.deepEqual(chunked.outcomes, model.outcomes);
        assert.deepEqual(snapshot(chunked.users), expected);
      }
    }
  });

  test('past 65,535 ids the pair table widens, with friendships already in it, in one graph or many', () => {
    // Friendships among the first users (compact slots), then enough registrations to pass the compact
    // layout's id range, then churn that mixes old pairs and pairs of the new, high ids.
    const old = churnStream(300, 6_000, 4);
    const at = Date.UTC(2025, 6, 18, 21, 0, 0);
    const items: unknown[] = [...old];
    const many = COMPACT_IDS + 500;
    for (let i = 0; i < many; i++) items.push({ type: 'register', name: `v${i}`, created_at: compactOf(at) });
    let s = 5;
    const rnd = (k: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s >>> 8) % k;
    };
    const someone = (): string =>
      rnd(2) === 0 ? `u${String(rnd(300)).padStart(4, '0')}` : `v${many - 1 - rnd(800)}`;
    for (let i = 0; i < 8_000; i++) {
      const type = rnd(10) < 6 ? 'addfriend' : 'unfriend';
      items.push({ type, user1_name: someone(), user2_name: someone(), created_at: compactOf(at + 5_000) });
    }
    const model = ReferenceModel.fromItems(items);
    assert.ok(model.outcomes.slice(old.length + many).filter((o) => o === 'applied').length > 2_000);
    const expected = modelSnapshot(model);
    const one = foldFast(items);
    assert.deepEqual(one.outcomes, model.outcomes);
    assert.deepEqual(snapshot(one.graph.users), expected);
    // Cut after the registrations: the next graph attaches loaded users (and their friends' ids) as it goes.
    const cuts = [3_000, old.length + many, old.length + many + 4_000];
    for (const viaStorage of [false, true]) {
      const chunked = foldChunked(items, cuts, new Set([old.length + 10]), viaStorage);
      assert.deepEqual(chunked.outcomes, model.outcomes);
      assert.deepEqual(snapshot(chunked.users), expected);
    }
  });

  test('a batch after a read: deltas and touched users cover only that batch', () => {
    const items = churnStream(50, 3_000, 3);
    const graph = new Graph();
    graph.beginBatch();
    for (let i = 0; i < 2_000; i++) graph.applyItem(items[i]);
    const before = snapshot(graph.users);
    graph.beginBatch();
    assert.equal(graph.touched.length, 0);
    assert.deepEqual(graph.batchDeltas(), []);
    assert.deepEqual(snapshot(graph.users), before);
    for (let i = 2_000; i < items.length; i++) graph.applyItem(items[i]);
    const model = ReferenceModel.fromItems(items);
    assert.deepEqual(snapshot(graph.users), modelSnapshot(model));
    const expectTouched = new Set<string>();
    for (const e of model.log)
      if (e.seq >= 2_000) for (const n of ReferenceModel.usersTouchedBy(e)) expectTouched.add(n);
    assert.deepEqual(new Set(graph.touched.map((u) => u.name)), expectTouched);
  });
});
