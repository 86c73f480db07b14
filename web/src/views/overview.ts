// Overview: the pipeline's counters (GET /meta/pipeline), events per second measured between polls
// and charted over the last minutes, the last event's time, the snapshot job's progress and the
// latest rejections; refreshed every 2 s while the tab is visible.
import { describeError, isAbort } from '../api';
import { byCount, countTable } from '../components/count-table';
import { emptyState, errorState, h, loadingState, replace } from '../dom';
import { formatAgo, formatIsoUtc, formatNumber } from '../range';
import { RATE_WINDOW_MS } from '../rate';
import { THROUGHPUT_WINDOW_MS, ThroughputHistory } from '../throughput';
import type { EventFrequencies, PipelineMeta, Rejections, SnapshotsMeta } from '../types';
import type { AppContext, View } from '../view';

export const POLL_MS = 2_000;
/** Event frequencies (all time, a heavier query) are asked every this many polls. */
export const FREQUENCIES_EVERY = 5;
/**
 * Throughput measured while the page is open, kept across visits to the other pages: coming back to
 * the overview shows the minutes before (with a gap for the time away).
 */
const history = new ThroughputHistory(POLL_MS * 3);

type ChartModule = typeof import('../components/time-chart');
/** The chart library loads with the first chart (its own chunk, shared with the user page). */
let chartModule: Promise<ChartModule> | null = null;

function card(field: string, label: string, value: string, raw: string | number | null, sub?: Node | string) {
  return h(
    'div',
    { class: 'card', 'data-field': field, 'data-value': raw === null ? '' : String(raw) },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value' }, value),
    sub ? h('div', { class: 'card-sub' }, sub) : null,
  );
}

export function mountOverview(root: HTMLElement, _route: unknown, ctx: AppContext): View {
  const status = h('span', { class: 'live', 'data-live': 'connecting' }, 'Connecting…');
  const cards = h('div', { class: 'cards cards-4', id: 'pipeline-cards' }, loadingState());
  const rateNow = h('div', { class: 'rate-now' }, 'measuring…');
  const chartEl = h('div', {
    class: 'chart throughput-chart',
    id: 'throughput-chart',
    'data-state': 'loading',
    'aria-label': `Events per second over the last ${THROUGHPUT_WINDOW_MS / 60_000} minutes`,
  });
  const rate = h(
    'div',
    { class: 'panel-body' },
    rateNow,
    chartEl,
    h(
      'p',
      { class: 'muted' },
      `The last ${THROUGHPUT_WINDOW_MS / 60_000} minutes, measured from the counters every ${POLL_MS / 1000} s while this dashboard is open (each point averages ${RATE_WINDOW_MS / 1000} s).`,
    ),
  );
  const reasons = h('div', { class: 'panel-body', id: 'rejected-by-reason' }, loadingState());
  const snapshots = h('div', { class: 'panel-body', id: 'snapshots' }, loadingState());
  const rejections = h('div', { class: 'panel-body', id: 'rejections' }, loadingState());
  const frequencies = h(
    'div',
    { class: 'panel-body', id: 'event-frequencies', 'data-state': 'loading' },
    loadingState(),
  );
  const actions = h('div', { class: 'panel-body', id: 'interaction-actions' });
  replace(
    root,
    h('div', { class: 'page-head' }, h('h1', null, 'Pipeline overview'), status),
    cards,
    h(
      'div',
      { class: 'grid-2' },
      h('section', { class: 'panel' }, h('h2', null, 'Events per second'), rate),
      h('section', { class: 'panel' }, h('h2', null, 'Rejected by reason'), reasons),
      h('section', { class: 'panel' }, h('h2', null, 'Snapshots (time-bucketed rollups)'), snapshots),
      h('section', { class: 'panel' }, h('h2', null, 'Latest rejections'), rejections),
      h(
        'section',
        { class: 'panel' },
        h('h2', null, 'Events by type (all time)'),
        h('p', { class: 'muted' }, 'Applied events of every family.'),
        frequencies,
      ),
      h('section', { class: 'panel' }, h('h2', null, 'Interactions by action (all time)'), actions),
    ),
  );
  root.setAttribute('data-page', 'overview');

  let last: PipelineMeta | null = null;
  let chart: import('../components/time-chart').LiveChart | null = null;
  let lastNow = ctx.now();
  const drawChart = () => chart?.update(history.series(), lastNow);
  chartModule ??= import('../components/time-chart');
  chartModule.then(
    (m) => {
      if (stopped) return;
      chart = m.throughputChart(chartEl, THROUGHPUT_WINDOW_MS);
      drawChart();
    },
    (err: unknown) => replace(chartEl, errorState(err)),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ac = new AbortController();
  let stopped = false;
  /** Only the newest tick may render and schedule the next (a restart supersedes a tick in flight). */
  let loopId = 0;

  const renderPipeline = (p: PipelineMeta, now: number) => {
    const eps = history.current();
    const lastAt = p.lastEventAt ? Date.parse(p.lastEventAt) : null;
    const processed = p.applied + p.noop + p.rejected;
    replace(
      cards,
      card('processed', 'Events processed', formatNumber(processed), processed),
      card('applied', 'Applied', formatNumber(p.applied), p.applied),
      card('noop', 'No-op', formatNumber(p.noop), p.noop),
      card('rejected', 'Rejected', formatNumber(p.rejected), p.rejected),
      p.users === undefined ? null : card('users', 'Users', formatNumber(p.users), p.users),
      card(
        'events-per-second',
        'Events / s',
        eps === null ? '—' : formatNumber(Math.round(eps)),
        eps === null ? null : Math.round(eps),
        'over the last 10 s',
      ),
      card(
        'last-event-at',
        'Last event',
        lastAt === null ? '—' : formatAgo(lastAt, now),
        p.lastEventAt,
        formatIsoUtc(p.lastEventAt),
      ),
      card(
        'last-sequence-number',
        'Stream position',
        p.lastSequenceNumber ? `…${p.lastSequenceNumber.slice(-8)}` : '—',
        p.lastSequenceNumber,
        p.batches === undefined ? undefined : `${formatNumber(p.batches)} batches`,
      ),
    );
    rateNow.textContent = eps === null ? 'measuring…' : `${formatNumber(Math.round(eps))} events/s`;
    lastNow = now;
    drawChart();
    const entries = Object.entries(p.rejectedByReason);
    entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (entries.length === 0) replace(reasons, emptyState('No event has been rejected.'));
    else {
      const max = Math.max(1, ...entries.map(([, n]) => n));
      replace(
        reasons,
        h(
          'table',
          { class: 'table' },
          h(
            'tbody',
            null,
            ...entries.map(([reason, n]) =>
              h(
                'tr',
                { 'data-reason': reason, 'data-value': n },
                h('th', { scope: 'row' }, h('code', null, reason)),
                h(
                  'td',
                  { class: 'bar-cell' },
                  n > 0 ? h('span', { class: 'bar bar-warn', style: `width:${(100 * n) / max}%` }) : null,
                ),
                h('td', { class: 'num' }, formatNumber(n)),
              ),
            ),
          ),
        ),
        p.rejected === 0 ? h('p', { class: 'muted' }, 'No event has been rejected.') : null,
      );
    }
  };

  const renderSnapshots = (s: PromiseSettledResult<SnapshotsMeta>) => {
    if (s.status === 'rejected') {
      replace(snapshots, errorState(s.reason));
      return;
    }
    const v = s.value;
    replace(
      snapshots,
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, 'Covered until'),
        h('dd', null, formatIsoUtc(v.coveredUntil)),
        h('dt', null, 'Last built'),
        h('dd', null, formatIsoUtc(v.lastBuiltAt)),
        h('dt', null, 'Data from'),
        h('dd', null, `${formatIsoUtc(v.earliest)} to ${formatIsoUtc(v.latest)}`),
        h('dt', null, 'Buckets'),
        h('dd', null, `${formatNumber(v.buckets)} × ${v.resolutionMs / 1000} s`),
      ),
    );
  };

  const renderRejections = (r: PromiseSettledResult<Rejections>) => {
    if (r.status === 'rejected') {
      replace(rejections, errorState(r.reason));
      return;
    }
    if (r.value.items.length === 0) {
      replace(rejections, emptyState('Nothing rejected so far.'));
      return;
    }
    replace(
      rejections,
      h(
        'table',
        { class: 'table' },
        h('thead', null, h('tr', null, h('th', null, 'Reason'), h('th', null, 'Event'))),
        h(
          'tbody',
          null,
          ...r.value.items.map((it) =>
            h(
              'tr',
              null,
              h('td', null, h('code', null, it.reason)),
              h('td', { class: 'event-json' }, h('code', null, JSON.stringify(it.event))),
            ),
          ),
        ),
      ),
    );
  };

  const renderFrequencies = (f: PromiseSettledResult<EventFrequencies>) => {
    if (f.status === 'rejected') {
      frequencies.dataset.state = 'error';
      replace(
        frequencies,
        errorState(f.reason, () => void restart()),
      );
      replace(actions);
      return;
    }
    const v = f.value;
    const types = byCount(v.byType);
    frequencies.dataset.state = types.length ? 'ready' : 'empty';
    frequencies.dataset.total = String(v.total);
    replace(
      frequencies,
      types.length
        ? h(
            'div',
            null,
            h('p', { class: 'muted' }, `${formatNumber(v.total)} applied events.`),
            countTable(types, 'Type', 'data-type'),
          )
        : emptyState('No event has been applied yet.'),
    );
    const acts = byCount(v.byAction);
    replace(
      actions,
      acts.length ? countTable(acts, 'Action', 'data-action') : emptyState('No interaction yet.'),
    );
  };

  let ticks = 0;
  let lastTickAt = 0;
  const tick = async () => {
    if (stopped) return;
    lastTickAt = Date.now();
    const my = ++loopId;
    ac = new AbortController();
    const signal = ac.signal;
    const withFrequencies = ticks++ % FREQUENCIES_EVERY === 0 || frequencies.dataset.state !== 'ready';
    const [p, s, r, f] = await Promise.allSettled([
      ctx.api.pipeline(signal),
      ctx.api.snapshots(signal),
      ctx.api.rejections(5, signal),
      withFrequencies ? ctx.api.frequencies({}, signal) : Promise.resolve(null),
    ]);
    if (stopped || my !== loopId) return;
    if (f.status === 'fulfilled' && f.value !== null)
      renderFrequencies({ status: 'fulfilled', value: f.value });
    else if (f.status === 'rejected' && !isAbort(f.reason)) renderFrequencies(f);
    const now = ctx.now();
    if (p.status === 'fulfilled') {
      const v = p.value;
      history.add({ at: now, total: v.applied + v.noop + v.rejected });
      last = v;
      renderPipeline(v, now);
      status.dataset.live = 'live';
      status.textContent = `Live · updated ${new Date(now).toISOString().slice(11, 19)} UTC`;
      root.setAttribute('data-state', 'ready');
    } else if (!isAbort(p.reason)) {
      status.dataset.live = 'error';
      status.textContent = `Not updating: ${describeError(p.reason)}`;
      if (last === null) {
        replace(
          cards,
          errorState(p.reason, () => void restart()),
        );
        replace(reasons);
        root.setAttribute('data-state', 'error');
      }
    }
    if (!(s.status === 'rejected' && isAbort(s.reason))) renderSnapshots(s);
    if (!(r.status === 'rejected' && isAbort(r.reason))) renderRejections(r);
    schedule();
  };

  const schedule = () => {
    clearTimeout(timer);
    if (stopped) return;
    // While the live socket is open, each committed batch's push refreshes the page: no request.
    // The counters cannot change between pushes, so the throughput is sampled from the last ones.
    if (ctx.live?.open) {
      timer = setTimeout(sampleLocally, POLL_MS);
      return;
    }
    if (document.hidden) {
      status.dataset.live = 'paused';
      status.textContent = 'Paused while the tab is hidden';
      return;
    }
    timer = setTimeout(() => void tick(), POLL_MS);
  };

  const sampleLocally = () => {
    if (stopped) return;
    if (last !== null && !document.hidden) {
      const now = ctx.now();
      history.add({ at: now, total: last.applied + last.noop + last.rejected });
      renderPipeline(last, now);
    }
    schedule();
  };

  const restart = () => {
    clearTimeout(timer);
    ac.abort();
    void tick();
  };

  // Back from a hidden tab: the history marks the pause as a gap, not as a slow rate.
  const onVisibility = () => {
    if (!document.hidden) restart();
  };
  document.addEventListener('visibilitychange', onVisibility);
  // Live: a batch's push refreshes at most once per POLL_MS (the throughput is measured between
  // refreshes); a socket that closes hands back to polling at once.
  let pushTimer: ReturnType<typeof setTimeout> | undefined;
  const onPush = () => {
    if (stopped || pushTimer !== undefined || document.hidden) return;
    pushTimer = setTimeout(
      () => {
        pushTimer = undefined;
        restart();
      },
      Math.max(0, lastTickAt + POLL_MS - Date.now()),
    );
  };
  const offPush = ctx.live?.subscribe('pipeline', onPush);
  const offState = ctx.live?.onState((open) => {
    if (open) clearTimeout(timer);
    else restart();
  });
  void tick();

  return {
    destroy() {
      stopped = true;
      chart?.destroy();
      clearTimeout(timer);
      clearTimeout(pushTimer);
      offPush?.();
      offState?.();
      ac.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
