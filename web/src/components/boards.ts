// What the ranked pages share (leaderboards, product boards, writers): a board's panel with its
// loading, empty and error states and the range the API answered, the rows of ranked users, the metric
// tabs, the rows select and the "as of" line with its Refresh button.
import { isAbort } from '../api';
import { type Attrs, type Child, errorState, h, loadingState, replace } from '../dom';
import { describeRange, formatIsoUtc, formatNumber, formatUtc, type RangeSpec } from '../range';
import { LEADERBOARD_LIMITS, type Route, userLink } from '../route';
import { rangePicker } from './range-picker';

/** A ranked answer of the API: the range it covers and its rows. */
export interface RankedAnswer {
  from: string | null;
  to: string;
  items: readonly unknown[];
}

/**
 * A board's panel: title, help, the answered range and the table of `fetch`'s answer, or `empty` when
 * it has no row; the panel's `data-state` says which.
 */
export function boardPanel<T extends RankedAnswer>(o: {
  attrs: Attrs;
  title: string;
  help: string;
  fetch: () => Promise<T>;
  table: (answer: T) => HTMLElement;
  empty: () => HTMLElement | Promise<HTMLElement>;
}): HTMLElement {
  const body = h('div', { class: 'panel-body' }, loadingState());
  const answered = h('p', { class: 'muted answered' });
  const panel = h(
    'section',
    { class: 'panel', ...o.attrs, 'data-state': 'loading' },
    h('h2', null, o.title),
    h('p', { class: 'muted' }, o.help),
    answered,
    body,
  );
  const load = async () => {
    panel.dataset.state = 'loading';
    replace(body, loadingState());
    try {
      const answer = await o.fetch();
      answered.textContent = `Answered [${answer.from ? formatIsoUtc(answer.from) : 'beginning'}, ${formatIsoUtc(answer.to)})`;
      if (answer.items.length === 0) {
        panel.dataset.state = 'empty';
        replace(body, await o.empty());
      } else {
        panel.dataset.state = 'ready';
        replace(body, o.table(answer));
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
}

/** What a board's rows show: who is ranked (the second column) and the value, with a bar. */
export interface RankTableOptions<T> {
  /** The second column's head ("User", "Product"). */
  who: string;
  valueLabel: string;
  /** Attributes of a row besides data-rank and data-value (the tests read them). */
  rowAttrs: (item: T) => Attrs;
  cell: (item: T) => Child[];
  format?: (value: number) => string;
  /** The value of a full bar; default the largest value (at least 1). */
  max?: number;
}

/** Ranked rows, each with a bar as long as its value. */
export function rankTable<T extends { rank: number; value: number }>(
  items: readonly T[],
  o: RankTableOptions<T>,
): HTMLElement {
  const max = o.max ?? Math.max(1, ...items.map((i) => i.value));
  const format = o.format ?? formatNumber;
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
        h('th', null, o.who),
        h('th', { class: 'bar-head' }, ''),
        h('th', { class: 'num' }, o.valueLabel),
      ),
    ),
    h(
      'tbody',
      null,
      ...items.map((it) =>
        h(
          'tr',
          { 'data-rank': it.rank, ...o.rowAttrs(it), 'data-value': it.value },
          h('td', { class: 'num rank' }, String(it.rank)),
          h('td', null, ...o.cell(it)),
          h(
            'td',
            { class: 'bar-cell' },
            h('span', { class: 'bar', style: `width:${max > 0 ? (100 * it.value) / max : 0}%` }),
          ),
          h('td', { class: 'num' }, format(it.value)),
        ),
      ),
    ),
  );
}

/** Ranked users; each links to the user page with `route`'s range. */
export function usersBoard(
  items: readonly { rank: number; name: string; value: number }[],
  valueLabel: string,
  route: Route,
): HTMLElement {
  return rankTable(items, {
    who: 'User',
    valueLabel,
    rowAttrs: (it) => ({ 'data-name': it.name }),
    cell: (it) => [h('a', { href: userLink(it.name, route) }, it.name)],
  });
}

/** The page's head (title, the range as words, Refresh) and its toolbar (range, metric tabs, rows). */
export function boardsTop<M extends string>(o: {
  title: string;
  now: number;
  refresh: () => void;
  route: { range: RangeSpec; metric: M | null; limit: number };
  metrics: readonly M[];
  labels: Record<M, string>;
  go: (patch: { range?: RangeSpec; metric?: M | null; limit?: number }) => void;
}): HTMLElement[] {
  return [
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, o.title),
      h('div', { class: 'head-actions' }, ...asOfActions(o.route.range, o.now, o.refresh)),
    ),
    h(
      'div',
      { class: 'toolbar' },
      rangePicker(o.route.range, o.now, (r) => o.go({ range: r })),
      h(
        'div',
        { class: 'toolbar-right' },
        metricTabs(o.metrics, o.labels, o.route.metric, (m) => o.go({ metric: m })),
        limitSelect(o.route.limit, (n) => o.go({ limit: n })),
      ),
    ),
  ];
}

/** "Both" and one tab per metric; the pressed one is `current` (null: both). */
export function metricTabs<M extends string>(
  metrics: readonly M[],
  labels: Record<M, string>,
  current: M | null,
  pick: (m: M | null) => void,
): HTMLElement {
  return h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'Metric' },
    ...([null, ...metrics] as (M | null)[]).map((m) =>
      h(
        'button',
        {
          type: 'button',
          class: 'seg',
          'data-metric-tab': m ?? 'both',
          'aria-pressed': String(current === m),
          onclick: () => pick(m),
        },
        m ? labels[m] : 'Both',
      ),
    ),
  );
}

/** The number of rows (top 10 to 100, and the address's own number when it is another). */
export function limitSelect(current: number, pick: (n: number) => void): HTMLElement {
  return h(
    'select',
    {
      'aria-label': 'Rows',
      name: 'limit',
      onchange: (e) => pick(Number((e.target as HTMLSelectElement).value)),
    },
    ...[...new Set<number>([...LEADERBOARD_LIMITS, current])]
      .sort((a, b) => a - b)
      .map((n) => h('option', { value: n, selected: n === current }, `Top ${n}`)),
  );
}

/** The range as words ("Last hour as of …" for a preset) and a Refresh button. */
export function asOfActions(range: RangeSpec, now: number, refresh: () => void): HTMLElement[] {
  return [
    h(
      'span',
      { class: 'muted', 'data-as-of': now },
      range.kind === 'preset' && range.preset !== 'all'
        ? `${describeRange(range)} as of ${formatUtc(now)}`
        : describeRange(range),
    ),
    h('button', { type: 'button', class: 'btn', onclick: () => refresh() }, 'Refresh'),
  ];
}

/** The API's from/to of a resolved range (open ends left out). */
export function rangeQuery(r: { from: number | null; to: number | null }): { from?: string; to?: string } {
  return {
    from: r.from === null ? undefined : new Date(r.from).toISOString(),
    to: r.to === null ? undefined : new Date(r.to).toISOString(),
  };
}
