// The fold's pair table on its own, against a Set of pairs: random adds and removes over a small id
// range (long probe runs, many moves on removal, several doublings), switching from the compact to
// the wide layout at a random point, with each pair's extra int kept through every move.
// A table sized for 16 pairs grows several times.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { COMPACT_IDS, PairTable } from '../../domain/pair-table';

type Op = { add: boolean; a: number; b: number };

function check(ops: Op[], widenAt: number, highIds: boolean): void {
  const table = new PairTable(16);
  const model = new Map<string, number>();
  ops.forEach((op, i) => {
    if (i === widenAt) table.widen();
    if (op.a === op.b) return;
    let lo = Math.min(op.a, op.b);
    let hi = Math.max(op.a, op.b);
    // Once wide, ids past the compact range are allowed: use some.
    if (highIds && table.wide) {
      lo += COMPACT_IDS;
      hi += COMPACT_IDS;
    }
    const key = `${lo},${hi}`;
    const s = table.find(lo, hi);
    assert.equal(s >= 0, model.has(key), `find ${key} at op ${i}`);
    if (op.add && s < 0) {
      table.insert(~s, lo, hi, i);
      model.set(key, i);
    } else if (!op.add && s >= 0) {
      assert.equal(table.extra(s), model.get(key));
      table.remove(s);
      model.delete(key);
    }
    assert.equal(table.size, model.size);
  });
  for (const [key, extra] of model) {
    const [lo, hi] = key.split(',').map(Number);
    const s = table.find(lo, hi);
    assert.ok(s >= 0, `${key} lost`);
    assert.equal(table.extra(s), extra);
  }
}

describe('pair table', () => {
  test('agrees with a set of pairs through adds, removes, growth and widening (property)', () => {
    const op = fc.record({ add: fc.boolean(), a: fc.nat(120), b: fc.nat(120) });
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 3_000, size: 'max' }),
        fc.nat(3_000),
        fc.boolean(),
        (ops, widenAt, high) => check(ops, widenAt, high),
      ),
      // (no shrinking: a failing sequence of thousands of operations shrinks for minutes)
      { numRuns: 150, endOnFailure: true },
    );
  });

  test('ids up to the compact limit share no slot encoding', () => {
    const table = new PairTable();
    const top = COMPACT_IDS - 1;
    for (const [lo, hi] of [
      [0, 1],
      [0, top],
      [top - 1, top],
      [1, 0x8000],
      [0x8000, top],
    ]) {
      const s = table.find(lo, hi);
      assert.ok(s < 0);
      table.insert(~s, lo, hi, lo ^ hi);
    }
    assert.equal(table.size, 5);
    assert.ok(table.find(1, top) < 0);
    assert.equal(table.extra(table.find(0x8000, top)), 0x8000 ^ top);
    table.widen();
    assert.equal(table.extra(table.find(top - 1, top)), (top - 1) ^ top);
    assert.ok(table.find(0, 1) >= 0);
  });
});
