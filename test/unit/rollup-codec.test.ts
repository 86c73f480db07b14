import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeBlock, decodeNames, encodeBlock, encodeNames } from '../../storage/rollup-codec';

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** Entries with unique ids, in any order, some of them all-zero. */
const entriesArb = fc.uniqueArray(
  fc.tuple(
    fc.oneof(fc.nat(300), fc.nat({ max: INT32.max })),
    fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer(INT32)),
    fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 }), fc.integer(INT32)),
  ),
  { selector: (e) => e[0], maxLength: 200 },
);

describe('rollup block codec', () => {
  it('round-trips any entries: sorted by id, all-zero entries left out', () => {
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const got = decodeBlock(
          encodeBlock(
            entries.map((e) => e[0]),
            entries.map((e) => e[1]),
            entries.map((e) => e[2]),
          ),
        );
        const want = entries.filter(([, s, p]) => s !== 0 || p !== 0).sort((a, b) => a[0] - b[0]);
        assert.deepEqual(
          [...got.ids],
          want.map((e) => e[0]),
        );
        assert.deepEqual(
          [...got.strength],
          want.map((e) => e[1]),
        );
        assert.deepEqual(
          [...got.points],
          want.map((e) => e[2]),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('writes a dense block in about three bytes per entry before compression', () => {
    const n = 10_000;
    const ids = Array.from({ length: n }, (_, i) => i);
    const bytes = encodeBlock(
      ids,
      ids.map((i) => (i % 5) - 2 || 1),
      ids.map((i) => (i % 7 === 0 ? 1 : 0)),
    );
    assert.ok(bytes.length <= 3 * n + 8, `${bytes.length} bytes`);
  });

  it('refuses what it cannot hold, and bytes it did not write', () => {
    assert.throws(() => encodeBlock([1, 1], [1, 1], [0, 0]), RangeError);
    assert.throws(() => encodeBlock([-1], [1], [0]), RangeError);
    assert.throws(() => encodeBlock([0], [2 ** 31], [0]), RangeError);
    assert.throws(() => encodeBlock([0], [0.5], [0]), RangeError);
    const ok = encodeBlock([3, 900], [1, -200], [0, 5]);
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
