// GET /leaderboards/products?metric&action&minRatings&from&to&window&limit: products ranked by revenue,
// units, orders, interactions (optionally of one action) or average rating (products with at least
// minRatings ratings) over the range, from the rollups and the journal tail as the social leaderboards.
import { PRODUCT_ACTION_FIGURES, PRODUCT_FIGURES } from '../../domain/marketplace/family';
import { productName } from '../../domain/marketplace/fold';
import { toIso } from '../../domain/time';
import { BadRequestError } from '../../queries/errors';
import { RankingCache } from '../../queries/leaderboard';
import { marketRange, type ProductRank, rankProducts } from '../../queries/marketplace';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';
import { reader } from './reader';

const ranked = new RankingCache<ProductRank>();

export const handler = route(
  { id: 'LeaderboardProducts', query: QUERY.productLeaderboard },
  async ({ query }) => {
    const { metric, action } = query;
    if (action !== undefined && metric !== 'interactions') {
      throw new BadRequestError(`query parameter 'action': only with metric=interactions (not ${metric})`);
    }
    if (query.minRatings !== undefined && metric !== 'rating') {
      throw new BadRequestError(`query parameter 'minRatings': only with metric=rating (not ${metric})`);
    }
    const minRatings = query.minRatings ?? 1;
    const r = reader();
    const range = marketRange(query, r.now());
    const set = action === undefined ? PRODUCT_FIGURES.id : PRODUCT_ACTION_FIGURES.id;
    const sums = await r.rangeBlocks(set, range);
    const items =
      sums === null
        ? []
        : ranked.top(
            `${metric}|${action ?? ''}|${minRatings}|${sums.version}`,
            query.limit,
            (depth) => rankProducts(metric, sums.names, sums.blocks, { action, minRatings }, depth),
            sums.generation,
          );
    const products = await Promise.all(items.map((it) => r.product(it.productId)));
    return {
      metric,
      from: range.from === null ? null : toIso(range.from),
      to: toIso(range.to),
      items: items.map((it, i) => {
        const p = products[i];
        return {
          rank: i + 1,
          productId: it.productId,
          name: p === null ? null : productName(p),
          value: it.value,
        };
      }),
    };
  },
);
