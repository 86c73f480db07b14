import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RankingCache, rankBlocks, rankValues } from '../../queries/leaderboard';
import { decodeBlock, encodeBlock } from '../../storage/rollup-codec';

function bruteRank(values: Map<string, number>, limit: number) {
  return [...values]
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, limit)
    .map(([name, value], i) => ({ rank: i + 1, name, value }));
}

const nameArb = fc.constantFrom('a', 'b', 'B', 'aa', 'ab', 'user1', 'user10', 'user2', 'é', 'z');

describe('rankValues', () => {
  it('ranks by value desc then name asc (code units), positive values only', () => {
    const m = new Map([
      ['bob', 3],
      ['ann', 3],
      ['Zed', 3],
      ['cat', 5],
      ['dan', 0],
      ['eve', -2],
    ]);
    assert.deepEqual(rankValues(m, 10), [
      { rank: 1, name: 'cat', value: 5 },
      { rank: 2, name: 'Zed', value: 3 },
      { rank: 3, name: 'ann', value: 3 },
      { rank: 4, name: 'bob', value: 3 },
    ]);
    assert.deepEqual(
      rankValues(m, 2).map((i) => i.name),
      ['cat', 'Zed'],
    );
  });

  it('agrees with a full sort for any values and limit', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 4 }), fc.integer({ min: -3, max: 4 })),
        fc.integer({ min: 1, max: 12 }),
        (obj, limit) => {
          const m = new Map(Object.entries(obj));
          assert.deepEqual(rankValues(m, limit), bruteRank(m, limit));
        },
      ),
    );
  });
});

describe('rankBlocks', () => {
  it('sums every block per user and ranks the chosen metric', () => {
    const entryArb = fc.tuple(nameArb, fc.integer({ min: -3, max: 5 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(entryArb, { selector: (e) => e[0], maxLength: 8 }), { maxLength: 6 }),
        fc.integer({ min: 1, max: 10 }),
        (blocks, limit) => {
          // Ids in order of first appearance (not name order: ties must be broken by name).
          const names: string[] = [];
          const idOf = (n: string) => (names.includes(n) ? names.indexOf(n) : names.push(n) - 1);
          const data = blocks.map((entries) =>
            decodeBlock(
              encodeBlock(
                entries.map(([n]) => idOf(n)),
                [entries.map((e) => e[1]), entries.map((e) => e[2])],
              ),
            ),
          );
          const strength = new Map<string, number>();
          const points = new Map<string, number>();
          for (const entries of blocks) {
            for (const [n, s, p] of entries) {
              strength.set(n, (strength.get(n) ?? 0) + s);
              points.set(n, (points.get(n) ?? 0) + p);
            }
          }
          assert.deepEqual(rankBlocks(names, data, 0, limit), bruteRank(strength, limit));
          assert.deepEqual(rankBlocks(names, data, 1, limit), bruteRank(points, limit));
        },
      ),
    );
  });

  it('ranks hundreds of keys tied on few values, from one block or several', () => {
    // Past the limit the ranking selects the limit-th value and compares names only at it: many ties
    // there, keys in several blocks, and limits below and above the positive count.
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.nat(299), fc.integer({ min: -2, max: 3 })), { maxLength: 400 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 1, max: 320 }),
        (blocks, limit) => {
          const names = Array.from({ length: 300 }, (_, i) => `u${(i * 7919) % 1009}`);
          const want = new Map<string, number>();
          const data = blocks.map((entries) => {
            const byId = new Map<number, number>();
            for (const [id, v] of entries) byId.set(id, v);
            const ids = [...byId.keys()].sort((a, b) => a - b);
            for (const id of ids) want.set(names[id], (want.get(names[id]) ?? 0) + (byId.get(id) as number));
            return decodeBlock(encodeBlock(ids, [ids.map((id) => byId.get(id) as number)]));
          });
          assert.deepEqual(rankBlocks(names, data, 0, limit), bruteRank(want, limit));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('RankingCache', () => {
  it('answers the first `limit` of the full ranking, whatever limits came before', () => {
    const full = Array.from({ length: 1_500 }, (_, i) => i);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 8 }), (limits) => {
        const cache = new RankingCache<number>();
        const depths: number[] = [];
        for (const limit of limits) {
          const got = cache.top('k', limit, (depth) => {
            depths.push(depth);
            return full.slice(0, depth);
          });
          assert.deepEqual(got, full.slice(0, limit));
        }
        // Ranked at most once per depth, and the shallow depth only before any deep ranking.
        assert.ok(depths.length <= 2 && new Set(depths).size === depths.length, String(depths));
        if (depths.length === 2) assert.deepEqual(depths, [100, 1_000]);
      }),
    );
  });
});
