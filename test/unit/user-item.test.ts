// The user item codec: every field of the fold's UserState survives a round trip, in order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { newUser } from '../../domain/graph';
import {
  decodeTimedNames,
  encodeTimedNames,
  friendsOf,
  referralsOf,
  toUserItem,
  toUserState,
} from '../../storage/user-item';

const timedNames = fc
  .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 4 })), {
    selector: (t) => t[0],
    maxLength: 40,
  })
  .map((pairs) => new Map(pairs.map(([n, k]) => [n, 1_752_872_034_320 + k * 5_000])));

describe('user item codec', () => {
  it('timed names round-trip in order, whatever the names (digits, quotes, unicode)', () => {
    fc.assert(
      fc.property(timedNames, (m) => {
        assert.deepEqual([...decodeTimedNames(encodeTimedNames(m))], [...m]);
      }),
    );
  });

  it('writes a shared time once per run', () => {
    const m = new Map([
      ['ann', 5],
      ['bob', 5],
      ['cy', 7],
      ['dee', 5],
    ]);
    assert.equal(encodeTimedNames(m), '[5,"ann","bob",7,"cy",5,"dee"]');
  });

  it('a user state round-trips through its item; friends come back sorted by name', () => {
    fc.assert(
      fc.property(timedNames, timedNames, fc.nat(50), (friends, referrals, points) => {
        const u = newUser('me', 1_000);
        u.friends = friends;
        u.referrals = referrals;
        u.points = points;
        u.referredBy = 'boss';
        u.referredAt = 2_000;
        const item = toUserItem(u, 'v1');
        const back = toUserState(item);
        assert.deepEqual([...back.friends], [...friends]);
        assert.deepEqual([...back.referrals], [...referrals]);
        assert.equal(back.points, points);
        assert.equal(back.referredBy, 'boss');
        assert.deepEqual(
          friendsOf(item).map(([n]) => n),
          [...friends.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        );
        assert.deepEqual(referralsOf(item), [...referrals]);
        assert.equal(item.fc, friends.size);
        assert.equal(item.rc, referrals.size);
      }),
    );
  });
});
