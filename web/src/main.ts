// Entry point: reads the API's address, draws the shell (header, navigation, search) and mounts the page
// of the current address. The user page (graph drawing and charts) is a separate chunk, loaded on demand.
import { Api } from './api';
import { userSearch } from './components/user-search';
import { h, replace } from './dom';
import { LiveFeed, liveUrl } from './live';
import { formatRoute, parseHash, type Route } from './route';
import { askForToken, onTokenChange, storedToken, storeToken, tokenDeclined } from './token';
import type { AppContext, View, ViewFactory } from './view';
import { mountLeaderboards } from './views/leaderboards';
import { mountNotFound } from './views/not-found';
import { mountOverview } from './views/overview';

declare global {
  interface Window {
    /** Set by the deployment's config.js: the API's base URL (API Gateway stage URL). */
    BACEFOOK_API?: string;
    /** Set by config.js too: the live updates' WebSocket URL ('' = the page's origin, null = none). */
    BACEFOOK_LIVE?: string | null;
  }
}

/**
 * Loads `config.js` next to the page: the deployed stack writes it with the API's URL, the local runtime
 * serves one with an empty URL (the page's own origin). Without one, the page's origin is used too.
 */
function loadConfig(): Promise<void> {
  return new Promise((resolve) => {
    const s = document.createElement('script');
    s.src = 'config.js';
    s.onload = () => resolve();
    s.onerror = () => resolve();
    document.head.append(s);
  });
}

const PAGE_TITLES: Record<Route['page'], string> = {
  overview: 'Overview',
  leaderboards: 'Leaderboards',
  user: 'Users',
  products: 'Products',
  writers: 'Writers',
  'not-found': 'Not found',
};

async function loadUserView(): Promise<ViewFactory> {
  const mod = await import('./views/user');
  return mod.mountUser;
}

async function loadProductsView(): Promise<ViewFactory> {
  const mod = await import('./views/products');
  return mod.mountProducts;
}

async function loadWritersView(): Promise<ViewFactory> {
  const mod = await import('./views/writers');
  return mod.mountWriters;
}

async function start(): Promise<void> {
  await loadConfig();
  const base = typeof window.BACEFOOK_API === 'string' ? window.BACEFOOK_API : '';
  const api = new Api(base, { current: storedToken, askAgain: askForToken });
  const liveAt = liveUrl(window.BACEFOOK_LIVE);
  const ctx: AppContext = {
    api,
    live: liveAt === null ? null : new LiveFeed(liveAt, storedToken),
    navigate(route, opts) {
      const hash = formatRoute(route);
      if (hash === location.hash) return;
      if (opts?.replace) history.replaceState(null, '', hash);
      else history.pushState(null, '', hash);
      render();
    },
    now: () => Date.now(),
  };

  const navLinks = {
    overview: h('a', { href: '#/', 'data-nav': 'overview' }, 'Overview'),
    leaderboards: h('a', { href: '#/leaderboards', 'data-nav': 'leaderboards' }, 'Leaderboards'),
    user: h('a', { href: '#/users', 'data-nav': 'user' }, 'Users'),
    products: h('a', { href: '#/products', 'data-nav': 'products' }, 'Products'),
    writers: h('a', { href: '#/writers', 'data-nav': 'writers' }, 'Writers'),
  };
  const main = h('main', { id: 'view', tabindex: '-1' });
  const header = h(
    'header',
    { class: 'topbar' },
    h(
      'a',
      { class: 'brand', href: '#/' },
      h('span', { class: 'brand-mark', 'aria-hidden': 'true' }),
      'Bacefook Analytics',
    ),
    h(
      'nav',
      { 'aria-label': 'Pages' },
      navLinks.overview,
      navLinks.leaderboards,
      navLinks.user,
      navLinks.products,
      navLinks.writers,
    ),
    userSearch(ctx, { id: 'global-search', placeholder: 'Find a user…' }),
  );
  // "Forget token" while a token is stored (the next 401 asks again); "Enter token" once the dialog
  // was cancelled; hidden otherwise (an API without tokens never asks).
  const tokenButton = h('button', {
    type: 'button',
    class: 'btn btn-quiet token-button',
    'data-testid': 'token-button',
    onclick: () => {
      if (storedToken() !== null) storeToken(null);
      else void askForToken(false, true).then((t) => t !== null && location.reload());
    },
  });
  const showTokenButton = (t: string | null) => {
    tokenButton.textContent = t !== null ? 'Forget token' : 'Enter token';
    tokenButton.title =
      t !== null ? 'Remove the access token kept in this browser' : 'Give the API an access token';
    tokenButton.hidden = t === null && !tokenDeclined();
  };
  showTokenButton(storedToken());
  onTokenChange(showTokenButton);
  header.append(tokenButton);
  replace(document.body, header, main);

  let current: { page: Route['page']; view: View } | null = null;
  let generation = 0;
  let renderedHash: string | null = null;

  async function render(): Promise<void> {
    // Back/forward fires both popstate and hashchange: one render per address.
    if (location.hash === renderedHash) return;
    renderedHash = location.hash;
    const route = parseHash(location.hash);
    const gen = ++generation;
    for (const [page, a] of Object.entries(navLinks)) {
      if (page === route.page) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `${PAGE_TITLES[route.page]} · Bacefook Analytics`;
    if (current && current.page === route.page && current.view.update?.(route)) return;
    current?.view.destroy();
    current = null;
    replace(main);
    // Each page describes itself on <main> (data-page, data-state, ...): start from a clean element.
    for (const attr of [...main.attributes])
      if (attr.name.startsWith('data-')) main.removeAttribute(attr.name);
    let factory: ViewFactory;
    if (route.page === 'overview') factory = mountOverview;
    else if (route.page === 'leaderboards') factory = mountLeaderboards;
    else if (route.page === 'user' || route.page === 'products' || route.page === 'writers') {
      try {
        const lazy = { user: loadUserView, products: loadProductsView, writers: loadWritersView };
        factory = await lazy[route.page]();
      } catch (err) {
        factory = mountNotFound(err);
      }
    } else factory = mountNotFound(null);
    if (gen !== generation) return; // a newer address arrived while the chunk loaded
    current = { page: route.page, view: factory(main, route, ctx) };
  }

  window.addEventListener('hashchange', () => void render());
  window.addEventListener('popstate', () => void render());
  await render();
}

void start();
