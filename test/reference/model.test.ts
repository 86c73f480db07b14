// Hand-written scenarios for the reference model, rule by rule. Every expected value here is worked out
// by hand from the documented semantics (docs/semantics.md), never computed by the model itself.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Unreadable } from '../../domain/records';
import { ReferenceModel, widenRange } from './model';

/** 2025-07-18T20:53:50.000Z: a 5-second bucket edge. */
const T = Date.UTC(2025, 6, 18, 20, 53, 50);
const S = 1000;

/** created_at in compact form, `ms` after T. */
function at(ms = 0): string {
  return new Date(T + ms).toISOString().replace(/[-:]/g, '').replace('.', '');
}
const reg = (name: string, ms = 0) => ({ type: 'register', name, created_at: at(ms) });
const ref = (referredBy: string, user: string, ms = 0) => ({
  type: 'referral',
  referredBy,
  user,
  created_at: at(ms),
});
const add = (a: string, b: string, ms = 0) => ({
  type: 'addfriend',
  user1_name: a,
  user2_name: b,
  created_at: at(ms),
});
const unf = (a: string, b: string, ms = 0) => ({
  type: 'unfriend',
  user1_name: a,
  user2_name: b,
  created_at: at(ms),
});

const model = (items: unknown[]) => ReferenceModel.fromItems(items);

describe('reference model: outcomes', () => {
  test('the helper writes the compact form', () => {
    assert.equal(at(0), '20250718T205350000Z');
    assert.equal(at(4_999), '20250718T205354999Z');
  });

  test('malformed: not objects, unknown type, missing or wrong fields, bad created_at, unreadable', () => {
    const m = model([
      null,
      42,
      'register',
      [reg('ann')],
      { type: 'poke', name: 'ann', created_at: at() },
      { name: 'ann', created_at: at() },
      { type: 'register', created_at: at() },
      { type: 'register', name: 'ann' },
      { type: 'register', name: '', created_at: at() },
      { type: 'register', name: 'x'.repeat(129), created_at: at() },
      { type: 'register', name: 7, created_at: at() },
      { type: 'register', name: 'ann', created_at: 1752872030000 },
      { type: 'register', name: 'ann', created_at: '20250230T000000Z' },
      { type: 'register', name: 'ann', created_at: '2025-07-18T24:00:00Z' },
      { type: 'register', name: 'ann', created_at: '2025-07-18T20:53:50' },
      { type: 'referral', referredBy: 'ann', created_at: at() },
      { type: 'addfriend', user1_name: 'ann', user2_name: null, created_at: at() },
      { type: 'unfriend', user1: 'ann', user2: 'bob', created_at: at() },
      new Unreadable('{"type":', 'line is not JSON'),
    ]);
    assert.deepEqual(
      m.outcomes,
      Array.from({ length: 19 }, () => 'malformed'),
    );
    assert.equal(m.users.size, 0);
    assert.equal(m.log.length, 0);
  });

  test('a name of exactly 128 characters is valid; extra fields are ignored', () => {
    const long = 'x'.repeat(128);
    const m = model([{ ...reg(long), extra: true }]);
    assert.deepEqual(m.outcomes, ['applied']);
    assert.ok(m.users.has(long));
  });

  test('duplicate_register keeps the first registration', () => {
    const m = model([reg('ann', 0), reg('ann', 7 * S)]);
    assert.deepEqual(m.outcomes, ['applied', 'duplicate_register']);
    assert.equal(m.user('ann')?.registeredAt, T);
  });

  test('a malformed register does not register, so a later valid one applies', () => {
    const m = model([{ ...reg('ann'), created_at: 'nope' }, reg('ann')]);
    assert.deepEqual(m.outcomes, ['malformed', 'applied']);
  });

  test('unknown_user for any named user not registered yet, checked before self_relation', () => {
    const m = model([
      reg('ann'),
      add('ann', 'ghost'),
      add('ghost', 'ann'),
      unf('ann', 'ghost'),
      ref('ghost', 'ann'),
      ref('ann', 'ghost'),
      // same unknown name twice: unknown_user comes first in the check order
      add('ghost', 'ghost'),
      unf('ghost', 'ghost'),
      ref('ghost', 'ghost'),
      // registered later: the earlier events stay rejected, later ones apply
      reg('ghost'),
      add('ann', 'ghost'),
    ]);
    assert.deepEqual(m.outcomes, [
      'applied',
      'unknown_user',
      'unknown_user',
      'unknown_user',
      'unknown_user',
      'unknown_user',
      'unknown_user',
      'unknown_user',
      'unknown_user',
      'applied',
      'applied',
    ]);
  });

  test('self_relation for addfriend, unfriend and referral naming one registered user twice', () => {
    const m = model([reg('ann'), add('ann', 'ann'), unf('ann', 'ann'), ref('ann', 'ann')]);
    assert.deepEqual(m.outcomes, ['applied', 'self_relation', 'self_relation', 'self_relation']);
    assert.equal(m.networkStrength('ann'), 0);
  });

  test('noop: addfriend of friends (either order), unfriend of non-friends', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      unf('ann', 'bob'),
      add('ann', 'bob'),
      add('ann', 'bob'),
      add('bob', 'ann'),
      unf('bob', 'ann'),
      unf('ann', 'bob'),
    ]);
    assert.deepEqual(m.outcomes, [
      'applied',
      'applied',
      'noop',
      'applied',
      'noop',
      'noop',
      'applied',
      'noop',
    ]);
    assert.equal(m.user('ann')?.friends.size, 0);
    assert.equal(m.user('bob')?.friends.size, 0);
  });

  test('already_referred: at most one referrer, forever; checked before referral_cycle', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      reg('cat'),
      ref('ann', 'bob'),
      ref('cat', 'bob'), // bob has a referrer
      ref('ann', 'bob'), // even the same referrer again
      ref('bob', 'cat'),
      ref('cat', 'bob'), // bob already referred (would also be a cycle): already_referred wins
    ]);
    assert.deepEqual(m.outcomes, [
      'applied',
      'applied',
      'applied',
      'applied',
      'already_referred',
      'already_referred',
      'applied',
      'already_referred',
    ]);
    assert.equal(m.user('bob')?.referredBy, 'ann');
  });

  test('referral_cycle: the referred user may not be an ancestor of the referrer', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      reg('cat'),
      reg('dan'),
      ref('ann', 'bob'),
      ref('bob', 'ann'), // ann is bob's referrer
      ref('bob', 'cat'),
      ref('cat', 'ann'), // ann is the root of cat's chain (depth 2)
      ref('cat', 'dan'), // fine: dan is in no chain
      ref('dan', 'ann'), // ann is dan's great-grand-referrer
    ]);
    assert.deepEqual(m.outcomes, [
      'applied',
      'applied',
      'applied',
      'applied',
      'applied',
      'referral_cycle',
      'applied',
      'referral_cycle',
      'applied',
      'referral_cycle',
    ]);
    assert.equal(m.user('ann')?.referredBy, null);
  });

  test('a root of another tree may be referred by anyone', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      reg('cat'),
      reg('dan'),
      ref('ann', 'bob'),
      ref('cat', 'dan'),
      ref('bob', 'cat'),
    ]);
    assert.deepEqual(m.outcomes.slice(4), ['applied', 'applied', 'applied']);
    assert.deepEqual(m.ancestorsOf('dan'), ['cat', 'bob', 'ann']);
  });

  test('totals count every outcome once, with all six reasons present, by family and by kind', () => {
    const m = model([reg('ann'), reg('bob'), add('ann', 'bob'), add('ann', 'bob'), reg('ann'), null]);
    assert.deepEqual(m.totals(), {
      applied: 3,
      noop: 1,
      rejected: 2,
      rejectedByReason: {
        malformed: 1,
        duplicate_register: 1,
        unknown_user: 0,
        self_relation: 0,
        already_referred: 0,
        referral_cycle: 0,
        duplicate_post: 0,
      },
      byFamily: {
        social: { applied: 3, noop: 1, rejected: 1 },
        marketplace: { applied: 0, noop: 0, rejected: 0 },
        posts: { applied: 0, noop: 0, rejected: 0 },
      },
      byType: {
        register: 2,
        referral: 0,
        addfriend: 1,
        unfriend: 0,
        productSold: 0,
        productRated: 0,
        interaction: 0,
        productUpserted: 0,
        productDeleted: 0,
        profileUpserted: 0,
        profileDeleted: 0,
        post: 0,
      },
    });
    assert.deepEqual(ReferenceModel.fromItems([]).totals().rejectedByReason, {
      malformed: 0,
      duplicate_register: 0,
      unknown_user: 0,
      self_relation: 0,
      already_referred: 0,
      referral_cycle: 0,
      duplicate_post: 0,
    });
  });
});

describe('reference model: the graph', () => {
  test('points flow to depth 2 only', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      reg('cat'),
      reg('dan'),
      ref('ann', 'bob', 1 * S), // ann +1
      ref('bob', 'cat', 2 * S), // bob +1, ann +1
      ref('cat', 'dan', 3 * S), // cat +1, bob +1 (ann is depth 3: nothing)
    ]);
    assert.equal(m.referralPoints('ann'), 2);
    assert.equal(m.referralPoints('bob'), 2);
    assert.equal(m.referralPoints('cat'), 1);
    assert.equal(m.referralPoints('dan'), 0);
    // strength: referrals made + 1 for having a referrer
    assert.equal(m.networkStrength('ann'), 1);
    assert.equal(m.networkStrength('bob'), 2);
    assert.equal(m.networkStrength('cat'), 2);
    assert.equal(m.networkStrength('dan'), 1);
    assert.equal(m.user('dan')?.referredAt, T + 3 * S);
    assert.deepEqual([...(m.user('bob')?.referrals ?? [])], [['cat', T + 2 * S]]);
  });

  test("the depth-2 point goes to the referrer's referrer at that moment, not later", () => {
    const m = model([reg('ann'), reg('bob'), reg('cat'), ref('bob', 'cat'), ref('ann', 'bob')]);
    assert.equal(m.referralPoints('bob'), 1);
    assert.equal(m.referralPoints('ann'), 1);
  });

  test('a pair can be unfriended and re-friended within one created_at: stream order decides', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      add('ann', 'bob', 0),
      unf('ann', 'bob', 0),
      add('bob', 'ann', 0),
    ]);
    assert.deepEqual(m.outcomes, ['applied', 'applied', 'applied', 'applied', 'applied']);
    assert.deepEqual(m.friends('ann'), [{ name: 'bob', since: T }]);
    assert.deepEqual(m.friends('bob'), [{ name: 'ann', since: T }]);
    assert.equal(m.friendsAdded('ann', T, T + 5 * S), 2);
    assert.equal(m.friendsRemoved('ann', T, T + 5 * S), 1);
    assert.deepEqual(m.bucketDeltas('ann'), [{ bucket: T, fa: 2, fr: 1, rf: 0, gr: 0, pt: 0 }]);
  });

  test('since is the created_at of the addfriend that made the current friendship', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      add('ann', 'bob', 1 * S),
      unf('ann', 'bob', 10 * S),
      add('ann', 'bob', 20 * S),
      add('ann', 'bob', 30 * S),
    ]);
    assert.deepEqual(m.friends('ann'), [{ name: 'bob', since: T + 20 * S }]);
  });

  test('profile, friends (by name), topFriends (score desc, name asc), unknown users', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      reg('cat'),
      reg('dan'),
      reg('eve'),
      add('ann', 'dan', 1 * S),
      add('ann', 'bob', 2 * S),
      add('ann', 'cat', 3 * S),
      ref('cat', 'eve', 4 * S), // cat: strength 2 (ann, eve), points 1 -> score 3
      add('bob', 'eve', 5 * S), // bob: strength 2 (ann, eve), points 0 -> score 2
      add('dan', 'eve', 6 * S), // dan: strength 2, points 0 -> score 2
    ]);
    assert.deepEqual(m.profile('ann'), {
      name: 'ann',
      registeredAt: T,
      referredBy: null,
      friendsCount: 3,
      referralsCount: 0,
      networkStrength: 3,
      referralPoints: 0,
    });
    assert.deepEqual(m.profile('eve'), {
      name: 'eve',
      registeredAt: T,
      referredBy: 'cat',
      friendsCount: 2,
      referralsCount: 0,
      networkStrength: 3,
      referralPoints: 0,
    });
    assert.deepEqual(m.friends('ann'), [
      { name: 'bob', since: T + 2 * S },
      { name: 'cat', since: T + 3 * S },
      { name: 'dan', since: T + 1 * S },
    ]);
    assert.deepEqual(m.topFriends('ann', 3), [
      { name: 'cat', networkStrength: 2, referralPoints: 1, score: 3 },
      { name: 'bob', networkStrength: 2, referralPoints: 0, score: 2 },
      { name: 'dan', networkStrength: 2, referralPoints: 0, score: 2 },
    ]);
    assert.deepEqual(
      m.topFriends('ann', 2)?.map((f) => f.name),
      ['cat', 'bob'],
    );
    assert.equal(m.profile('ghost'), null);
    assert.equal(m.friends('ghost'), null);
    assert.equal(m.topFriends('ghost', 3), null);
    assert.equal(m.network('ghost'), null);
    assert.equal(m.networkStrength('ghost'), 0);
  });

  test('network: a node both friend and referred is reported as referred, with both edges', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      reg('cat'),
      reg('dan'),
      reg('eve'),
      ref('ann', 'bob'),
      ref('bob', 'cat'),
      ref('bob', 'dan'),
      add('bob', 'dan'),
      add('eve', 'bob'),
      add('bob', 'ann'),
    ]);
    assert.deepEqual(m.network('bob'), {
      name: 'bob',
      nodes: [
        { name: 'bob', relation: 'self' },
        { name: 'ann', relation: 'referrer' },
        { name: 'cat', relation: 'referred' },
        { name: 'dan', relation: 'referred' },
        { name: 'eve', relation: 'friend' },
      ],
      edges: [
        { from: 'ann', to: 'bob', type: 'referral' },
        { from: 'bob', to: 'cat', type: 'referral' },
        { from: 'bob', to: 'dan', type: 'referral' },
        { from: 'bob', to: 'ann', type: 'friendship' },
        { from: 'bob', to: 'dan', type: 'friendship' },
        { from: 'bob', to: 'eve', type: 'friendship' },
      ],
    });
    assert.deepEqual(m.network('eve'), {
      name: 'eve',
      nodes: [
        { name: 'eve', relation: 'self' },
        { name: 'bob', relation: 'friend' },
      ],
      edges: [{ from: 'eve', to: 'bob', type: 'friendship' }],
    });
  });
});

describe('reference model: time', () => {
  test('widenRange floors from and ceils to to 5-second bucket edges', () => {
    assert.deepEqual(widenRange(T, T + 5 * S), { from: T, to: T + 5 * S });
    assert.deepEqual(widenRange(T + 1, T + 5 * S + 1), { from: T, to: T + 10 * S });
    assert.deepEqual(widenRange(T + 4_999, T + 4_999), { from: T, to: T + 5 * S });
    assert.deepEqual(widenRange(undefined, T + 1), { from: undefined, to: T + 5 * S });
    assert.deepEqual(widenRange(T - 1, undefined), { from: T - 5 * S, to: undefined });
    assert.deepEqual(widenRange(), { from: undefined, to: undefined });
    assert.deepEqual(widenRange(-1, -1), { from: -5_000, to: 0 });
    assert.deepEqual(widenRange(0, 0), { from: 0, to: 0 });
  });

  test('ranged answers at bucket edges', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      reg('cat'),
      add('ann', 'bob', 4_999), // bucket T
      add('ann', 'cat', 5_000), // bucket T+5s
    ]);
    assert.equal(m.strengthDelta('ann', T, T + 5 * S), 1);
    assert.equal(m.strengthDelta('ann', T + 5 * S, T + 10 * S), 1);
    assert.equal(m.strengthDelta('ann', T, T + 10 * S), 2);
    // to on an edge is not widened: [T, T+5s) excludes the event at T+5s
    assert.equal(m.friendsAdded('ann', T, T + 5_000), 1);
    // to inside a bucket is ceiled: T+5001 -> T+10s
    assert.equal(m.friendsAdded('ann', T, T + 5_001), 2);
    // from inside a bucket is floored: T+4999 -> T, so the event at T+4999 counts
    assert.equal(m.friendsAdded('ann', T + 4_999, T + 5_000), 1);
    // from T+5001 -> T+5s: only the second one
    assert.equal(m.friendsAdded('ann', T + 5_001, T + 6_000), 1);
    // an empty range after widening
    assert.equal(m.strengthDelta('ann', T + 10 * S, T + 10 * S), 0);
    // no from: the value at to
    assert.equal(m.strengthDelta('ann', undefined, T + 1), 1);
    assert.equal(m.strengthDelta('ann'), 2);
    // raw (unwidened) instants
    assert.equal(m.friendsAt('ann', T + 4_999), 0);
    assert.equal(m.friendsAt('ann', T + 5_000), 1);
    assert.equal(m.strengthAt('ann', T + 5_001), 2);
  });

  test('late events are placed by created_at; the graph follows stream order', () => {
    const m = model([
      reg('ann', 0),
      reg('bob', 0),
      reg('cat', 0),
      add('ann', 'bob', 20 * S),
      ref('ann', 'cat', 5 * S), // late: older than the addfriend before it
      unf('ann', 'bob', 2 * S), // late, and older than the addfriend it dissolves
    ]);
    assert.deepEqual(m.outcomes.slice(3), ['applied', 'applied', 'applied']);
    assert.equal(m.networkStrength('ann'), 1);
    assert.equal(m.strengthDelta('ann'), 1);
    // [T, T+10s): the unfriend (-1) and the referral (+1)
    assert.equal(m.strengthDelta('ann', T, T + 10 * S), 0);
    assert.equal(m.strengthDelta('ann', T, T + 4 * S), -1);
    assert.equal(m.friendsAt('ann', T + 10 * S), -1);
    assert.equal(m.friendsAt('ann', T + 25 * S), 0);
    // [T+20s, T+25s): only the addfriend
    assert.equal(m.strengthDelta('ann', T + 20 * S, T + 25 * S), 1);
    assert.equal(m.pointsIn('ann', T + 5 * S, T + 10 * S), 1);
    assert.equal(m.pointsIn('ann', T + 10 * S, undefined), 0);
    assert.deepEqual(m.bucketDeltas('ann'), [
      { bucket: T, fa: 0, fr: 1, rf: 0, gr: 0, pt: 0 },
      { bucket: T + 5 * S, fa: 0, fr: 0, rf: 1, gr: 0, pt: 1 },
      { bucket: T + 20 * S, fa: 1, fr: 0, rf: 0, gr: 0, pt: 0 },
    ]);
    assert.deepEqual(m.bucketDeltas('cat'), [{ bucket: T + 5 * S, fa: 0, fr: 0, rf: 0, gr: 1, pt: 0 }]);
  });

  test('leaderboards: positive values only, value desc then name asc, ranked, limited', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      reg('cat'),
      reg('dan'),
      reg('eve'),
      add('ann', 'bob', 1 * S),
      add('ann', 'cat', 1 * S),
      add('dan', 'eve', 1 * S),
      ref('dan', 'bob', 2 * S), // dan +1 point, +1 strength; bob +1 strength
      ref('bob', 'cat', 6 * S), // bob +1 point, dan +1 point; bob +1, cat +1 strength
      unf('ann', 'bob', 7 * S), // ann -1, bob -1
    ]);
    // all time: ann 1, bob 1+1+1-1 = 2, cat 1+1 = 2, dan 1+1 = 2, eve 1
    assert.deepEqual(m.leaderboard('network-strength', undefined, undefined, 10), [
      { rank: 1, name: 'bob', value: 2 },
      { rank: 2, name: 'cat', value: 2 },
      { rank: 3, name: 'dan', value: 2 },
      { rank: 4, name: 'ann', value: 1 },
      { rank: 5, name: 'eve', value: 1 },
    ]);
    assert.deepEqual(m.leaderboard('network-strength', undefined, undefined, 2), [
      { rank: 1, name: 'bob', value: 2 },
      { rank: 2, name: 'cat', value: 2 },
    ]);
    // [T+5s, T+10s): ann -1 (excluded), bob +1-1 = 0 (excluded), cat +1
    assert.deepEqual(m.leaderboard('network-strength', T + 5 * S, T + 10 * S, 10), [
      { rank: 1, name: 'cat', value: 1 },
    ]);
    // points all time: dan 2, bob 1
    assert.deepEqual(m.leaderboard('referral-points', undefined, undefined, 10), [
      { rank: 1, name: 'dan', value: 2 },
      { rank: 2, name: 'bob', value: 1 },
    ]);
    // points in [T+1ms, T+4s) widened to [T, T+5s): only the first referral
    assert.deepEqual(m.leaderboard('referral-points', T + 1, T + 4 * S, 10), [
      { rank: 1, name: 'dan', value: 1 },
    ]);
    assert.deepEqual(m.leaderboard('referral-points', T + 10 * S, undefined, 10), []);
  });

  test('referral series: count per step, cumulative all-time total at the step end', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      reg('cat'),
      reg('dan'),
      ref('ann', 'bob', -3 * S), // before the range (bucket T-5s)
      ref('ann', 'cat', 6 * S), // step 2
      ref('ann', 'dan', 14_999), // step 3
    ]);
    assert.deepEqual(m.referralSeries('ann', T + 1, T + 14 * S, 5 * S), {
      from: T,
      to: T + 15 * S,
      count: 2,
      series: [
        { start: T, count: 0, cumulative: 1 },
        { start: T + 5 * S, count: 1, cumulative: 2 },
        { start: T + 10 * S, count: 1, cumulative: 3 },
      ],
    });
    // an interval that does not divide the range: the last step is clipped at to
    assert.deepEqual(m.referralSeries('ann', T - 5 * S, T + 15 * S, 15 * S).series, [
      { start: T - 5 * S, count: 2, cumulative: 2 },
      { start: T + 10 * S, count: 1, cumulative: 3 },
    ]);
  });

  test('friends-count series: atStart, atEnd, added, removed, count at each step end', () => {
    const m = model([
      reg('ann'),
      reg('bob'),
      reg('cat'),
      add('ann', 'bob', -1), // before the range
      add('ann', 'cat', 1 * S),
      unf('ann', 'bob', 2 * S),
      add('ann', 'bob', 7 * S),
      unf('ann', 'cat', 12 * S),
    ]);
    assert.deepEqual(m.friendsCountSeries('ann', T, T + 15 * S, 5 * S), {
      from: T,
      to: T + 15 * S,
      atStart: 1,
      atEnd: 1,
      added: 2,
      removed: 2,
      series: [
        { start: T, count: 1 },
        { start: T + 5 * S, count: 2 },
        { start: T + 10 * S, count: 1 },
      ],
    });
  });

  test('ISO 8601 with an offset and the compact form place events at the same instant', () => {
    const m = model([
      { type: 'register', name: 'ann', created_at: '2025-07-18T22:53:54.999+02:00' },
      { type: 'register', name: 'bob', created_at: '20250718T205354999Z' },
      { type: 'register', name: 'cat', created_at: '20250718T205355Z' },
      { type: 'addfriend', user1_name: 'ann', user2_name: 'bob', created_at: '2025-07-18T15:53:55-05:00' },
    ]);
    assert.equal(m.user('ann')?.registeredAt, T + 4_999);
    assert.equal(m.user('bob')?.registeredAt, T + 4_999);
    assert.equal(m.user('cat')?.registeredAt, T + 5_000);
    assert.deepEqual(m.friends('ann'), [{ name: 'bob', since: T + 5_000 }]);
  });
});
