import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeBlock,
  decodeNames,
  encodeBlock,
  encodeNames,
  MAX_BLOCK_VALUE,
} from '../../storage/rollup-codec';

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const BIG = { min: -MAX_BLOCK_VALUE, max: MAX_BLOCK_VALUE };

/** A column count, then entries with unique ids in any order, some of them all-zero. */
const blockArb = fc.integer({ min: 1, max: 12 }).chain((w) =>
  fc.record({
    w: fc.constant(w),
    entries: fc.uniqueArray(
      fc.tuple(
        fc.oneof(fc.nat(300), fc.nat({ max: INT32.max })),
        fc.array(
          fc.oneof(
            fc.constant(0),
            fc.integer({ min: -3, max: 300 }),
            fc.integer(INT32),
            fc.maxSafeInteger().map((v) => v % MAX_BLOCK_VALUE),
            fc.integer(BIG),
          ),
          { minLength: w, maxLength: w },
        ),
      ),
      { selector: (e) => e[0], maxLength: 200 },
    ),
  }),
);

describe('rollup block codec', () => {
  it('round-trips any entries of any width, values up to 2^52: sorted by id, all-zero entries left out', () => {
    fc.assert(
      fc.property(blockArb, ({ w, entries }) => {
        const cols = Array.from({ length: w }, (_, c) => entries.map((e) => e[1][c]));
        const got = decodeBlock(
          encodeBlock(
            entries.map((e) => e[0]),
            cols,
          ),
        );
        const want = entries.filter(([, row]) => row.some((v) => v !== 0)).sort((a, b) => a[0] - b[0]);
        assert.deepEqual(
          [...got.ids],
          want.map((e) => e[0]),
        );
        assert.equal(got.cols.length, w);
        for (let c = 0; c < w; c++) {
          assert.deepEqual(
            [...got.cols[c]],
            want.map((e) => e[1][c]),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('writes a dense two-column block in about three bytes per entry before compression', () => {
    const n = 10_000;
    const ids = Array.from({ length: n }, (_, i) => i);
    const bytes = encodeBlock(ids, [ids.map((i) => (i % 5) - 2 || 1), ids.map((i) => (i % 7 === 0 ? 1 : 0))]);
    assert.ok(bytes.length <= 3 * n + 8, `${bytes.length} bytes`);
  });

  it('refuses what it cannot hold, and bytes it did not write', () => {
    assert.throws(
      () =>
        encodeBlock(
          [1, 1],
          [
            [1, 1],
            [0, 0],
          ],
        ),
      RangeError,
    );
    assert.throws(() => encodeBlock([-1], [[1], [0]]), RangeError);
    assert.throws(() => encodeBlock([0], [[MAX_BLOCK_VALUE + 2], [0]]), RangeError);
    assert.throws(() => encodeBlock([0], [[0.5], [0]]), RangeError);
    assert.throws(() => encodeBlock([0], []), RangeError);
    const ok = encodeBlock(
      [3, 900],
      [
        [1, -200],
        [0, 5],
      ],
    );
    assert.throws(() => decodeBlock(ok.subarray(0, ok.length - 1)), RangeError);
    assert.throws(() => decodeBlock(new Uint8Array([...ok, 0])), RangeError);
    assert.throws(() => decodeBlock(new Uint8Array([9, 0])), RangeError);
    assert.throws(() => decodeBlock(new Uint8Array()), RangeError);
  });
});

describe('rollup names codec', () => {
  it('round-trips any names, lone surrogates, newlines and quotes included', () => {
    const nameArb = fc.oneof(
      fc.string({ minLength: 1, maxLength: 128, unit: 'binary' }),
      fc.constantFrom('\ud800', 'a\udc00b', 'é\n"x', 'user00001', '\u0000'),
    );
    fc.assert(
      fc.property(fc.array(nameArb, { maxLength: 60 }), (names) => {
        assert.deepEqual(decodeNames(encodeNames(names)), names);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses bytes it did not write', () => {
    const ok = encodeNames(['ann', 'bob']);
    assert.throws(() => decodeNames(ok.subarray(0, ok.length - 1)), RangeError);
    assert.throws(() => decodeNames(new Uint8Array([...ok, 0])), RangeError);
    assert.throws(() => decodeNames(new Uint8Array([2, 0])), RangeError);
    assert.throws(() => decodeNames(new Uint8Array()), RangeError);
  });
});
