// GET /products/{id}/ratings?from&to&window&interval: the count, average and distribution of the
// ratings over the range, and count and average per step.
import { PRODUCT_FIGURES } from '../../domain/marketplace/family';
import { productIdOfPath } from '../../queries/catalogue';
import { NotFoundError } from '../../queries/errors';
import { marketSeriesRange, ratingsView, seriesSteps } from '../../queries/marketplace';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';
import { keySteps, productEarliest } from './market-reads';
import { reader } from './reader';

export const handler = route(
  { id: 'ProductRatings', query: QUERY.marketSeries, path: ['id'] },
  async ({ path, query }) => {
    const productId = productIdOfPath(path.id);
    const r = reader();
    const product = await r.product(productId);
    const earliest =
      product !== null && query.from === undefined && query.window === undefined
        ? await productEarliest(r, PRODUCT_FIGURES.id, product)
        : null;
    const range = marketSeriesRange(query, earliest, r.now());
    if (product === null) throw new NotFoundError(`product '${productId}' is not known`);
    return ratingsView(
      productId,
      range,
      await keySteps(r, PRODUCT_FIGURES.id, seriesSteps(range), productId),
    );
  },
);
