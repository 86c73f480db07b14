// A few DOM helpers: element creation, and the loading / empty / error states every panel shows.
import { describeError } from './api';

type Listener = (e: Event) => void;
export type AttrValue = string | number | boolean | null | undefined | Listener;
export type Attrs = Record<string, AttrValue>;
export type Child = Node | string | number | null | undefined | false;

/** `h('a', { href: '#/', class: 'x', onclick: fn }, 'text', child)`; null/false/undefined attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

export function loadingState(text = 'Loading…'): HTMLElement {
  return h(
    'div',
    { class: 'state state-loading', 'data-state': 'loading', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    text,
  );
}

export function emptyState(text: string, ...extra: Child[]): HTMLElement {
  return h('div', { class: 'state state-empty', 'data-state': 'empty' }, h('p', null, text), ...extra);
}

export function errorState(err: unknown, retry?: () => void): HTMLElement {
  return h(
    'div',
    { class: 'state state-error', 'data-state': 'error', role: 'alert' },
    h('p', null, h('strong', null, 'Could not load this. '), describeError(err)),
    retry ? h('button', { type: 'button', class: 'btn', onclick: () => retry() }, 'Retry') : null,
  );
}

export function link(href: string, text: string, attrs: Attrs = {}): HTMLAnchorElement {
  return h('a', { href, ...attrs }, text);
}
