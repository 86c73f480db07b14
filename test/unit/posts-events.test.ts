// The `post` event's contract (domain/posts/events.ts): the fast validator the processor runs accepts
// exactly what the zod schema accepts and gives the same event; the limits of SPEC 12; and the posts
// fold's outcomes (a new id applied, an identical repeat a noop, a reused id with another user or
// content `duplicate_post`), with a property that folding any stream twice changes nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parsePostEvent, readPostEvent, toPostWire } from '../../domain/posts/events';
import { POSTS_USER_FIGURES } from '../../domain/posts/family';
import { PostsFold } from '../../domain/posts/fold';
import { nearMissPostArb, validPostArb } from '../support/posts-arbitraries';

const ARRIVAL = Date.UTC(2025, 6, 18, 20, 0, 0);

function assertAgree(x: unknown): void {
  assert.deepEqual(readPostEvent(x, ARRIVAL), parsePostEvent(x, ARRIVAL), JSON.stringify(x));
}

describe('readPostEvent agrees with PostEventSchema', () => {
  test('on arbitrary values, valid posts and near misses (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), assertAgree), { numRuns: 500 });
    fc.assert(
      fc.property(validPostArb, (x) => {
        assert.notEqual(readPostEvent(x, ARRIVAL), null, JSON.stringify(x));
        assertAgree(x);
      }),
      { numRuns: 1000 },
    );
    fc.assert(fc.property(nearMissPostArb, assertAgree), { numRuns: 3000 });
  });

  test('toPostWire round-trips (property)', () => {
    fc.assert(
      fc.property(validPostArb, (x) => {
        const e = readPostEvent(x, ARRIVAL);
        assert.ok(e !== null);
        assert.deepEqual(readPostEvent(toPostWire(e), e.at), e);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the contract (SPEC 10, 12)', () => {
  const post = { type: 'post', post_id: 'p-1', user: 'user00001', content: "Hello, world! It's a fine day." };

  test("the SPEC's example, and the kind's three spellings", () => {
    const at = Date.UTC(2025, 6, 18, 20, 53, 54, 320);
    const e = readPostEvent({ ...post, created_at: '20250718T205354320Z' }, ARRIVAL);
    assert.deepEqual(e, { type: 'post', at, postId: 'p-1', user: 'user00001', content: post.content });
    const { type: _t, ...rest } = post;
    assert.notEqual(readPostEvent({ ...rest, event_name: 'post' }, ARRIVAL), null);
    assert.notEqual(readPostEvent({ ...rest, event: 'post' }, ARRIVAL), null);
    assert.equal(readPostEvent({ ...post, type: 'x', event_name: 'post' }, ARRIVAL), null);
  });

  test('created_at falls back to the arrival time; null is absent', () => {
    assert.equal(readPostEvent(post, ARRIVAL)?.at, ARRIVAL);
    assert.equal(readPostEvent({ ...post, created_at: null }, ARRIVAL)?.at, ARRIVAL);
    assert.equal(readPostEvent({ ...post, created_at: 'yesterday' }, ARRIVAL), null);
  });

  test('limits, counted in code points', () => {
    const ok = (o: object) =>
      assert.notEqual(readPostEvent({ ...post, ...o }, ARRIVAL), null, JSON.stringify(o));
    const bad = (o: object) =>
      assert.equal(readPostEvent({ ...post, ...o }, ARRIVAL), null, JSON.stringify(o));
    ok({ post_id: '😀'.repeat(64) });
    bad({ post_id: 'x'.repeat(65) });
    bad({ post_id: '' });
    bad({ post_id: 12 });
    ok({ content: '😀'.repeat(10_000) });
    ok({ content: '' });
    bad({ content: 'x'.repeat(10_001) });
    bad({ content: 'a\ud800b' });
    bad({ content: null });
    bad({ user: '' });
    bad({ user: 'u'.repeat(129) });
    ok({ user: 'u'.repeat(128) });
  });
});

describe('PostsFold outcomes', () => {
  const at = ARRIVAL;
  test('new, identical repeat, reused id', () => {
    const f = new PostsFold();
    const p = { type: 'post', post_id: 'p-1', user: 'ann', content: 'one two' };
    assert.equal(f.apply(p, at, '1', 0), 'applied');
    assert.equal(f.apply({ ...p, created_at: '2020-01-01T00:00:00Z' }, at, '1', 1), 'noop');
    assert.equal(f.apply({ ...p, content: 'one two!' }, at, '1', 2), 'duplicate_post');
    assert.equal(f.apply({ ...p, user: 'bob' }, at, '1', 3), 'duplicate_post');
    assert.equal(f.apply({ ...p, post_id: 7 }, at, '1', 4), 'malformed');
    assert.equal(f.created.length, 1);
    assert.equal(f.created[0].wordCount, 2);
    assert.equal(f.created[0].length, 6);
    // A post stored by an earlier batch decides as well.
    const g = new PostsFold(new Map([['p-1', { user: 'ann', content: 'one two' }]]));
    assert.equal(g.apply(p, at, '2', 0), 'noop');
    assert.equal(g.apply({ ...p, content: 'x' }, at, '2', 1), 'duplicate_post');
    assert.deepEqual(g.figures(), {});
  });

  test('folding a stream again, over what the first fold stored, changes nothing (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(validPostArb, nearMissPostArb), { maxLength: 40 }), (events) => {
        const first = new PostsFold();
        const outcomes = events.map((e, i) => first.apply(e, at, '1', i));
        const again = new PostsFold(new Map(first.known));
        const replay = events.map((e, i) => again.apply(e, at, '2', i));
        assert.deepEqual(again.created, []);
        assert.deepEqual(again.figures(), {});
        replay.forEach((o, i) => {
          const before = outcomes[i];
          assert.ok(
            before === 'malformed' ? o === 'malformed' : o === 'noop' || o === 'duplicate_post',
            `${before} then ${o}`,
          );
        });
        // The per-user rows sum to the posts applied.
        const rows = first.figures()[POSTS_USER_FIGURES.id] ?? [];
        let posts = 0;
        for (let i = 0; i < rows.length; i += 5) posts += rows[i + 2] as number;
        assert.equal(posts, first.created.length);
      }),
      { numRuns: 300 },
    );
  });
});
