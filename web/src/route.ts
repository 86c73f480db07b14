// The dashboard's state lives in the address (hash routing, so a static host needs no rewrite rules):
//   #/                                            overview
//   #/leaderboards?metric=&range=|from=&to=&limit= leaderboards (both metrics unless one is chosen)
//   #/users                                       user search
//   #/users/{name}?range=|from=&to=&interval=&cursor=
//   #/products?prefix=&range=|from=&to=          products: search by id prefix, boards over the range
//   #/products/{id}?range=|from=&to=&interval=    a product page
//   #/writers?metric=&range=|from=&to=&limit=      writers boards (both metrics unless one) and posts stats
// Pure: parse and format are inverses, unit-tested under Node.
import { ALL_TIME, type IntervalId, isInterval, parseRange, type RangeSpec, rangeParams } from './range';
import { METRICS, type Metric, WRITER_METRICS, type WriterMetric } from './types';

export const LEADERBOARD_LIMITS = [10, 25, 50, 100] as const;
export const DEFAULT_LEADERBOARD_LIMIT = 10;

export type Route =
  | { page: 'overview' }
  | { page: 'leaderboards'; metric: Metric | null; range: RangeSpec; limit: number }
  | {
      page: 'user';
      name: string | null;
      range: RangeSpec;
      interval: IntervalId | 'auto';
      cursor: string | null;
    }
  | {
      page: 'products';
      /** null: the products page (search and boards); else that product's page. */
      id: string | null;
      prefix: string;
      range: RangeSpec;
      interval: IntervalId | 'auto';
    }
  | { page: 'writers'; metric: WriterMetric | null; range: RangeSpec; limit: number }
  | { page: 'not-found'; path: string };

function isMetric(s: string | null): s is Metric {
  return METRICS.some((m) => m === s);
}

function isWriterMetric(s: string | null): s is WriterMetric {
  return WRITER_METRICS.some((m) => m === s);
}

function parseLimit(s: string | null): number {
  if (s === null || !/^\d{1,4}$/.test(s)) return DEFAULT_LEADERBOARD_LIMIT;
  const n = Number(s);
  return n >= 1 && n <= 1000 ? n : DEFAULT_LEADERBOARD_LIMIT;
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** Parses `location.hash` (with or without the leading '#'). */
export function parseHash(hash: string): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)) || '/';
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { page: 'overview' };
  if (parts[0] === 'leaderboards' && parts.length === 1) {
    const metric = params.get('metric');
    return {
      page: 'leaderboards',
      metric: isMetric(metric) ? metric : null,
      range: parseRange(params),
      limit: parseLimit(params.get('limit')),
    };
  }
  if (parts[0] === 'writers' && parts.length === 1) {
    const metric = params.get('metric');
    return {
      page: 'writers',
      metric: isWriterMetric(metric) ? metric : null,
      range: parseRange(params),
      limit: parseLimit(params.get('limit')),
    };
  }
  if (parts[0] === 'users' && parts.length <= 2) {
    const name = parts.length === 2 ? safeDecode(parts[1]) : null;
    if (parts.length === 2 && (name === null || name === '' || name.length > 128)) {
      return { page: 'not-found', path };
    }
    const interval = params.get('interval');
    return {
      page: 'user',
      name,
      range: parseRange(params),
      interval: isInterval(interval) ? interval : 'auto',
      cursor: params.get('cursor') || null,
    };
  }
  if (parts[0] === 'products' && parts.length <= 2) {
    const id = parts.length === 2 ? safeDecode(parts[1]) : null;
    if (parts.length === 2 && (id === null || id === '' || id.length > 64)) {
      return { page: 'not-found', path };
    }
    const interval = params.get('interval');
    return {
      page: 'products',
      id,
      prefix: id === null ? (params.get('prefix') ?? '').slice(0, 64) : '',
      range: parseRange(params),
      interval: id !== null && isInterval(interval) ? interval : 'auto',
    };
  }
  return { page: 'not-found', path };
}

function withQuery(path: string, params: Record<string, string>): string {
  const qs = new URLSearchParams(params).toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

/** The address of a route (the inverse of parseHash); defaults are left out so links stay short. */
export function formatRoute(r: Route): string {
  switch (r.page) {
    case 'overview':
      return '#/';
    case 'leaderboards':
    case 'writers': {
      const p: Record<string, string> = {};
      if (r.metric) p.metric = r.metric;
      Object.assign(p, rangeParams(r.range));
      if (r.limit !== DEFAULT_LEADERBOARD_LIMIT) p.limit = String(r.limit);
      return withQuery(`/${r.page}`, p);
    }
    case 'user': {
      if (r.name === null) return '#/users';
      const p: Record<string, string> = { ...rangeParams(r.range) };
      if (r.interval !== 'auto') p.interval = r.interval;
      if (r.cursor) p.cursor = r.cursor;
      return withQuery(`/users/${encodeURIComponent(r.name)}`, p);
    }
    case 'products': {
      const p: Record<string, string> = {};
      if (r.id === null && r.prefix) p.prefix = r.prefix;
      Object.assign(p, rangeParams(r.range));
      if (r.id === null) return withQuery('/products', p);
      if (r.interval !== 'auto') p.interval = r.interval;
      return withQuery(`/products/${encodeURIComponent(r.id)}`, p);
    }
    case 'not-found':
      return `#${r.path}`;
  }
}

/** The range and interval a link from `from` carries to the next page. */
function carried(from?: Route): { range: RangeSpec; interval: IntervalId | 'auto' } {
  if (!from || from.page === 'overview' || from.page === 'not-found')
    return { range: ALL_TIME, interval: 'auto' };
  if (from.page === 'leaderboards' || from.page === 'writers') return { range: from.range, interval: 'auto' };
  return { range: from.range, interval: from.interval };
}

/** A user page link that keeps the range and interval of `from` (a user, product or leaderboard page). */
export function userLink(name: string, from?: Route): string {
  const { range, interval } = carried(from);
  return formatRoute({ page: 'user', name, range, interval, cursor: null });
}

/** A product page link that keeps the range and interval of `from`. */
export function productLink(id: string, from?: Route): string {
  const { range, interval } = carried(from);
  return formatRoute({ page: 'products', id, prefix: '', range, interval });
}
