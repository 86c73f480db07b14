// domain/figures.ts: IdFigureAccumulator (rows by bucket and interned key id, the marketplace fold's)
// sums exactly as the plain FigureAccumulator (rows by bucket and key string); KeyIds and PairIds give
// each key or pair one dense id.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  FigureAccumulator,
  type FigureRows,
  IdFigureAccumulator,
  KeyIds,
  PairIds,
  TokenCounts,
} from '../../domain/figures';

/** Rows as a map `bucket|key` → columns (order of rows aside). */
function rowsByKey(rows: FigureRows, width: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < rows.length; i += 2 + width) {
    const k = `${rows[i]}|${rows[i + 1]}`;
    assert.equal(out.has(k), false, `row ${k} twice`);
    out.set(k, rows.slice(i + 2, i + 2 + width) as number[]);
  }
  return out;
}

describe('IdFigureAccumulator', () => {
  test('sums as FigureAccumulator does, across buckets, keys and growth (property)', () => {
    const add = fc.record({
      bucket: fc.integer({ min: 0, max: 40 }).map((b) => 1_750_000_000_000 + b * 5_000),
      key: fc.integer({ min: 0, max: 3_000 }),
      column: fc.nat({ max: 2 }),
      value: fc.integer({ min: -5, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(add, { minLength: 500, maxLength: 4_000, size: 'max' }), (adds) => {
        const ids = new KeyIds();
        const fast = new IdFigureAccumulator(3);
        const plain = new FigureAccumulator(3);
        for (const a of adds) {
          const name = `k${a.key}`;
          fast.add(a.bucket, ids.id(name), a.column, a.value);
          plain.add(a.bucket, name, a.column, a.value);
        }
        assert.deepEqual(
          rowsByKey(
            fast.flat((id) => ids.keys[id]),
            3,
          ),
          rowsByKey(plain.flat(), 3),
        );
      }),
      { numRuns: 60 },
    );
  });

  test('at() gives the row of (bucket, id) to add columns at', () => {
    const acc = new IdFigureAccumulator(2);
    acc.values[acc.at(5_000, 7) + 1] += 3;
    acc.values[acc.at(10_000, 7) + 0] += 1;
    acc.values[acc.at(5_000, 7) + 1] += 4;
    assert.deepEqual(
      acc.flat((id) => `u${id}`),
      [5_000, 'u7', 0, 7, 10_000, 'u7', 1, 0],
    );
  });
});

describe('TokenCounts', () => {
  test('counts per (row, token) on the rows of an accumulator, as a (bucket, key, token) set (property)', () => {
    const add = fc.record({
      bucket: fc.integer({ min: 0, max: 20 }).map((b) => b * 5_000),
      key: fc.integer({ min: 0, max: 2_000 }),
      token: fc.nat({ max: 7 }),
      value: fc.integer({ min: 1, max: 9 }),
    });
    fc.assert(
      fc.property(fc.array(add, { minLength: 300, maxLength: 3_000, size: 'max' }), (adds) => {
        const acc = new IdFigureAccumulator(1);
        const counts = new TokenCounts();
        const plain = new FigureAccumulator(1);
        for (const a of adds) {
          counts.add(acc.row(a.bucket, a.key), a.token, a.value);
          plain.add(a.bucket, `${a.key}/${a.token}`, 0, a.value);
        }
        assert.deepEqual(
          rowsByKey(
            counts.flat(acc, (k, t) => `${k}/${t}`),
            1,
          ),
          rowsByKey(plain.flat(), 1),
        );
        counts.clear();
        assert.deepEqual(
          counts.flat(acc, () => 'x'),
          [],
        );
      }),
      { numRuns: 40 },
    );
  });
});

describe('KeyIds and PairIds', () => {
  test('one dense id per key and per pair (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 500 }), fc.nat({ max: 6 })), { maxLength: 2_000 }),
        (pairs) => {
          const keys = new KeyIds();
          const ids = new PairIds();
          const seen = new Map<string, number>();
          for (const [a, b] of pairs) {
            const k = keys.id(`n${a}`);
            assert.equal(keys.keys[k], `n${a}`);
            const id = ids.id(a, b);
            const want = seen.get(`${a},${b}`) ?? seen.size;
            seen.set(`${a},${b}`, want);
            assert.equal(id, want);
            assert.equal(ids.as[id], a);
            assert.equal(ids.bs[id], b);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
