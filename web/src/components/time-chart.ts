// The user page's two time series, drawn with uPlot (canvas): referrals made per interval with the
// all-time total, and the friends count. Every point sits at the end of its interval (the instant the
// API's value describes); bars span the interval that ends there. Times are shown in UTC.
import uPlot from 'uplot';
import { h } from '../dom';
import { formatNumber } from '../range';
import type { RatePoint } from '../throughput';
import type { FriendsCountSeries, ReferralSeries } from '../types';

const COLORS = {
  throughput: '#2f7fd1',
  referrals: '#7b5cd6',
  cumulative: '#e4572e',
  friends: '#2f7fd1',
  grid: 'rgba(120,130,150,0.18)',
  axis: '#5b6478',
};

export interface ChartHandle {
  destroy(): void;
}

const utc = (ts: number) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');

/** Tick labels in UTC, 24-hour: as fine as the tick spacing needs, with the date where it changes. */
export function timeTicks(splits: readonly number[], incrSeconds: number): string[] {
  let lastDay = '';
  return splits.map((s) => {
    const iso = new Date(s * 1000).toISOString();
    const day = iso.slice(5, 10);
    const time = incrSeconds < 60 ? iso.slice(11, 19) : iso.slice(11, 16);
    if (incrSeconds >= 86_400) return iso.slice(0, 10);
    const label = day !== lastDay ? `${time}\n${day}` : time;
    lastDay = day;
    return label;
  });
}

function xAxis(): uPlot.Axis {
  return {
    stroke: COLORS.axis,
    grid: { stroke: COLORS.grid, width: 1 },
    ticks: { stroke: COLORS.grid, width: 1 },
    size: 44,
    space: 80,
    values: (_u, splits, _i, _space, incr) => timeTicks(splits, incr),
  };
}

function axis(scale?: string, side?: 1 | 3): uPlot.Axis {
  return {
    scale,
    side,
    stroke: COLORS.axis,
    grid: { stroke: COLORS.grid, width: 1, show: side !== 1 },
    ticks: { stroke: COLORS.grid, width: 1 },
    size: 52,
    values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? formatNumber(v) : '')),
  };
}

/** A y maximum a little above the data, so the top tick label is not clipped. */
function headroom(max: number | null): number {
  return max === null || max <= 0 ? 1 : Math.ceil(max * 1.12);
}

/** Ends of the series' intervals, in seconds (uPlot's unit), the last clipped at the answered `to`. */
function ends(starts: readonly string[], intervalMs: number, toIso: string): number[] {
  const to = Date.parse(toIso);
  return starts.map((s) => Math.min(Date.parse(s) + intervalMs, to) / 1000);
}

/** Sizes the chart to its container and keeps it so. */
function mount(
  el: HTMLElement,
  opts: Omit<uPlot.Options, 'width' | 'height'>,
  data: uPlot.AlignedData,
  points: number,
) {
  const height = 240;
  const width = () => Math.max(280, Math.floor(el.clientWidth || 600));
  const plot = new uPlot(
    { padding: [12, 28, 0, 24], ...opts, width: width(), height, tzDate: utc },
    data,
    el,
  );
  const ro = new ResizeObserver(() => {
    const w = width();
    if (w !== plot.width) plot.setSize({ width: w, height });
  });
  ro.observe(el);
  el.dataset.points = String(points);
  el.dataset.state = 'ready';
  return {
    destroy() {
      ro.disconnect();
      plot.destroy();
    },
  };
}

export function referralsChart(el: HTMLElement, s: ReferralSeries, intervalMs: number): ChartHandle {
  const xs = ends(
    s.series.map((p) => p.start),
    intervalMs,
    s.to,
  );
  const data: uPlot.AlignedData = [xs, s.series.map((p) => p.count), s.series.map((p) => p.cumulative)];
  return mount(
    el,
    {
      scales: {
        // The first bar spans the interval before the first end: the axis starts at the range's start.
        x: { time: true, range: (_u, _min, max) => [Date.parse(s.from) / 1000, max] },
        y: { range: (_u, _min, max) => [0, headroom(max)] },
        total: { range: (_u, _min, max) => [0, headroom(max)] },
      },
      series: [
        {},
        {
          label: 'Referrals in the interval',
          stroke: COLORS.referrals,
          fill: `${COLORS.referrals}99`,
          width: 1,
          paths: uPlot.paths.bars?.({ align: -1, size: [0.9, 40] }),
          points: { show: false },
        },
        {
          label: 'All-time total',
          stroke: COLORS.cumulative,
          width: 2,
          scale: 'total',
          points: { show: false },
        },
      ],
      axes: [xAxis(), axis('y'), axis('total', 1)],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    },
    data,
    s.series.length,
  );
}

export function friendsCountChart(el: HTMLElement, s: FriendsCountSeries, intervalMs: number): ChartHandle {
  const xs = ends(
    s.series.map((p) => p.start),
    intervalMs,
    s.to,
  );
  // The first point: the count at the range's start, so a single interval still draws a line.
  const data: uPlot.AlignedData = [
    [Date.parse(s.from) / 1000, ...xs],
    [s.atStart, ...s.series.map((p) => p.count)],
  ];
  return mount(
    el,
    {
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, headroom(max)] } },
      series: [
        {},
        {
          label: 'Friends',
          stroke: COLORS.friends,
          fill: `${COLORS.friends}22`,
          width: 2,
          paths: uPlot.paths.stepped?.({ align: 1 }),
          points: { show: false },
        },
      ],
      axes: [xAxis(), axis('y')],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    },
    data,
    s.series.length,
  );
}

export interface LiveChart extends ChartHandle {
  /** Redraws with `points`, the x axis spanning the `windowMs` before `now`. */
  update(points: readonly RatePoint[], now: number): void;
}

/** The overview's events per second over the last minutes: one line, redrawn at each poll. */
export function throughputChart(el: HTMLElement, windowMs: number): LiveChart {
  const height = 200;
  const width = () => Math.max(280, Math.floor(el.clientWidth || 600));
  let now = Date.now();
  const plot = new uPlot(
    {
      padding: [12, 20, 0, 8],
      width: width(),
      height,
      tzDate: utc,
      scales: {
        x: { time: true, range: () => [(now - windowMs) / 1000, now / 1000] },
        y: { range: (_u, _min, max) => [0, headroom(max)] },
      },
      series: [
        {},
        {
          label: 'Events / s',
          stroke: COLORS.throughput,
          fill: `${COLORS.throughput}22`,
          width: 2,
          spanGaps: false,
          points: { show: false },
          value: (_u, v) => (v === null ? '—' : formatNumber(Math.round(v))),
        },
      ],
      axes: [xAxis(), axis('y')],
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
    },
    [[], []],
    el,
  );
  const ro = new ResizeObserver(() => {
    const w = width();
    if (w !== plot.width) plot.setSize({ width: w, height });
  });
  ro.observe(el);
  return {
    update(points, at) {
      now = at;
      plot.setData([points.map((p) => p.at / 1000), points.map((p) => p.eps)]);
      const drawn = points.flatMap((p) => (p.eps === null ? [] : [p.eps]));
      el.dataset.points = String(drawn.length);
      el.dataset.max = String(Math.round(Math.max(0, ...drawn)));
      el.dataset.state = 'ready';
    },
    destroy() {
      ro.disconnect();
      plot.destroy();
    },
  };
}

export function chartSummary(items: [string, string | number][]): HTMLElement {
  return h(
    'dl',
    { class: 'chart-summary' },
    ...items.flatMap(([k, v]) => [
      h('dt', null, k),
      h('dd', null, typeof v === 'number' ? formatNumber(v) : v),
    ]),
  );
}

/** A series of the marketplace: bars per interval, with an optional line on its own right-hand scale. */
export interface BarsAndLine {
  from: string;
  to: string;
  starts: readonly string[];
  bars: { label: string; values: readonly number[]; color: string };
  line?: { label: string; values: readonly (number | null)[]; color: string; max?: number };
}

/**
 * Sales (revenue bars, units line), ratings (count bars, average line on 0–5) and a user's
 * interactions: each bar spans the interval that ends where it is drawn, as the referrals chart.
 */
export function barsChart(el: HTMLElement, s: BarsAndLine, intervalMs: number): ChartHandle {
  const xs = ends(s.starts, intervalMs, s.to);
  const data: uPlot.AlignedData = [xs, [...s.bars.values]];
  const series: uPlot.Series[] = [
    {},
    {
      label: s.bars.label,
      stroke: s.bars.color,
      fill: `${s.bars.color}99`,
      width: 1,
      paths: uPlot.paths.bars?.({ align: -1, size: [0.9, 40] }),
      points: { show: false },
    },
  ];
  const axes = [xAxis(), axis('y')];
  const line = s.line;
  if (line) {
    data.push([...line.values]);
    series.push({
      label: line.label,
      stroke: line.color,
      width: 2,
      scale: 'line',
      spanGaps: false,
      // uPlot shows the points only where they are sparse enough to see (a lone average among gaps)
      points: { size: 4 },
    });
    axes.push(axis('line', 1));
  }
  return mount(
    el,
    {
      scales: {
        x: { time: true, range: (_u, _min, max) => [Date.parse(s.from) / 1000, max] },
        y: { range: (_u, _min, max) => [0, headroom(max)] },
        line: { range: (_u, _min, max) => [0, line?.max ?? headroom(max)] },
      },
      series,
      axes,
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    },
    data,
    s.starts.length,
  );
}
