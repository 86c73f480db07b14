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

  apply(_kind: string, value: unknown): string {
    // Validates and applies the parsed item in one step (the fold benchmark measures this same call).
    return this.graph.applyItem(value);
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
  private cache: { checkpoint: string; users: Map<string, UserState>; entries: number } | null = null;
  /** The entries each cached user was counted with. */
  private counted = new WeakMap<UserState, number>();

  constructor(private readonly cacheEntries = CACHE_ENTRIES) {}

  async begin(runs: readonly Run[], ctx: ChunkContext): Promise<FamilyChunk> {
    const { users, fromCache, loaded } = await this.loadUsers(runs, ctx);
    // The fold mutates the loaded (possibly cached) states: until this chunk commits, the cache is void
    // (a chunk of producer resends only folds nothing, and the cache stays true at its new checkpoint).
    if (runs.length > 0) this.cache = null;
    return new SocialChunk(users, new Set(users.keys()), loaded, fromCache);
  }

  committed(chunk: FamilyChunk, checkpoint: string): void {
    this.remember(checkpoint, (chunk as SocialChunk).graph.users);
  }

  /**
   * Every user the chunk names, plus the referral ancestors of referral users, as of the checkpoint:
   * from the warm cache when it is in step with the checkpoint, otherwise read and decoded.
   */
  private async loadUsers(
    runs: readonly Run[],
    ctx: ChunkContext,
  ): Promise<{ users: Map<string, UserState>; fromCache: number; loaded: number }> {
    const cache = this.cache !== null && this.cache.checkpoint === ctx.checkpoint ? this.cache.users : null;
    if (cache === null) this.cache = null;
    const store = new GraphStore(ctx.doc, ctx.tables.graph);
    const users = new Map<string, UserState>();
    let fromCache = 0;
    let loaded = 0;
    const fetch = async (names: Iterable<string>): Promise<void> => {
      const missing: string[] = [];
      for (const n of names) {
        if (users.has(n)) continue;
        const hit = cache?.get(n);
        if (hit !== undefined) {
          users.set(n, hit);
          fromCache++;
        } else missing.push(n);
      }
      // Nothing committed yet: no user item exists (a batch writes user items only once it is decided,
      // and a decided batch is settled and committed before anything else), so there is nothing to read.
      if (missing.length === 0 || ctx.emptyStore) return;
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

  /** After a commit: the folded states are the committed ones at `checkpoint`. */
  private remember(checkpoint: string, users: Map<string, UserState>): void {
    let cache = this.cache?.users ?? new Map<string, UserState>();
    let entries = this.cache?.entries ?? 0;
    for (const [n, u] of users) {
      // A cached user comes back changed (the fold mutates it in place): count it afresh.
      const before = cache.get(n);
      const size = entriesOf(u);
      entries += size - (before === undefined ? 0 : (this.counted.get(before) ?? 0));
      this.counted.set(u, size);
      cache.set(n, u);
    }
    if (entries > this.cacheEntries) {
      // Over budget: keep only this chunk's users (the likeliest to come back).
      cache = new Map(users);
      entries = 0;
      for (const u of users.values()) entries += this.counted.get(u) ?? 0;
    }
    this.cache = { checkpoint, users: cache, entries };
  }
}
