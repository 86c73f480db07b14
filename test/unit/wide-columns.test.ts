// Money in two columns (domain/figures.ts WideColumn, domain/marketplace/money.ts): the carry keeps a
// pair's value while bounding its low part; a sale's parts join back to its cents; and rows and blocks
// stored before `centsHi` existed (all of the money in `cents`) read with the set's width and the same
// value.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { carry, type FigureRows } from '../../domain/figures';
import { P, PRODUCT_FIGURES, U, USER_FIGURES } from '../../domain/marketplace/family';
import {
  CENTS_BASE,
  CentsSum,
  centsToAmount,
  joinCents,
  partsToAmount,
  splitCents,
} from '../../domain/marketplace/money';
import { withWidth } from '../../storage/pipeline-store';
import { decodeBlock, encodeBlock } from '../../storage/rollup-codec';
import { withSetColumns } from '../../storage/rollup-store';

/** The decimal text of `cents` over 100, read as a number: what an amount means. */
function amountOfText(cents: bigint): number {
  const abs = cents < 0n ? -cents : cents;
  const frac = abs % 100n;
  return Number(`${cents < 0n ? '-' : ''}${abs / 100n}.${frac < 10n ? '0' : ''}${frac}`);
}

describe('money in two columns', () => {
  test('an amount of safe-integer cents is the double nearest its decimal text (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.maxSafeNat(), fc.integer({ min: -999, max: 999 }), (a, b, c) => {
        for (const x of [a, b, c]) assert.equal(centsToAmount(x), amountOfText(BigInt(x)));
      }),
      { numRuns: 2_000 },
    );
  });

  test('a running sum of parts equals the exact sum, past 2^53 too (property)', () => {
    const part = fc.tuple(
      fc.integer({ min: 0, max: CENTS_BASE - 1 }),
      fc.integer({ min: 0, max: 2 ** 52 - 1 }),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            part,
            part.map(([lo]) => [lo, 0] as const),
          ),
          { maxLength: 200 },
        ),
        (parts) => {
          const sum = new CentsSum();
          let exact = 0n;
          for (const [lo, hi] of parts) {
            sum.add(lo, hi);
            exact += joinCents(lo, hi);
          }
          assert.equal(sum.amount(), amountOfText(exact));
        },
      ),
    );
  });

  test('a sale splits into parts that join back to its cents (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000_000_000 }), (c) => {
        const [lo, hi] = splitCents(c);
        assert.ok(lo >= 0 && lo < CENTS_BASE);
        assert.equal(joinCents(lo, hi), BigInt(c));
        assert.equal(partsToAmount(lo, hi), centsToAmount(c));
      }),
    );
  });

  test('carry keeps the value and brings lo within [0, base) (property)', () => {
    const wide = PRODUCT_FIGURES.wide ?? [];
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (lo, hi) => {
          const row = new Array<number>(PRODUCT_FIGURES.columns.length).fill(0);
          row[P.cents] = lo;
          row[P.centsHi] = hi;
          carry(wide, row);
          assert.equal(joinCents(row[P.cents], row[P.centsHi]), joinCents(lo, hi));
          assert.ok(row[P.cents] >= 0 && row[P.cents] < CENTS_BASE);
        },
      ),
    );
  });

  test('sums of maximal sales stay exact past 2^53 cents', () => {
    // 1,000 sales of 1e12 and one of a cent: 1e17 + 1 cents, which no double holds.
    let lo = 0;
    let hi = 0;
    let want = 0n;
    for (let i = 0; i < 1_000; i++) {
      const [l, h] = splitCents(100_000_000_000_000);
      lo += l;
      hi += h;
      want += 100_000_000_000_000n;
    }
    lo += 1;
    want += 1n;
    assert.equal(joinCents(lo, hi), want);
    // Through the rollup codec, as a block stores it.
    const block = decodeBlock(encodeBlock([0], [[lo], [hi]]));
    assert.equal(joinCents(block.cols[0][0], block.cols[1][0]), want);
  });
});

describe('rows and blocks from before centsHi', () => {
  const width = PRODUCT_FIGURES.columns.length;

  test('journal rows of the old width get zeros for the appended columns', () => {
    const old = (bucket: number, key: string, cents: number): (string | number)[] => {
      const row: (string | number)[] = [bucket, key];
      for (let c = 0; c < width - 1; c++) row.push(c === P.cents ? cents : c + 1);
      return row;
    };
    const rows: FigureRows = [...old(5_000, 'a', 2 ** 51), ...old(5_000, 'b', 7), ...old(10_000, 'a', 1)];
    const now = withWidth(rows, width);
    assert.equal(now.length, 3 * (2 + width));
    for (let r = 0; r < 3; r++) {
      const at = r * (2 + width) + 2;
      assert.deepEqual(now.slice(at - 2, at + width - 1), rows.slice(r * (1 + width), (r + 1) * (1 + width)));
      assert.equal(now[at + P.centsHi], 0);
    }
    // One row alone, and rows of the current width, as they are.
    assert.deepEqual(withWidth(old(5_000, 'x', 3), width), [...old(5_000, 'x', 3), 0]);
    assert.equal(withWidth(now, width), now);
    const users: FigureRows = [5_000, 'u', 1, 2, 3, 4, 5, 6];
    assert.deepEqual(withWidth(users, USER_FIGURES.columns.length)[2 + U.centsHi], 0);
  });

  test('a block of the old width reads with zero centsHi', () => {
    const cols = Array.from({ length: width - 1 }, (_, c) => [c + 1, c === P.cents ? 2 ** 51 : 3]);
    const stored = decodeBlock(encodeBlock([4, 9], cols));
    const read = withSetColumns(`rollup3#${PRODUCT_FIGURES.id}#all`, stored);
    assert.equal(read.cols.length, width);
    assert.deepEqual([...read.cols[P.centsHi]], [0, 0]);
    assert.equal(partsToAmount(read.cols[P.cents][1], read.cols[P.centsHi][1]), centsToAmount(2 ** 51));
    // A block of the set's width is read as it is.
    assert.equal(withSetColumns(`rollup3#${PRODUCT_FIGURES.id}#5000#0`, read), read);
  });
});
