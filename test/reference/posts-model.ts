// The reference model of the posts family (SPEC sections 10 and 12): plain, obviously correct, no
// performance tricks, and independent of the fold (domain/posts/fold.ts) and of its analysis
// (domain/posts/analysis.ts): a word is counted here with the regex engine's own Unicode properties.
// MarketplaceModel (marketplace-model.ts), the model of the whole mixed stream, hands it every event of
// the `post` kind in stream order.
//
// - A post is validated by the zod contract (domain/posts/events.ts, never the fast validator); one
//   whose id is new is applied; a known id with the same user and content is a noop, with another user
//   or content `duplicate_post`.
// - A writer's posts are listed newest first (created_at descending), later in the stream first on a
//   tie. Every figure over time is a brute-force sum over the applied posts, each placed by its time.
// - Ranges as the marketplace model's (resolveSeries, resolveRange); without `from` the stats series
//   starts at the step holding the earliest post (of the user, when one is asked).
import { parsePostEvent } from '../../domain/posts/events';
import {
  type ModelInterval,
  ModelQueryError,
  type ModelWindow,
  type RangeParams,
  resolveRange,
  resolveSeries,
  stepsOf,
} from './marketplace-model';

export interface ModelPost {
  /** index of the event in the whole stream */
  seq: number;
  postId: string;
  user: string;
  content: string;
  at: number;
  wordCount: number;
  length: number;
}

/** SPEC 12's definition, spelt with `\p{White_Space}`, `\p{L}` and `\p{N}`. */
export function wordsOf(content: string): { wordCount: number; length: number } {
  const words = content.split(/\p{White_Space}+/u).filter((t) => /[\p{L}\p{N}]/u.test(t));
  let length = 0;
  for (const w of words) length += (w.match(/[\p{L}\p{N}]/gu) ?? []).length;
  return { wordCount: words.length, length };
}

const iso = (ms: number) => new Date(ms).toISOString();
const avg = (length: number, words: number) => (words === 0 ? null : length / words);
const inRange = (at: number, from: number | null, to: number) => (from === null || at >= from) && at < to;

export interface PostAnswer {
  postId: string;
  user: string;
  createdAt: string;
  content: string;
  wordCount: number;
  averageWordLength: number | null;
}

export interface UserPostsItem {
  postId: string;
  createdAt: string;
  wordCount: number;
  averageWordLength: number | null;
}

export interface PostsStatsParams extends RangeParams {
  user?: string;
}

export interface PostsStatsAnswer {
  from: string;
  to: string;
  interval: ModelInterval;
  user: string | null;
  posts: number;
  words: number;
  averageWordLength: number | null;
  series: { start: string; posts: number; words: number; averageWordLength: number | null }[];
}

export type WriterMetric = 'posts' | 'words';

export interface WritersParams {
  metric: WriterMetric;
  from?: number;
  to?: number;
  window?: ModelWindow;
  limit?: number;
}

export interface WritersAnswer {
  metric: WriterMetric;
  from: string | null;
  to: string;
  items: { rank: number; name: string; value: number }[];
}

export class PostsModel {
  /** applied posts, in stream order */
  readonly log: ModelPost[] = [];
  readonly byId = new Map<string, ModelPost>();

  /** Judges and (if applied) applies one event of the `post` kind. */
  push(item: unknown, arrivalMs: number, seq: number): 'applied' | 'noop' | 'malformed' | 'duplicate_post' {
    const e = parsePostEvent(item, arrivalMs);
    if (e === null) return 'malformed';
    const old = this.byId.get(e.postId);
    if (old !== undefined)
      return old.user === e.user && old.content === e.content ? 'noop' : 'duplicate_post';
    const p: ModelPost = {
      seq,
      postId: e.postId,
      user: e.user,
      content: e.content,
      at: e.at,
      ...wordsOf(e.content),
    };
    this.log.push(p);
    this.byId.set(p.postId, p);
    return 'applied';
  }

  /** GET /posts/{id}; null = 404. */
  post(postId: string): PostAnswer | null {
    const p = this.byId.get(postId);
    if (p === undefined) return null;
    return {
      postId: p.postId,
      user: p.user,
      createdAt: iso(p.at),
      content: p.content,
      wordCount: p.wordCount,
      averageWordLength: avg(p.length, p.wordCount),
    };
  }

  /** GET /users/{name}/posts, every page together: newest first, later in the stream first on a tie. */
  userPosts(name: string): { total: number; items: UserPostsItem[] } {
    const mine = this.log.filter((p) => p.user === name).sort((a, b) => b.at - a.at || b.seq - a.seq);
    return {
      total: mine.length,
      items: mine.map((p) => ({
        postId: p.postId,
        createdAt: iso(p.at),
        wordCount: p.wordCount,
        averageWordLength: avg(p.length, p.wordCount),
      })),
    };
  }

  /** GET /posts/stats; throws ModelQueryError for a 400. */
  stats(q: PostsStatsParams, now: number): PostsStatsAnswer {
    const subject = q.user === undefined ? this.log : this.log.filter((p) => p.user === q.user);
    const r = resolveSeries(q, now, subject.length === 0 ? null : Math.min(...subject.map((p) => p.at)));
    const inside = subject.filter((p) => inRange(p.at, r.from, r.to));
    const sum = (ps: readonly ModelPost[]) => {
      let words = 0;
      let length = 0;
      for (const p of ps) {
        words += p.wordCount;
        length += p.length;
      }
      return { posts: ps.length, words, averageWordLength: avg(length, words) };
    };
    return {
      from: iso(r.from),
      to: iso(r.to),
      interval: r.interval,
      user: q.user ?? null,
      ...sum(inside),
      series: stepsOf(r).map(({ start, end }) => ({
        start: iso(start),
        ...sum(inside.filter((p) => inRange(p.at, start, end))),
      })),
    };
  }

  /** GET /leaderboards/writers: value descending, then name ascending; positive values only. */
  writers(q: WritersParams, now: number): WritersAnswer {
    if ((q.metric as string) !== 'posts' && (q.metric as string) !== 'words') {
      throw new ModelQueryError('metric', 'posts or words');
    }
    const r = resolveRange(q, now);
    const by = new Map<string, number>();
    for (const p of this.log) {
      if (!inRange(p.at, r.from, r.to)) continue;
      by.set(p.user, (by.get(p.user) ?? 0) + (q.metric === 'posts' ? 1 : p.wordCount));
    }
    const rows = [...by]
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return {
      metric: q.metric,
      from: r.from === null ? null : iso(r.from),
      to: iso(r.to),
      items: rows.slice(0, q.limit ?? 10).map(([name, value], i) => ({ rank: i + 1, name, value })),
    };
  }
}
