// Search a user by name: a combobox that suggests names by prefix (GET /meta/users?prefix=) and opens
// the user page of the chosen (or typed) name.
import { h } from '../dom';
import { userLink } from '../route';
import type { AppContext } from '../view';

const SUGGESTIONS = 8;
const DEBOUNCE_MS = 150;

export function userSearch(
  ctx: AppContext,
  opts: { id: string; placeholder: string; autofocus?: boolean; large?: boolean },
): HTMLFormElement {
  const listId = `${opts.id}-list`;
  const input = h('input', {
    id: opts.id,
    type: 'search',
    name: 'user',
    placeholder: opts.placeholder,
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: 128,
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    'aria-label': 'User name',
    autofocus: opts.autofocus ?? false,
  });
  const list = h('ul', { id: listId, class: 'suggestions', role: 'listbox', hidden: true });
  const form = h(
    'form',
    { class: `search${opts.large ? ' search-large' : ''}`, role: 'search' },
    input,
    h('button', { type: 'submit', class: 'btn' }, 'Go'),
    list,
  );

  let items: string[] = [];
  let active = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: AbortController | null = null;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const go = (name: string) => {
    const n = name.trim();
    if (!n) return;
    close();
    input.value = '';
    input.blur();
    location.hash = userLink(n);
  };
  const highlight = (i: number) => {
    active = i;
    list.querySelectorAll('li').forEach((li, j) => {
      li.setAttribute('aria-selected', String(j === i));
    });
    if (i >= 0) input.setAttribute('aria-activedescendant', `${listId}-${i}`);
    else input.removeAttribute('aria-activedescendant');
  };
  const show = (names: string[]) => {
    items = names;
    list.replaceChildren(
      ...names.map((n, i) =>
        h(
          'li',
          {
            id: `${listId}-${i}`,
            role: 'option',
            'aria-selected': 'false',
            // mousedown, not click: it comes before the input's blur closes the list.
            onmousedown: (e) => {
              e.preventDefault();
              go(n);
            },
          },
          n,
        ),
      ),
    );
    active = -1;
    list.hidden = names.length === 0;
    input.setAttribute('aria-expanded', String(names.length > 0));
  };
  const suggest = async (prefix: string) => {
    inflight?.abort();
    if (!prefix) {
      show([]);
      return;
    }
    const ac = new AbortController();
    inflight = ac;
    try {
      const page = await ctx.api.users({ prefix, limit: SUGGESTIONS }, ac.signal);
      if (!ac.signal.aborted && input.value.trim() === prefix) show(page.items);
    } catch {
      // Suggestions are a convenience: without them, typing the full name and pressing Enter still works.
      if (!ac.signal.aborted) show([]);
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const prefix = input.value.trim();
    timer = setTimeout(() => void suggest(prefix), DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && items.length) {
      e.preventDefault();
      highlight((active + 1) % items.length);
    } else if (e.key === 'ArrowUp' && items.length) {
      e.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => close());
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(active >= 0 ? items[active] : input.value);
  });
  return form;
}
