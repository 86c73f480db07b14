// The user page: profile, the network as an interactive graph, referral and friends-count time series
// with range and interval controls, top influential friends and the paginated friends list.
// Loaded as its own chunk (it carries Cytoscape.js and uPlot).
import { ApiError, isAbort } from '../api';
import { byCount, countTable } from '../components/count-table';
import { loadMoreList } from '../components/more-list';
import { drawNetwork, type NetworkHandle, networkLegend } from '../components/network-graph';
import { postRow, postsCards, postsChart, postsHead } from '../components/posts';
import { chartsLoading, showSeriesControls } from '../components/series-controls';
import { statCard } from '../components/stat-card';
import {
  barsChart,
  type ChartHandle,
  chartSummary,
  friendsCountChart,
  referralsChart,
} from '../components/time-chart';
import { userSearch } from '../components/user-search';
import { emptyState, errorState, h, link, loadingState, replace } from '../dom';
import { FIGURES_POLL_MS, watch } from '../live';
import {
  formatAverage,
  formatIsoUtc,
  formatMoney,
  formatNumber,
  intervalMs,
  isInterval,
  resolveRange,
  sameRange,
} from '../range';
import { type Route, userLink } from '../route';
import type { UserActivity, UserProfile } from '../types';
import type { AppContext, View } from '../view';

type UserRoute = Extract<Route, { page: 'user' }>;

export const FRIENDS_PAGE = 20;
/** A writer's posts listed per "Show more". */
export const POSTS_PAGE = 20;
/** The assignment's "top 3 influential friends" (the API's default). */
const TOP_FRIENDS = 3;

declare global {
  interface Window {
    /** Read by the browser tests (and handy in the console): where a node of the graph is drawn. */
    __bacefook?: { nodePosition(name: string): { x: number; y: number } | null };
  }
}

export function mountUser(root: HTMLElement, initial: Route, ctx: AppContext): View {
  const route = initial as UserRoute;
  return route.name === null ? mountLanding(root, ctx) : mountDetail(root, route, route.name, ctx);
}

function mountLanding(root: HTMLElement, ctx: AppContext): View {
  root.setAttribute('data-page', 'user-search');
  const ac = new AbortController();
  const list = h('div', { class: 'panel-body' }, loadingState());
  replace(
    root,
    h('div', { class: 'page-head' }, h('h1', null, 'Users')),
    h(
      'section',
      { class: 'panel' },
      h('p', null, 'Search a user by name to see their network, their referrals and friends over time.'),
      userSearch(ctx, { id: 'page-search', placeholder: 'user00001', autofocus: true, large: true }),
    ),
    h('section', { class: 'panel' }, h('h2', null, 'Some users'), list),
  );
  const load = async () => {
    replace(list, loadingState());
    try {
      const page = await ctx.api.users({ limit: 40 }, ac.signal);
      if (page.items.length === 0) replace(list, emptyState('No user is registered yet.'));
      else
        replace(
          list,
          h('p', { class: 'muted' }, `${formatNumber(page.total)} users registered.`),
          h('div', { class: 'chips' }, ...page.items.map((n) => link(userLink(n), n, { class: 'chip' }))),
        );
    } catch (err) {
      if (!isAbort(err))
        replace(
          list,
          errorState(err, () => void load()),
        );
    }
  };
  void load();
  return {
    update: (next) => next.page === 'user' && next.name === null,
    destroy: () => ac.abort(),
  };
}

function mountDetail(root: HTMLElement, initial: UserRoute, name: string, ctx: AppContext): View {
  let route = initial;
  const page = new AbortController();
  root.setAttribute('data-page', 'user');
  root.setAttribute('data-user', name);

  const profileEl = h('div', { class: 'cards', id: 'profile' }, loadingState());
  const controls = h('div', { class: 'toolbar', id: 'series-controls' });
  const graphBox = h('div', { class: 'graph', id: 'network-graph', 'data-state': 'loading' });
  const graphBody = h(
    'div',
    { class: 'graph-wrap' },
    graphBox,
    h('div', { class: 'graph-overlay' }, loadingState()),
  );
  const legend = h('div', { class: 'graph-legend' });
  const graphTools = h('div', { class: 'panel-tools' });
  const topEl = h('div', { class: 'panel-body', id: 'top-friends', 'data-state': 'loading' }, loadingState());
  const refChart = h('div', { class: 'chart', id: 'chart-referrals', 'data-state': 'loading' });
  const fcChart = h('div', { class: 'chart', id: 'chart-friends-count', 'data-state': 'loading' });
  const refSummary = h('div', { class: 'chart-head' });
  const answered = h('p', { class: 'muted answered', id: 'series-range' });
  const fcSummary = h('div', { class: 'chart-head' });
  const friendsEl = h('div', { class: 'panel-body', id: 'friends', 'data-state': 'loading' }, loadingState());
  const activityEl = h(
    'div',
    { class: 'panel-body', id: 'activity', 'data-state': 'loading' },
    loadingState(),
  );
  const activityChart = h('div', { class: 'chart', id: 'chart-activity', 'data-state': 'loading' });
  const postsFigures = h(
    'div',
    { class: 'panel-body', id: 'posts-figures', 'data-state': 'loading' },
    loadingState(),
  );
  const postsChartEl = h('div', { class: 'chart', id: 'chart-posts', 'data-state': 'loading' });
  const postsEl = h('div', { class: 'panel-body', id: 'posts', 'data-state': 'loading' }, loadingState());

  replace(
    root,
    h('div', { class: 'page-head' }, h('h1', null, name), h('span', { class: 'muted' }, 'All times in UTC')),
    profileEl,
    h(
      'div',
      { class: 'grid-main' },
      h(
        'section',
        { class: 'panel panel-graph' },
        h('div', { class: 'panel-title' }, h('h2', null, 'Network'), graphTools),
        graphBody,
        legend,
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', null, 'Top influential friends'),
        h('p', { class: 'muted' }, 'Current friends by network strength + referral points.'),
        topEl,
      ),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', null, 'Over time'),
      controls,
      answered,
      h(
        'div',
        { class: 'grid-2' },
        h('div', null, h('h3', null, 'Referrals'), refSummary, refChart),
        h('div', null, h('h3', null, 'Friends count'), fcSummary, fcChart),
      ),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', null, 'Marketplace activity'),
      h('p', { class: 'muted' }, 'Interactions, purchases and ratings given, over the range above.'),
      activityEl,
      h('h3', null, 'Interactions'),
      activityChart,
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', null, 'Posts'),
      h('p', { class: 'muted' }, 'Posts written, words and average word length, over the range above.'),
      postsFigures,
      postsChartEl,
      h('h3', null, 'All posts, newest first'),
      postsEl,
    ),
    h('section', { class: 'panel' }, h('h2', null, 'Friends'), friendsEl),
  );

  let profile: UserProfile | null = null;
  let lastEventAt: number | null = null;
  let graph: NetworkHandle | null = null;
  let charts: ChartHandle[] = [];
  let chartsAc: AbortController | null = null;
  let friendsAc: AbortController | null = null;
  /** Cursors of the pages before the one shown (for "Previous"); unknown when the page was opened mid-list. */
  const cursorStack: (string | null)[] = [];
  let offsetKnown = initial.cursor === null;

  /** A link to another user that keeps this page's range and interval (rewritten when they change). */
  const userAnchor = (n: string) => link(userLink(n, route), n, { 'data-user-link': n });
  const relink = () => {
    for (const a of root.querySelectorAll<HTMLAnchorElement>('a[data-user-link]')) {
      a.setAttribute('href', userLink(a.dataset.userLink ?? '', route));
    }
  };

  const go = (patch: Partial<UserRoute>, opts?: { replace?: boolean }) =>
    ctx.navigate({ ...route, ...patch }, opts);

  // ---- profile ------------------------------------------------------------------------------------
  const loadProfile = async (): Promise<boolean> => {
    try {
      const [p, pipeline] = await Promise.all([
        ctx.api.profile(name, page.signal),
        ctx.api.pipeline(page.signal).catch(() => null),
      ]);
      profile = p;
      lastEventAt = pipeline?.lastEventAt ? Date.parse(pipeline.lastEventAt) : null;
      replace(
        profileEl,
        statCard(
          'registered-at',
          'Registered',
          p.registeredAt.slice(0, 10),
          p.registeredAt,
          formatIsoUtc(p.registeredAt).slice(11),
        ),
        statCard('referred-by', 'Referred by', p.referredBy ? userAnchor(p.referredBy) : '—', p.referredBy),
        statCard('friends-count', 'Friends', formatNumber(p.friendsCount), p.friendsCount),
        statCard('referrals-count', 'Referrals', formatNumber(p.referralsCount), p.referralsCount),
        statCard('network-strength', 'Network strength', formatNumber(p.networkStrength), p.networkStrength),
        statCard('referral-points', 'Referral points', formatNumber(p.referralPoints), p.referralPoints),
        p.profile
          ? statCard('display-name', 'Display name', p.profile.displayName ?? '—', p.profile.displayName)
          : null,
        p.profile?.email ? statCard('email', 'Email', p.profile.email, p.profile.email) : null,
      );
      root.setAttribute('data-state', 'ready');
      return true;
    } catch (err) {
      if (isAbort(err)) return false;
      root.setAttribute('data-state', err instanceof ApiError && err.notFound ? 'not-found' : 'error');
      if (err instanceof ApiError && err.notFound) {
        replace(
          root,
          h('div', { class: 'page-head' }, h('h1', null, name)),
          emptyState(
            `There is no user named “${name}”.`,
            userSearch(ctx, {
              id: 'page-search',
              placeholder: 'Search another name',
              autofocus: true,
              large: true,
            }),
          ),
        );
      } else {
        replace(
          profileEl,
          errorState(err, () => void retryProfile()),
        );
        for (const el of [refChart, fcChart, activityChart, activityEl]) {
          el.dataset.state = 'error';
          replace(el, h('p', { class: 'muted' }, 'Waiting for the profile.'));
        }
      }
      return false;
    }
  };
  const retryProfile = async () => {
    replace(profileEl, loadingState());
    if (await loadProfile()) void loadCharts();
  };

  // ---- network graph ----------------------------------------------------------------------------
  const loadNetwork = async () => {
    const overlay = graphBody.querySelector('.graph-overlay') as HTMLElement;
    try {
      const net = await ctx.api.network(name, page.signal);
      overlay.replaceChildren();
      overlay.hidden = true;
      graph = drawNetwork(graphBox, net, (n) => ctx.navigate({ ...route, name: n, cursor: null }));
      window.__bacefook = { nodePosition: (n) => graph?.nodePosition(n) ?? null };
      replace(legend, networkLegend(net));
      replace(
        graphTools,
        h('span', { class: 'muted' }, `${formatNumber(net.nodes.length)} people · click one to open it`),
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => graph?.fit() }, 'Fit'),
      );
      if (net.nodes.length <= 1) {
        overlay.hidden = false;
        replace(overlay, h('p', { class: 'muted' }, 'No friends and no referrals yet.'));
      }
    } catch (err) {
      if (isAbort(err)) return;
      graphBox.dataset.state = 'error';
      overlay.hidden = false;
      replace(
        overlay,
        errorState(err, () => void loadNetwork()),
      );
    }
  };

  // ---- top friends --------------------------------------------------------------------------------
  const loadTop = async () => {
    topEl.dataset.state = 'loading';
    replace(topEl, loadingState());
    try {
      const top = await ctx.api.topFriends(name, TOP_FRIENDS, page.signal);
      if (top.items.length === 0) {
        topEl.dataset.state = 'empty';
        replace(topEl, emptyState('No friends yet.'));
        return;
      }
      topEl.dataset.state = 'ready';
      replace(
        topEl,
        h(
          'table',
          { class: 'table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', null, 'Friend'),
              h('th', { class: 'num', title: 'Network strength' }, 'Strength'),
              h('th', { class: 'num', title: 'Referral points' }, 'Points'),
              h('th', { class: 'num' }, 'Score'),
            ),
          ),
          h(
            'tbody',
            null,
            ...top.items.map((t) =>
              h(
                'tr',
                { 'data-name': t.name, 'data-score': t.score },
                h('td', null, userAnchor(t.name)),
                h('td', { class: 'num' }, formatNumber(t.networkStrength)),
                h('td', { class: 'num' }, formatNumber(t.referralPoints)),
                h('td', { class: 'num strong' }, formatNumber(t.score)),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      if (isAbort(err)) return;
      topEl.dataset.state = 'error';
      replace(
        topEl,
        errorState(err, () => void loadTop()),
      );
    }
  };

  // ---- time series ----------------------------------------------------------------------------------
  /** The concrete window of the charts: open ends become the user's registration and the latest event. */
  const chartWindow = (now: number) => {
    const r = resolveRange(route.range, now);
    const registered = profile ? Date.parse(profile.registeredAt) : now;
    const end = r.to ?? Math.max(lastEventAt ?? now, registered) + 5_000;
    const start = Math.min(r.from ?? registered, end - 5_000);
    return { from: start, to: end };
  };

  const loadCharts = async () => {
    chartsAc?.abort();
    const ac = new AbortController();
    chartsAc = ac;
    for (const c of charts) c.destroy();
    charts = [];
    const now = ctx.now();
    const w = chartWindow(now);
    const { interval, query: q } = showSeriesControls(controls, {
      range: route.range,
      chosen: route.interval,
      window: w,
      now,
      onRange: (r) => go({ range: r }),
      onInterval: (i) => go({ interval: i }),
    });
    chartsLoading([
      [refChart, refSummary],
      [fcChart, fcSummary],
      [activityChart, activityEl],
      [postsChartEl, postsFigures],
    ]);
    answered.textContent = '';
    const ms = intervalMs(interval);
    for (const el of [activityEl, postsFigures]) {
      el.dataset.state = 'loading';
      replace(el, loadingState());
    }
    // The activity and the posts are asked for the range itself: with an open end, up to now (an
    // event without created_at is placed at its arrival, after the pipeline's last dated event), and
    // with an open start, from the user's first event of the family (the API's default, as its step).
    const r = resolveRange(route.range, now);
    const activityQuery = r.to !== null ? q : { from: r.from === null ? undefined : q.from };
    const [ref, fc, act, posts] = await Promise.allSettled([
      ctx.api.referrals(name, q, ac.signal),
      ctx.api.friendsCount(name, q, ac.signal),
      ctx.api.activity(name, activityQuery, ac.signal),
      ctx.api.postsStats({ ...activityQuery, user: name }, ac.signal),
    ]);
    if (ac.signal.aborted) return;
    if (ref.status === 'fulfilled') {
      const s = ref.value;
      replace(refChart);
      replace(
        refSummary,
        chartSummary([
          ['In range', s.count],
          ['All-time at the end', s.series.length ? s.series[s.series.length - 1].cumulative : 0],
        ]),
      );
      charts.push(referralsChart(refChart, s, ms));
      answered.textContent = `Answered [${formatIsoUtc(s.from)}, ${formatIsoUtc(s.to)}) in steps of ${interval}.`;
    } else {
      refChart.dataset.state = 'error';
      replace(
        refChart,
        errorState(ref.reason, () => void loadCharts()),
      );
    }
    if (fc.status === 'fulfilled') {
      const s = fc.value;
      replace(fcChart);
      replace(
        fcSummary,
        chartSummary([
          ['At start', s.atStart],
          ['At end', s.atEnd],
          ['Made', `+${formatNumber(s.added)}`],
          ['Dissolved', `−${formatNumber(s.removed)}`],
        ]),
      );
      charts.push(friendsCountChart(fcChart, s, ms));
    } else {
      fcChart.dataset.state = 'error';
      replace(
        fcChart,
        errorState(fc.reason, () => void loadCharts()),
      );
    }
    if (act.status === 'fulfilled') {
      renderActivity(act.value);
      replace(activityChart);
      charts.push(
        barsChart(
          activityChart,
          {
            from: act.value.from,
            to: act.value.to,
            starts: act.value.series.map((p) => p.start),
            bars: {
              label: 'Interactions',
              values: act.value.series.map((p) => p.interactions),
              color: '#2f7fd1',
            },
          },
          isInterval(act.value.interval) ? intervalMs(act.value.interval) : ms,
        ),
      );
    } else {
      activityEl.dataset.state = 'error';
      activityChart.dataset.state = 'error';
      replace(activityChart);
      replace(
        activityEl,
        errorState(act.reason, () => void loadCharts()),
      );
    }
    if (posts.status === 'fulfilled') {
      const s = posts.value;
      postsFigures.dataset.state = s.posts === 0 ? 'empty' : 'ready';
      replace(
        postsFigures,
        h(
          'p',
          { class: 'muted answered', id: 'posts-range' },
          `Answered [${formatIsoUtc(s.from)}, ${formatIsoUtc(s.to)}) in steps of ${s.interval}.`,
        ),
        postsCards(s),
      );
      replace(postsChartEl);
      charts.push(postsChart(postsChartEl, s, isInterval(s.interval) ? intervalMs(s.interval) : ms));
    } else {
      postsFigures.dataset.state = 'error';
      postsChartEl.dataset.state = 'error';
      replace(postsChartEl);
      replace(
        postsFigures,
        errorState(posts.reason, () => void loadCharts()),
      );
    }
  };

  // ---- marketplace activity -----------------------------------------------------------------------
  const renderActivity = (a: UserActivity) => {
    const none = a.interactions === 0 && a.purchases.orders === 0 && a.ratings.count === 0;
    activityEl.dataset.state = none ? 'empty' : 'ready';
    const actions = byCount(a.byAction);
    const sources = byCount(a.bySource);
    replace(
      activityEl,
      h(
        'p',
        { class: 'muted answered', id: 'activity-range' },
        `Answered [${formatIsoUtc(a.from)}, ${formatIsoUtc(a.to)}) in steps of ${a.interval}.`,
      ),
      h(
        'div',
        { class: 'cards', id: 'activity-cards' },
        statCard('interactions', 'Interactions', formatNumber(a.interactions), a.interactions),
        statCard('purchases-orders', 'Purchases', formatNumber(a.purchases.orders), a.purchases.orders),
        statCard('purchases-units', 'Units bought', formatNumber(a.purchases.units), a.purchases.units),
        statCard('purchases-revenue', 'Spent', formatMoney(a.purchases.revenue), a.purchases.revenue),
        statCard('ratings-count', 'Ratings given', formatNumber(a.ratings.count), a.ratings.count),
        statCard('ratings-average', 'Average given', formatAverage(a.ratings.average), a.ratings.average),
      ),
      none
        ? emptyState(`${name} has no marketplace event in this range.`)
        : h(
            'div',
            { class: 'grid-2' },
            h(
              'div',
              { id: 'activity-actions' },
              actions.length ? countTable(actions, 'Action', 'data-action') : null,
            ),
            h(
              'div',
              { id: 'activity-sources' },
              sources.length ? countTable(sources, 'Source', 'data-source') : null,
            ),
          ),
    );
  };

  // ---- posts list --------------------------------------------------------------------------------
  const loadPosts = () =>
    loadMoreList(postsEl, {
      tableClass: 'posts',
      head: postsHead(),
      fetch: (cursor, signal) => ctx.api.userPosts(name, POSTS_PAGE, cursor, signal),
      row: (item) => postRow(ctx.api, item, page.signal),
      empty: `${name} has written no post yet.`,
      signal: page.signal,
    });

  // ---- friends list ---------------------------------------------------------------------------------
  const loadFriends = async () => {
    friendsAc?.abort();
    const ac = new AbortController();
    friendsAc = ac;
    friendsEl.dataset.state = 'loading';
    friendsEl.setAttribute('aria-busy', 'true');
    try {
      const res = await ctx.api.friends(name, FRIENDS_PAGE, route.cursor ?? undefined, ac.signal);
      friendsEl.removeAttribute('aria-busy');
      if (res.items.length === 0 && route.cursor === null) {
        friendsEl.dataset.state = 'empty';
        replace(friendsEl, emptyState(`${name} has no friends yet.`));
        return;
      }
      const offset = cursorStack.length * FRIENDS_PAGE;
      const shown = offsetKnown
        ? `${formatNumber(offset + 1)}–${formatNumber(offset + res.items.length)} of ${formatNumber(res.total)}`
        : `${formatNumber(res.items.length)} of ${formatNumber(res.total)}`;
      const prev =
        cursorStack.length > 0
          ? h(
              'button',
              {
                type: 'button',
                class: 'btn',
                'data-pager': 'prev',
                onclick: () => go({ cursor: cursorStack[cursorStack.length - 1] }),
              },
              '← Previous',
            )
          : route.cursor !== null
            ? h(
                'button',
                { type: 'button', class: 'btn', 'data-pager': 'first', onclick: () => go({ cursor: null }) },
                '⇤ First',
              )
            : h(
                'button',
                { type: 'button', class: 'btn', 'data-pager': 'prev', disabled: true },
                '← Previous',
              );
      const next = h(
        'button',
        {
          type: 'button',
          class: 'btn',
          'data-pager': 'next',
          disabled: res.nextCursor === null,
          onclick: () => res.nextCursor && go({ cursor: res.nextCursor }),
        },
        'Next →',
      );
      friendsEl.dataset.state = 'ready';
      friendsEl.dataset.total = String(res.total);
      replace(
        friendsEl,
        h(
          'table',
          { class: 'table friends' },
          h('thead', null, h('tr', null, h('th', null, 'Friend'), h('th', null, 'Friends since'))),
          h(
            'tbody',
            null,
            ...res.items.map((f) =>
              h(
                'tr',
                { 'data-name': f.name },
                h('td', null, userAnchor(f.name)),
                h('td', { class: 'muted' }, formatIsoUtc(f.since)),
              ),
            ),
          ),
        ),
        h('div', { class: 'pager' }, prev, h('span', { class: 'muted', 'data-shown': shown }, shown), next),
      );
    } catch (err) {
      if (isAbort(err)) return;
      friendsEl.removeAttribute('aria-busy');
      friendsEl.dataset.state = 'error';
      replace(
        friendsEl,
        errorState(err, () => void loadFriends()),
      );
    }
  };

  void loadNetwork();
  void loadTop();
  void loadFriends();
  void loadPosts();
  void loadProfile().then((ok) => {
    if (ok) void loadCharts();
  });
  // The profile's figures: refreshed by each batch that changed them (live), else polled.
  let refreshing = false;
  const stopLive = watch(
    ctx.live,
    `user:${name}`,
    () => {
      if (refreshing) return;
      refreshing = true;
      void loadProfile().finally(() => {
        refreshing = false;
      });
    },
    FIGURES_POLL_MS,
  );

  return {
    update(next) {
      if (next.page !== 'user' || next.name !== name) return false;
      const prevRoute = route;
      route = next;
      if (!sameRange(prevRoute.range, next.range) || prevRoute.interval !== next.interval) {
        if (profile) void loadCharts();
        relink();
      }
      if (prevRoute.cursor !== next.cursor) {
        const top = cursorStack[cursorStack.length - 1];
        if (cursorStack.length > 0 && top === next.cursor) cursorStack.pop();
        else if (next.cursor === null) {
          cursorStack.length = 0;
          offsetKnown = true;
        } else cursorStack.push(prevRoute.cursor);
        void loadFriends();
      }
      return true;
    },
    destroy() {
      stopLive();
      page.abort();
      chartsAc?.abort();
      friendsAc?.abort();
      for (const c of charts) c.destroy();
      graph?.destroy();
      graph = null;
      window.__bacefook = undefined;
    },
  };
}
