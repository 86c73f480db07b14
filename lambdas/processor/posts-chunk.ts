// The posts family in the processor: loads the stored posts whose ids the chunk's `post` events name
// (to judge a repeat) and the heads of their writers, folds the chunk's posts (domain/posts/fold.ts)
// and gives back each new post's item, each writer's new head and the entries that go past it to the
// writer's index (storage/posts/items.ts), and the figure rows.
import { eventKind } from '../../domain/event-kind';
import { POST_TYPE, readPostEvent } from '../../domain/posts/events';
import { POSTS } from '../../domain/posts/family';
import { type KnownPost, type PostState, PostsFold } from '../../domain/posts/fold';
import { MAX_LIVE_POSTS, POSTS_TOPIC } from '../../queries/live';
import { postView } from '../../queries/posts';
import { batchGet } from '../../storage/batch-io';
import type { RedoPut } from '../../storage/pipeline-store';
import {
  addToHead,
  headEntries,
  readKnownPosts,
  toPostItem,
  type UserPostEntry,
  userPostsHeadKey,
} from '../../storage/posts/items';
import type { ChunkContext, FamilyChunk, ProcessorFamily, Run } from './family-chunk';
import { type CacheView, toRead, WarmCache } from './warm-cache';

/**
 * Post ids and writers' head entries kept warm between chunks (lambdas/processor/warm-cache.ts): some
 * 40 and 75 MB of heap at most (an entry is an object of six fields).
 */
export const CACHE_POSTS = 500_000;
export const CACHE_HEAD_ENTRIES = 500_000;

class PostsChunk implements FamilyChunk {
  readonly fold: PostsFold;
  readonly stats: { itemsLoaded: number; itemsFromCache: number; itemsWritten: number };
  /** the warm caches as the chunk began with them */
  views: { posts: CacheView<true>; heads: CacheView<UserPostEntry[]> } | null = null;
  /** each writer's head after the chunk (set by finish) */
  readonly newHeads = new Map<string, UserPostEntry[]>();

  constructor(
    known: Map<string, KnownPost>,
    /** the heads of the writers the chunk's posts name, as stored (absent: none) */
    private readonly heads: Map<string, UserPostEntry[]>,
  ) {
    this.fold = new PostsFold(known);
    this.stats = { itemsLoaded: known.size + heads.size, itemsFromCache: 0, itemsWritten: 0 };
  }

  apply(_kind: string, value: unknown, arrivalMs: number, seq: string, index: number): string {
    return this.fold.apply(value, arrivalMs, seq, index);
  }

  get eventAt(): number {
    return this.fold.eventAt;
  }

  finish(): ReturnType<FamilyChunk['finish']> {
    const puts: RedoPut[] = [];
    const byWriter = new Map<string, PostState[]>();
    for (const p of this.fold.created) {
      puts.push({ table: 'meta', item: toPostItem(p) as unknown as Record<string, unknown> });
      const mine = byWriter.get(p.user);
      if (mine === undefined) byWriter.set(p.user, [p]);
      else mine.push(p);
    }
    // One head write per writer, and an index entry for each entry past the head.
    for (const [user, created] of byWriter) {
      const { head, index } = addToHead(user, this.heads.get(user) ?? [], created);
      puts.push({ table: 'meta', item: head as unknown as Record<string, unknown> });
      this.newHeads.set(user, headEntries(user, head));
      for (const e of index) puts.push({ table: 'meta', item: e as unknown as Record<string, unknown> });
    }
    this.stats.itemsWritten = puts.length;
    const n = this.fold.created.length;
    const live: [string, unknown][] = [];
    if (n > 0) {
      // The newest posts' analyses (their content stays behind GET /posts/{id}).
      const posts = this.fold.created.slice(-MAX_LIVE_POSTS).map((p) => {
        const { content: _content, ...analysis } = postView(p);
        return analysis;
      });
      live.push([POSTS_TOPIC, { total: n, posts }]);
    }
    return { puts, sets: this.fold.figures(), counters: n > 0 ? { posts: n } : {}, live };
  }
}

export class PostsFamily implements ProcessorFamily {
  readonly def = POSTS;

  private readonly postCache: WarmCache<true>;
  private readonly headCache: WarmCache<UserPostEntry[]>;

  constructor(
    budgets: { posts: number; headEntries: number } = { posts: CACHE_POSTS, headEntries: CACHE_HEAD_ENTRIES },
  ) {
    this.postCache = new WarmCache(budgets.posts);
    this.headCache = new WarmCache(budgets.headEntries, (h) => 1 + h.length);
  }

  async begin(runs: readonly Run[], ctx: ChunkContext): Promise<FamilyChunk> {
    const postsView = this.postCache.begin(ctx);
    const headsView = this.headCache.begin(ctx);
    const ids = new Set<string>();
    const writers = new Set<string>();
    for (const run of runs) {
      for (const v of run.values) {
        if (eventKind(v) !== POST_TYPE) continue;
        const e = readPostEvent(v, run.arrivalMs);
        if (e !== null) {
          ids.add(e.postId);
          writers.add(e.user);
        }
      }
    }
    // A post the complete cache lacks is not stored; one it holds is read (the fold compares contents).
    const readIds = postsView.complete ? [...ids].filter((id) => postsView.entries.has(id)) : [...ids];
    const heads = new Map<string, UserPostEntry[]>();
    const readWriters = toRead(writers, headsView, heads);
    const [known, headItems] = await Promise.all([
      readIds.length > 0 ? readKnownPosts(ctx.doc, ctx.tables.meta, readIds) : new Map<string, KnownPost>(),
      readWriters.length > 0 ? batchGet(ctx.doc, ctx.tables.meta, readWriters.map(userPostsHeadKey)) : [],
    ]);
    for (const item of headItems) {
      const user = (item.pk as string).slice('postshead#'.length);
      heads.set(user, headEntries(user, item));
    }
    const chunk = new PostsChunk(known, heads);
    chunk.stats.itemsLoaded = known.size + headItems.length;
    chunk.stats.itemsFromCache = heads.size - headItems.length;
    chunk.views = { posts: postsView, heads: headsView };
    return chunk;
  }

  committed(chunk: FamilyChunk, checkpoint: string): void {
    const c = chunk as PostsChunk;
    if (c.views === null) return;
    this.postCache.commit(checkpoint, c.views.posts, new Map(c.fold.created.map((p) => [p.postId, true])));
    this.headCache.commit(checkpoint, c.views.heads, c.newHeads);
  }
}
