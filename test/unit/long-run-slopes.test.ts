// The long run's statistics (scripts/long-run.ts): the floor of a sawing RSS and its slopes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { floorPoints, slopePerMinute, slopesOf } from '../../scripts/long-run';

/** RSS sampled every 2 s: a trend of `mbPerMin` under a 40 MB saw that drops back every 30 s. */
function sawing(mbPerMin: number, seconds: number): { t: number; y: number }[] {
  const out: { t: number; y: number }[] = [];
  for (let t = 0; t <= seconds; t += 2) out.push({ t, y: 500 + (mbPerMin * t) / 60 + ((t % 30) / 30) * 40 });
  return out;
}

test('the floor keeps each window lowest sample, at the window middle', () => {
  const pts = [
    { t: 1, y: 9 },
    { t: 5, y: 3 },
    { t: 12, y: 7 },
    { t: 19, y: 8 },
  ];
  assert.deepEqual(floorPoints(pts, 10), [
    { t: 5, y: 3 },
    { t: 15, y: 7 },
  ]);
});

test("the floor's slope finds the trend under the saw, where a short window of raw samples may not", () => {
  for (const trend of [0, 0.5, 3]) {
    const floor = floorPoints(sawing(trend, 600), 30);
    const s = slopesOf(floor, { warmupSeconds: 120, capReachedAtS: null });
    assert.ok(Math.abs((s.afterWarmup ?? Number.NaN) - trend) < 0.05, `trend ${trend}: ${s.afterWarmup}`);
    assert.equal(s.afterCap, null);
    assert.ok(Math.abs((s.secondHalf ?? Number.NaN) - trend) < 0.05);
  }
  // 20 s of raw samples on a rising tooth: the saw, not the trend
  const raw = slopePerMinute(sawing(0, 600).filter((p) => p.t >= 60 && p.t < 80)) ?? 0;
  assert.ok(raw > 50);
});

test('slopes start where asked: after the warm-up, the cap and the half', () => {
  // flat for 5 minutes, then 6 MB/min
  const pts = Array.from({ length: 61 }, (_, i) => ({
    t: i * 10,
    y: i * 10 < 300 ? 100 : 100 + (i * 10 - 300) / 10,
  }));
  const s = slopesOf(pts, { warmupSeconds: 0, capReachedAtS: 300 });
  assert.equal(s.afterCap, 6);
  assert.equal(s.secondHalf, 6);
  assert.ok((s.afterWarmup ?? 0) > 0 && (s.afterWarmup ?? 0) < 6);
});
