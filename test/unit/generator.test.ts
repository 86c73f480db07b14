import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RawEvent } from '../../domain/events';
import { RawEventSchema } from '../../domain/events';
import {
  DEFAULT_START_MS,
  EventGenerator,
  generateEvents,
  MAX_INITIAL_FRIENDS,
  mulberry32,
  userName,
} from '../../domain/generator';
import { Graph } from '../../domain/graph';
import { parseCompact, toCompact } from '../../domain/time';

const TYPE_RANK: Record<RawEvent['type'], number> = { register: 0, unfriend: 1, addfriend: 2, referral: 3 };

function pairOf(e: RawEvent): string {
  if (e.type !== 'addfriend' && e.type !== 'unfriend') throw new Error('not a friendship event');
  return e.user1_name < e.user2_name ? `${e.user1_name}|${e.user2_name}` : `${e.user2_name}|${e.user1_name}`;
}

describe('generator', () => {
  test('names are user00001… padded to five digits, wider when needed', () => {
    assert.equal(userName(1), 'user00001');
    assert.equal(userName(42), 'user00042');
    assert.equal(userName(99_999), 'user99999');
    assert.equal(userName(123_456), 'user123456');
  });

  test('the PRNG is seeded and stays in [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(
      xs,
      Array.from({ length: 1000 }, () => b()),
    );
    assert.notDeepEqual(
      xs.slice(0, 10),
      Array.from({ length: 10 }, () => c()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });

  test('same options, same events; another seed, other events', () => {
    const a = generateEvents({ users: 200, seed: 5, batches: 4 });
    const b = generateEvents({ users: 200, seed: 5, batches: 4 });
    const c = generateEvents({ users: 200, seed: 6, batches: 4 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test('every event is valid on the wire (zod contract)', () => {
    for (const e of generateEvents({ users: 100, seed: 3, batches: 5 })) {
      assert.ok(RawEventSchema.safeParse(e).success, JSON.stringify(e));
    }
  });

  test('batch 1 registers every user in order, first, all with one compact created_at', () => {
    const g = new EventGenerator({ users: 150, seed: 1 });
    const batch = g.nextBatch();
    const registers = batch.filter((e) => e.type === 'register');
    assert.deepEqual(
      registers.map((e) => e.name),
      Array.from({ length: 150 }, (_, i) => userName(i + 1)),
    );
    assert.deepEqual(batch.slice(0, 150), registers);
    const at = toCompact(DEFAULT_START_MS);
    assert.equal(at, '20250718T205354320Z');
    assert.ok(batch.every((e) => e.created_at === at));
    assert.equal(g.userCount, 150);
  });

  test('batches follow register, unfriend, addfriend, referral and step created_at by stepMs', () => {
    const g = new EventGenerator({ users: 300, seed: 9, startMs: Date.UTC(2024, 0, 1), stepMs: 1000 });
    for (let b = 0; b < 6; b++) {
      const batch = g.nextBatch();
      const at = toCompact(Date.UTC(2024, 0, 1) + b * 1000);
      assert.ok(batch.length > 0);
      for (let i = 0; i < batch.length; i++) {
        assert.equal(batch[i].created_at, at);
        if (i > 0) assert.ok(TYPE_RANK[batch[i - 1].type] <= TYPE_RANK[batch[i].type], `batch ${b} order`);
      }
      if (b > 0) {
        const types = new Set(batch.map((e) => e.type));
        for (const t of ['register', 'unfriend', 'addfriend'] as const)
          assert.ok(types.has(t), `${t} in batch ${b}`);
      }
    }
    // An explicit created_at overrides the schedule.
    const at = Date.UTC(2030, 5, 1, 12, 0, 0, 5);
    assert.ok(g.nextBatch(at).every((e) => parseCompact(e.created_at) === at));
  });

  test('batch 1 friendships: no self, at most min(200, n/2) initiated per user, repeats allowed', () => {
    for (const users of [2, 9, 40, 500]) {
      const batch = new EventGenerator({ users, seed: users }).nextBatch();
      const cap = Math.min(MAX_INITIAL_FRIENDS, Math.floor(users / 2));
      const initiated = new Map<string, number>();
      for (const e of batch) {
        if (e.type !== 'addfriend') continue;
        assert.notEqual(e.user1_name, e.user2_name);
        initiated.set(e.user1_name, (initiated.get(e.user1_name) ?? 0) + 1);
      }
      assert.equal(initiated.size, users, 'every user initiates at least one friendship');
      for (const c of initiated.values()) assert.ok(c >= 1 && c <= cap, `${c} friends with cap ${cap}`);
    }
    const single = new EventGenerator({ users: 1, seed: 1 }).nextBatch();
    assert.deepEqual(
      single.map((e) => e.type),
      ['register'],
    );
  });

  test('referrals: about 20% of new users, referrer registered earlier, never twice, never self', () => {
    const events = generateEvents({ users: 2000, seed: 77, batches: 8 });
    const registeredAt = new Map<string, number>();
    const referred = new Set<string>();
    let registers = 0;
    events.forEach((e, i) => {
      if (e.type === 'register') {
        registers++;
        registeredAt.set(e.name, i);
      }
      if (e.type === 'referral') {
        assert.notEqual(e.referredBy, e.user);
        assert.ok(registeredAt.has(e.referredBy) && registeredAt.has(e.user));
        assert.ok(Number(e.referredBy.slice(4)) < Number(e.user.slice(4)), 'the referrer is older');
        assert.ok(!referred.has(e.user), 'one referrer per user');
        referred.add(e.user);
      }
    });
    const share = referred.size / registers;
    assert.ok(share > 0.16 && share < 0.24, `referral share ${share}`);
  });

  test('later batches unfriend 20% of the pairs, befriend 30% of the users, grow the user base', () => {
    const g = new EventGenerator({ users: 400, seed: 21 });
    const friends = new Set<string>();
    const applyFriendships = (batch: RawEvent[]) => {
      for (const e of batch) {
        if (e.type === 'addfriend') friends.add(pairOf(e));
        if (e.type === 'unfriend') {
          assert.ok(friends.delete(pairOf(e)), 'an unfriend always ends an existing friendship');
        }
      }
    };
    applyFriendships(g.nextBatch());
    assert.equal(friends.size, g.friendPairCount);
    for (let b = 1; b < 6; b++) {
      const usersBefore = g.userCount;
      const pairsBefore = friends.size;
      const batch = g.nextBatch();
      const count = (t: RawEvent['type']) => batch.filter((e) => e.type === t).length;
      assert.equal(count('unfriend'), Math.round(pairsBefore * 0.2));
      const newUsers = Math.max(1, Math.round(usersBefore * 0.02));
      assert.equal(count('register'), newUsers);
      assert.equal(g.userCount, usersBefore + newUsers);
      assert.equal(count('addfriend'), Math.round(g.userCount * 0.3));
      const adders = batch
        .filter((e) => e.type === 'addfriend')
        .map((e) => (e as { user1_name: string }).user1_name);
      assert.equal(new Set(adders).size, adders.length, 'each chosen user gets one new friend');
      applyFriendships(batch);
      assert.equal(friends.size, g.friendPairCount);
    }
  });

  test('the fold accepts the whole stream: nothing rejected, only applied and noop', () => {
    const graph = new Graph();
    const outcomes = new Map<string, number>();
    for (const e of generateEvents({ users: 300, seed: 4, batches: 10 })) {
      const o = graph.applyItem(e);
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    }
    assert.deepEqual([...outcomes.keys()].sort(), ['applied', 'noop']);
  });

  test('1,000 users × 10 batches is about 180,000 events', () => {
    // Size only (speed is for benchmarks): batch 1 carries ~100 friendships per user.
    const events = generateEvents({ users: 1000, seed: 42, batches: 10 });
    assert.ok(events.length > 150_000 && events.length < 220_000, String(events.length));
  });

  test('rejects a non-positive user count', () => {
    assert.throws(() => new EventGenerator({ users: 0, seed: 1 }), RangeError);
    assert.throws(() => new EventGenerator({ users: 1.5, seed: 1 }), RangeError);
  });
});
