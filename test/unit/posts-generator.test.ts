// The posts family's generator (domain/posts/generator.ts): seeded and resumable, posts of many
// languages and lengths, with the repeats a real stream holds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MixedGenerator } from '../../domain/family-generator';
import { readPostEvent } from '../../domain/posts/events';
import { PostsFold } from '../../domain/posts/fold';

const families = ['social', 'posts'] as const;
const isPost = (e: unknown) => {
  const o = e as Record<string, unknown>;
  return (o.type ?? o.event_name ?? o.event) === 'post';
};

describe('posts generator', () => {
  test('deterministic, and a restored generator continues identically', () => {
    const a = new MixedGenerator({ users: 300, seed: 4, families: [...families] });
    const b = new MixedGenerator({ users: 300, seed: 4, families: [...families] });
    for (let i = 0; i < 3; i++) assert.deepEqual(a.nextBatch(), b.nextBatch());
    const c = MixedGenerator.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (let i = 0; i < 3; i++) assert.deepEqual(c.nextBatch(), a.nextBatch());
  });

  test('posts of varied length and script, every one valid, with repeats (noops) and no rejection', () => {
    const g = new MixedGenerator({ users: 500, seed: 9, families: [...families] });
    const posts: unknown[] = [];
    for (let i = 0; i < 30; i++) posts.push(...g.nextBatch().filter(isPost));
    assert.ok(posts.length > 300, `${posts.length} posts`);
    const fold = new PostsFold();
    const outcomes = new Map<string, number>();
    posts.forEach((p, i) => {
      assert.notEqual(readPostEvent(p, 0), null, JSON.stringify(p));
      const o = fold.apply(p, 0, '1', i);
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    });
    assert.ok((outcomes.get('noop') ?? 0) > 0, JSON.stringify([...outcomes]));
    assert.deepEqual([...outcomes.keys()].sort(), ['applied', 'noop'], 'a generated stream has no rejection');
    const texts = fold.created.map((p) => p.content);
    const has = (re: RegExp) => texts.some((t) => re.test(t));
    assert.ok(has(/\p{Script=Han}/u) && has(/\p{Script=Cyrillic}/u) && has(/\p{Extended_Pictographic}/u));
    assert.ok(has(/[éüö]/u) && has(/\u0301|\u0308/u), 'accents in NFC and NFD');
    assert.ok(has(/\u3000/u) && has(/\u00a0/u) && has(/'/u) && has(/—/u));
    const lengths = texts.map((t) => [...t].length);
    assert.ok(
      Math.min(...lengths) === 0 && Math.max(...lengths) > 1_000,
      `lengths ${Math.min(...lengths)}..${Math.max(...lengths)}`,
    );
    assert.ok(
      fold.created.some((p) => p.wordCount === 0 && p.content !== ''),
      'a post with no word',
    );
  });
});
