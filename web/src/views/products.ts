// The marketplace pages. `#/products`: search products by id prefix (GET /products) and the product
// boards (GET /leaderboards/products) by revenue, units, interactions and average rating over a range.
// `#/products/{id}`: the catalogue entry and all-time figures (GET /products/{id}), sales and ratings
// over time (GET /products/{id}/sales, /ratings) with range and interval controls, and the rating
// distribution of the range. Loaded as its own chunk (it draws with uPlot).
import { ApiError, isAbort } from '../api';
import { asOfActions, boardPanel, rangeQuery, rankTable } from '../components/boards';
import { byCount, countTable } from '../components/count-table';
import { loadMoreList } from '../components/more-list';
import { rangePicker } from '../components/range-picker';
import { chartsLoading, showSeriesControls } from '../components/series-controls';
import { barsChart, type ChartHandle, chartSummary } from '../components/time-chart';
import { type Child, emptyState, errorState, h, link, loadingState, replace } from '../dom';
import { FIGURES_POLL_MS, watch } from '../live';
import {
  formatAverage,
  formatIsoUtc,
  formatMoney,
  formatNumber,
  intervalMs,
  resolveRange,
  sameRange,
} from '../range';
import { formatRoute, productLink, type Route } from '../route';
import {
  PRODUCT_BOARDS,
  PRODUCT_METRIC_LABEL,
  type Product,
  type ProductLeaderboard,
  type ProductMetric,
  STARS,
} from '../types';
import type { AppContext, View } from '../view';

type ProductsRoute = Extract<Route, { page: 'products' }>;

/** Products listed per page of the search. */
export const PRODUCTS_PAGE = 50;
/** Rows of each product board. */
export const BOARD_ROWS = 10;
const DEBOUNCE_MS = 150;

const BOARD_HELP: Record<ProductMetric, string> = {
  revenue: 'The sum of the sales’ amounts in the range.',
  units: 'Units sold in the range.',
  orders: 'Sales in the range.',
  interactions: 'Views, clicks, carts, purchases and shares in the range.',
  rating: 'The average rating given in the range (products with at least one).',
};

const COLORS = { revenue: '#2e9e6b', units: '#e4572e', ratings: '#d9a400', average: '#7b5cd6' };

export function mountProducts(root: HTMLElement, initial: Route, ctx: AppContext): View {
  const route = initial as ProductsRoute;
  return route.id === null ? mountList(root, route, ctx) : mountProduct(root, route, route.id, ctx);
}

/** The value of a board's row as shown: money, an average or a count. */
export function formatMetric(metric: ProductMetric, v: number): string {
  if (metric === 'revenue') return formatMoney(v);
  if (metric === 'rating') return formatAverage(v);
  return formatNumber(v);
}

function productLabel(name: string | null, id: string): string {
  return name ?? `Product ${id}`;
}

// ---- #/products -----------------------------------------------------------------------------------

function mountList(root: HTMLElement, initial: ProductsRoute, ctx: AppContext): View {
  let route = initial;
  root.setAttribute('data-page', 'products');
  let listAc = new AbortController();
  let boardsAc = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const input = h('input', {
    id: 'product-search',
    type: 'search',
    name: 'prefix',
    placeholder: 'Product id, or its first characters',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: 64,
    'aria-label': 'Product id prefix',
    value: route.prefix,
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => ctx.navigate({ ...route, prefix: input.value.trim() }, { replace: true }),
      DEBOUNCE_MS,
    );
  });
  const form = h(
    'form',
    { class: 'search search-large', role: 'search' },
    input,
    h('button', { type: 'submit', class: 'btn' }, 'Go'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    const prefix = input.value.trim();
    ctx.navigate({ ...route, prefix }, { replace: true });
  });
  const list = h(
    'div',
    { class: 'panel-body', id: 'products-list', 'data-state': 'loading' },
    loadingState(),
  );
  const head = h('div', { class: 'head-actions' });
  const toolbar = h('div', { class: 'toolbar' });
  const boards = h('div', { class: 'grid-2', id: 'product-boards' });

  replace(
    root,
    h('div', { class: 'page-head' }, h('h1', null, 'Products'), head),
    h(
      'section',
      { class: 'panel' },
      h('h2', null, 'Find a product'),
      h('p', { class: 'muted' }, 'Products whose id starts with what you type, by id.'),
      form,
      list,
    ),
    toolbar,
    boards,
  );

  const loadList = () => {
    listAc.abort();
    listAc = new AbortController();
    const prefix = route.prefix;
    return loadMoreList(list, {
      tableClass: 'products',
      head: ['Id', 'Name', 'Category'],
      fetch: (cursor, signal) =>
        ctx.api.products({ prefix: prefix || undefined, limit: PRODUCTS_PAGE, cursor }, signal),
      row: (p) =>
        h(
          'tr',
          { 'data-product-id': p.productId },
          h(
            'td',
            null,
            link(productLink(p.productId, route), p.productId, { 'data-product-link': p.productId }),
          ),
          h('td', null, p.name ?? '—'),
          h('td', { class: 'muted' }, p.category ?? '—'),
        ),
      empty: prefix
        ? `No product id starts with “${prefix}”.`
        : 'No product yet: the marketplace has had no event.',
      signal: listAc.signal,
    });
  };

  const renderBoards = () => {
    boardsAc.abort();
    boardsAc = new AbortController();
    const signal = boardsAc.signal;
    const now = ctx.now();
    const query = { ...rangeQuery(resolveRange(route.range, now)), limit: BOARD_ROWS };
    replace(head, ...asOfActions(route.range, now, renderBoards));
    replace(
      toolbar,
      rangePicker(route.range, now, (r) => ctx.navigate({ ...route, range: r })),
    );
    const panels = PRODUCT_BOARDS.map((m) =>
      boardPanel({
        attrs: { 'data-board': m },
        title: PRODUCT_METRIC_LABEL[m],
        help: BOARD_HELP[m],
        fetch: () => ctx.api.productLeaderboard(m, query, signal),
        table: (lb: ProductLeaderboard) => board(lb, route),
        empty: () => emptyState('No product has a positive value in this range.'),
      }),
    );
    replace(boards, ...panels);
  };

  void loadList();
  renderBoards();
  return {
    update(next) {
      if (next.page !== 'products' || next.id !== null) return false;
      const prev = route;
      route = next;
      if (prev.prefix !== next.prefix) {
        if (input.value.trim() !== next.prefix) input.value = next.prefix;
        void loadList();
      } else if (!sameRange(prev.range, next.range)) {
        // product links carry the range
        for (const a of root.querySelectorAll<HTMLAnchorElement>('a[data-product-link]')) {
          a.setAttribute('href', productLink(a.dataset.productLink ?? '', route));
        }
      }
      if (!sameRange(prev.range, next.range)) renderBoards();
      return true;
    },
    destroy() {
      clearTimeout(timer);
      listAc.abort();
      boardsAc.abort();
    },
  };
}

function board(lb: ProductLeaderboard, route: Route): HTMLElement {
  return rankTable(lb.items, {
    who: 'Product',
    valueLabel: PRODUCT_METRIC_LABEL[lb.metric],
    rowAttrs: (it) => ({ 'data-product-id': it.productId }),
    cell: (it) => [
      h(
        'a',
        { href: productLink(it.productId, route), 'data-product-link': it.productId },
        productLabel(it.name, it.productId),
      ),
      h('span', { class: 'muted id' }, ` #${it.productId}`),
    ],
    format: (v) => formatMetric(lb.metric, v),
    max: Math.max(lb.metric === 'rating' ? 5 : 0, ...lb.items.map((i) => i.value)),
  });
}

// ---- #/products/{id} -----------------------------------------------------------------------------

function card(field: string, label: string, value: Child, raw: string | number | null, sub?: string) {
  return h(
    'div',
    { class: 'card', 'data-field': field, 'data-value': raw === null ? '' : String(raw) },
    h('div', { class: 'card-label' }, label),
    // a long value (a date, a large amount) in the smaller type, so it is not cut
    h(
      'div',
      { class: field === 'first-seen-at' || String(value).length > 9 ? 'card-value small' : 'card-value' },
      value,
    ),
    sub ? h('div', { class: 'card-sub' }, sub) : null,
  );
}

function mountProduct(root: HTMLElement, initial: ProductsRoute, id: string, ctx: AppContext): View {
  let route = initial;
  const page = new AbortController();
  root.setAttribute('data-page', 'product');
  root.setAttribute('data-product', id);

  const title = h('h1', null, `Product ${id}`);
  const cards = h('div', { class: 'cards', id: 'product-cards' }, loadingState());
  const about = h('div', { class: 'panel-body', id: 'product-about' });
  const actions = h('div', { class: 'panel-body', id: 'product-actions' });
  const controls = h('div', { class: 'toolbar', id: 'series-controls' });
  const answered = h('p', { class: 'muted answered', id: 'series-range' });
  const salesChart = h('div', { class: 'chart', id: 'chart-sales', 'data-state': 'loading' });
  const ratingsChart = h('div', { class: 'chart', id: 'chart-ratings', 'data-state': 'loading' });
  const salesSummary = h('div', { class: 'chart-head', id: 'sales-summary' });
  const ratingsSummary = h('div', { class: 'chart-head', id: 'ratings-summary' });
  const distribution = h(
    'div',
    { class: 'panel-body', id: 'rating-distribution', 'data-state': 'loading' },
    loadingState(),
  );

  replace(
    root,
    h(
      'div',
      { class: 'page-head' },
      title,
      h(
        'span',
        { class: 'muted' },
        h('a', { href: formatRoute({ ...route, id: null }) }, 'All products'),
        ' · All times in UTC',
      ),
    ),
    cards,
    h(
      'div',
      { class: 'grid-2' },
      h('section', { class: 'panel' }, h('h2', null, 'Catalogue entry'), about),
      h('section', { class: 'panel' }, h('h2', null, 'Interactions by action (all time)'), actions),
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
        h('div', null, h('h3', null, 'Sales'), salesSummary, salesChart),
        h('div', null, h('h3', null, 'Ratings'), ratingsSummary, ratingsChart),
      ),
      h('h3', null, 'Rating distribution in the range'),
      distribution,
    ),
  );

  let product: Product | null = null;
  let lastEventAt: number | null = null;
  let charts: ChartHandle[] = [];
  let chartsAc: AbortController | null = null;

  const loadProduct = async (): Promise<boolean> => {
    try {
      const [p, pipeline] = await Promise.all([
        ctx.api.product(id, page.signal),
        ctx.api.pipeline(page.signal).catch(() => null),
      ]);
      product = p;
      lastEventAt = pipeline?.lastEventAt ? Date.parse(pipeline.lastEventAt) : null;
      title.textContent = productLabel(p.name, id);
      replace(
        cards,
        card('product-id', 'Id', p.productId, p.productId),
        card('category', 'Category', p.category ?? '—', p.category),
        card('cost', 'Cost', p.cost === null ? '—' : formatMoney(p.cost), p.cost),
        card(
          'first-seen-at',
          'First seen',
          p.firstSeenAt.slice(0, 10),
          p.firstSeenAt,
          formatIsoUtc(p.firstSeenAt).slice(11),
        ),
        card('orders', 'Orders', formatNumber(p.sales.orders), p.sales.orders),
        card('units', 'Units sold', formatNumber(p.sales.units), p.sales.units),
        card('revenue', 'Revenue', formatMoney(p.sales.revenue), p.sales.revenue),
        card('ratings-count', 'Ratings', formatNumber(p.ratings.count), p.ratings.count),
        card('ratings-average', 'Average rating', formatAverage(p.ratings.average), p.ratings.average),
        card('interactions', 'Interactions', formatNumber(p.interactions.total), p.interactions.total),
      );
      replace(
        about,
        h(
          'dl',
          { class: 'facts' },
          h('dt', null, 'Name'),
          h('dd', null, p.name ?? '—'),
          h('dt', null, 'Category'),
          h('dd', null, p.category ?? '—'),
          h('dt', null, 'Cost'),
          h('dd', null, p.cost === null ? '—' : formatMoney(p.cost)),
          h('dt', null, 'Description'),
          h('dd', null, p.description ?? '—'),
        ),
        p.category === null && p.cost === null
          ? h(
              'p',
              { class: 'muted' },
              'No catalogue entry: the name comes from the product’s latest sale or rating.',
            )
          : null,
      );
      const acts = byCount(p.interactions.byAction);
      replace(
        actions,
        acts.length ? countTable(acts, 'Action', 'data-action') : emptyState('No interaction yet.'),
      );
      root.setAttribute('data-state', 'ready');
      return true;
    } catch (err) {
      if (isAbort(err)) return false;
      const notFound = err instanceof ApiError && err.notFound;
      root.setAttribute('data-state', notFound ? 'not-found' : 'error');
      if (notFound) {
        replace(
          root,
          h('div', { class: 'page-head' }, h('h1', null, `Product ${id}`)),
          emptyState(
            `There is no product “${id}”.`,
            h('a', { class: 'btn', href: formatRoute({ ...route, id: null, prefix: '' }) }, 'Find a product'),
          ),
        );
      } else {
        replace(
          cards,
          errorState(err, () => void retry()),
        );
      }
      return false;
    }
  };
  const retry = async () => {
    replace(cards, loadingState());
    if (await loadProduct()) void loadCharts();
  };

  /**
   * The charts' window: an open start is the product's first event; an open end is now (an event
   * without created_at is placed at its arrival, so a product's figures can reach the present).
   */
  const chartWindow = (now: number) => {
    const r = resolveRange(route.range, now);
    const first = product ? Date.parse(product.firstSeenAt) : now;
    const end = r.to ?? Math.max(now, lastEventAt ?? now, first) + 5_000;
    const start = Math.min(r.from ?? first, end - 5_000);
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
      onRange: (r) => ctx.navigate({ ...route, range: r }),
      onInterval: (i) => ctx.navigate({ ...route, interval: i }),
    });
    chartsLoading([
      [salesChart, salesSummary],
      [ratingsChart, ratingsSummary],
    ]);
    distribution.dataset.state = 'loading';
    replace(distribution, loadingState());
    answered.textContent = '';
    const ms = intervalMs(interval);
    const [sales, ratings] = await Promise.allSettled([
      ctx.api.sales(id, q, ac.signal),
      ctx.api.ratings(id, q, ac.signal),
    ]);
    if (ac.signal.aborted) return;
    if (sales.status === 'fulfilled') {
      const s = sales.value;
      replace(salesChart);
      salesSummary.dataset.orders = String(s.orders);
      salesSummary.dataset.units = String(s.units);
      salesSummary.dataset.revenue = String(s.revenue);
      replace(
        salesSummary,
        chartSummary([
          ['Orders', s.orders],
          ['Units', s.units],
          ['Revenue', formatMoney(s.revenue)],
        ]),
      );
      charts.push(
        barsChart(
          salesChart,
          {
            from: s.from,
            to: s.to,
            starts: s.series.map((p) => p.start),
            bars: { label: 'Revenue', values: s.series.map((p) => p.revenue), color: COLORS.revenue },
            line: { label: 'Units', values: s.series.map((p) => p.units), color: COLORS.units },
          },
          ms,
        ),
      );
      answered.textContent = `Answered [${formatIsoUtc(s.from)}, ${formatIsoUtc(s.to)}) in steps of ${interval}.`;
    } else {
      salesChart.dataset.state = 'error';
      replace(
        salesChart,
        errorState(sales.reason, () => void loadCharts()),
      );
    }
    if (ratings.status === 'fulfilled') {
      const r = ratings.value;
      replace(ratingsChart);
      ratingsSummary.dataset.count = String(r.count);
      ratingsSummary.dataset.average = r.average === null ? '' : String(r.average);
      replace(
        ratingsSummary,
        chartSummary([
          ['Ratings', r.count],
          ['Average', formatAverage(r.average)],
        ]),
      );
      charts.push(
        barsChart(
          ratingsChart,
          {
            from: r.from,
            to: r.to,
            starts: r.series.map((p) => p.start),
            bars: { label: 'Ratings', values: r.series.map((p) => p.count), color: COLORS.ratings },
            line: {
              label: 'Average',
              values: r.series.map((p) => p.average),
              color: COLORS.average,
              max: 5,
            },
          },
          ms,
        ),
      );
      distribution.dataset.state = r.count === 0 ? 'empty' : 'ready';
      replace(
        distribution,
        r.count === 0 ? h('p', { class: 'muted' }, 'No rating in this range.') : null,
        countTable(
          [...STARS].reverse().map((star) => [star, r.distribution[star]]),
          'Stars',
          'data-star',
        ),
      );
    } else {
      ratingsChart.dataset.state = 'error';
      distribution.dataset.state = 'error';
      replace(
        ratingsChart,
        errorState(ratings.reason, () => void loadCharts()),
      );
      replace(distribution);
    }
  };

  void loadProduct().then((ok) => {
    if (ok) void loadCharts();
  });
  // The product's all-time figures: refreshed by each batch that changed them (live), else polled.
  let refreshing = false;
  const stopLive = watch(
    ctx.live,
    `product:${id}`,
    () => {
      if (refreshing) return;
      refreshing = true;
      void loadProduct().finally(() => {
        refreshing = false;
      });
    },
    FIGURES_POLL_MS,
  );

  return {
    update(next) {
      if (next.page !== 'products' || next.id !== id) return false;
      const prev = route;
      route = next;
      if ((!sameRange(prev.range, next.range) || prev.interval !== next.interval) && product)
        void loadCharts();
      return true;
    },
    destroy() {
      stopLive();
      page.abort();
      chartsAc?.abort();
      for (const c of charts) c.destroy();
    },
  };
}
