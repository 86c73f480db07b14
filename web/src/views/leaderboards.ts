// Leaderboards of both metrics (GET /leaderboards/{metric}) over a range picked with presets or
// custom UTC instants. A preset is resolved once per render, so both boards answer the same range.
import { boardPanel, boardsTop, rangeQuery, usersBoard } from '../components/boards';
import { emptyState, h, replace } from '../dom';
import { formatUtc, type RangeSpec, resolveRange } from '../range';
import { formatRoute, type Route } from '../route';
import { type Leaderboard, METRIC_LABEL, METRICS, type Metric } from '../types';
import type { AppContext, View } from '../view';

type LbRoute = Extract<Route, { page: 'leaderboards' }>;

const METRIC_HELP: Record<Metric, string> = {
  'network-strength': 'Friends + users referred + 1 with a referrer; over a range, the net change inside it.',
  'referral-points':
    'One point per referral made, one more to the referrer’s referrer; awarded inside the range.',
};

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
    const query = { ...rangeQuery(resolved), limit: route.limit };
    const go = (patch: Partial<LbRoute>) => ctx.navigate({ ...route, ...patch });
    const metrics = route.metric ? [route.metric] : METRICS;
    const panels = metrics.map((m) =>
      boardPanel({
        attrs: { 'data-metric': m },
        title: METRIC_LABEL[m],
        help: METRIC_HELP[m],
        fetch: () => ctx.api.leaderboard(m, query, signal),
        table: (lb: Leaderboard) => usersBoard(lb.items, METRIC_LABEL[lb.metric], route),
        empty: () => emptyHint(route.range, resolved.from, signal),
      }),
    );

    replace(
      root,
      ...boardsTop({
        title: 'Leaderboards',
        now,
        refresh: render,
        route,
        metrics: METRICS,
        labels: METRIC_LABEL,
        go,
      }),
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
