// The posts family in the processor: loads the stored posts whose ids the chunk's `post` events name
// (to judge a repeat), folds the chunk's posts (domain/posts/fold.ts) and gives back each new post's
// two items (storage/posts/items.ts) and the figure rows.
import { eventKind } from '../../domain/event-kind';
import { POST_TYPE, readPostEvent } from '../../domain/posts/events';
import { POSTS } from '../../domain/posts/family';
import { type KnownPost, PostsFold } from '../../domain/posts/fold';
import { MAX_LIVE_POSTS, POSTS_TOPIC } from '../../queries/live';
import { postView } from '../../queries/posts';
import type { RedoPut } from '../../storage/pipeline-store';
import { readKnownPosts, toPostItem, toUserPostEntry } from '../../storage/posts/items';
import type { ChunkContext, FamilyChunk, ProcessorFamily, Run } from './family-chunk';

class PostsChunk implements FamilyChunk {
  readonly fold: PostsFold;
  readonly stats: { itemsLoaded: number; itemsFromCache: number; itemsWritten: number };

  constructor(known: Map<string, KnownPost>) {
    this.fold = new PostsFold(known);
    this.stats = { itemsLoaded: known.size, itemsFromCache: 0, itemsWritten: 0 };
  }

  apply(_kind: string, value: unknown, arrivalMs: number, seq: string, index: number): string {
    return this.fold.apply(value, arrivalMs, seq, index);
  }

  get eventAt(): number {
    return this.fold.eventAt;
  }

  finish(): ReturnType<FamilyChunk['finish']> {
    const puts: RedoPut[] = [];
    for (const p of this.fold.created) {
      puts.push({ table: 'meta', item: toPostItem(p) as unknown as Record<string, unknown> });
      puts.push({ table: 'meta', item: toUserPostEntry(p) as unknown as Record<string, unknown> });
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

  async begin(runs: readonly Run[], ctx: ChunkContext): Promise<FamilyChunk> {
    const ids = new Set<string>();
    if (!ctx.emptyStore) {
      for (const run of runs) {
        for (const v of run.values) {
          if (eventKind(v) !== POST_TYPE) continue;
          const e = readPostEvent(v, run.arrivalMs);
          if (e !== null) ids.add(e.postId);
        }
      }
    }
    if (ids.size === 0) return new PostsChunk(new Map());
    return new PostsChunk(await readKnownPosts(ctx.doc, ctx.tables.meta, ids));
  }

  committed(): void {}
}
