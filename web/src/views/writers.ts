// The writers page (`#/writers`): every writer's posts, words and average word length over a range
// (GET /posts/stats) with posts per interval as a chart, and the writers boards by posts and by words
// (GET /leaderboards/writers), the range picked as on the leaderboards. Loaded as its own chunk (it
// draws with uPlot).
import { isAbort } from '../api';
import { boardPanel, boardsTop, rangeQuery, usersBoard } from '../components/boards';
import { postsCards, postsChart } from '../components/posts';
import type { ChartHandle } from '../components/time-chart';
import { emptyState, errorState, h, loadingState, replace } from '../dom';
import { formatIsoUtc, intervalMs, isInterval, resolveRange } from '../range';
import type { Route } from '../route';
import { WRITER_METRIC_LABEL, WRITER_METRICS, type WriterMetric, type WritersBoard } from '../types';
import type { AppContext, View } from '../view';

type WritersRoute = Extract<Route, { page: 'writers' }>;

const METRIC_HELP: Record<WriterMetric, string> = {
  posts: 'Posts written in the range.',
  words: 'Words written in the range (tokens with a letter or a digit).',
};

export function mountWriters(root: HTMLElement, initial: Route, ctx: AppContext): View {
  let route = initial as WritersRoute;
  let ac = new AbortController();
  let chart: ChartHandle | null = null;
  root.setAttribute('data-page', 'writers');

  const render = () => {
    ac.abort();
    ac = new AbortController();
    const signal = ac.signal;
    chart?.destroy();
    chart = null;
    const now = ctx.now();
    const range = rangeQuery(resolveRange(route.range, now));
    const go = (patch: Partial<WritersRoute>) => ctx.navigate({ ...route, ...patch });
    const metrics = route.metric ? [route.metric] : WRITER_METRICS;

    const figures = h(
      'div',
      { class: 'panel-body', id: 'writers-stats', 'data-state': 'loading' },
      loadingState(),
    );
    const chartEl = h('div', { class: 'chart', id: 'chart-writers', 'data-state': 'loading' });
    const loadStats = async () => {
      figures.dataset.state = 'loading';
      replace(figures, loadingState());
      try {
        // Open ends are left to the API: from the first post, up to now (a post without created_at
        // is placed at its arrival); the API picks the step.
        const s = await ctx.api.postsStats(range, signal);
        figures.dataset.state = s.posts === 0 ? 'empty' : 'ready';
        replace(
          figures,
          h(
            'p',
            { class: 'muted answered' },
            `Answered [${formatIsoUtc(s.from)}, ${formatIsoUtc(s.to)}) in steps of ${s.interval}.`,
          ),
          postsCards(s),
          s.posts === 0 ? emptyState('No post was written in this range.') : null,
        );
        replace(chartEl);
        if (isInterval(s.interval)) chart = postsChart(chartEl, s, intervalMs(s.interval));
      } catch (err) {
        if (isAbort(err)) return;
        figures.dataset.state = 'error';
        chartEl.dataset.state = 'error';
        replace(
          figures,
          errorState(err, () => void loadStats()),
        );
      }
    };
    void loadStats();

    const panels = metrics.map((m) =>
      boardPanel({
        attrs: { 'data-metric': m },
        title: `Writers by ${WRITER_METRIC_LABEL[m].toLowerCase()}`,
        help: METRIC_HELP[m],
        fetch: () => ctx.api.writers(m, { ...range, limit: route.limit }, signal),
        table: (lb: WritersBoard) => usersBoard(lb.items, WRITER_METRIC_LABEL[lb.metric], route),
        empty: () => emptyState('No one wrote in this range.'),
      }),
    );

    replace(
      root,
      ...boardsTop({
        title: 'Writers',
        now,
        refresh: render,
        route,
        metrics: WRITER_METRICS,
        labels: WRITER_METRIC_LABEL,
        go,
      }),
      h(
        'section',
        { class: 'panel' },
        h('h2', null, 'Posts'),
        h('p', { class: 'muted' }, 'Every writer’s posts, words and average word length over the range.'),
        figures,
        chartEl,
      ),
      h('div', { class: metrics.length > 1 ? 'grid-2' : 'grid-1' }, ...panels),
    );
  };

  render();
  return {
    update(next) {
      if (next.page !== 'writers') return false;
      route = next;
      render();
      return true;
    },
    destroy() {
      ac.abort();
      chart?.destroy();
    },
  };
}
