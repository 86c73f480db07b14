// A figure as a card: label, value (a long one in the smaller type) and an optional line below. The
// card carries `data-field` and the raw value in `data-value`, which the browser tests read.
import { h } from '../dom';

export function statCard(
  field: string,
  label: string,
  value: Node | string,
  raw: string | number | null,
  sub?: string,
): HTMLElement {
  return h(
    'div',
    { class: 'card', 'data-field': field, 'data-value': raw === null ? '' : String(raw) },
    h('div', { class: 'card-label' }, label),
    // a long value (a date, an amount, an email) in the smaller type, so it is not cut
    h(
      'div',
      {
        class:
          field === 'registered-at' || (typeof value === 'string' && value.length > 9)
            ? 'card-value small'
            : 'card-value',
      },
      value,
    ),
    sub ? h('div', { class: 'card-sub' }, sub) : null,
  );
}
