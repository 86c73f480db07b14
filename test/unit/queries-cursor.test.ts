import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeNameCursor,
  decodePositionCursor,
  encodeNameCursor,
  encodePositionCursor,
} from '../../queries/cursor';
import { QUERY } from '../../queries/params';

describe('cursors', () => {
  it('round-trip names and positions', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128, unit: 'grapheme' }), (name) => {
        fc.pre(name.length <= 128);
        assert.equal(decodeNameCursor(encodeNameCursor(name)), name);
      }),
    );
    const first = `${'4'.repeat(64)}.00000003`;
    assert.deepEqual(decodePositionCursor(encodePositionCursor({ first, offset: 17 })), {
      first,
      offset: 17,
    });
  });

  it('refuse anything the API did not issue, without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const n = decodeNameCursor(s);
        if (n !== null) assert.equal(encodeNameCursor(n), s);
        const p = decodePositionCursor(s);
        if (p !== null) assert.equal(encodePositionCursor(p), s);
      }),
    );
    for (const bad of [
      '',
      'x',
      '!!!!',
      `${encodeNameCursor('ann')}=`,
      encodeNameCursor('ann').slice(0, -1) + '_',
    ]) {
      assert.equal(decodeNameCursor(bad), null, bad);
    }
    // A cursor of one listing is not a cursor of the other.
    assert.equal(decodePositionCursor(encodeNameCursor('ann')), null);
    assert.equal(
      decodeNameCursor(encodePositionCursor({ first: `${'1'.repeat(64)}.00000000`, offset: 0 })),
      null,
    );
  });
});

describe('query schemas', () => {
  it('turn strings into values and name the bad parameter', () => {
    assert.deepEqual(QUERY.friends.parse({}), { limit: 50 });
    assert.deepEqual(QUERY.leaderboard.parse({ limit: '1000', from: '0' }), { limit: 1000, from: 0 });
    for (const limit of ['0', '1001', '-1', '1.5', 'ten', '', ' 5', '1e2']) {
      const r = QUERY.leaderboard.safeParse({ limit });
      assert.ok(!r.success, limit);
      assert.deepEqual(r.error.issues[0].path, ['limit']);
    }
    const badFrom = QUERY.series.safeParse({ from: 'yesterday' });
    assert.ok(!badFrom.success);
    assert.deepEqual(badFrom.error.issues[0].path, ['from']);
    const badInterval = QUERY.series.safeParse({ interval: '2m' });
    assert.ok(!badInterval.success);
    assert.match(badInterval.error.issues[0].message, /5s, 1m, 5m, 1h, 1d/);
    const unknown = QUERY.topFriends.safeParse({ limit: '3', page: '2' });
    assert.ok(!unknown.success);
    assert.equal(unknown.error.issues[0].code, 'unrecognized_keys');
    const cursor = QUERY.friends.safeParse({ cursor: 'bm9wZQ' });
    assert.ok(!cursor.success);
    assert.deepEqual(cursor.error.issues[0].path, ['cursor']);
  });
});
