// The social family in the processor: loads the users a chunk names (and the referral ancestors its
// referrals need), folds the chunk's social events with the graph (domain/graph.ts), and gives back
// the touched user items, the names it registered and its figure rows (per bucket and user: the change
// of network strength and referral points).
import { EventReader } from '../../domain/events';
import { Graph, type UserState } from '../../domain/graph';
import { SOCIAL, SOCIAL_FIGURES } from '../../domain/social-family';
import { userTopic } from '../../queries/live';
import { profileView } from '../../queries/user';
import { GraphStore } from '../../storage/graph-store';
import { archiveOldCells } from '../../storage/history-archive';
import { registrationItems } from '../../storage/name-index';
import type { RedoPut } from '../../storage/pipeline-store';
import { toUserItem, toUserState } from '../../storage/user-item';
import type { ChunkContext, FamilyChunk, ProcessorFamily, Run } from './family-chunk';
import { type CacheView, WarmCache } from './warm-cache';

/**
 * The warm cache: the processor is the only writer of the graph, so the users it folded stay true
 * for as long as the pipeline's checkpoint is the one they were committed at. A container that
 * stays warm skips reading and decoding them; any other checkpoint (another container ran, or a
 * commit failed) voids the cache. About 4 million entries is some 200 MB of heap at most.
 */
export const CACHE_ENTRIES = 4_000_000;

/** What a cached user costs, in map entries and history cells. */
const entriesOf = (u: UserState): number => 1 + u.friends.size + u.referrals.size + u.history.length;

class SocialChunk implements FamilyChunk {
  readonly graph: Graph;
  /** the warm cache as the chunk began with it */
  view: CacheView<UserState> | null = null;
  readonly stats: { itemsLoaded: number; itemsFromCache: number; itemsWritten: number };

  constructor(
    readonly users: Map<string, UserState>,
    /** users as loaded: anyone absent from it and present after the fold was registered by the chunk */
    private readonly existed: Set<string>,
    loaded: number,
    fromCache: number,
  ) {
    this.graph = new Graph(users);
    this.graph.beginBatch();
    this.stats = { itemsLoaded: loaded, itemsFromCache: fromCache, itemsWritten: 0 };
  }

  apply(kind: string, value: unknown): string {
    // Validates and applies the parsed item in one step (the fold benchmark measures this same call).
    return this.graph.applyItem(value, kind);
  }

  get eventAt(): number {
    return this.graph.eventAt;
  }

  finish(first: string, last: string): ReturnType<FamilyChunk['finish']> {
    const graph = this.graph;
    const puts: RedoPut[] = [];
    const registered: string[] = [];
    const live: [string, unknown][] = [];
    for (const u of graph.touched) {
      const chunk = archiveOldCells(u);
      if (chunk !== null) puts.push({ table: 'history', item: chunk as unknown as Record<string, unknown> });
      const item = toUserItem(u, last);
      puts.push({ table: 'graph', item: item as unknown as Record<string, unknown> });
      live.push([userTopic(u.name), profileView(item)]);
      if (!this.existed.has(u.name)) registered.push(u.name);
    }
    for (const item of registrationItems(first, registered)) puts.push({ table: 'meta', item });
    const rows: (string | number)[] = [];
    for (const d of graph.batchDeltas()) rows.push(d.bucket, d.name, d.strength, d.points);
    this.stats.itemsWritten = graph.touched.length;
    return {
      puts,
      sets: rows.length > 0 ? { [SOCIAL_FIGURES.id]: rows } : {},
      counters: registered.length > 0 ? { users: registered.length } : {},
      live,
    };
  }
}

export class SocialFamily implements ProcessorFamily {
  readonly def = SOCIAL;
  private readonly cache: WarmCache<UserState>;

  constructor(cacheEntries = CACHE_ENTRIES) {
    this.cache = new WarmCache(cacheEntries, entriesOf);
  }

  async begin(runs: readonly Run[], ctx: ChunkContext): Promise<FamilyChunk> {
    const view = this.cache.begin(ctx);
    const { users, fromCache, loaded } = await this.loadUsers(runs, ctx, view);
    const chunk = new SocialChunk(users, new Set(users.keys()), loaded, fromCache);
    chunk.view = view;
    return chunk;
  }

  committed(chunk: FamilyChunk, checkpoint: string): void {
    const c = chunk as SocialChunk;
    if (c.view !== null) this.cache.commit(checkpoint, c.view, c.graph.users);
  }

  /**
   * Every user the chunk names, plus the referral ancestors of referral users, as of the checkpoint:
   * from the warm cache when it holds them, otherwise read and decoded (unless the cache is complete).
   */
  private async loadUsers(
    runs: readonly Run[],
    ctx: ChunkContext,
    cache: CacheView<UserState>,
  ): Promise<{ users: Map<string, UserState>; fromCache: number; loaded: number }> {
    const store = new GraphStore(ctx.doc, ctx.tables.graph);
    const users = new Map<string, UserState>();
    let fromCache = 0;
    let loaded = 0;
    const fetch = async (names: Iterable<string>): Promise<void> => {
      const missing: string[] = [];
      for (const n of names) {
        if (users.has(n)) continue;
        const hit = cache.entries.get(n);
        if (hit !== undefined) {
          users.set(n, hit);
          fromCache++;
        } else missing.push(n);
      }
      // A complete cache holds every stored user (on an empty store: none), so there is nothing to read.
      if (missing.length === 0 || cache.complete) return;
      const read = await store.readRaw(missing);
      for (const [n, item] of read) users.set(n, toUserState(item));
      loaded += read.size;
    };
    const names = new Set<string>();
    const referralNames = new Set<string>();
    const reader = new EventReader();
    for (const run of runs) {
      for (const v of run.values) {
        const type = reader.read(v);
        if (type === null) continue;
        names.add(reader.a);
        if (type === 'register') continue;
        names.add(reader.b);
        if (type === 'referral') {
          referralNames.add(reader.a);
          referralNames.add(reader.b);
        }
      }
    }
    await fetch(names);
    // Walk ancestor chains; each round loads the next missing generation.
    let frontier = [...referralNames];
    while (frontier.length > 0) {
      const missing = new Set<string>();
      for (const start of frontier) {
        let cur = users.get(start);
        while (cur !== undefined && cur.referredBy !== null) {
          const parent = users.get(cur.referredBy);
          if (parent === undefined) {
            missing.add(cur.referredBy);
            break;
          }
          cur = parent;
        }
      }
      if (missing.size === 0) break;
      await fetch(missing);
      frontier = [...missing].filter((n) => users.has(n));
    }
    return { users, fromCache, loaded };
  }
}
