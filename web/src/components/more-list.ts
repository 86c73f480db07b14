// A list read page by page with the API's cursor: a table whose rows grow with each "Show more" (the
// products search, a writer's posts). The element says its state in `data-state` and the API's total
// in `data-total`; the pager shows how many rows are listed.
import { isAbort } from '../api';
import { emptyState, errorState, h, loadingState, replace } from '../dom';
import { formatNumber } from '../range';

export interface CursorPage<T> {
  total: number;
  items: T[];
  nextCursor: string | null;
}

export interface MoreListOptions<T> {
  /** The table's class (besides `table`) and its column heads. */
  tableClass: string;
  head: (HTMLElement | string)[];
  /** One page from the API: the first with no cursor. */
  fetch: (cursor: string | undefined, signal: AbortSignal) => Promise<CursorPage<T>>;
  row: (item: T) => HTMLElement;
  /** Shown instead of the table when the first page is empty. */
  empty: string;
  signal: AbortSignal;
}

/** Fills `el` with the first page and a "Show more" button while the API has a next cursor. */
export async function loadMoreList<T>(el: HTMLElement, o: MoreListOptions<T>): Promise<void> {
  el.dataset.state = 'loading';
  replace(el, loadingState());
  const rows = h('tbody');
  const table = h(
    'table',
    { class: `table ${o.tableClass}` },
    h('thead', null, h('tr', null, ...o.head.map((c) => (typeof c === 'string' ? h('th', null, c) : c)))),
    rows,
  );
  const more = h('div', { class: 'pager' });
  let shown = 0;
  const page = async (cursor: string | undefined): Promise<void> => {
    const res = await o.fetch(cursor, o.signal);
    if (o.signal.aborted) return;
    if (res.items.length === 0 && cursor === undefined) {
      el.dataset.state = 'empty';
      replace(el, emptyState(o.empty));
      return;
    }
    for (const item of res.items) rows.append(o.row(item));
    shown += res.items.length;
    el.dataset.state = 'ready';
    el.dataset.total = String(res.total);
    replace(
      more,
      h(
        'span',
        { class: 'muted', 'data-shown': shown },
        `${formatNumber(shown)} of ${formatNumber(res.total)}`,
      ),
      res.nextCursor
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn',
              'data-pager': 'more',
              onclick: () => {
                const next = res.nextCursor ?? undefined;
                el.dataset.state = 'loading-more';
                void page(next).catch((err: unknown) => {
                  if (isAbort(err)) return;
                  el.dataset.state = 'error';
                  replace(
                    more,
                    errorState(err, () => void page(next)),
                  );
                });
              },
            },
            'Show more',
          )
        : null,
    );
    if (cursor === undefined) replace(el, table, more);
  };
  try {
    await page(undefined);
  } catch (err) {
    if (isAbort(err)) return;
    el.dataset.state = 'error';
    replace(
      el,
      errorState(err, () => void loadMoreList(el, o)),
    );
  }
}
