// A small typed client of the HTTP API (SPEC section 5). The base URL is `window.BACEFOOK_API` when the
// deployment injects it (config.js), else the page's own origin (the local runtime serves both).
import type {
  EventFrequencies,
  FriendsCountSeries,
  FriendsPage,
  Leaderboard,
  Metric,
  PipelineMeta,
  Post,
  PostsStats,
  Product,
  ProductLeaderboard,
  ProductMetric,
  ProductsPage,
  RatingsSeries,
  ReferralSeries,
  Rejections,
  SalesSeries,
  SnapshotsMeta,
  TopFriends,
  UserActivity,
  UserNetwork,
  UserPostsPage,
  UserProfile,
  UsersPage,
  WriterMetric,
  WritersBoard,
} from './types';

/** Where the client gets its access token, and how it asks for another after a 401 (web/src/token.ts). */
export interface TokenSource {
  current(): string | null;
  /** A new token to retry with, or null to give up (the 401 is then the answer). */
  askAgain(rejected: boolean): Promise<string | null>;
}

/** An answer other than 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

export type Query = Record<string, string | number | undefined | null>;

/** Joins a base URL (possibly with a stage path, with or without a trailing slash) and an API path. */
export function joinUrl(base: string, path: string, query: Query = {}): string {
  const trimmed = base.replace(/\/+$/, '');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return `${trimmed}${path}${qs ? `?${qs}` : ''}`;
}

const enc = encodeURIComponent;

/** The range and step of a series route. */
export interface SeriesQuery {
  from?: string;
  to?: string;
  interval: string;
}

function isErrorBody(v: unknown): v is { error: { code: string; message: string } } {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = (v as { error: unknown }).error;
  return typeof e === 'object' && e !== null && 'message' in e;
}

export class Api {
  constructor(
    readonly base: string,
    private readonly tokens?: TokenSource,
  ) {}

  private async fetchOnce(url: string, token: string | null, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    try {
      return await fetch(url, { signal, headers });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiError(0, 'unreachable', `Cannot reach the API at ${this.base || location.origin}.`, url);
    }
  }

  async get<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
    const url = joinUrl(this.base, path, query);
    let token = this.tokens?.current() ?? null;
    let res = await this.fetchOnce(url, token, signal);
    // 401: the API wants a token (or another one). Ask, then try again with what was given.
    while (res.status === 401 && this.tokens && !signal?.aborted) {
      const latest = this.tokens.current();
      // Another request may have been given a new token meanwhile: use it before asking.
      const next = latest !== null && latest !== token ? latest : await this.tokens.askAgain(token !== null);
      if (next === null) break;
      token = next;
      res = await this.fetchOnce(url, token, signal);
    }
    let body: unknown = null;
    const text = await res.text();
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!res.ok) {
      if (isErrorBody(body)) throw new ApiError(res.status, body.error.code, body.error.message, url);
      throw new ApiError(res.status, `http_${res.status}`, `The API answered ${res.status}.`, url);
    }
    if (body === null)
      throw new ApiError(res.status, 'bad_body', 'The API answered something that is not JSON.', url);
    return body as T;
  }

  profile(name: string, signal?: AbortSignal) {
    return this.get<UserProfile>(`/users/${enc(name)}`, {}, signal);
  }
  network(name: string, signal?: AbortSignal) {
    return this.get<UserNetwork>(`/users/${enc(name)}/network`, {}, signal);
  }
  friends(name: string, limit: number, cursor: string | undefined, signal?: AbortSignal) {
    return this.get<FriendsPage>(`/users/${enc(name)}/friends`, { limit, cursor }, signal);
  }
  topFriends(name: string, limit: number, signal?: AbortSignal) {
    return this.get<TopFriends>(`/users/${enc(name)}/top-friends`, { limit }, signal);
  }
  referrals(name: string, q: { from?: string; to?: string; interval: string }, signal?: AbortSignal) {
    return this.get<ReferralSeries>(`/users/${enc(name)}/referrals`, { ...q }, signal);
  }
  friendsCount(name: string, q: { from?: string; to?: string; interval: string }, signal?: AbortSignal) {
    return this.get<FriendsCountSeries>(`/users/${enc(name)}/friends-count`, { ...q }, signal);
  }
  leaderboard(metric: Metric, q: { from?: string; to?: string; limit: number }, signal?: AbortSignal) {
    return this.get<Leaderboard>(`/leaderboards/${metric}`, { ...q }, signal);
  }
  users(q: { prefix?: string; limit?: number; cursor?: string }, signal?: AbortSignal) {
    return this.get<UsersPage>('/meta/users', { ...q }, signal);
  }
  snapshots(signal?: AbortSignal) {
    return this.get<SnapshotsMeta>('/meta/snapshots', {}, signal);
  }
  pipeline(signal?: AbortSignal) {
    return this.get<PipelineMeta>('/meta/pipeline', {}, signal);
  }
  rejections(limit: number, signal?: AbortSignal) {
    return this.get<Rejections>('/meta/rejections', { limit }, signal);
  }
  products(q: { prefix?: string; limit?: number; cursor?: string }, signal?: AbortSignal) {
    return this.get<ProductsPage>('/products', { ...q }, signal);
  }
  product(id: string, signal?: AbortSignal) {
    return this.get<Product>(`/products/${enc(id)}`, {}, signal);
  }
  sales(id: string, q: SeriesQuery, signal?: AbortSignal) {
    return this.get<SalesSeries>(`/products/${enc(id)}/sales`, { ...q }, signal);
  }
  ratings(id: string, q: SeriesQuery, signal?: AbortSignal) {
    return this.get<RatingsSeries>(`/products/${enc(id)}/ratings`, { ...q }, signal);
  }
  productLeaderboard(
    metric: ProductMetric,
    q: { from?: string; to?: string; limit: number },
    signal?: AbortSignal,
  ) {
    return this.get<ProductLeaderboard>('/leaderboards/products', { metric, ...q }, signal);
  }
  activity(name: string, q: Partial<SeriesQuery>, signal?: AbortSignal) {
    return this.get<UserActivity>(`/users/${enc(name)}/activity`, { ...q }, signal);
  }
  frequencies(q: Partial<SeriesQuery>, signal?: AbortSignal) {
    return this.get<EventFrequencies>('/events/frequencies', { ...q }, signal);
  }
  post(id: string, signal?: AbortSignal) {
    return this.get<Post>(`/posts/${enc(id)}`, {}, signal);
  }
  userPosts(name: string, limit: number, cursor: string | undefined, signal?: AbortSignal) {
    return this.get<UserPostsPage>(`/users/${enc(name)}/posts`, { limit, cursor }, signal);
  }
  postsStats(q: Partial<SeriesQuery> & { user?: string }, signal?: AbortSignal) {
    return this.get<PostsStats>('/posts/stats', { ...q }, signal);
  }
  writers(metric: WriterMetric, q: { from?: string; to?: string; limit: number }, signal?: AbortSignal) {
    return this.get<WritersBoard>('/leaderboards/writers', { metric, ...q }, signal);
  }
}

/** Human text for an error shown in an error state. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 501) return 'This part of the API is not available yet (501 Not Implemented).';
    if (err.status === 0) return err.message;
    return `${err.message} (${err.status} ${err.code})`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
