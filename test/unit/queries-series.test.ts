import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { HistoryCell } from '../../domain/graph';
import { BUCKET_MS } from '../../domain/time';
import {
  friendsCountSeries,
  INTERVALS,
  type Interval,
  MAX_POINTS,
  referralSeries,
  type SeriesRange,
  seriesRange,
} from '../../queries/series';

const BASE = Date.UTC(2025, 6, 18, 20, 0, 0);

const cellsArb = fc
  .uniqueArray(
    fc.record({
      k: fc.integer({ min: 0, max: 400 }),
      fa: fc.nat(3),
      fr: fc.nat(2),
      rf: fc.nat(2),
    }),
    { selector: (c) => c.k, maxLength: 30 },
  )
  .map((cs) =>
    cs
      .sort((a, b) => a.k - b.k)
      .map(
        (c): HistoryCell => ({
          b: BASE + c.k * BUCKET_MS,
          fa: c.fa,
          fr: c.fr,
          rf: c.rf,
          gr: 0,
          pt: 0,
          stamp: 0,
          s0: 0,
          p0: 0,
        }),
      ),
  );

const intervalArb = fc.constantFrom<Interval>('5s', '1m', '5m');

function range(from: number, to: number, interval: Interval): SeriesRange {
  const ms = INTERVALS[interval];
  return { from, to, interval, intervalMs: ms, points: Math.ceil((to - from) / ms) };
}

const sum = (cells: HistoryCell[], pick: (c: HistoryCell) => number, lo: number, hi: number) =>
  cells.filter((c) => c.b >= lo && c.b < hi).reduce((s, c) => s + pick(c), 0);

describe('series math', () => {
  it('matches brute-force sums per step (last step clipped at to)', () => {
    fc.assert(
      fc.property(
        cellsArb,
        fc.integer({ min: -20, max: 300 }),
        fc.integer({ min: 1, max: 200 }),
        intervalArb,
        (cells, k, len, interval) => {
          const from = BASE + k * BUCKET_MS;
          const to = from + len * BUCKET_MS;
          const r = range(from, to, interval);
          const refs = referralSeries(cells, r);
          const friends = friendsCountSeries(cells, r);
          const rf = (c: HistoryCell) => c.rf;
          const net = (c: HistoryCell) => c.fa - c.fr;
          assert.equal(refs.count, sum(cells, rf, from, to));
          assert.equal(friends.atStart, sum(cells, net, -Infinity, from));
          assert.equal(friends.atEnd, sum(cells, net, -Infinity, to));
          assert.equal(
            friends.added,
            sum(cells, (c) => c.fa, from, to),
          );
          assert.equal(
            friends.removed,
            sum(cells, (c) => c.fr, from, to),
          );
          assert.equal(refs.series.length, r.points);
          for (let i = 0; i < refs.series.length; i++) {
            const start = from + i * r.intervalMs;
            const end = Math.min(start + r.intervalMs, to);
            assert.deepEqual(refs.series[i], {
              start,
              count: sum(cells, rf, start, end),
              cumulative: sum(cells, rf, -Infinity, end),
            });
            assert.deepEqual(friends.series[i], { start, count: sum(cells, net, -Infinity, end) });
          }
        },
      ),
    );
  });
});

describe('seriesRange', () => {
  const registeredAt = BASE + 7_777;
  it('widens given edges to buckets and aligns defaulted ones to the interval', () => {
    const r = seriesRange({ from: BASE + 1, to: BASE + 61_000, interval: '1m', registeredAt, now: BASE });
    assert.ok(r.ok);
    assert.equal(r.range.from, BASE);
    assert.equal(r.range.to, BASE + 65_000);
    assert.equal(r.range.points, 2);
    const d = seriesRange({ interval: '1h', registeredAt, now: BASE + 2 * 3_600_000 });
    assert.ok(d.ok);
    assert.equal(d.range.from, BASE);
    assert.equal(d.range.to, BASE + 3 * 3_600_000);
  });

  it('chooses the finest interval that fits in 1,000 points when none is given', () => {
    const short = seriesRange({ registeredAt, now: registeredAt + 3_600_000 });
    assert.ok(short.ok);
    assert.equal(short.range.interval, '5s');
    const day = seriesRange({ registeredAt, now: registeredAt + 86_400_000 });
    assert.ok(day.ok);
    assert.equal(day.range.interval, '5m');
    const year = seriesRange({ registeredAt, now: registeredAt + 365 * 86_400_000 });
    assert.ok(year.ok);
    assert.equal(year.range.interval, '1d');
  });

  it('refuses more than 1,000 points naming interval, and an empty range naming from', () => {
    const tooMany = seriesRange({
      from: BASE,
      to: BASE + (MAX_POINTS + 1) * 5_000,
      interval: '5s',
      registeredAt,
      now: BASE,
    });
    assert.ok(!tooMany.ok);
    assert.equal(tooMany.param, 'interval');
    assert.match(tooMany.message, /^query parameter 'interval'.*1001 points/);
    const exact = seriesRange({
      from: BASE,
      to: BASE + MAX_POINTS * 5_000,
      interval: '5s',
      registeredAt,
      now: BASE,
    });
    assert.ok(exact.ok);
    const empty = seriesRange({ from: BASE + 5_000, to: BASE + 1, interval: '5s', registeredAt, now: BASE });
    assert.ok(!empty.ok);
    assert.equal(empty.param, 'from');
    const huge = seriesRange({ from: 0, to: BASE, interval: '1d', registeredAt, now: BASE });
    assert.ok(!huge.ok);
    assert.equal(huge.param, 'interval');
    assert.match(huge.message, /even at 1d/);
  });

  it('without interval, a range too long even for 1d keeps its end and covers the last 1,000 days', () => {
    const DAY = 86_400_000;
    const huge = seriesRange({ from: 0, to: BASE, registeredAt, now: BASE });
    assert.ok(huge.ok);
    assert.equal(huge.range.interval, '1d');
    assert.equal(huge.range.to, BASE);
    assert.equal(huge.range.points, MAX_POINTS);
    assert.equal(huge.range.from % DAY, 0);
    assert.ok(huge.range.from > 0 && BASE - huge.range.from <= MAX_POINTS * DAY);
    // A user registered in 1970 (or long before), asked with no parameter at all.
    for (const at of [Date.UTC(1970, 0, 1, 0, 0, 1), Date.UTC(500, 5, 1) - 0, -62_167_219_200_000]) {
      const r = seriesRange({ registeredAt: at, now: BASE });
      assert.ok(r.ok, String(at));
      assert.equal(r.range.interval, '1d');
      assert.equal(r.range.points, MAX_POINTS);
      assert.equal(r.range.to, Math.ceil((BASE + 1) / DAY) * DAY);
    }
  });

  it('without from, a range that ends at or before the registration is one step of nothing before its end', () => {
    for (const to of [registeredAt - 60_000, registeredAt - 1, registeredAt]) {
      for (const interval of [undefined, '5s', '1m', '1d'] as const) {
        const r = seriesRange({ to, interval, registeredAt, now: BASE + 10 * 86_400_000 });
        assert.ok(r.ok, `${to} ${interval}`);
        assert.equal(r.range.to, Math.ceil(to / 5_000) * 5_000);
        assert.ok(r.range.from < r.range.to);
        assert.equal(r.range.points, 1);
        assert.equal(r.range.interval, interval ?? '5s');
      }
    }
    // A user registered after now: no parameter still answers (the step holding now, all zeros).
    const future = seriesRange({ registeredAt: Date.UTC(2999, 0, 1), now: BASE });
    assert.ok(future.ok);
    assert.equal(future.range.points, 1);
    assert.ok(future.range.from <= BASE && BASE < future.range.to);
  });
});
