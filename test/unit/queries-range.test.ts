import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUCKET_MS } from '../../domain/time';
import { answeredRange, blocksFor, decompose, LEVELS_MS } from '../../queries/range';

const DAY = 86_400_000;
/** 2025-07-18T00:00:00Z: a day edge, so ranges around it cross every level. */
const BASE = Date.UTC(2025, 6, 18);

/** The fewest aligned blocks tiling [a, b), by dynamic programming over every bucket edge. */
function minimalCount(a: number, b: number): number {
  const n = (b - a) / BUCKET_MS;
  const best = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
  best[0] = 0;
  for (let i = 0; i < n; i++) {
    const p = a + i * BUCKET_MS;
    for (const l of LEVELS_MS) {
      if (p % l === 0 && p + l <= b) {
        const j = i + l / BUCKET_MS;
        best[j] = Math.min(best[j], best[i] + 1);
      }
    }
  }
  return best[n];
}

const edgeArb = fc
  .integer({ min: -DAY / BUCKET_MS, max: (2 * DAY) / BUCKET_MS })
  .map((k) => BASE + k * BUCKET_MS);

describe('decompose', () => {
  it('tiles [from, to) exactly with aligned blocks, and with the fewest of them', () => {
    fc.assert(
      fc.property(edgeArb, edgeArb, (x, y) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        const blocks = decompose(a, b);
        let at = a;
        for (const bl of blocks) {
          assert.ok((LEVELS_MS as readonly number[]).includes(bl.levelMs));
          assert.equal(bl.start, at, 'contiguous, no gap or overlap');
          assert.equal(bl.start % bl.levelMs, 0, 'aligned to its level');
          at += bl.levelMs;
        }
        assert.equal(at, b, 'ends exactly at to');
        assert.equal(blocks.length, minimalCount(a, b));
      }),
      { numRuns: 60 },
    );
  });

  it('uses one block for a whole aligned day, hour, minute or bucket', () => {
    for (const l of LEVELS_MS) assert.deepEqual(decompose(BASE, BASE + l), [{ levelMs: l, start: BASE }]);
    assert.deepEqual(decompose(BASE, BASE), []);
  });

  it('refuses edges that are not bucket edges', () => {
    assert.throws(() => decompose(BASE + 1, BASE + BUCKET_MS));
  });
});

describe('answeredRange', () => {
  const now = BASE + 12_345;
  it('floors from, ceils to, and defaults to to now', () => {
    assert.deepEqual(answeredRange(BASE + 1, BASE + 6_000, now), { from: BASE, to: BASE + 10_000 });
    assert.deepEqual(answeredRange(undefined, undefined, now), { from: null, to: BASE + 15_000 });
    assert.deepEqual(answeredRange(BASE + 5_000, BASE + 5_000 + 1, now), {
      from: BASE + 5_000,
      to: BASE + 10_000,
    });
  });
  it('is null when the range is empty as given or after widening', () => {
    assert.equal(answeredRange(BASE, BASE, now), null);
    assert.equal(answeredRange(BASE + 4_000, BASE + 1_000, now), null);
    assert.equal(answeredRange(now, undefined, now), null);
  });
});

describe('blocksFor', () => {
  it('reads only the part of the range that holds data', () => {
    const earliest = BASE + 60_000;
    const latest = BASE + 120_000;
    const all = blocksFor({ from: null, to: BASE + DAY }, earliest, latest);
    assert.equal(all[0].start, earliest);
    const last = all[all.length - 1];
    assert.equal(last.start + last.levelMs, latest + BUCKET_MS);
    assert.deepEqual(blocksFor({ from: BASE, to: earliest }, earliest, latest), []);
    assert.deepEqual(blocksFor({ from: latest + BUCKET_MS, to: BASE + DAY }, earliest, latest), []);
    assert.deepEqual(blocksFor({ from: null, to: BASE + DAY }, null, null), []);
  });
});
