// Counts per key (per action, per source, per star, per event type) as a table of bars, largest first.
import { h } from '../dom';
import { formatNumber } from '../range';

/** Counts per key (per action, per source, per star) as a table of bars; rows carry `data-key`. */
export function countTable(entries: [string, number][], keyLabel: string, attr: string): HTMLElement {
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return h(
    'table',
    { class: 'table counts' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, keyLabel),
        h('th', { class: 'bar-head' }, ''),
        h('th', { class: 'num' }, 'Count'),
      ),
    ),
    h(
      'tbody',
      null,
      ...entries.map(([k, n]) =>
        h(
          'tr',
          { [attr]: k, 'data-value': n },
          h('th', { scope: 'row' }, h('code', null, k)),
          h(
            'td',
            { class: 'bar-cell' },
            n > 0 ? h('span', { class: 'bar', style: `width:${(100 * n) / max}%` }) : null,
          ),
          h('td', { class: 'num' }, formatNumber(n)),
        ),
      ),
    ),
  );
}

/** Entries by count, largest first (ties by key). */
export function byCount(o: Record<string, number>): [string, number][] {
  return Object.entries(o).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
