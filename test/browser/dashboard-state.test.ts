// The dashboard's pure parts, under Node: the address <-> state mapping, ranges and intervals, the
// events-per-second measure, the API URL joining and the graph layout.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinUrl } from '../../web/src/api';
import { layoutNetwork } from '../../web/src/components/network-layout';
import { seriesInterval } from '../../web/src/components/series-controls';
import {
  autoInterval,
  fromInputValue,
  intervalAllowed,
  parseRange,
  pointCount,
  type RangeSpec,
  rangeParams,
  resolveRange,
  seriesWindow,
  toInputValue,
} from '../../web/src/range';
import { eventsPerSecond } from '../../web/src/rate';
import { formatRoute, parseHash, productLink, type Route, userLink } from '../../web/src/route';
import { ThroughputHistory } from '../../web/src/throughput';
import type { UserNetwork } from '../../web/src/types';

const T = Date.UTC(2025, 6, 18, 20, 53, 55, 0);

describe('dashboard address', () => {
  const routes: Route[] = [
    { page: 'overview' },
    { page: 'leaderboards', metric: null, range: { kind: 'preset', preset: 'all' }, limit: 10 },
    { page: 'leaderboards', metric: 'referral-points', range: { kind: 'preset', preset: '1h' }, limit: 50 },
    {
      page: 'leaderboards',
      metric: 'network-strength',
      range: { kind: 'custom', from: T, to: T + 60_000 },
      limit: 10,
    },
    { page: 'leaderboards', metric: null, range: { kind: 'custom', from: null, to: T }, limit: 1000 },
    { page: 'writers', metric: null, range: { kind: 'preset', preset: 'all' }, limit: 10 },
    { page: 'writers', metric: 'words', range: { kind: 'custom', from: T, to: T + 60_000 }, limit: 25 },
    { page: 'user', name: null, range: { kind: 'preset', preset: 'all' }, interval: 'auto', cursor: null },
    {
      page: 'user',
      name: 'user00001',
      range: { kind: 'preset', preset: '1d' },
      interval: '5m',
      cursor: 'abc==',
    },
    {
      page: 'user',
      name: 'we/ird ?#&name',
      range: { kind: 'custom', from: T, to: null },
      interval: 'auto',
      cursor: null,
    },
    { page: 'products', id: null, prefix: '', range: { kind: 'preset', preset: 'all' }, interval: 'auto' },
    { page: 'products', id: null, prefix: 'B-', range: { kind: 'preset', preset: '1d' }, interval: 'auto' },
    {
      page: 'products',
      id: 'we/ird ?#&id',
      prefix: '',
      range: { kind: 'custom', from: T, to: T + 60_000 },
      interval: '5m',
    },
  ];
  for (const r of routes) {
    it(`round-trips ${formatRoute(r)}`, () => {
      assert.deepEqual(parseHash(formatRoute(r)), r);
    });
  }

  it('reads the short forms and falls back on nonsense', () => {
    assert.deepEqual(parseHash(''), { page: 'overview' });
    assert.deepEqual(parseHash('#/'), { page: 'overview' });
    const lb = parseHash('#/leaderboards?metric=nope&limit=0&from=garbage');
    assert.deepEqual(lb, {
      page: 'leaderboards',
      metric: null,
      range: { kind: 'preset', preset: 'all' },
      limit: 10,
    });
    assert.equal(parseHash('#/nowhere').page, 'not-found');
    assert.equal(parseHash('#/users/%E0%A4%A').page, 'not-found');
    const u = parseHash('#/users/user00002?interval=2h&from=20250718T205354320Z');
    assert.deepEqual(u, {
      page: 'user',
      name: 'user00002',
      range: { kind: 'custom', from: Date.UTC(2025, 6, 18, 20, 53, 54, 320), to: null },
      interval: 'auto',
      cursor: null,
    });
  });

  it('user links keep the range and interval of the page they come from', () => {
    const from: Route = {
      page: 'user',
      name: 'a',
      range: { kind: 'preset', preset: '1h' },
      interval: '1m',
      cursor: 'x',
    };
    assert.equal(userLink('b', from), '#/users/b?range=1h&interval=1m');
    assert.equal(userLink('b'), '#/users/b');
    assert.equal(productLink('12', from), '#/products/12?range=1h&interval=1m');
    const products: Route = { page: 'products', id: null, prefix: '1', range: from.range, interval: 'auto' };
    assert.equal(productLink('12', products), '#/products/12?range=1h');
    assert.equal(userLink('b', products), '#/users/b?range=1h');
    assert.equal(parseHash('#/products/12?interval=1h&prefix=9').page, 'products');
    assert.deepEqual(parseHash('#/products?interval=1h&prefix=9'), {
      page: 'products',
      id: null,
      prefix: '9',
      range: { kind: 'preset', preset: 'all' },
      interval: 'auto',
    });
  });
});

describe('dashboard ranges', () => {
  it('parses presets, custom ranges (ISO, epoch ms, compact) and refuses inverted ones', () => {
    assert.deepEqual(parseRange(new URLSearchParams('range=1m')), { kind: 'preset', preset: '1m' });
    assert.deepEqual(parseRange(new URLSearchParams(`from=${T}&to=2025-07-18T20:54:55Z`)), {
      kind: 'custom',
      from: T,
      to: T + 60_000,
    });
    assert.deepEqual(parseRange(new URLSearchParams(`from=${T + 1}&to=${T}`)), {
      kind: 'preset',
      preset: 'all',
    });
  });

  it('resolves presets against the clock and writes custom ranges as ISO', () => {
    assert.deepEqual(resolveRange({ kind: 'preset', preset: '1h' }, T), { from: T - 3_600_000, to: T });
    assert.deepEqual(resolveRange({ kind: 'preset', preset: 'all' }, T), { from: null, to: null });
    const r: RangeSpec = { kind: 'custom', from: T, to: null };
    assert.deepEqual(rangeParams(r), { from: '2025-07-18T20:53:55.000Z' });
    assert.deepEqual(rangeParams({ kind: 'preset', preset: 'all' }), {});
  });

  it('reads datetime-local values as UTC', () => {
    assert.equal(toInputValue(T), '2025-07-18T20:53:55');
    assert.equal(fromInputValue('2025-07-18T20:53:55'), T);
    assert.equal(fromInputValue('2025-07-18T20:53'), T - 55_000);
    assert.equal(fromInputValue(''), null);
  });

  it('counts points as the API does and never picks an interval over its limit', () => {
    assert.equal(pointCount(T, T + 60_000, 5_000), 12);
    assert.equal(pointCount(T + 1, T + 60_001, 5_000), 13);
    assert.equal(autoInterval(T, T + 60_000), '5s');
    assert.equal(autoInterval(T, T + 86_400_000), '1h');
    assert.equal(autoInterval(T, T + 400 * 86_400_000), '1d');
    assert.equal(intervalAllowed(T, T + 86_400_000, '5s'), false);
    assert.equal(intervalAllowed(T, T + 86_400_000, '5m'), true);
    assert.deepEqual(seriesWindow(T, T + 3_600_000, '1h'), {
      from: Date.UTC(2025, 6, 18, 20),
      to: T + 3_600_000,
    });
  });

  it("a series page keeps the chosen interval while it is allowed, else says why it shows auto's", () => {
    const day = T + 86_400_000;
    assert.deepEqual(seriesInterval('auto', T, day), { interval: '1h', note: null });
    assert.deepEqual(seriesInterval('5m', T, day), { interval: '5m', note: null });
    const over = seriesInterval('5s', T, day);
    assert.equal(over.interval, '1h');
    assert.match(over.note ?? '', /^5s would be more than 1,000 points over this range: showing 1h\.$/);
  });
});

describe('dashboard measures', () => {
  it('events per second over the window, null until two samples', () => {
    assert.equal(eventsPerSecond([]), null);
    assert.equal(eventsPerSecond([{ at: 0, total: 5 }]), null);
    const samples = [
      { at: 0, total: 0 },
      { at: 2_000, total: 100 },
      { at: 4_000, total: 300 },
      { at: 12_000, total: 1_100 },
    ];
    // the window (10 s) reaches back to the sample at 2 s
    assert.equal(eventsPerSecond(samples), 100);
    assert.equal(eventsPerSecond(samples, 3_000), 100);
    assert.equal(
      eventsPerSecond([
        { at: 0, total: 10 },
        { at: 1_000, total: 5 },
      ]),
      0,
    );
  });

  it('throughput over the last minutes: a point per poll, gaps where polling paused or counters fell', () => {
    const h = new ThroughputHistory(6_000, 60_000);
    h.add({ at: 0, total: 0 });
    assert.equal(h.current(), null);
    assert.deepEqual(h.series(), []);
    for (let t = 2_000; t <= 20_000; t += 2_000) h.add({ at: t, total: t / 10 });
    assert.equal(h.current(), 100);
    assert.equal(h.series().length, 10);
    assert.ok(h.series().every((p) => p.eps === 100));
    // 30 s away (another page, a hidden tab): a gap, then a new run that needs two samples again.
    h.add({ at: 50_000, total: 9_000 });
    assert.equal(h.current(), null);
    assert.deepEqual(h.series().at(-1), { at: 35_000, eps: null });
    h.add({ at: 52_000, total: 9_400 });
    assert.equal(h.current(), 200);
    // Counters that went back (a reset pipeline) are not a negative rate: a new run.
    h.add({ at: 54_000, total: 10 });
    assert.equal(h.current(), null);
    assert.equal(h.series().at(-1)?.eps, null);
    h.add({ at: 56_000, total: 30 });
    assert.equal(h.current(), 10);
    // Only the window's last minute is kept.
    for (let t = 58_000; t <= 200_000; t += 2_000) h.add({ at: t, total: 30 + (t - 56_000) / 100 });
    const pts = h.series();
    assert.ok(pts[0].at >= 200_000 - 60_000, String(pts[0].at));
    assert.ok(pts.every((p) => p.eps === 10));
  });

  it('joins the API base with a stage path and a query', () => {
    assert.equal(joinUrl('', '/meta/pipeline'), '/meta/pipeline');
    assert.equal(
      joinUrl('https://x.example/prod/', '/users/a%2Fb', { limit: 5, cursor: undefined, from: '' }),
      'https://x.example/prod/users/a%2Fb?limit=5',
    );
  });
});

describe('network layout', () => {
  it('places every node once, self at the centre, friends outside the referral ring', () => {
    const friends = Array.from({ length: 500 }, (_, i) => `f${i}`);
    const net: UserNetwork = {
      name: 'me',
      nodes: [
        { name: 'me', relation: 'self' },
        { name: 'boss', relation: 'referrer' },
        { name: 'r1', relation: 'referred' },
        { name: 'r2', relation: 'referred' },
        ...friends.map((f) => ({ name: f, relation: 'friend' as const })),
      ],
      edges: [],
    };
    const pos = layoutNetwork(net);
    assert.equal(pos.size, net.nodes.length);
    assert.deepEqual(pos.get('me'), { x: 0, y: 0 });
    const r = (n: string) => Math.hypot(pos.get(n)!.x, pos.get(n)!.y);
    const ring = r('r1');
    assert.ok(Math.abs(r('boss') - ring) < 1e-9);
    for (const f of friends) assert.ok(r(f) > ring + 40, `${f} sits outside the ring`);
    // no two friends on top of each other
    const pts = friends.map((f) => pos.get(f)!);
    let minGap = Number.POSITIVE_INFINITY;
    for (let i = 0; i < pts.length; i++) {
      for (let j = i + 1; j < pts.length; j++)
        minGap = Math.min(minGap, Math.hypot(pts[i].x - pts[j].x, pts[i].y - pts[j].y));
    }
    assert.ok(minGap > 14, `smallest gap ${minGap}`);
  });
});
