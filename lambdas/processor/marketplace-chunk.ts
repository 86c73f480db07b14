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

class MarketplaceChunk implements FamilyChunk {
  readonly fold: MarketplaceFold;
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

  apply(_kind: string, value: unknown, arrivalMs: number): string {
    return this.fold.apply(value, arrivalMs);
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

export class MarketplaceFamily implements ProcessorFamily {
  readonly def = MARKETPLACE;

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
    if (ctx.emptyStore || (productIds.size === 0 && users.size === 0)) {
      return new MarketplaceChunk(new Map(), new Map(), 0);
    }
    const [products, profiles] = await Promise.all([
      productIds.size > 0
        ? readProducts(ctx.doc, ctx.tables.meta, productIds)
        : new Map<string, ProductState>(),
      users.size > 0 ? readProfiles(ctx.doc, ctx.tables.meta, users) : new Map<string, Profile | null>(),
    ]);
    return new MarketplaceChunk(products, profiles, products.size + profiles.size);
  }

  committed(): void {}
}
