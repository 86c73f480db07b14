// The posts family on the dashboard: the figures of a range (posts, words, average word length) as
// cards and a chart, and a writer's posts as rows that open to show their text. Used by the user page
// (one writer) and the writers page (every writer).
import type { Api } from '../api';
import { errorState, h, loadingState, replace } from '../dom';
import { formatAverage, formatIsoUtc, formatNumber } from '../range';
import type { PostsStats, UserPostsPage } from '../types';
import { statCard } from './stat-card';
import { barsChart, type ChartHandle } from './time-chart';

const COLORS = { posts: '#2f7fd1', average: '#e4572e' };

/** The range's posts, words and average word length (cards read by the tests through data-value). */
export function postsCards(s: PostsStats): HTMLElement {
  return h(
    'div',
    { class: 'cards', 'data-from': s.from, 'data-to': s.to },
    statCard('posts', 'Posts', formatNumber(s.posts), s.posts),
    statCard('words', 'Words', formatNumber(s.words), s.words),
    statCard(
      'average-word-length',
      'Average word length',
      formatAverage(s.averageWordLength),
      s.averageWordLength,
      'letters and digits per word',
    ),
  );
}

/** Posts per interval as bars, the average word length of each interval as a line on the right. */
export function postsChart(el: HTMLElement, s: PostsStats, intervalMs: number): ChartHandle {
  return barsChart(
    el,
    {
      from: s.from,
      to: s.to,
      starts: s.series.map((p) => p.start),
      bars: { label: 'Posts', values: s.series.map((p) => p.posts), color: COLORS.posts },
      line: {
        label: 'Average word length',
        values: s.series.map((p) => p.averageWordLength),
        color: COLORS.average,
      },
    },
    intervalMs,
  );
}

type PostItem = UserPostsPage['items'][number];

/** The column heads of postRow's table. */
export function postsHead(): (HTMLElement | string)[] {
  return [
    'Written',
    h('th', { class: 'num' }, 'Words'),
    h('th', { class: 'num', title: 'Letters and digits per word' }, 'Avg. word length'),
    '',
  ];
}

/** A post's row: when, its word count and average word length; "Read" opens its text below it. */
export function postRow(api: Api, item: PostItem, signal: AbortSignal): HTMLElement {
  let open: HTMLElement | null = null;
  const read = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false' }, 'Read');
  const row = h(
    'tr',
    {
      'data-post-id': item.postId,
      'data-created-at': item.createdAt,
      'data-words': item.wordCount,
      'data-average': item.averageWordLength === null ? '' : item.averageWordLength,
    },
    h('td', { class: 'muted' }, formatIsoUtc(item.createdAt)),
    h('td', { class: 'num' }, formatNumber(item.wordCount)),
    h('td', { class: 'num' }, formatAverage(item.averageWordLength)),
    h('td', { class: 'num' }, read),
  );
  const show = async (cell: HTMLElement) => {
    replace(cell, loadingState());
    try {
      const p = await api.post(item.postId, signal);
      replace(cell, h('p', { class: 'post-text', 'data-post-content': item.postId }, p.content));
    } catch (err) {
      if (!signal.aborted)
        replace(
          cell,
          errorState(err, () => void show(cell)),
        );
    }
  };
  read.addEventListener('click', () => {
    if (open) {
      open.remove();
      open = null;
      read.setAttribute('aria-expanded', 'false');
      return;
    }
    const cell = h('td', { colspan: 4 });
    open = h('tr', { class: 'post-open' }, cell);
    row.after(open);
    read.setAttribute('aria-expanded', 'true');
    void show(cell);
  });
  return row;
}
