// GET /products/{id}/ratings?from&to&window&interval: the count, average and distribution of the
// ratings over the range, and count and average per step.
import { productIdOfPath } from '../../queries/catalogue';
import { ratingsView } from '../../queries/marketplace';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';
import { productSeries } from './market-reads';
import { reader } from './reader';

export const handler = route(
  { id: 'ProductRatings', query: QUERY.marketSeries, path: ['id'] },
  async ({ path, query }) => {
    const productId = productIdOfPath(path.id);
    const { range, rows } = await productSeries(reader(), productId, query);
    return ratingsView(productId, range, rows);
  },
);
