import { describeError } from '../api';
import { emptyState, h, replace } from '../dom';
import type { ViewFactory } from '../view';

/** A page for an unknown address, or for a page that could not be loaded (`err`). */
export function mountNotFound(err: unknown): ViewFactory {
  return (root) => {
    root.setAttribute('data-page', 'not-found');
    replace(
      root,
      h(
        'div',
        { class: 'page-head' },
        h('h1', null, err ? 'This page could not be loaded' : 'Page not found'),
      ),
      emptyState(
        err ? describeError(err) : 'There is nothing at this address.',
        h('a', { class: 'btn', href: '#/' }, 'Go to the overview'),
      ),
    );
    return { destroy() {} };
  };
}
