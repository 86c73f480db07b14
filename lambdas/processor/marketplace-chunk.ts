// The marketplace family in the processor: loads the products and profiles a chunk names, folds the
// chunk's marketplace events (domain/marketplace/fold.ts) and gives back the touched items and the
// figure rows.
import { MARKETPLACE } from '../../domain/marketplace/family';
import { MarketplaceFold, namedBy, type ProductState, type Profile } from '../../domain/marketplace/fold';
import { productTopic } from '../../queries/live';
import { productView } from '../../queries/marketplace';
import {
  PRODUCT_REGISTRY_PARTITION,
  readProducts,
  readProfiles,
  toProductItem,
  toProfileItem,
} from '../../storage/marketplace/items';
import { registrationItems } from '../../storage/name-index';
import type { RedoPut } from '../../storage/pipeline-store';
import type { ChunkContext, FamilyChunk, ProcessorFamily, Run } from './family-chunk';
import { type CacheView, toRead, WarmCache } from './warm-cache';

class MarketplaceChunk implements FamilyChunk {
  readonly fold: MarketplaceFold;
  /** the warm caches as the chunk began with them */
  views: { products: CacheView<ProductState>; profiles: CacheView<Profile | null> } | null = null;
  readonly stats: { itemsLoaded: number; itemsFromCache: number; itemsWritten: number };

  /** products that existed (for the API) before the chunk */
  private readonly existed: Set<string>;

  constructor(products: Map<string, ProductState>, profiles: Map<string, Profile | null>, loaded: number) {
    this.existed = new Set(
      [...products.values()].filter((p) => p.firstSeenAt !== null).map((p) => p.productId),
    );
    this.fold = new MarketplaceFold(products, profiles);
    this.stats = { itemsLoaded: loaded, itemsFromCache: 0, itemsWritten: 0 };
  }

  apply(kind: string, value: unknown, arrivalMs: number): string {
    return this.fold.apply(value, arrivalMs, kind);
  }

  get eventAt(): number {
    return this.fold.eventAt;
  }

  finish(first: string, last: string): ReturnType<FamilyChunk['finish']> {
    const f = this.fold;
    const puts: RedoPut[] = [];
    const created: string[] = [];
    const live: [string, unknown][] = [];
    for (const id of f.touchedProducts) {
      const p = f.products.get(id) as ProductState;
      puts.push({ table: 'meta', item: toProductItem(p, last) as unknown as Record<string, unknown> });
      // A product no applied event has named yet does not exist for the API (nor for a subscriber).
      if (p.firstSeenAt !== null) live.push([productTopic(id), productView(p)]);
      if (!this.existed.has(id)) created.push(id);
    }
    for (const item of registrationItems(first, created, PRODUCT_REGISTRY_PARTITION)) {
      puts.push({ table: 'meta', item });
    }
    for (const user of f.touchedProfiles) {
      puts.push({
        table: 'meta',
        item: toProfileItem(user, f.profiles.get(user) ?? null, last) as unknown as Record<string, unknown>,
      });
    }
    this.stats.itemsWritten = puts.length;
    return {
      puts,
      sets: f.figures(),
      counters: created.length > 0 ? { products: created.length } : {},
      live,
    };
  }
}

/**
 * Products and profiles kept warm between chunks (lambdas/processor/warm-cache.ts): some 40 and 30 MB of
 * heap at most, beside the social cache, in the processor's 1,024 MB.
 */
export const CACHE_PRODUCTS = 100_000;
export const CACHE_PROFILES = 200_000;

export class MarketplaceFamily implements ProcessorFamily {
  readonly def = MARKETPLACE;
  private readonly productCache: WarmCache<ProductState>;
  private readonly profileCache: WarmCache<Profile | null>;

  constructor(
    budgets: { products: number; profiles: number } = { products: CACHE_PRODUCTS, profiles: CACHE_PROFILES },
  ) {
    this.productCache = new WarmCache(budgets.products);
    this.profileCache = new WarmCache(budgets.profiles);
  }

  async begin(runs: readonly Run[], ctx: ChunkContext): Promise<FamilyChunk> {
    const kinds = new Set<string>(MARKETPLACE.types);
    const productIds = new Set<string>();
    const users = new Set<string>();
    for (const run of runs) {
      for (const v of run.values) {
        const kind = (v as { type?: unknown } | null)?.type;
        // A cheap pre-filter (most events of a mixed stream are social); namedBy decides.
        if (typeof kind === 'string' && !kinds.has(kind)) continue;
        const named = namedBy(v, run.arrivalMs);
        if (named === null) continue;
        if (named.productId !== null) productIds.add(named.productId);
        if (named.profileOf !== null) users.add(named.profileOf);
      }
    }
    const productsView = this.productCache.begin(ctx);
    const profilesView = this.profileCache.begin(ctx);
    const products = new Map<string, ProductState>();
    const profiles = new Map<string, Profile | null>();
    const readIds = toRead(productIds, productsView, products);
    const readUsers = toRead(users, profilesView, profiles);
    const [read, readProfileMap] = await Promise.all([
      readIds.length > 0 ? readProducts(ctx.doc, ctx.tables.meta, readIds) : new Map<string, ProductState>(),
      readUsers.length > 0
        ? readProfiles(ctx.doc, ctx.tables.meta, readUsers)
        : new Map<string, Profile | null>(),
    ]);
    for (const [id, p] of read) products.set(id, p);
    for (const [u, p] of readProfileMap) profiles.set(u, p);
    const chunk = new MarketplaceChunk(products, profiles, read.size + readProfileMap.size);
    chunk.stats.itemsFromCache = products.size - read.size + profiles.size - readProfileMap.size;
    chunk.views = { products: productsView, profiles: profilesView };
    return chunk;
  }

  committed(chunk: FamilyChunk, checkpoint: string): void {
    const c = chunk as MarketplaceChunk;
    const views = c.views;
    if (views === null) return;
    this.productCache.commit(checkpoint, views.products, c.fold.products);
    this.profileCache.commit(checkpoint, views.profiles, c.fold.profiles);
  }
}
