import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  formatMark,
  MARK_TTL_MS,
  MAX_MARKED_PRODUCERS,
  MarkBook,
  type MarkState,
  parseMark,
} from '../../domain/marks';
import { STREAM } from '../../lib/definitions';
import { withoutResends } from '../reference/model';

const HOUR = 3_600_000;

describe('record marks', () => {
  test('a mark round-trips; anything else is no mark', () => {
    assert.deepEqual(parseMark(formatMark('c-3q2Vn8kPz0aLw1xY', 17)), {
      producer: 'c-3q2Vn8kPz0aLw1xY',
      n: 17,
    });
    assert.deepEqual(parseMark(`bfk1.${'x'.repeat(64)}.9007199254740991`), {
      producer: 'x'.repeat(64),
      n: Number.MAX_SAFE_INTEGER,
    });
    for (const key of [
      undefined,
      '',
      'bacefook',
      'bfk1',
      'bfk1.a',
      'bfk1.a.',
      'bfk1..1',
      'bfk1.a.0',
      'bfk1.a.01',
      'bfk1.a.-1',
      'bfk1.a.1.2',
      'bfk1.a b.1',
      'bfk2.a.1',
      'BFK1.a.1',
      `bfk1.${'x'.repeat(65)}.1`,
      'bfk1.a.9007199254740993',
      'bfk1.a.12345678901234567',
      'bfk1.a.1 ',
    ]) {
      assert.equal(parseMark(key), null, String(key));
    }
    assert.throws(() => formatMark('a.b', 1), RangeError);
    assert.throws(() => formatMark('a', 0), RangeError);
    assert.throws(() => formatMark('a', 1.5), RangeError);
  });

  test("the book's memory is the stream's retention", () => {
    assert.equal(MARK_TTL_MS, STREAM.retentionHours * HOUR);
  });

  test('a number at or below the highest folded is a resend; a higher one is new', () => {
    const book = new MarkBook();
    assert.equal(book.isResent({ producer: 'p', n: 1 }, 1_000), false);
    book.folded({ producer: 'p', n: 1 }, 1_000);
    book.folded({ producer: 'p', n: 3 }, 2_000);
    assert.equal(book.isResent({ producer: 'p', n: 3 }, 2_500), true);
    assert.equal(book.isResent({ producer: 'p', n: 2 }, 2_500), true, 'a late copy of a record given up on');
    assert.equal(book.isResent({ producer: 'p', n: 4 }, 2_500), false);
    assert.equal(book.isResent({ producer: 'q', n: 1 }, 2_500), false, 'producers are independent');
    assert.deepEqual(book.toState(), { p: [3, 2_500] });
  });

  test('a producer silent for longer than the retention is forgotten, pruned or not', () => {
    const book = new MarkBook({ p: [50, 0] });
    // Just inside the retention: still remembered.
    assert.equal(book.isResent({ producer: 'p', n: 50 }, MARK_TTL_MS), true);
    const later = 2 * MARK_TTL_MS + 1;
    assert.equal(book.isResent({ producer: 'p', n: 10 }, later), false);
    book.folded({ producer: 'p', n: 10 }, later);
    assert.deepEqual(book.toState(), { p: [10, later] }, 'it starts afresh');
  });

  test('pruning keeps the state bounded: producers of more than a day ago go, and at most MAX_MARKED_PRODUCERS stay', () => {
    const book = new MarkBook();
    // A producer a minute for three days (as a generator Lambda with a new container every minute).
    const minutes = 3 * 24 * 60;
    for (let i = 0; i < minutes; i++) book.folded({ producer: `p${i}`, n: 1 + (i % 7) }, i * 60_000);
    const state = book.toState();
    const ids = Object.keys(state);
    assert.equal(ids.length, MAX_MARKED_PRODUCERS, 'a day is 1,440 producers: the cap keeps the newest');
    assert.deepEqual(
      ids,
      Array.from({ length: MAX_MARKED_PRODUCERS }, (_, k) => `p${minutes - 1 - k}`),
    );
    // The state item stays small: well under DynamoDB's 400 KB, twice over (the pending state copies it).
    assert.ok(JSON.stringify(state).length < 40_000, `${JSON.stringify(state).length} bytes`);

    const quiet = new MarkBook();
    for (let i = 0; i < 100; i++) quiet.folded({ producer: `h${i}`, n: 1 }, i * HOUR);
    assert.deepEqual(
      Object.keys(quiet.toState()),
      Array.from({ length: 25 }, (_, k) => `h${75 + k}`),
      'only the producers seen in the last 24 h of stream time',
    );
    // And a stored state read back prunes the same way.
    assert.deepEqual(new MarkBook(quiet.toState()).toState(), quiet.toState());
  });

  test('the book decides as the reference does, on any marked stream (fast-check)', () => {
    const record = fc.record({
      producer: fc.constantFrom('a', 'b', 'c'),
      n: fc.integer({ min: 1, max: 8 }),
      gap: fc.oneof(fc.integer({ min: 0, max: 2 * HOUR }), fc.integer({ min: 20 * HOUR, max: 30 * HOUR })),
      marked: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        (recs, commitEvery) => {
          let at = 0;
          const stream = recs.map((r, i) => {
            at += r.gap;
            return {
              i,
              data: new Uint8Array(),
              partitionKey: r.marked ? formatMark(r.producer, r.n) : 'plain',
              arrivalMs: at,
            };
          });
          // The processor's way: one book, stored and read back every few records (a commit).
          let state: MarkState = {};
          let book = new MarkBook(state);
          const folded: number[] = [];
          stream.forEach((r, k) => {
            const m = parseMark(r.partitionKey);
            if (m !== null && book.isResent(m, r.arrivalMs)) return;
            folded.push(r.i);
            if (m !== null) book.folded(m, r.arrivalMs);
            if ((k + 1) % commitEvery === 0) {
              state = book.toState();
              book = new MarkBook(state);
            }
          });
          assert.deepEqual(
            folded,
            withoutResends(stream).folded.map((r) => r.i),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
