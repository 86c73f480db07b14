// The read side's caches of answers keep one generation of the data: what a superseded state answered
// is dropped, so the caches no longer grow with every snapshot run up to their caps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GenerationCache } from '../../queries/generation-cache';
import { RankingCache } from '../../queries/leaderboard';

describe('GenerationCache', () => {
  it("answers only the newest generation's values; a new generation drops the others", () => {
    const c = new GenerationCache<number>(10);
    c.set('g1', 'a', 1);
    c.set('g1', 'b', 2);
    assert.equal(c.get('g1', 'a'), 1);
    assert.equal(c.get('g2', 'a'), undefined, 'another generation sees nothing');
    c.set('g2', 'a', 3);
    assert.equal(c.size, 1, "g1's answers are gone");
    assert.equal(c.get('g2', 'a'), 3);
    assert.equal(c.get('g1', 'b'), undefined);
  });

  it('keeps at most `max` answers of one generation, dropping the oldest', () => {
    const c = new GenerationCache<number>(3);
    for (let i = 0; i < 5; i++) c.set('g', `k${i}`, i);
    assert.equal(c.size, 3);
    assert.deepEqual(
      ['k0', 'k1', 'k2', 'k3', 'k4'].map((k) => c.get('g', k)),
      [undefined, undefined, 2, 3, 4],
    );
    c.set('g', 'k4', 40);
    assert.equal(c.get('g', 'k2'), 2, 'replacing a kept answer drops nothing');
  });
});

describe('RankingCache generations', () => {
  it('ranks again for a new generation, and keeps nothing of the old one', () => {
    const cache = new RankingCache<number>();
    let ranked = 0;
    const rank = (depth: number) => {
      ranked++;
      return Array.from({ length: depth }, (_, i) => i);
    };
    cache.top('k', 10, rank, 'g1');
    cache.top('k', 10, rank, 'g1');
    assert.equal(ranked, 1, 'kept within a generation');
    cache.top('other', 10, rank, 'g2');
    cache.top('k', 10, rank, 'g1');
    assert.equal(ranked, 3, "g2 dropped g1's ranking");
  });
});
