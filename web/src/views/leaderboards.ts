// Leaderboards of both metrics (GET /leaderboards/{metric}) over a range picked with presets or
// custom UTC instants. A preset is resolved once per render, so both boards answer the same range.
import { isAbort } from '../api';
import { rangePicker } from '../components/range-picker';
import { emptyState, errorState, h, loadingState, replace } from '../dom';
import { describeRange, formatIsoUtc, formatNumber, formatUtc, type RangeSpec, resolveRange } from '../range';
import { formatRoute, LEADERBOARD_LIMITS, type Route, userLink } from '../route';
import { type Leaderboard, METRIC_LABEL, METRICS, type Metric } from '../types';
import type { AppContext, View } from '../view';

type LbRoute = Extract<Route, { page: 'leaderboards' }>;

const METRIC_HELP: Record<Metric, string> = {
  'network-strength': 'Friends + users referred + 1 with a referrer; over a range, the net change inside it.',
  'referral-points':
    'One point per referral made, one more to the referrer’s referrer; awarded inside the range.',
};

function board(lb: Leaderboard, route: Route): HTMLElement {
  const max = Math.max(1, ...lb.items.map((i) => i.value));
  return h(
    'table',
    { class: 'table leaderboard' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { class: 'num' }, '#'),
        h('th', null, 'User'),
        h('th', { class: 'bar-head' }, ''),
        h('th', { class: 'num' }, METRIC_LABEL[lb.metric]),
      ),
    ),
    h(
      'tbody',
      null,
      ...lb.items.map((it) =>
        h(
          'tr',
          { 'data-rank': it.rank, 'data-name': it.name, 'data-value': it.value },
          h('td', { class: 'num rank' }, String(it.rank)),
          h('td', null, h('a', { href: userLink(it.name, route) }, it.name)),
          h(
            'td',
            { class: 'bar-cell' },
            h('span', { class: 'bar', style: `width:${(100 * it.value) / max}%` }),
          ),
          h('td', { class: 'num' }, formatNumber(it.value)),
        ),
      ),
    ),
  );
}

export function mountLeaderboards(root: HTMLElement, initial: Route, ctx: AppContext): View {
  let route = initial as LbRoute;
  let ac = new AbortController();
  root.setAttribute('data-page', 'leaderboards');

  const render = () => {
    ac.abort();
    ac = new AbortController();
    const signal = ac.signal;
    const now = ctx.now();
    const resolved = resolveRange(route.range, now);
    const query = {
      from: resolved.from === null ? undefined : new Date(resolved.from).toISOString(),
      to: resolved.to === null ? undefined : new Date(resolved.to).toISOString(),
      limit: route.limit,
    };
    const go = (patch: Partial<LbRoute>) => ctx.navigate({ ...route, ...patch });
    const metrics = route.metric ? [route.metric] : METRICS;

    const tabs = h(
      'div',
      { class: 'segmented', role: 'group', 'aria-label': 'Metric' },
      ...([null, ...METRICS] as (Metric | null)[]).map((m) =>
        h(
          'button',
          {
            type: 'button',
            class: 'seg',
            'data-metric-tab': m ?? 'both',
            'aria-pressed': String(route.metric === m),
            onclick: () => go({ metric: m }),
          },
          m ? METRIC_LABEL[m] : 'Both',
        ),
      ),
    );
    const limit = h(
      'select',
      {
        'aria-label': 'Rows',
        name: 'limit',
        onchange: (e) => go({ limit: Number((e.target as HTMLSelectElement).value) }),
      },
      ...[...new Set<number>([...LEADERBOARD_LIMITS, route.limit])]
        .sort((a, b) => a - b)
        .map((n) => h('option', { value: n, selected: n === route.limit }, `Top ${n}`)),
    );
    const panels = metrics.map((m) => {
      const body = h('div', { class: 'panel-body' }, loadingState());
      const answered = h('p', { class: 'muted answered' });
      const panel = h(
        'section',
        { class: 'panel', 'data-metric': m, 'data-state': 'loading' },
        h('h2', null, METRIC_LABEL[m]),
        h('p', { class: 'muted' }, METRIC_HELP[m]),
        answered,
        body,
      );
      const load = async () => {
        panel.dataset.state = 'loading';
        replace(body, loadingState());
        try {
          const lb = await ctx.api.leaderboard(m, query, signal);
          answered.textContent = `Answered [${lb.from ? formatIsoUtc(lb.from) : 'beginning'}, ${formatIsoUtc(lb.to)})`;
          if (lb.items.length === 0) {
            panel.dataset.state = 'empty';
            replace(body, await emptyHint(route.range, resolved.from, signal));
          } else {
            panel.dataset.state = 'ready';
            replace(body, board(lb, route));
          }
        } catch (err) {
          if (isAbort(err)) return;
          panel.dataset.state = 'error';
          replace(
            body,
            errorState(err, () => void load()),
          );
        }
      };
      void load();
      return panel;
    });

    replace(
      root,
      h(
        'div',
        { class: 'page-head' },
        h('h1', null, 'Leaderboards'),
        h(
          'div',
          { class: 'head-actions' },
          h(
            'span',
            { class: 'muted', 'data-as-of': now },
            route.range.kind === 'preset' && route.range.preset !== 'all'
              ? `${describeRange(route.range)} as of ${formatUtc(now)}`
              : describeRange(route.range),
          ),
          h('button', { type: 'button', class: 'btn', onclick: () => render() }, 'Refresh'),
        ),
      ),
      h(
        'div',
        { class: 'toolbar' },
        rangePicker(route.range, now, (r) => go({ range: r })),
        h('div', { class: 'toolbar-right' }, tabs, limit),
      ),
      h('div', { class: metrics.length > 1 ? 'grid-2' : 'grid-1' }, ...panels),
    );
  };

  /** The empty state; when the range lies after the last event, offers the hour before that event. */
  const emptyHint = async (
    range: RangeSpec,
    from: number | null,
    signal: AbortSignal,
  ): Promise<HTMLElement> => {
    const text = 'No user has a positive value in this range.';
    try {
      const p = await ctx.api.pipeline(signal);
      const last = p.lastEventAt ? Date.parse(p.lastEventAt) : null;
      if (last === null) return emptyState(`${text} The pipeline has not processed any event yet.`);
      if (from !== null && from > last) {
        const target: Route = {
          ...route,
          range: { kind: 'custom', from: last - 3_600_000, to: last + 5_000 },
        };
        return emptyState(
          `${text} The last event is at ${formatUtc(last)}.`,
          h('a', { class: 'btn', href: formatRoute(target) }, 'Show the hour before it'),
        );
      }
    } catch {
      // the hint is optional
    }
    return emptyState(
      range.kind === 'preset' && range.preset === 'all' ? 'No user has a positive value yet.' : text,
    );
  };

  render();
  return {
    update(next) {
      if (next.page !== 'leaderboards') return false;
      route = next;
      render();
      return true;
    },
    destroy() {
      ac.abort();
    },
  };
}
